"""Reading the stored findings: the dashboard, My work, the objective page, commands and digests.

Every function here is a fixed number of queries, whatever the number of objectives; the scope
is ``objectives.permissions.overseen_directorates`` (ALL, or a set of directorate ids): an
objective is in scope when any involved team sits in one of the directorates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q

from objectives import permissions
from objectives.models import Contribution, Plan, PlanStatus

from .models import Concern, ConcernChange, Finding, ObjectiveConcern


def latest_plan() -> Plan | None:
    return Plan.objects.filter(status=PlanStatus.AGREED).order_by("-start_date").first()


def in_scope(scope, field: str = "objective_id") -> Q:
    """Rows whose objective involves a team in the ``scope``'s directorates."""
    if scope == permissions.ALL:
        return Q()
    teams = Contribution.objects.filter(
        objective_id=OuterRef(field), team__directorate_id__in=scope or [0]
    )
    return Q(Exists(teams))


def open_findings() -> Prefetch:
    return Prefetch(
        "objective__findings",
        queryset=Finding.objects.filter(resolved_at__isnull=True).select_related(
            "acknowledgement__acknowledged_by"
        ),
        to_attr="open_findings",
    )


def concerns(plan: Plan, scope=permissions.ALL):
    """Objectives of ``plan`` in danger or to watch, most concerning first: unacknowledged before
    acknowledged, In danger before Watch, most recently worsened, then most strongly."""
    return (
        ObjectiveConcern.objects.filter(plan=plan, level__gt=Concern.NONE)
        .filter(in_scope(scope))
        .select_related("objective__lead_team")
        .order_by(
            "acknowledged",
            "-level",
            F("worsened_on").desc(nulls_last=True),
            "-strength",
            "objective__ref",
        )
    )


def concern_rows(queryset) -> list[ObjectiveConcern]:
    """The concerns with their objective's open findings (``row.open_findings``)."""
    rows = list(queryset.prefetch_related(open_findings()))
    for row in rows:
        row.open_findings = row.objective.open_findings
    return rows


@dataclass
class Summary:
    in_danger: int
    watch: int
    total: int
    refreshed: dt.datetime | None


def summary(plan: Plan, scope) -> Summary:
    counts = (
        ObjectiveConcern.objects.filter(plan=plan)
        .filter(in_scope(scope))
        .aggregate(
            in_danger=Count("pk", filter=Q(level=Concern.IN_DANGER)),
            watch=Count("pk", filter=Q(level=Concern.WATCH)),
            total=Count("pk"),
            refreshed=Max("evaluated_at"),
        )
    )
    return Summary(**counts)


def last_refreshed(plan: Plan) -> dt.datetime | None:
    return ObjectiveConcern.objects.filter(plan=plan).aggregate(at=Max("evaluated_at"))["at"]


@dataclass
class HeatmapRow:
    directorate_id: int
    directorate: str
    in_danger: int = 0
    watch: int = 0


def heatmap(plan: Plan, scope) -> list[HeatmapRow]:
    """Objectives in danger and to watch by the directorates of their teams (an objective counts
    once in each directorate it involves)."""
    rows: dict[int, HeatmapRow] = {}
    teams = Contribution.objects.filter(
        objective__concern__plan=plan, objective__concern__level__gt=Concern.NONE
    )
    if scope != permissions.ALL:
        teams = teams.filter(team__directorate_id__in=scope or [0])
    for row in (
        teams.values("team__directorate_id", "team__directorate__name", "objective__concern__level")
        .annotate(objectives=Count("objective_id", distinct=True))
        .order_by("team__directorate__name")
    ):
        entry = rows.setdefault(
            row["team__directorate_id"],
            HeatmapRow(row["team__directorate_id"], row["team__directorate__name"]),
        )
        if row["objective__concern__level"] == Concern.IN_DANGER:
            entry.in_danger = row["objectives"]
        else:
            entry.watch = row["objectives"]
    return list(rows.values())


@dataclass
class Change:
    objective_id: int
    ref: str
    title: str
    level: int
    was: int
    at: dt.datetime

    @property
    def words(self) -> str:
        if self.level == Concern.NONE:
            return f"no longer {Concern(self.was).label.lower()}"
        if self.was == Concern.NONE:
            return f"now {Concern(self.level).label.lower()}"
        return f"from {Concern(self.was).label.lower()} to {Concern(self.level).label.lower()}"

    @property
    def worse(self) -> bool:
        return self.level > self.was


@dataclass
class History:
    months: list[tuple[dt.date, int, int]]  # (month end, in danger, watch)
    changes: list[Change]  # since the date asked for, newest first


def history(plan: Plan, scope, *, today: dt.date, since: dt.datetime | None) -> History:
    """From the concern-level changes, in one query: the counts at each month end of the plan up
    to today (and today), and the changes since ``since``."""
    levels: dict[int, int] = {}
    events = []
    for row in (
        ConcernChange.objects.filter(objective__plan=plan)
        .filter(in_scope(scope))
        .order_by("changed_at", "pk")
        .values("objective_id", "objective__ref", "objective__title", "level", "changed_at")
    ):
        was = levels.get(row["objective_id"], Concern.NONE)
        levels[row["objective_id"]] = row["level"]
        events.append((row, was))
    ends = []
    end = plan.start_date
    while end <= min(plan.end_date, today):
        end = _month_end(end)
        ends.append(min(end, today))
        end += dt.timedelta(days=1)
    months, changes = [], []
    levels = {}
    position = 0
    for end in ends:
        while position < len(events) and events[position][0]["changed_at"].date() <= end:
            row = events[position][0]
            levels[row["objective_id"]] = row["level"]
            position += 1
        counted = list(levels.values())
        months.append((end, counted.count(Concern.IN_DANGER), counted.count(Concern.WATCH)))
    if since is not None:
        for row, was in reversed(events):
            if row["changed_at"] <= since:
                break
            changes.append(
                Change(
                    row["objective_id"],
                    row["objective__ref"],
                    row["objective__title"],
                    row["level"],
                    was,
                    row["changed_at"],
                )
            )
    return History(months, changes)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def as_dict(row: ObjectiveConcern) -> dict:
    objective = row.objective
    return {
        "ref": objective.ref,
        "title": objective.title,
        "lead_team": objective.lead_team.name,
        "is_shared": objective.is_shared,
        "concern": row.get_level_display(),
        "headline": row.headline,
        "acknowledged": row.acknowledged,
        "worsened_on": row.worsened_on.isoformat() if row.worsened_on else None,
        "team_views": row.views,
        "findings": [
            {
                "rule": finding.rule,
                "label": finding.label,
                "level": finding.get_level_display(),
                "explanation": finding.explanation,
                "evidence": finding.evidence,
                "raised_at": finding.raised_at.isoformat(),
                "acknowledged": finding.is_acknowledged,
                "lapsed": finding.lapsed,
            }
            for finding in row.open_findings
        ],
    }


def findings_by_objective(objective_ids) -> dict[int, list[Finding]]:
    """Open findings of these objectives, the headline of each first (one query)."""
    found = defaultdict(list)
    for finding in Finding.objects.filter(
        objective_id__in=list(objective_ids), resolved_at__isnull=True
    ).select_related("acknowledgement__acknowledged_by"):
        found[finding.objective_id].append(finding)
    return found
