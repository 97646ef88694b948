"""Find, filter, read, export and edit objectives: the list, its export, the detail page, marking a
milestone done and editing an objective's own fields.

Every signed-in person may read objectives (permissions.can_view_objective); edits and milestones
ask permissions.py. Each page loads its data in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from objectives import clock, export, permissions
from objectives.filters import ALL_PLANS, ObjectiveFilter, load_choices
from objectives.forms.objective import (
    EDITABLE_FIELDS,
    ObjectiveForm,
    current_values,
    field_changes,
    field_label,
    merge_after_conflict,
    raw_values,
    read_loaded,
    sign_loaded,
)
from objectives.models import (
    Ask,
    Contribution,
    Dependency,
    Measure,
    Milestone,
    Objective,
    ObjectiveRevision,
    Reading,
)
from objectives.signals import announce_change
from objectives.tables import PER_PAGE, ObjectiveTable, list_queryset
from objectives.views.history import histories, history_page, rating_grid_of

FLAGS_TEMPLATE = "objectives/_objective_flags.html"


def _is_partial(request) -> bool:
    """An htmx request that wants only the swapped part (not a history restore, which wants all)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- List and export ----------------------------------------------------------------------------


def _filtered(request, queryset):
    filterset = ObjectiveFilter(request.GET, queryset=queryset, choices=load_choices())
    return filterset, filterset.qs


@login_required
@require_safe
def objective_list(request):
    filterset, queryset = _filtered(request, list_queryset())
    table = ObjectiveTable(queryset, request=request)
    sort = request.GET.get("sort", "").strip()
    table.order_by = sort or None
    try:
        number = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        number = 1
    try:
        table.paginate(page=number, per_page=PER_PAGE)
    except EmptyPage:
        # Past the end (a bookmark of a list that has since shrunk): the last page.
        table.paginate(page=table.paginator.num_pages, per_page=PER_PAGE)
    plan_label = dict(filterset.choices.plans).get(filterset.plan_value)
    if filterset.plan_value == ALL_PLANS:
        table.caption = "Objectives in all plans"
    else:
        table.caption = f"Objectives in plan {plan_label}" if plan_label else "Objectives"
    context = {
        "filter": filterset,
        "table": table,
        "sort": table.order_by[0] if table.order_by else "",
        "export_query": _export_query(request),
    }
    template = "objectives/objective_list.html"
    if _is_partial(request):
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _export_query(request) -> str:
    params = request.GET.copy()
    for name in ("page", "format"):
        params.pop(name, None)
    return params.urlencode()


@login_required
@require_safe
def objective_export(request):
    kind = request.GET.get("format", "csv")
    if kind not in export.FORMATS:
        return HttpResponseBadRequest(
            f"Unknown export format '{kind[:20]}': use csv or xlsx.", content_type="text/plain"
        )
    filterset, queryset = _filtered(request, export.export_queryset())
    if filterset.errors:
        # Show the same errors the list shows, rather than export something the user did not ask.
        return redirect(f"{reverse('objectives:list')}?{_export_query(request)}")
    filename = export.filename(dict(filterset.choices.plans).get(filterset.plan_value, "all"))
    return export.response(kind, queryset, filename)


# --- Detail -------------------------------------------------------------------------------------


def _load_objective_with_teams(pk):
    """The objective and its teams in one query (through the contributions), or 404.

    Every objective has at least its lead team's contribution; an objective without any (possible
    only through raw data changes) costs one more query.
    """
    contributions = list(
        Contribution.objects.filter(objective_id=pk)
        .select_related(
            "objective__plan",
            "objective__lead_team__directorate",
            "objective__owner",
            "team",
            "latest_update__author",
            "latest_update__period",
        )
        .order_by("-role", "team__name")  # the lead team first
    )
    if contributions:
        objective = contributions[0].objective
        for contribution in contributions:
            contribution.objective = objective
        return objective, contributions
    objective = get_object_or_404(
        Objective.objects.select_related("plan", "lead_team__directorate", "owner"), pk=pk
    )
    return objective, []


