"""The risk dashboard, acknowledging a flag, and the flags on My work (issue 5).

The dashboard reads the plan's cached evaluation (objectives/risk_cache.py: one fingerprint query
when nothing changed; the objectives with new updates patched in when only those changed; the whole
plan evaluated again otherwise), keeps the objectives in the user's scope and filters them in
memory, so the page costs the same few queries whatever the filters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_tables2 import RequestConfig

from objectives import clock, filters_risks, permissions, risk, risk_cache, risk_loader
from objectives.audit import audit
from objectives.forms.risks import AcknowledgeForm
from objectives.models import Contribution, FlagAcknowledgement, Objective, PlanStatus
from objectives.tables_risks import PER_PAGE, RiskRow, RiskTable

TEMPLATE = "objectives/risks.html"


def _oversees(scope, item) -> bool:
    # permissions.oversees_objective, answered from the loaded teams instead of a query per row.
    return scope == permissions.ALL or bool(item.directorate_ids & scope)


def _in_scope(scope, evaluation):
    """(objectives, new flags, resolved flags) of the evaluation that involve the user's scope."""
    if scope == permissions.ALL:
        return evaluation.items, evaluation.added, evaluation.resolved
    items = [item for item in evaluation.items if item.directorate_ids & scope]
    added = [change for change in evaluation.added if change.item.directorate_ids & scope]
    resolved = [change for change in evaluation.resolved if change.item.directorate_ids & scope]
    return items, added, resolved


# Rows drawn once and kept, per process: the same objectives are on everyone's first pages until
# their flags change (a patched or new evaluation brings new ObjectiveRisk objects). What differs
# per request, the CSRF token and the address to come back to, goes in by replacing placeholders.
_ROWS: OrderedDict = OrderedDict()
_ROWS_KEPT = 1000
_ROWS_LOCK = threading.Lock()
_CSRF_MARK = "risk-row-csrf-2c1e9f"
_NEXT_MARK = "risk-row-next-7b4d0a"


def row_html(row: RiskRow, request) -> str:
    """``row`` drawn by _risk_row.html, from the kept copy when its objective's evaluation has
    not changed (rows with a form error or a just-acknowledged flag are always drawn afresh)."""
    if row.error or row.just_acknowledged:
        return render_to_string("objectives/_risk_row.html", {"record": row}, request)
    key = (id(row.item), row.can_acknowledge)
    with _ROWS_LOCK:
        kept = _ROWS.get(key)
        if kept is not None and kept[0] is row.item:
            _ROWS.move_to_end(key)
            html = kept[1]
        else:
            html = None
    if html is None:
        blank = RiskRow(row.item, can_acknowledge=row.can_acknowledge, next_url=_NEXT_MARK)
        html = render_to_string(
            "objectives/_risk_row.html", {"record": blank, "csrf_token": _CSRF_MARK}
        )
        with _ROWS_LOCK:
            _ROWS[key] = (row.item, html)  # the item kept alive, so its id is not reused
            if len(_ROWS) > _ROWS_KEPT:
                _ROWS.popitem(last=False)
    html = html.replace(_CSRF_MARK, get_token(request)).replace(_NEXT_MARK, escape(row.next_url))
    return mark_safe(html)  # noqa: S308 - drawn by the template; the values put in are escaped


def _view(values, items, added, resolved, scope, directorate_names) -> dict:
    """What the dashboard shows for these filters: the same for everyone with this scope, so it
    is worked out once per evaluation (risk_cache.Evaluation.memo)."""
    filtered = filters_risks.apply(values, items, added, resolved)
    return {
        "filtered": filtered,
        "heatmap": filters_risks.heatmap(filtered.in_view, values, scope, directorate_names),
        "high_count": sum(1 for item in filtered.rows if item.worst_severity == risk.HIGH),
        "acknowledged_count": sum(1 for item in filtered.rows if item.acknowledged_count),
    }


