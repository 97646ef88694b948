"""The directors' dashboard, acknowledging a finding, and the findings on My work and the
objective page. Every view reads the stored findings (risks/queries.py); none evaluates a rule.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from objectives import charts, clock, permissions, ratings
from objectives.audit import audit
from objectives.models import Contribution, Objective, PlanStatus

from . import loader, queries, services
from .filters import ConcernFilter
from .forms import NOTE_LIMIT, AcknowledgeForm
from .models import Concern, DashboardVisit, Finding, ObjectiveConcern
from .tables import PER_PAGE, ConcernTable

TEMPLATE = "risks/dashboard.html"
VISIT_GAP = dt.timedelta(hours=1)  # visits closer than this count as one


def _last_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def _previous_visit(request) -> dt.datetime | None:
    """When the director last looked before this visit. Kept in the database for the next
    visit and in the session for the pages of this one, so a visit costs its queries once."""
    now = clock.now()
    kept = request.session.get("risks_visit")
    if kept and now - dt.datetime.fromisoformat(kept["recorded"]) < VISIT_GAP:
        return dt.datetime.fromisoformat(kept["previous"]) if kept["previous"] else None
    visit = DashboardVisit.objects.filter(user=request.user).first()
    previous = visit.last_at if visit else None
    DashboardVisit.objects.update_or_create(
        user=request.user, defaults={"last_at": now, "previous_at": previous}
    )
    request.session["risks_visit"] = {
        "previous": previous.isoformat() if previous else None,
        "recorded": now.isoformat(),
    }
    return previous


def _dashboard_context(request, params, *, plan, errors=None) -> dict:
    user = request.user
    today = clock.today()
    scope = permissions.overseen_directorates(user)
    heatmap = queries.heatmap(plan, scope)
    filterset = ConcernFilter(
        params or None,
        queryset=queries.concerns(plan, scope),
        directorates=[(row.directorate_id, row.directorate) for row in heatmap],
    )
    table = ConcernTable(filterset.qs.prefetch_related(queries.open_findings()))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    month_end = _last_month_end(today)
    previous_visit = _previous_visit(request)
    since_visit = params.get("since") == "visit" and previous_visit is not None
    since = previous_visit if since_visit else loader.end_of(month_end)
    history = queries.history(plan, scope, today=today, since=since)
    # Every row is in the director's scope, which is who may acknowledge (permissions.py).
    for row in table.paginated_rows:
        row.record.errors = (errors or {}).get(row.record.objective_id, {})
    return {
        "plan": plan,
        "today": today,
        "filter": filterset,
        "table": table,
        "summary": queries.summary(plan, scope),
        "heatmap": heatmap,
        "history": history,
        "chart": _chart(history),
        "since": since,
        "since_visit": since_visit,
        "month_end": month_end,
        "previous_visit": previous_visit,
        "next_url": request.get_full_path() if not errors else params.get("next", ""),
    }


def _chart(history) -> str:
    months = [(end.strftime("%b"), danger, watch) for end, danger, watch in history.months]
    drawing = charts.concern_bar_chart(months)
    return charts.chart_svg(
        drawing,
        title="Objectives in danger and to watch, month by month",
        description="; ".join(f"{m}: {d} in danger, {w} to watch" for m, d, w in months),
    )


@login_required
@require_safe
def dashboard(request):
    permissions.require(permissions.can_view_risks(request.user))
    plan = queries.latest_plan()
    if plan is None:
        return render(request, TEMPLATE, {"plan": None})
    context = _dashboard_context(request, request.GET, plan=plan)
    template = TEMPLATE + "#results" if request.htmx else TEMPLATE
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_safe
def export(request):
    """The dashboard's filtered list as CSV, every page of it."""
    permissions.require(permissions.can_view_risks(request.user))
    plan = queries.latest_plan()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="objectives-of-concern.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Ref",
            "Objective",
            "Lead team",
            "Concern",
            "Why",
            "Each team's view",
            "Other findings",
            "Acknowledged",
            "Worse since",
        ]
    )
    if plan is None:
        return response
    scope = permissions.overseen_directorates(request.user)
    filterset = ConcernFilter(request.GET or None, queryset=queries.concerns(plan, scope))
    for row in queries.concern_rows(filterset.qs):
        objective = row.objective
        others = [f.label for f in row.open_findings if not f.is_headline]
        writer.writerow(
            [
                objective.ref,
                objective.title,
                objective.lead_team.name,
                row.get_level_display(),
                row.headline,
                "; ".join(f"{v['team']}: {ratings.label(v['rating'])}" for v in row.views),
                "; ".join(others),
                "Yes" if row.acknowledged else "No",
                row.worsened_on.isoformat() if row.worsened_on else "",
            ]
        )
    return response


