"""`load(day, as_at=…) -> Pack`: everything a pack shows, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from objectives import ratings, spc
from objectives.models import (
    LIVE_ASK_STATES,
    Ask,
    AskState,
    Contribution,
    ContributionRole,
    Dependency,
    Measure,
    Milestone,
    Objective,
    Reading,
    StatusUpdate,
)
from risks.models import Finding

from .. import services
from ..models import Action, CollaborationDay, Decision, FocusObjective
from .rows import (
    ActionRow,
    AppendixRow,
    AskRow,
    ChangeRow,
    DecisionRow,
    DependencyRow,
    FlaggedRow,
    FlagView,
    HistoryRow,
    MeasureView,
    MilestoneRow,
    ObjectiveSection,
    Pack,
    TeamView,
)


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _as_date(when):
    return when.date() if isinstance(when, dt.datetime) else when


def load(day: CollaborationDay, *, as_at: dt.datetime, viewer=None) -> Pack:
    """Everything the pack shows for `day`, as the data stood at `as_at`, for `viewer`: the
    previous day is one they may see (services.previous_day); None is the operator's command."""
    today = as_at.date()
    day = CollaborationDay.objects.select_related("plan", "facilitator").get(pk=day.pk)
    teams = list(day.teams.order_by("name"))
    team_ids = [t.pk for t in teams]
    focus_rows = list(
        FocusObjective.objects.filter(day=day)
        .select_related("objective__lead_team", "objective__owner")
        .order_by("position")
    )
    objectives = [row.objective for row in focus_rows]
    focus_ids = [o.pk for o in objectives]
    focus_subquery = FocusObjective.objects.filter(day=day).values("objective_id")

    previous = services.previous_day(day, viewer=viewer, today=today)
    # The stored findings of the objectives in focus, the headline of each first.
    flags_of = defaultdict(list)
    for finding in Finding.objects.filter(
        objective_id__in=focus_subquery, resolved_at__isnull=True
    ):
        flags_of[finding.objective_id].append(FlagView.of(finding))

    # Plain rows rather than model instances: a 500-objective day has thousands of each.
    contributions = [
        _ContributionRow(*row)
        for row in Contribution.objects.filter(objective_id__in=focus_subquery)
        .order_by("objective_id", "role", "team__name")
        .values_list(
            "pk",
            "objective_id",
            "team__name",
            "role",
            "commitment",
            "latest_update_id",
            "latest_update__rating",
            "latest_update__period__start_date",
            "latest_update__going_well",
            "latest_update__not_going_well",
            "latest_update__risks",
            "latest_update__author__first_name",
            "latest_update__author__last_name",
            "latest_update__author__username",
        )
    ]
    # Every status update of the objectives in focus, folded as it streams in: each team's
    # rating per month (newest wins) and its rating as the previous day stood.
    history = defaultdict(dict)  # contribution id -> month -> rating
    rating_then = {}  # contribution id -> rating on the previous day
    previous_date = previous.date if previous else None
    newest = None
    for contribution_id, month, rating, created in (
        StatusUpdate.objects.filter(contribution__objective_id__in=focus_subquery)
        .order_by("created_at", "pk")
        .values_list("contribution_id", "period__month", "rating", "created_at")
        .iterator(chunk_size=2000)
    ):
        history[contribution_id][month] = rating
        if previous_date is not None and _as_date(created) <= previous_date:
            rating_then[contribution_id] = rating
        newest = created
    milestones = list(
        Milestone.objects.filter(objective_id__in=focus_subquery)
        .select_related("team")
        .order_by("objective_id", "due_date", "pk")
    )
    measures = {}
    for measure in Measure.objects.filter(objective_id__in=focus_subquery).order_by(
        "objective_id", "-is_main", "name", "pk"
    ):
        measures.setdefault(measure.objective_id, measure)
    readings = defaultdict(list)
    for measure_id, when, value in (
        Reading.objects.filter(measure_id__in=[m.pk for m in measures.values()])
        .order_by("measure_id", "date")
        .values_list("measure_id", "date", "value")
    ):
        readings[measure_id].append((when, value))
    dependencies = list(
        Dependency.objects.filter(
            Q(objective_id__in=focus_subquery) | Q(depends_on_id__in=focus_subquery)
        )
        .select_related("objective", "depends_on")
        .order_by("pk")
    )
    asks = list(
        # The same rows as My work and the objective page: open or accepted, not yet closed.
        Ask.objects.filter(state__in=LIVE_ASK_STATES, objective_id__in=focus_subquery)
        .select_related("from_team", "to_team", "status_update__period")
        .order_by("created_at", "pk")
    )
    decisions = list(
        Decision.objects.filter(day=day)
        .select_related("objective", "recorded_by")
        .order_by("at", "pk")
    )
    actions = list(
        Action.objects.filter(day=day)
        .select_related("owner", "team", "objective")
        .order_by("created_at", "pk")
    )
    previous_actions = (
        list(
            Action.objects.filter(day=previous)
            .select_related("owner", "team", "objective")
            .order_by("created_at", "pk")
        )
        if previous
        else []
    )
    sessions = [
        (s.starts_at, s.title, [o.ref for o in s.objectives.all()])
        for s in day.sessions.prefetch_related("objectives").order_by("starts_at", "order")
    ]
    summary_rows = list(
        Contribution.objects.filter(objective__plan=day.plan, team_id__in=team_ids)
        .values_list("team__name", "latest_update__rating")
        .order_by()
    )
    appendix_objectives = list(
        Objective.objects.filter(
            plan=day.plan,
            pk__in=Contribution.objects.filter(team_id__in=team_ids).values("objective_id"),
        )
        .annotate(team_count=Count("contributions"))
        .values_list(
            "pk",
            "ref",
            "title",
            "lead_team__name",
            "team_count",
            "worst_rating",
            "state",
            "delivery_date",
        )
        .order_by("ref")
    )

    # --- assemble -------------------------------------------------------------------------------
    by_objective = defaultdict(list)
    for c in contributions:
        by_objective[c.objective_id].append(c)
    milestones_of = defaultdict(list)
    for m in milestones:
        milestones_of[m.objective_id].append(m)
    dependencies_of = defaultdict(list)
    current_rating = {o.pk: o.worst_rating or None for o in objectives}
    for d in dependencies:
        if d.objective_id in current_rating:
            dependencies_of[d.objective_id].append(
                DependencyRow(
                    "Needs",
                    d.depends_on.ref,
                    d.depends_on.title,
                    d.need,
                    d.depends_on.worst_rating or None,
                )
            )
        if d.depends_on_id in current_rating:
            dependencies_of[d.depends_on_id].append(
                DependencyRow(
                    "Needed by",
                    d.objective.ref,
                    d.objective.title,
                    d.need,
                    d.objective.worst_rating or None,
                )
            )
    asks_of = defaultdict(list)
    for ask in asks:
        asks_of[ask.objective_id].append(
            AskRow(ask.from_team.name, ask.to_team.name, ask.text, _raised(ask))
        )
    decisions_of = defaultdict(list)
    decision_rows = []
    for d in decisions:
        row = DecisionRow(
            d.objective.ref,
            d.objective.title,
            d.get_kind_display(),
            d.why,
            _name(d.recorded_by),
            d.at,
        )
        decision_rows.append(row)
        decisions_of[d.objective_id].append(row)

    sections = []
    flagged = []
    for number, objective in enumerate(objectives, start=1):
        section = ObjectiveSection(
            number=number,
            id=objective.pk,
            ref=objective.ref,
            title=objective.title,
            description=objective.description,
            lead_team=objective.lead_team.name,
            owner=_name(objective.owner),
            delivery_date=objective.delivery_date,
            state=objective.get_state_display(),
            priority=objective.get_priority_display(),
            worst_rating=objective.worst_rating or None,
            impact=objective.impact_answers,
            dependencies=dependencies_of[objective.pk],
            asks=asks_of[objective.pk],
            decisions=decisions_of[objective.pk],
        )
        for c in by_objective[objective.pk]:
            reported = c.latest_update_id is not None
            section.views.append(
                TeamView(
                    team=c.team,
                    role=_role_label(c.role),
                    rating=c.rating or None if reported else None,
                    period=f"{c.period_start:%B %Y}" if reported else "",
                    going_well=c.going_well or "" if reported else "",
                    not_going_well=c.not_going_well or "" if reported else "",
                    risks=c.risks or "" if reported else "",
                    author=c.author if reported else "",
                    commitment=c.commitment,
                )
            )
            months = history[c.pk]
            section.history.append(HistoryRow(c.team, [months.get(m) for m in range(1, 13)]))
        for m in milestones_of[objective.pk]:
            section.milestones.append(
                MilestoneRow(
                    m.title,
                    m.due_date,
                    m.done_date,
                    m.team.name if m.team else "",
                    m.is_overdue(today),
                )
            )
        measure = measures.get(objective.pk)
        if measure is not None:
            section.measure = _measure_view(measure, readings[measure.pk])
        if objective.pk in flags_of:
            section.flags = flags_of[objective.pk]
            flagged.append(FlaggedRow(objective.ref, objective.title, section.key, section.flags))
        sections.append(section)

    changes = []
    if previous is not None:
        for objective in objectives:
            for c in by_objective[objective.pk]:
                before = rating_then.get(c.pk)
                after = c.rating if c.latest_update_id is not None else None
                if before != after:
                    changes.append(ChangeRow(objective.ref, objective.title, c.team, before, after))

    summary = {team.name: {r.value: 0 for r in ratings.FIVE_POINT} | {"": 0} for team in teams}
    for team_name, rating in summary_rows:
        summary[team_name][rating or ""] += 1

    focus_set = set(focus_ids)
    return Pack(
        day_id=day.pk,
        title=day.title,
        date=day.date,
        venue=day.venue,
        purpose=day.purpose,
        plan=day.plan.label,
        teams=[t.name for t in teams],
        facilitator=_name(day.facilitator),
        marking=settings.PROTECTIVE_MARKING,
        html_url=settings.SITE_URL.rstrip("/") + reverse("reviews:pack_html", args=[day.pk]),
        as_at=as_at,
        data_as_at=newest,
        scale=list(ratings.scale(settings.RATING_SCALE)),
        summary=summary,
        flagged=flagged,
        previous_title=previous.title if previous else "",
        previous_date=previous.date if previous else None,
        changes=changes,
        previous_actions=[_action_row(a, today) for a in previous_actions],
        actions=[_action_row(a, today) for a in actions],
        decisions=decision_rows,
        sections=sections,
        appendix=[
            AppendixRow(
                ref, title, lead, n, rating or None, _state_label(state), delivery, pk in focus_set
            )
            for pk, ref, title, lead, n, rating, state, delivery in appendix_objectives
        ],
        sessions=sessions,
    )


