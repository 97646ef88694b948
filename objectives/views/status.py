"""My work (what my teams must update this period) and the status update form.

The current period of a plan is the one containing clock.today(). My work lists every objective the
user's teams lead or contribute to in plans that are not closed, grouped by team. Team leads (and
directors, for teams they oversee) get an Update button per row; with htmx the form opens inside the
row and the row swaps in place on save; without JavaScript the same form is a page that redirects
back to My work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from objectives import clock, permissions, ratings, services
from objectives.audit import audit
from objectives.forms.status import StatusUpdateForm
from objectives.models import (
    LIVE_ASK_STATES,
    Ask,
    Contribution,
    ContributionRole,
    Period,
    PlanStatus,
    Role,
    StatusUpdate,
    Team,
)

# --- Rows ---------------------------------------------------------------------------------------


@dataclass
class WorkRow:
    """One team's involvement in one objective, as My work shows it."""

    contribution: Contribution
    period: Period | None  # the plan's current reporting period; None when today is outside it
    can_update: bool
    can_override_lock: bool
    action_column: bool = True
    state: str = ""  # "" | "open" (form below) | "saved" | "cancelled"
    # Filled by the risk rules later: flags about this objective, shown under its title.
    flags: list = field(default_factory=list)

    @property
    def objective(self):
        return self.contribution.objective

    @property
    def team(self):
        return self.contribution.team

    @property
    def latest(self) -> StatusUpdate | None:
        return self.contribution.latest_update

    @property
    def is_lead(self) -> bool:
        return self.contribution.role == ContributionRole.LEAD

    @property
    def this_period_rating(self) -> str | None:
        return self.contribution.this_period_rating or None

    @property
    def is_due(self) -> bool:
        return self.period is not None and not self.this_period_rating

    @property
    def locked_for_user(self) -> bool:
        return bool(self.period and self.period.locked and not self.can_override_lock)

    @property
    def show_update_button(self) -> bool:
        return (
            self.can_update
            and self.period is not None
            and not self.locked_for_user
            and self.state != "open"
        )

    @property
    def dom_id(self) -> str:
        return f"status-c{self.contribution.pk}"

    @property
    def update_url(self) -> str:
        return reverse(
            "objectives:update_status", args=[self.contribution.objective_id, self.team.pk]
        )


@dataclass
class TeamGroup:
    team: Team
    is_lead: bool
    rows: list[WorkRow]

    @property
    def due_count(self) -> int:
        return sum(row.is_due for row in self.rows)

    @property
    def can_update(self) -> bool:
        return any(row.can_update for row in self.rows)

    @property
    def period_label(self) -> str:
        labels = {row.period.label for row in self.rows if row.period}
        return labels.pop() if len(labels) == 1 else "this period"


def _contributions(today: dt.date) -> QuerySet[Contribution]:
    """Contributions with their team, objective, plan and current view, the plan's period
    containing `today` (as `current_period`, missing when there is none) and the rating the team
    gave for that period (newest first, so a correction wins): all in one query."""
    this_period = StatusUpdate.objects.filter(
        contribution=OuterRef("pk"),
        period__start_date__lte=today,
        period__end_date__gte=today,
    ).order_by("-created_at", "-pk")
    return (
        Contribution.objects.annotate(
            current_period=FilteredRelation(
                "objective__plan__periods",
                condition=Q(
                    objective__plan__periods__start_date__lte=today,
                    objective__plan__periods__end_date__gte=today,
                ),
            ),
            this_period_rating=Subquery(this_period.values("rating")[:1]),
        )
        .select_related(
            "team__directorate", "objective__plan", "latest_update__period", "current_period"
        )
        .order_by("objective__ref", "objective__plan__start_date")
    )


def _rows(user, contributions, **extra) -> list[WorkRow]:
    return [
        WorkRow(
            contribution=c,
            period=getattr(c, "current_period", None),
            can_update=permissions.can_update_team_status(user, c.team),
            can_override_lock=permissions.can_override_lock(user, c.team),
            **extra,
        )
        for c in contributions
    ]