def _safe_next(request, fallback: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


@login_required
@require_POST
def acknowledge(request, objective_id):
    objective = get_object_or_404(Objective.objects.select_related("plan"), pk=objective_id)
    permissions.require(permissions.can_acknowledge_flag(request.user, objective))
    next_url = _safe_next(request, reverse("risks:dashboard"))
    form = AcknowledgeForm(request.POST, objective=objective)
    if form.is_valid():
        finding = form.found
        services.acknowledge(finding=finding, note=form.cleaned_data["note"], user=request.user)
        audit(
            "flag_acknowledged",
            obj=objective,
            outcome="acknowledged",
            request=request,
            rule=finding.rule,
        )
        message = (
            f"Acknowledged “{finding.label}” on {objective.ref}. It stays listed, below the "
            "objectives nobody has looked at yet, until its evidence gets worse."
        )
    if request.htmx:
        # The results again, as the page had them, with the message or the form's error.
        params = _params_of(next_url)
        errors = {} if form.is_valid() else {objective.pk: _form_errors(form)}
        context = _dashboard_context(request, params, plan=objective.plan, errors=errors)
        context["next_url"] = next_url
        if form.is_valid():
            context["acknowledged_message"] = message
        response = render(request, TEMPLATE + "#results", context)
        patch_vary_headers(response, ("HX-Request",))
        return response
    if not form.is_valid():
        finding = objective.findings.filter(pk=request.POST.get("finding") or 0).first()
        return render(
            request,
            "risks/acknowledge.html",
            {"objective": objective, "form": form, "finding": finding, "next_url": next_url},
            status=200,
        )
    messages.success(request, message)
    return redirect(next_url)


def _params_of(url: str) -> QueryDict:
    return QueryDict(url.partition("?")[2])


def _form_errors(form) -> dict:
    return {
        "finding": form.data.get("finding", ""),
        "note": form.data.get("note", "")[:NOTE_LIMIT],
        "message": " ".join(form.errors.get("note", []) + form.errors.get("finding", [])),
    }


@login_required
@require_safe
def objective_flags(request, objective_id):
    """One objective's findings, for everyone who may read the objective: the objective page
    loads this with htmx; without JavaScript its link opens it as a page."""
    objective = permissions.get_objective_for_user(request.user, objective_id)
    concern = ObjectiveConcern.objects.filter(objective=objective).first()
    findings = Finding.objects.filter(objective=objective).select_related(
        "acknowledgement__acknowledged_by"
    )
    current = [f for f in findings if f.resolved_at is None]
    resolved = sorted(
        (f for f in findings if f.resolved_at is not None),
        key=lambda f: f.resolved_at,
        reverse=True,
    )[:5]
    context = {
        "objective": objective,
        "concern": concern,
        "findings": current,
        "resolved": resolved,
        "flags_loaded": True,
    }
    template = "risks/_objective_findings.html" if request.htmx else "risks/objective.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_safe
def my_work_flags(request):
    """The findings on the user's teams' objectives. My work asks for this with htmx once it is
    in: a summary, and each row's findings swapped in out of band. Without JavaScript, My work
    links here and it is a page of its own."""
    contributions = list(
        Contribution.objects.filter(team__memberships__user=request.user)
        .exclude(objective__plan__status=PlanStatus.CLOSED)
        .select_related("objective", "team")
        .order_by("team__name", "objective__ref", "pk")
    )
    ids = {c.objective_id for c in contributions}
    levels = dict(
        ObjectiveConcern.objects.filter(objective_id__in=ids).values_list("objective_id", "level")
    )
    found = queries.findings_by_objective(ids)
    rows = [
        {
            "contribution": c,
            "objective": c.objective,
            "level": Concern(levels.get(c.objective_id, Concern.NONE)),
            "findings": found.get(c.objective_id, []),
            "dom_id": f"flags-status-c{c.pk}",
        }
        for c in contributions
    ]
    groups: dict = {}
    for row in rows:
        if row["findings"]:
            groups.setdefault(row["contribution"].team, []).append(row)
    context = {
        "rows": rows,
        "groups": list(groups.items()),
        "objective_count": len(ids),
        "in_danger": sum(1 for pk in ids if levels.get(pk) == Concern.IN_DANGER),
        "watch": sum(1 for pk in ids if levels.get(pk) == Concern.WATCH),
    }
    template = "risks/my_work.html"
    if request.htmx:
        response = HttpResponse(render_to_string(template + "#flags", context, request))
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
