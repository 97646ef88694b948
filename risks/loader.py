"""Reads what the rules need for some objectives, as the data stood at the end of a day.

Plain ORM queries with ``values()`` (named rows), a fixed number per batch of objectives whatever
its size: objectives, periods, teams, status updates, milestones, measures with their readings,
open asks and dependencies. As of a day, only updates made and readings taken by then count, and
a milestone done later is still open (so ``seed_demo`` can replay the year month by month).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from objectives import measures as measure_rules
from objectives import spc
from objectives.models import (
    Ask,
    AskState,
    Contribution,
    ContributionRole,
    Dependency,
    Measure,
    Membership,
    Milestone,
    Objective,
    Period,
    Reading,
    Role,
    StatusUpdate,
)

from . import rules


@dataclass
class Loaded:
    """One objective's facts (its dependencies not yet judged) and what it depends on."""

    pk: int
    plan_id: int
    facts: rules.Objective
    depends_on: list[tuple[int, str]] = field(default_factory=list)  # (objective id, need)

    @property
    def has_low_views(self) -> bool:
        return any(t.current and t.current.rating in rules.LOW for t in self.facts.teams)


def end_of(today: dt.date) -> dt.datetime:
    """The first moment after ``today`` in the app's time zone: things made before it count."""
    return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))


def plan_periods(plan_ids) -> dict[int, tuple[rules.Period, ...]]:
    periods = defaultdict(list)
    for row in (
        Period.objects.filter(plan_id__in=plan_ids)
        .order_by("plan_id", "month")
        .values("plan_id", "month", "start_date", "end_date")
    ):
        periods[row["plan_id"]].append(
            rules.Period(row["month"], row["start_date"], row["end_date"])
        )
    return {plan_id: tuple(rows) for plan_id, rows in periods.items()}


def load(objective_ids, *, today: dt.date) -> dict[int, Loaded]:
    """objective id -> Loaded, for the objectives that exist among ``objective_ids``."""
    ids = sorted(set(objective_ids))
    cutoff = end_of(today)
    teams = _teams(ids, cutoff)
    milestones = _milestones(ids)
    measures = _measures(ids, today)
    asks = _asks(ids, cutoff)
    depends_on = defaultdict(list)
    for row in (
        Dependency.objects.filter(objective_id__in=ids)
        .order_by("depends_on__ref")
        .values("objective_id", "depends_on_id", "need")
    ):
        depends_on[row["objective_id"]].append((row["depends_on_id"], row["need"]))
    loaded = {}
    for row in Objective.objects.filter(pk__in=ids).values(
        "pk", "plan_id", "ref", "title", "state", "delivery_date", "owner_id"
    ):
        pk = row["pk"]
        facts = rules.Objective(
            ref=row["ref"],
            title=row["title"],
            state=row["state"],
            delivery_date=row["delivery_date"],
            has_owner=row["owner_id"] is not None,
            teams=tuple(teams.get(pk, ())),
            milestones=tuple(milestones.get(pk, ())),
            measures=tuple(measures.get(pk, ())),
            asks=tuple(asks.get(pk, ())),
        )
        loaded[pk] = Loaded(pk, row["plan_id"], facts, depends_on.get(pk, []))
    return loaded


def _teams(ids, cutoff) -> dict[int, list[rules.Team]]:
    """Each involved team with its view for every period it reported on (the newest correction)."""
    views = defaultdict(dict)  # contribution id -> month -> View, newest correction last
    for row in (
        StatusUpdate.objects.filter(contribution__objective_id__in=ids, created_at__lt=cutoff)
        .order_by("contribution_id", "period__month", "created_at", "pk")
        .values("contribution_id", "period__month", "period__start_date", "rating", "created_at")
    ):
        views[row["contribution_id"]][row["period__month"]] = rules.View(
            month=row["period__month"],
            period_start=row["period__start_date"],
            rating=row["rating"],
            reported_on=timezone.localdate(row["created_at"]),
        )
    teams = defaultdict(list)
    has_lead = Exists(Membership.objects.filter(team_id=OuterRef("team_id"), role=Role.LEAD))
    for row in (
        Contribution.objects.filter(objective_id__in=ids)
        .annotate(has_lead=has_lead)
        .order_by("objective_id", "team__name")
        .values("pk", "objective_id", "team__name", "role", "commitment", "has_lead")
    ):
        by_month = views.get(row["pk"], {})
        teams[row["objective_id"]].append(
            rules.Team(
                name=row["team__name"],
                is_lead=row["role"] == ContributionRole.LEAD,
                commitment=row["commitment"],
                has_lead_member=row["has_lead"],
                views=tuple(by_month[m] for m in sorted(by_month)),
            )
        )
    for group in teams.values():
        group.sort(key=lambda team: (not team.is_lead, team.name))
    return teams


def _milestones(ids) -> dict[int, list[rules.Milestone]]:
    milestones = defaultdict(list)
    for row in (
        Milestone.objects.filter(objective_id__in=ids)
        .order_by("objective_id", "due_date", "pk")
        .values("objective_id", "title", "due_date", "done_date", "team__name")
    ):
        milestones[row["objective_id"]].append(
            rules.Milestone(
                row["title"], row["due_date"], row["done_date"], row["team__name"] or ""
            )
        )
    return milestones


def _measures(ids, today) -> dict[int, list[rules.Measure]]:
    """Each measure with its latest reading by ``today`` and what its control chart says."""
    readings = (
        Reading.objects.filter(date__lte=today).order_by("date").only("measure_id", "date", "value")
    )
    measures = defaultdict(list)
    for measure in (
        Measure.objects.filter(objective_id__in=ids)
        .order_by("objective_id", "-is_main", "name", "pk")
        .prefetch_related(Prefetch("readings", queryset=readings))
    ):
        taken = list(measure.readings.all())
        latest = taken[-1] if taken else None
        variation = assurance = None
        if taken:
            try:
                summary = spc.summarise(measure_rules.analyse_measure(measure, taken))
            except ValueError:  # spc.SeriesError too: readings that give no chart give no verdict
                summary = None
            if summary is not None:
                variation, assurance = summary.variation, summary.assurance
        measures[measure.objective_id].append(
            rules.Measure(
                name=measure.name,
                direction=measure.direction,
                unit=measure.unit,
                baseline=measure.baseline_value,
                baseline_date=measure.baseline_date,
                target=measure.target_value,
                target_date=measure.target_date,
                latest=latest.value if latest else None,
                latest_date=latest.date if latest else None,
                variation=str(variation) if variation else None,
                assurance=str(assurance) if assurance else None,
            )
        )
    return measures


def _asks(ids, cutoff) -> dict[int, list[rules.Ask]]:
    asks = defaultdict(list)
    rows = (
        # Unanswered: still open (an accepted ask has its answer). Asked by the cutoff.
        Ask.objects.filter(state=AskState.OPEN, objective_id__in=ids, created_at__lt=cutoff)
        .order_by("objective_id", "pk")
        .values("pk", "text", "to_team__name", "objective_id", "from_team__name", "created_at")
    )
    for objective_id, group in groupby(rows, key=lambda row: row["objective_id"]):
        asks[objective_id] = [
            rules.Ask(
                key=f"ask {row['pk']}",
                from_team=row["from_team__name"],
                to_team=row["to_team__name"],
                text=row["text"],
                asked_on=timezone.localdate(row["created_at"]),
            )
            for row in group
        ]
    return asks