def _htmx_aware(response):
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- My work ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def my_work(request):
    user = request.user
    today = clock.today()
    roles = permissions.team_roles(user)
    if not roles and permissions.can_view_risks(user):
        # Directors and admins without a team: their work is the risks dashboard.
        return redirect("risks:dashboard")
    contributions = (
        _contributions(today)
        .filter(team_id__in=roles)
        .exclude(objective__plan__status=PlanStatus.CLOSED)
    )
    by_team: dict[int, list[WorkRow]] = {team_id: [] for team_id in roles}
    teams: dict[int, Team] = {}
    for row in _rows(user, contributions):
        by_team[row.team.pk].append(row)
        teams[row.team.pk] = row.team
    if len(teams) < len(roles):  # teams with no objectives yet: one more query, only then
        missing = Team.objects.filter(pk__in=set(roles) - set(teams))
        teams.update(missing.select_related("directorate").in_bulk())
    groups = [
        TeamGroup(team=team, is_lead=roles[team.pk] == Role.LEAD, rows=by_team[team.pk])
        for team in sorted(teams.values(), key=lambda team: team.name)
    ]
    for group in groups:
        for row in group.rows:
            row.action_column = group.can_update
    asked_of_you, asked_by_you = team_asks(user, roles, today)
    context = {
        "groups": groups,
        "today": today,
        "asked_of_you": asked_of_you,
        "asked_by_you": asked_by_you,
    }
    return _htmx_aware(render(request, "objectives/my_work.html", context))


# How long an answered ask stays on the asking team's My work.
ANSWERS_SHOWN_FOR = dt.timedelta(days=30)


def team_asks(user, team_ids, today) -> tuple[list[Ask], list[Ask]]:
    """(asks still waiting on the user's teams, their teams' asks: live or closed lately), each
    with what the user may do to it. Two queries."""
    related = ("objective", "from_team", "to_team", "asked_by", "answered_by")
    of_you = list(
        Ask.objects.filter(to_team_id__in=team_ids, state__in=LIVE_ASK_STATES)
        .select_related(*related)
        .order_by(F("due_date").asc(nulls_last=True), "created_at", "pk")
    )
    since = clock.now() - ANSWERS_SHOWN_FOR
    by_you = list(
        Ask.objects.filter(from_team_id__in=team_ids)
        .filter(Q(state__in=LIVE_ASK_STATES) | Q(updated_at__gte=since))
        .exclude(to_team_id__in=team_ids, state__in=LIVE_ASK_STATES)  # already listed above
        .select_related(*related)
        .order_by("-updated_at", "-pk")
    )
    for ask in of_you + by_you:
        ask.can_answer = permissions.can_answer_ask(user, ask)
        ask.can_withdraw = permissions.can_withdraw_ask(user, ask)
    return of_you, by_you


# --- Update status ------------------------------------------------------------------------------


def _reportable_periods(plan, today: dt.date) -> tuple[list[Period], Period | None]:
    """The plan's months that have started, oldest first, and the current one — or ([], None)
    when today is outside the plan: then there is no open reporting period."""
    periods = list(plan.periods.filter(start_date__lte=today).order_by("month"))
    current = periods[-1] if periods and periods[-1].end_date >= today else None
    return (periods, current) if current else ([], None)


def _selected_period(request, periods: list[Period], current: Period | None) -> Period | None:
    wanted = request.POST.get("period") if request.method == "POST" else request.GET.get("period")
    return next((p for p in periods if str(p.pk) == wanted), current)


