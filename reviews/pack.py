"""What a review pack shows, loaded in a fixed number of queries into plain values.

Both the PDF (reviews/pdf/) and its HTML twin (templates/reviews/pack.html) render a `Pack`, so
they always say the same thing. `fingerprint()` hashes the rows a pack shows (ids, timestamps,
ratings) far more cheaply than loading them, so a download can be served from the cache until
something it shows has changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse

from objectives import ratings, risk_loader, spc
from objectives.models import (
    Ask,
    Contribution,
    ContributionRole,
    Dependency,
    FlagAcknowledgement,
    Measure,
    Milestone,
    Objective,
    Reading,
    StatusUpdate,
)

from . import services
from .models import Action, ActionState, CollaborationDay, Decision, FocusObjective

# Bump when the pack's layout changes, so cached packs are rebuilt.
PACK_VERSION = "2"

MONTH_LABELS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


@dataclass(frozen=True)
class FlagView:
    """A risk flag as the pack prints it (objectives/risk.py's Flag, in words)."""

    rule: str
    severity: str
    explanation: str
    acknowledged: bool

    @classmethod
    def of(cls, flag) -> FlagView:
        return cls(flag.rule_label, flag.severity, flag.explanation, flag.is_acknowledged)


@dataclass
class TeamView:
    team: str
    role: str
    rating: str | None
    period: str
    going_well: str
    not_going_well: str
    risks: str
    author: str
    commitment: str


@dataclass
class HistoryRow:
    team: str
    cells: list  # 12 ratings (None = not reported), April first


@dataclass
class MilestoneRow:
    title: str
    due: dt.date
    done: dt.date | None
    team: str
    overdue: bool


@dataclass
class MeasureView:
    name: str
    unit: str
    direction: str
    direction_label: str
    baseline: float | None
    target: float | None
    target_date: dt.date | None
    readings: list  # [(date, value)]
    rebase_dates: list
    verdict: str
    variation: str
    assurance: str
    notes: tuple = ()
    latest: str = ""
    analysis: object = None  # spc.Analysis when the readings can be analysed

    @property
    def target_text(self) -> str:
        """ "target 60% by 31 Mar 2025", or "no target"."""
        if self.target is None:
            return "no target"
        text = f"target {spc.format_value(self.target, self.unit)}"
        if self.target_date:
            text += f" by {self.target_date.day} {self.target_date:%b %Y}"
        return text


@dataclass
class DependencyRow:
    relation: str  # "Needs" or "Needed by"
    ref: str
    title: str
    need: str
    rating: str | None


@dataclass
class AskRow:
    from_team: str
    to_team: str
    text: str
    raised: str


@dataclass
class ObjectiveSection:
    number: int
    id: int
    ref: str
    title: str
    description: str
    lead_team: str
    owner: str
    delivery_date: dt.date | None
    state: str
    priority: str
    worst_rating: str | None
    views: list[TeamView] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    milestones: list[MilestoneRow] = field(default_factory=list)
    measure: MeasureView | None = None
    dependencies: list[DependencyRow] = field(default_factory=list)
    asks: list[AskRow] = field(default_factory=list)
    impact: list = field(default_factory=list)  # [(question, answer)]
    flags: list = field(default_factory=list)  # [FlagView], most severe first
    decisions: list = field(default_factory=list)  # [DecisionRow]

    @property
    def key(self) -> str:
        return f"objective-{self.id}"

    @property
    def url(self) -> str:
        return reverse("objectives:detail", args=[self.id])


@dataclass
class ActionRow:
    what: str
    owner: str
    team: str
    due: dt.date | None
    objective: str
    state: str
    state_label: str
    note: str
    overdue: bool


@dataclass
class DecisionRow:
    objective_ref: str
    objective_title: str
    kind: str
    why: str
    recorded_by: str
    at: dt.datetime


@dataclass
class ChangeRow:
    ref: str
    title: str
    team: str
    before: str | None
    after: str | None


@dataclass
class FlaggedRow:
    ref: str
    title: str
    key: str
    flags: list


@dataclass
class AppendixRow:
    ref: str
    title: str
    lead_team: str
    teams: int
    rating: str | None
    state: str
    delivery_date: dt.date | None
    in_focus: bool


@dataclass
class Pack:
    day_id: int
    title: str
    date: dt.date
    venue: str
    purpose: str
    plan: str
    teams: list[str]
    facilitator: str
    marking: str
    html_url: str
    as_at: dt.datetime
    data_as_at: dt.datetime | None  # the newest status update shown
    scale: list  # ratings offered, best first
    summary: dict  # team name -> {rating or "": count}
    flagged: list[FlaggedRow]
    previous_title: str
    previous_date: dt.date | None
    changes: list[ChangeRow]
    previous_actions: list[ActionRow]
    actions: list[ActionRow]
    decisions: list[DecisionRow]
    sections: list[ObjectiveSection]
    appendix: list[AppendixRow]
    sessions: list = field(default_factory=list)  # [(time, title, [refs])]

    @property
    def pack_title(self) -> str:
        return f"Review pack: {self.title}"

    @property
    def months(self):
        return MONTH_LABELS


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _as_date(when):
    return when.date() if isinstance(when, dt.datetime) else when


def load(day: CollaborationDay, *, as_at: dt.datetime) -> Pack:
    """Everything the pack shows for `day`, as the data stood at `as_at`."""
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

    previous = services.previous_day(day)
    # The risk engine first: it needs a lot of memory for a moment, best before the rest is held.
    flags_of = {
        risk.objective_id: [FlagView.of(flag) for flag in risk.flags]
        for risk in risk_loader.evaluate(
            day.plan, objectives=Objective.objects.filter(pk__in=focus_subquery), today=today
        )
        if risk.flags
    }

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
        Ask.objects.filter(
            resolved=False, status_update__contribution__objective_id__in=focus_subquery
        )
        .select_related("to_team", "status_update__contribution__team", "status_update__period")
        .order_by("status_update__created_at", "pk")
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
        contribution = ask.status_update.contribution
        asks_of[contribution.objective_id].append(
            AskRow(
                contribution.team.name, ask.to_team.name, ask.text, ask.status_update.period.label
            )
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


def fingerprint(day: CollaborationDay, *, today: dt.date) -> str:
    """A hash of everything the pack shows, cheap to compute: ids, timestamps and ratings.

    Status updates are append-only and pointed at by Contribution.latest_update, so the ids of the
    current views and the newest update cover every rating and narrative shown.
    """
    focus = FocusObjective.objects.filter(day=day).values("objective_id")
    team_ids = day.teams.values("pk")
    parts: list = [
        PACK_VERSION,
        settings.PROTECTIVE_MARKING,
        settings.SITE_URL,
        settings.RATING_SCALE,
        today.isoformat(),
    ]
    parts.append(
        CollaborationDay.objects.filter(pk=day.pk).values_list("updated_at", "plan_id").first()
    )
    parts.append(
        list(FocusObjective.objects.filter(day=day).values_list("objective_id", "position"))
    )
    parts.append(list(day.teams.values_list("pk", flat=True).order_by("pk")))
    parts.append(
        Objective.objects.filter(
            plan_id=day.plan_id, contributions__team_id__in=team_ids
        ).aggregate(n=Count("pk"), ids=Sum("pk"), changed=Max("updated_at"))
    )
    parts.append(
        Contribution.objects.filter(
            Q(objective_id__in=focus) | Q(team_id__in=team_ids, objective__plan_id=day.plan_id)
        ).aggregate(n=Count("pk"), latest=Sum("latest_update_id"), newest=Max("latest_update_id"))
    )
    parts.append(
        StatusUpdate.objects.filter(contribution__objective_id__in=focus).aggregate(
            n=Count("pk"), newest=Max("pk")
        )
    )
    parts.append(
        Milestone.objects.filter(objective_id__in=focus).aggregate(
            n=Count("pk"),
            ids=Sum("pk"),
            done=Count("done_date"),
            due=Max("due_date"),
            first_due=Min("due_date"),
        )
    )
    parts.append(
        Reading.objects.filter(measure__objective_id__in=focus).aggregate(
            n=Count("pk"), ids=Sum("pk"), newest=Max("created_at")
        )
    )
    parts.append(
        Measure.objects.filter(objective_id__in=focus).aggregate(n=Count("pk"), ids=Sum("pk"))
    )
    parts.append(
        Dependency.objects.filter(Q(objective_id__in=focus) | Q(depends_on_id__in=focus)).aggregate(
            n=Count("pk"), ids=Sum("pk")
        )
    )
    parts.append(
        Ask.objects.filter(status_update__contribution__objective_id__in=focus).aggregate(
            n=Count("pk"), open=Count("pk", filter=Q(resolved=False))
        )
    )
    parts.append(
        FlagAcknowledgement.objects.filter(objective_id__in=focus).aggregate(
            n=Count("pk"), newest=Max("pk")
        )
    )
    previous = services.previous_day(day)
    parts.append(
        Action.objects.filter(day_id__in=[day.pk, previous.pk if previous else 0]).aggregate(
            n=Count("pk"),
            changed=Max("updated_at"),
            open=Count("pk", filter=Q(state=ActionState.OPEN)),
        )
    )
    parts.append(Decision.objects.filter(day=day).aggregate(n=Count("pk"), newest=Max("pk")))
    parts.append(list(day.sessions.values_list("pk", "starts_at", "title")))
    return hashlib.sha256(repr(parts).encode()).hexdigest()