def _milestone_permissions(user, milestones, *, can_edit: bool) -> None:
    """Set `can_mark` on each milestone.

    permissions.can_mark_milestone allows the responsible team's members and whoever may edit the
    objective. Whoever may edit may mark every milestone; for anyone else the answer depends only
    on the milestone's team, so ask once per team rather than once per milestone (each ask can
    cost a query).
    """
    answers: dict = {}
    for milestone in milestones:
        if can_edit:
            milestone.can_mark = True
            continue
        if milestone.team_id not in answers:
            answers[milestone.team_id] = permissions.can_mark_milestone(user, milestone)
        milestone.can_mark = answers[milestone.team_id]


@login_required
@require_safe
def objective_detail(request, pk):
    user = request.user
    objective, contributions = _load_objective_with_teams(pk)
    permissions.require(permissions.can_view_objective(user, objective))
    objective.involved_directorate_ids = {c.team.directorate_id for c in contributions}

    today = clock.today()
    months, grid, counts = rating_grid_of(objective, contributions, today)
    due = {row.key for row in grid if row.is_due}
    asks = list(
        Ask.objects.filter(objective=objective)
        .select_related("from_team", "to_team", "asked_by", "answered_by")
        .order_by("created_at", "pk")
    )
    for ask in asks:
        ask.objective = objective
        ask.can_answer = permissions.can_answer_ask(user, ask)
        ask.can_withdraw = permissions.can_withdraw_ask(user, ask)
    for contribution in contributions:
        contribution.current = contribution.latest_update
        contribution.is_due = contribution.pk in due
        contribution.can_update = permissions.can_update_team_status(user, contribution.team)
    paged_team, page_number = history_page(request, contributions)

    can_edit = permissions.can_edit_objective(user, objective)
    milestones = list(objective.milestones.select_related("team"))
    for milestone in milestones:
        milestone.objective = objective
    _milestone_permissions(user, milestones, can_edit=can_edit)

    dependencies = list(
        Dependency.objects.filter(Q(objective=objective) | Q(depends_on=objective))
        .select_related("objective", "depends_on")
        .order_by("pk")
    )
    measures = list(
        Measure.objects.filter(objective=objective).prefetch_related(
            Prefetch("readings", queryset=measure_readings())
        )
    )
    for measure in measures:
        measure.objective = objective

    context = {
        "objective": objective,
        "contributions": contributions,
        "lead": next((c for c in contributions if c.role == "lead"), None),
        "months": months,
        "current_month": next((month for month in months if month.is_current), None),
        "grid": grid,
        "due_teams": [row.team for row in grid if row.is_due],
        "histories": histories(
            objective, contributions, counts, paged_team, page_number, asks=asks
        ),
        "paged_team": paged_team,
        "has_history": bool(counts),
        "actors": list(objective.actors.all()),
        "milestones": milestones,
        "today": today,
        "measures": measures,
        "needs": [d for d in dependencies if d.objective_id == objective.pk],
        "needed_by": [d for d in dependencies if d.depends_on_id == objective.pk],
        "revisions": _revisions(objective),
        "can_edit": can_edit,
        "flags_template": _flags_template(),
        "asks": _shown_asks(asks),
        "can_ask": any(permissions.can_raise_ask(user, c.team) for c in contributions),
    }
    return render(request, "objectives/objective_detail.html", context)


# Closed asks shown under the open ones on the objective page, newest first.
RECENT_CLOSED_ASKS = 10


def _shown_asks(asks: list[Ask]) -> list[Ask]:
    """Open and accepted asks, oldest first, then the most recently closed ones."""
    live = [ask for ask in asks if ask.is_live]
    closed = sorted(
        (ask for ask in asks if not ask.is_live), key=lambda ask: (ask.updated_at, ask.pk)
    )
    return live + closed[::-1][:RECENT_CLOSED_ASKS]


def measure_readings():
    return Reading.objects.order_by("date")