@login_required
@require_http_methods(["GET", "POST"])
def update_status(request, pk, team_id):
    user = request.user
    objective = permissions.get_objective_for_user(user, pk)
    team = permissions.get_team_for_status(user, team_id)  # 403 for a team the user may not update
    today = clock.today()
    # Every team on the objective in one query: this team's row, and the others it may ask.
    involved = list(
        _contributions(today).filter(objective=objective).order_by("role", "team__name")
    )
    contribution = next((c for c in involved if c.team_id == team.pk), None)
    if contribution is None:
        raise Http404("That team is not involved in this objective.")
    row = WorkRow(
        contribution=contribution,
        period=getattr(contribution, "current_period", None),
        can_update=True,
        can_override_lock=permissions.can_override_lock(user, team),
    )

    if "cancel" in request.GET:
        if not request.htmx:
            return redirect("objectives:my_work")
        row.state = "cancelled"
        return _htmx_aware(render(request, "objectives/my_work.html#row", {"row": row}))

    periods, current = _reportable_periods(objective.plan, today)
    other_teams = [c.team for c in involved if c.team_id != team.pk]
    selected = _selected_period(request, periods, current)
    form = StatusUpdateForm(
        request.POST if request.method == "POST" else None,
        contribution=contribution,
        periods=periods,
        other_teams=other_teams,
        can_override_lock=row.can_override_lock,
        scale_points=settings.RATING_SCALE,
        initial={"period": selected.pk if selected else None},
    )

    if request.method == "POST" and form.is_valid():
        try:
            update = services.record_status(
                contribution=contribution,
                period=form.cleaned_data["period"],
                rating=form.cleaned_data["rating"],
                author=user,
                going_well=form.cleaned_data["going_well"],
                not_going_well=form.cleaned_data["not_going_well"],
                risks=form.cleaned_data["risks"],
                asks=form.asks,
                lock_override=form.lock_override,
                now=clock.now(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if update.lock_override:
                audit("lock_override", obj=update, outcome="saved", request=request, team=team.name)
            return _saved(request, update, objective, team, today)

    # The rating already given for the chosen month, so the form can say a save corrects it.
    if selected is None or selected == current:
        reported_rating = contribution.this_period_rating
    else:
        reported_rating = (
            StatusUpdate.objects.filter(contribution=contribution, period=selected)
            .order_by("-created_at", "-pk")
            .values_list("rating", flat=True)
            .first()
        )
    earlier = [
        p for p in reversed(periods) if p != selected and (not p.locked or row.can_override_lock)
    ]
    context = {
        "row": row,
        "form": form,
        "objective": objective,
        "team": team,
        "period": selected,
        "reported_rating": reported_rating,
        "earlier_periods": earlier,
        "locked_for_user": bool(selected and selected.locked and not row.can_override_lock),
        "narrative_hint": _narrative_hint(contribution),
    }
    if request.htmx:
        row.state = "open"
        return _htmx_aware(render(request, "objectives/update_status.html#inline", context))
    return _htmx_aware(render(request, "objectives/update_status.html", context))


def _narrative_hint(contribution: Contribution) -> str:
    rule = "A narrative is required for Amber/Red and Red, and whenever the rating changes"
    if contribution.latest_update:
        return f"{rule} (the last rating was {contribution.latest_update.get_rating_display()})."
    return f"{rule}."


def _saved(request, update: StatusUpdate, objective, team: Team, today: dt.date):
    """After a save: the row swapped in place (htmx), or a message and My work (no JavaScript)."""
    summary = (
        f"Saved: {team.name} rated {objective.ref} {ratings.label(update.rating)} "
        f"for {update.period.label}."
    )
    if update.corrects_id:
        summary += " This corrects the earlier update for that month."
    if update.lock_override:
        summary += " Recorded after the period was locked."
    if not request.htmx:
        messages.success(request, summary)
        row_id = f"status-c{update.contribution_id}"
        return _htmx_aware(redirect(reverse("objectives:my_work") + f"#{row_id}"))
    # The saved row, and the team's other rows so the "not yet reported" count stays true.
    team_rows = _rows(
        request.user,
        _contributions(today).filter(
            Q(pk=update.contribution_id)
            | Q(team=team) & ~Q(objective__plan__status=PlanStatus.CLOSED)
        ),
    )
    (row,) = [r for r in team_rows if r.contribution.pk == update.contribution_id]
    row.state = "saved"
    group = TeamGroup(
        team=team, is_lead=team.pk in permissions.led_team_ids(request.user), rows=team_rows
    )
    context = {"row": row, "group": group, "saved_summary": summary}
    response = render(request, "objectives/update_status.html#saved", context)
    # My work then asks for its risk flags again (risks:my_work_flags), the saved row's included.
    response["HX-Trigger-After-Settle"] = "statusSaved"
    return _htmx_aware(response)