@login_required
@require_safe
def dashboard(request):
    user = request.user
    permissions.require(permissions.can_view_risks(user))
    today = clock.today()
    plan, _, evaluation = risk_cache.latest_plan_evaluation(today=today)
    context = {"plan": plan, "today": today}
    if plan is None:
        return render(request, TEMPLATE, context)
    scope = permissions.overseen_directorates(user)
    scope_key = scope if scope == permissions.ALL else tuple(sorted(scope))
    items, added, resolved = evaluation.memo(
        ("scope", scope_key), lambda: _in_scope(scope, evaluation)
    )
    choices = evaluation.memo(
        ("choices", scope_key), lambda: filters_risks.choices_in(items, scope)
    )
    form = filters_risks.RiskFilterForm(request.GET or None, choices=choices, scope=scope)
    values = form.values
    view = evaluation.memo(
        ("view", scope_key, tuple(sorted(values.items()))),
        lambda: _view(values, items, added, resolved, scope, form.directorate_names),
    )
    next_url = request.get_full_path()
    rows = [
        RiskRow(item, can_acknowledge=_oversees(scope, item), next_url=next_url)
        for item in view["filtered"].rows
    ]
    table = RiskTable(rows, caption="Flagged objectives, most severe first")
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    for bound in table.paginated_rows:
        bound.record.html = row_html(bound.record, request)
    context.update(
        form=form,
        table=table,
        rows=rows,
        since=evaluation.since,
        added=view["filtered"].added,
        resolved=view["filtered"].resolved,
        heatmap=view["heatmap"],
        heatmap_columns=filters_risks.HEATMAP_COLUMNS,
        in_view=len(view["filtered"].in_view),
        high_count=view["high_count"],
        acknowledged_count=view["acknowledged_count"],
        filtered=bool(values.keys() - {"acknowledged"}),
    )
    template = TEMPLATE + "#results" if request.htmx else TEMPLATE
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _safe_next(request, fallback: str) -> str:
    candidate = request.POST.get("next", "")
    # A path on this site only: redirect() would read a bare word such as "0" as a view name.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _evaluate_one(objective):
    [item] = risk_loader.evaluate(
        objective.plan, objectives=Objective.objects.filter(pk=objective.pk)
    )
    return item


@login_required
@require_POST
def acknowledge(request, objective_id):
    objective = get_object_or_404(
        Objective.objects.select_related("plan", "lead_team"), pk=objective_id
    )
    permissions.require(permissions.can_acknowledge_flag(request.user, objective))
    dashboard_url = reverse("risks:dashboard")
    next_url = _safe_next(request, dashboard_url)
    form = AcknowledgeForm(request.POST)
    item = _evaluate_one(objective)
    flag = None
    if form.is_valid():
        key = (form.cleaned_data["rule"], form.cleaned_data["subject"])
        flag = next((f for f in item.flags if f.key == key), None)
        if flag is None:
            form.add_error(
                None,
                "This flag is no longer raised: the objective has changed since the page was "
                "loaded. Reload the page to see its flags now.",
            )
    if not form.is_valid():
        key = form.key
        message = " ".join(
            form.errors.get("note", []) + form.errors.get("flag", []) + form.non_field_errors()
        )
        if request.htmx:
            row = RiskRow(
                item,
                can_acknowledge=True,
                next_url=next_url,
                error=message or "Choose one of the flags listed.",
                selected=key,
                note=request.POST.get("note", "")[: AcknowledgeForm.base_fields["note"].max_length],
            )
            response = render(request, "objectives/_risk_row.html", {"record": row})
        else:
            response = render(
                request,
                "objectives/risks_acknowledge.html",
                {
                    "objective": objective,
                    "form": form,
                    "flag": next((f for f in item.flags if f.key == key), None),
                    "next_url": next_url,
                },
            )
        patch_vary_headers(response, ("HX-Request",))
        return response

    with transaction.atomic():
        acknowledgement = FlagAcknowledgement.objects.create(
            objective=objective,
            rule=flag.rule,
            subject=flag.subject,
            note=form.cleaned_data["note"],
            evidence=flag.evidence,
            severity_score=flag.evidence_level,
            acknowledged_by=request.user,
        )
        # The app's clock, so a pinned demo date reads right next to the flags' own dates.
        FlagAcknowledgement.objects.filter(pk=acknowledgement.pk).update(
            acknowledged_at=clock.now()
        )
    audit(
        "flag_acknowledged", obj=objective, outcome="acknowledged", request=request, rule=flag.rule
    )
    if request.htmx:
        row = RiskRow(
            _evaluate_one(objective),
            can_acknowledge=True,
            next_url=next_url,
            just_acknowledged=flag.key,
        )
        response = render(request, "objectives/_risk_row.html", {"record": row})
        # The list then reloads itself, so the objective moves down to where it now belongs.
        response["HX-Trigger-After-Settle"] = "risksChanged"
        patch_vary_headers(response, ("HX-Request",))
        return response
    messages.success(
        request,
        f"Acknowledged “{flag.label}” on {objective.ref}. It no longer adds to the score, so "
        "the objective moves down the list; the acknowledgement lapses if the evidence gets worse.",
    )
    return redirect(next_url)