def _flags_template() -> str | None:
    # The risk flags arrive in their own template; until it exists the page shows nothing there.
    try:
        get_template(FLAGS_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return FLAGS_TEMPLATE


def _revisions(objective):
    revisions = list(objective.revisions.select_related("user").order_by("-created_at", "-pk"))
    for revision in revisions:
        revision.rows = [
            (_revision_label(name), _text(before), _text(after))
            for name, (before, after) in revision.changes.items()
        ]
    return revisions


def _revision_label(name: str) -> str:
    # Edits here record model field names; the plan importer records its column names.
    if name in EDITABLE_FIELDS:
        return field_label(name)
    return name.replace("_", " ").capitalize()


def _text(value) -> str:
    return "" if value is None else str(value)


# --- Milestones ---------------------------------------------------------------------------------


@login_required
@require_POST
def milestone_done(request, pk):
    milestone = get_object_or_404(Milestone.objects.select_related("objective", "team"), pk=pk)
    permissions.require(permissions.can_mark_milestone(request.user, milestone))
    today = clock.today()
    if milestone.done_date is None:
        Milestone.objects.filter(pk=pk, done_date__isnull=True).update(done_date=today)
        announce_change([milestone.objective_id])
        milestone.done_date = today
        done_now = True
    else:
        done_now = False
    if _is_partial(request):
        milestone.can_mark = True
        response = render(
            request,
            "objectives/_objective_milestone_row.html",
            {"milestone": milestone, "today": today, "just_done": done_now},
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if done_now:
        messages.success(request, f"Marked “{milestone.title}” done.")
    else:
        messages.info(request, f"“{milestone.title}” was already done.")
    return redirect(f"{milestone.objective.get_absolute_url()}#milestones")


# --- Edit ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def objective_edit(request, pk):
    objective = get_object_or_404(
        Objective.objects.select_related("plan", "lead_team", "owner"), pk=pk
    )
    permissions.require(permissions.can_edit_objective(request.user, objective))
    heading = f"{objective.ref} {objective.title}"  # binding the form changes the instance
    conflict = None
    status = 200
    if request.method == "POST":
        form = ObjectiveForm(request.POST, instance=objective)
        if form.is_valid():
            outcome = _save_objective(objective.pk, form, request.user)
            if outcome.saved:
                if outcome.changes:
                    messages.success(request, f"Saved your changes to {objective.ref}.")
                else:
                    messages.info(request, "You did not change anything, so nothing was saved.")
                return redirect(objective.get_absolute_url())
            # Someone saved first: show the form again holding their changes and the user's, and
            # let a second save (now against the newer version) go through.
            conflict = outcome
            form = ObjectiveForm(_merged_data(request.POST, outcome), instance=outcome.current)
            form.is_valid()
            status = 409
        else:
            status = 400
    elif request.method == "GET":
        form = ObjectiveForm(instance=objective)
    else:
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(
        request,
        "objectives/objective_edit.html",
        {"objective": objective, "heading": heading, "form": form, "conflict": conflict},
        status=status,
    )


@dataclass
class SaveOutcome:
    saved: bool
    changes: dict = field(default_factory=dict)
    current: Objective | None = None  # as saved now, when the save was refused
    differences: list = field(default_factory=list)
    keep_mine: set = field(default_factory=set)
    last_revision: ObjectiveRevision | None = None


def _save_objective(pk, form, user) -> SaveOutcome:
    """Save with the version the form was loaded at; refuse if someone else saved since."""
    version = form.cleaned_data["version"]
    new_values = form.new_values()
    with transaction.atomic():
        current = Objective.objects.select_related("owner").get(pk=pk)
        if current.version == version:
            changes = field_changes(current_values(current), new_values)
            if not changes:
                return SaveOutcome(saved=True)
            updated = Objective.objects.filter(pk=pk, version=version).update(
                **new_values, version=version + 1, updated_at=timezone.now()
            )
            if updated == 1:
                ObjectiveRevision.objects.create(objective_id=pk, user=user, changes=changes)
                announce_change([pk])
                return SaveOutcome(saved=True, changes=changes)
            current = Objective.objects.select_related("owner").get(pk=pk)
    differences, keep_mine = merge_after_conflict(
        loaded=read_loaded(form.cleaned_data["loaded"]),
        current=current_values(current),
        submitted=new_values,
    )
    last_revision = (
        ObjectiveRevision.objects.filter(objective_id=pk)
        .select_related("user")
        .order_by("-created_at", "-pk")
        .first()
    )
    return SaveOutcome(
        saved=False,
        current=current,
        differences=differences,
        keep_mine=keep_mine,
        last_revision=last_revision,
    )


def _merged_data(posted, outcome: SaveOutcome):
    """The form data to show after a refused save: the user's input where they changed a field,
    the newly saved value elsewhere, and the version and values now loaded."""
    data = posted.copy()
    now = raw_values(current_values(outcome.current))
    for name in EDITABLE_FIELDS:
        if name not in outcome.keep_mine:
            data[name] = str(now[name])
    data["version"] = str(outcome.current.version)
    data["loaded"] = sign_loaded(outcome.current)
    return data