class _ContributionRow(NamedTuple):
    pk: int
    objective_id: int
    team: str
    role: str
    commitment: str
    latest_update_id: int | None
    rating: str | None
    period_start: dt.date | None
    going_well: str | None
    not_going_well: str | None
    risks: str | None
    first_name: str | None
    last_name: str | None
    username: str | None

    @property
    def author(self) -> str:
        return f"{self.first_name or ''} {self.last_name or ''}".strip() or self.username or ""


def _raised(ask) -> str:
    """When an ask was raised: its status update's month, else its date; and its state once
    the receiving team has accepted it."""
    when = ask.status_update.period.label if ask.status_update else f"{ask.created_at:%d %b %Y}"
    return f"{when} (accepted)" if ask.state == AskState.ACCEPTED else when


def _role_label(role: str) -> str:
    try:
        return ContributionRole(role).label
    except ValueError:
        return role


def _state_label(state: str) -> str:
    from objectives.models import State

    try:
        return State(state).label
    except ValueError:
        return state


def _action_row(action: Action, today) -> ActionRow:
    return ActionRow(
        what=action.what,
        owner=action.owner_label,
        team=action.team.name if action.team else "",
        due=action.due_date,
        objective=action.objective.ref if action.objective else "",
        state=action.state,
        state_label=action.get_state_display(),
        note=action.note,
        overdue=action.is_overdue(today),
    )


def _measure_view(measure: Measure, rows) -> MeasureView:
    view = MeasureView(
        name=measure.name,
        unit=measure.unit,
        direction=measure.direction,
        direction_label=measure.get_direction_display(),
        baseline=measure.baseline_value,
        target=measure.target_value,
        target_date=measure.target_date,
        readings=rows,
        rebase_dates=list(measure.rebase_dates or []),
        verdict="",
        variation="",
        assurance="",
    )
    if rows:
        view.latest = f"{spc.format_value(rows[-1][1], measure.unit)} on {rows[-1][0]:%d %b %Y}"
    try:
        analysis = spc.analyse(
            rows,
            direction=measure.direction,
            target=measure.target_value,
            rebase_dates=view.rebase_dates,
        )
    except (spc.SeriesError, ValueError) as error:
        view.verdict = f"The readings cannot be charted: {error}"
        return view
    view.analysis = analysis
    view.verdict = spc.verdict(analysis, unit=measure.unit)
    view.variation = analysis.variation.label if analysis.variation else ""
    view.assurance = analysis.assurance.label if analysis.assurance else ""
    view.notes = analysis.notes
    return view