@login_required
@require_safe
def objective_flags(request, objective_id):
    """One objective's flags, for everyone who may read the objective: the detail page loads this
    section with htmx; without JavaScript its link opens it as a page."""
    objective = permissions.get_objective_for_user(request.user, objective_id)
    context = {
        "objective": objective,
        "flags": risk_loader.flags_for_objective(objective),
        "flags_loaded": True,
    }
    template = (
        "objectives/_objective_flags.html" if request.htmx else "objectives/risks_objective.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Flags on My work ----------------------------------------------------------------------------


class MyWorkFlagRow:
    """One My work row (a team's involvement in an objective) with the objective's flags."""

    __slots__ = ("contribution", "item")

    def __init__(self, contribution, item):
        self.contribution = contribution
        self.item = item

    @property
    def objective(self):
        return self.contribution.objective

    @property
    def flags(self):
        return self.item.flags if self.item is not None else ()

    @property
    def dom_id(self) -> str:
        # My work's row is "status-c<contribution>"; its flags go in "flags-status-c<contribution>".
        return f"flags-status-c{self.contribution.pk}"


def _my_work_risks(user, today) -> list[MyWorkFlagRow]:
    """My work's rows for ``user`` (every objective of their teams in plans not closed), each with
    its objective's flags: from the plan's cached evaluation when there is one, else by evaluating
    just these objectives. Per plan: one query, and five more when the flags are worked out."""
    contributions = list(
        Contribution.objects.filter(team__memberships__user=user)
        .exclude(objective__plan__status=PlanStatus.CLOSED)
        .select_related("objective__plan", "team")
        .order_by("team__name", "objective__ref", "objective__plan__start_date", "pk")
    )
    by_plan: dict[int, set[int]] = defaultdict(set)
    plans = {}
    for contribution in contributions:
        by_plan[contribution.objective.plan_id].add(contribution.objective_id)
        plans[contribution.objective.plan_id] = contribution.objective.plan
    risks = {}
    for plan_id, ids in by_plan.items():
        periods, evaluation = risk_cache.cached_plan_evaluation(plans[plan_id], today=today)
        if evaluation is not None:
            risks.update((pk, evaluation.by_id.get(pk)) for pk in ids)
            continue
        for item in risk_loader.evaluate(
            plans[plan_id],
            objectives=Objective.objects.filter(pk__in=ids),
            today=today,
            periods=periods,
        ):
            risks[item.objective_id] = item
    return [MyWorkFlagRow(c, risks.get(c.objective_id)) for c in contributions]


@login_required
@require_http_methods(["GET", "HEAD"])
def my_work_flags(request):
    """The flags on the user's teams' objectives. My work asks for this with htmx once it is in:
    a summary, and each row's flags swapped in out of band. Without JavaScript, My work links here
    and it is a page of its own."""
    today = clock.today()
    rows = _my_work_risks(request.user, today)
    flagged, high = {}, set()
    for row in rows:
        if row.flags:
            flagged[row.objective.pk] = row
            if row.item.worst_severity == risk.HIGH:
                high.add(row.objective.pk)
    groups: dict = {}
    for row in rows:
        groups.setdefault(row.contribution.team, []).append(row)
    context = {
        "rows": rows,
        "groups": [(team, [r for r in team_rows if r.flags]) for team, team_rows in groups.items()],
        "objective_count": len({row.objective.pk for row in rows}),
        "flagged_count": len(flagged),
        "high_count": len(high),
        "today": today,
    }
    template = "objectives/risks_my_work.html"
    if request.htmx:
        # A fragment with no form and no navigation: rendered without the site's context
        # processors, which would ask who may see the dashboard (one query) for nothing.
        response = HttpResponse(render_to_string(template + "#flags", context))
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
