"""Loads what the at-risk rules need for a plan, calls objectives/risk.py, applies acknowledgements.

``evaluate(plan)`` reads everything in six queries whatever the number of objectives (periods,
dependencies, objectives with their milestones, involved teams with their recent updates, measures
with their readings, acknowledgements), as tuples rather than model instances, then builds the
rules' plain facts and evaluates them. The rows are kept in a ``Snapshot`` so that one load can
be evaluated "as of" an earlier day too (what changed since last month, the weekly digest): as of
a day, only updates made, milestones done and readings taken by that day count.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from bisect import bisect_right
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Exists, FilteredRelation, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from . import clock, risk, spc
from .models import (
    Contribution,
    Dependency,
    FlagAcknowledgement,
    Measure,
    Membership,
    Objective,
    Period,
    Plan,
    PlanStatus,
    Role,
)


class TeamRating(NamedTuple):
    team_id: int | None
    team: str
    directorate_id: int | None
    directorate: str
    role: str
    rating: str | None


@dataclass(frozen=True)
class ObjectiveRisk:
    """One objective's flags, ready for a page, a command or a review pack."""

    objective_id: int
    ref: str
    title: str
    lead_team: str
    is_shared: bool
    teams: tuple[TeamRating, ...]
    flags: tuple[risk.Flag, ...]
    score: int  # acknowledged flags left out
    total_score: int  # every flag
    state: str = ""
    delivery_date: dt.date | None = None

    @property
    def team_ratings(self) -> list[tuple[str, str | None]]:
        return [(team.team, team.rating) for team in self.teams]

    @cached_property
    def directorate_ids(self) -> frozenset[int]:
        # Cached: the dashboard asks once per objective per request to keep the user's scope.
        return frozenset(team.directorate_id for team in self.teams)

    @property
    def worst_severity(self) -> str | None:
        """The worst severity among flags that still count (not acknowledged)."""
        return risk.worst_severity(self.flags)

    @property
    def acknowledged_count(self) -> int:
        return sum(1 for flag in self.flags if flag.is_acknowledged)

    @property
    def lapsed_count(self) -> int:
        return sum(1 for flag in self.flags if flag.lapsed)

    def as_dict(self) -> dict:
        return {
            "ref": self.ref,
            "title": self.title,
            "lead_team": self.lead_team,
            "is_shared": self.is_shared,
            "score": self.score,
            "team_ratings": [{"team": t.team, "rating": t.rating} for t in self.teams],
            "flags": [flag.as_dict() for flag in self.flags],
        }


_new = object.__new__


def sort_key(item: ObjectiveRisk):
    """Most severe first: score without acknowledged flags, score with them, shared first, ref."""
    return (-item.score, -item.total_score, not item.is_shared, item.ref)


def current_thresholds() -> dict:
    return risk.thresholds(getattr(settings, "RISK_THRESHOLDS", None))


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The rows of one load, grouped by objective. Evaluate it as of any day up to ``today``."""

    plan: risk.PlanFacts
    today: dt.date
    requested: set | None  # objective ids asked for; None = the whole plan
    objectives: list[tuple]
    teams: dict[int, list[dict]]
    milestones: dict[int, list[risk.MilestoneFact]]
    measures: dict[int, list[dict]]
    graph: dict[int, list[risk.DependencyFact]]
    acknowledgements: dict[int, dict[tuple[str, str], risk.Acknowledgement]]
    limits: dict
    spc_cache: dict = field(default_factory=dict)


def history_months(plan: risk.PlanFacts, day: dt.date, count: int) -> set[int]:
    """The months of the last ``count`` periods that have started by ``day``."""
    started = [p.month for p in plan.periods if p.start_date <= day]
    return set(started[-count:]) if count > 0 else set()


def _fetch(queryset) -> list[tuple]:
    """A values_list queryset's rows as the database returns them.

    Django's per-value converters cost more than the queries themselves at this scale (a plan has
    over 100,000 updates and readings), so the loader converts the few columns it reads itself:
    ``_date``, ``_datetime``, ``_json``. Queries still go through Django's cursor, so they are
    counted and logged like any other."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _date(value) -> dt.date | None:
    # SQLite returns dates as ISO text; PostgreSQL as dates.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _datetime(value) -> dt.datetime | None:
    # SQLite keeps aware datetimes as UTC without an offset; PostgreSQL returns aware datetimes.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


OBJECTIVE_FIELDS = (
    "pk",
    "ref",
    "title",
    "lead_team__name",
    "owner_id",
    "state",
    "delivery_date",
    # One row per milestone (or one row with none): a parent with its children in one query.
    "milestones__title",
    "milestones__due_date",
    "milestones__done_date",
    "milestones__team__name",
)


def plan_and_periods(label: str | None = None) -> tuple[Plan | None, list[tuple]]:
    """The plan labelled ``label`` (default: the latest agreed plan) with its periods as
    (id, month, start, end) rows, in one query when it has periods. Pass the rows to ``load``."""
    if label:
        chosen = Plan.objects.filter(label=label)
    else:
        chosen = Plan.objects.filter(status=PlanStatus.AGREED).order_by("-start_date")
    periods = list(
        Period.objects.filter(plan=Subquery(chosen.values("pk")[:1]))
        .select_related("plan")
        .order_by("month")
    )
    if periods:
        plan = periods[0].plan
        return plan, [(p.pk, p.month, p.start_date, p.end_date) for p in periods]
    return chosen.first(), []


def load(
    plan: Plan, *, objectives=None, today=None, earliest=None, periods=None, ids=None, asked=None
) -> Snapshot:
    """Read everything the rules need for ``plan`` (or for the ``objectives`` queryset within it,
    plus the objectives those depend on) to evaluate it as of ``today`` and any day back to
    ``earliest``. Six queries, however many objectives; five when the caller passes the plan's
    ``periods`` (rows from ``plan_and_periods``).
    A caller that knows which objectives the asked ones depend on may pass ``ids`` (every
    objective to load) and ``asked`` (those of them to report on) instead of ``objectives``: plain
    lists of ids, which PostgreSQL estimates right where it misjudges the subqueries (the cache
    patching a few objectives into a plan's evaluation does)."""
    today = today or clock.today()
    earliest = min(earliest or today, today)
    limits = current_thresholds()

    if periods is None:
        periods = _fetch(
            Period.objects.filter(plan=plan)
            .order_by("month")
            .values_list("pk", "month", "start_date", "end_date")
        )
    period_rows = [(pk, month, _date(start), _date(end)) for pk, month, start, end in periods]
    plan_facts = risk.PlanFacts(
        plan.label,
        plan.start_date,
        plan.end_date,
        tuple(risk.PeriodFact(month, start, end) for _, month, start, end in period_rows),
    )
    months: set[int] = set()
    for day in (earliest, today):
        months |= history_months(plan_facts, day, limits["history_periods"])
    period_of = {pk: (month, end) for pk, month, _, end in period_rows}
    # Updates of the recent periods only: the rules read no further back.
    period_ids = [pk for pk, (month, _) in period_of.items() if month in months]

    graph: dict[int, list[risk.DependencyFact]] = defaultdict(list)
    for source, target, target_ref, need in _fetch(
        Dependency.objects.filter(objective__plan=plan)
        .order_by("objective_id", "depends_on__ref")
        .values_list("objective_id", "depends_on_id", "depends_on__ref", "need")
    ):
        graph[source].append(risk.DependencyFact(target, target_ref, need))

    base = Objective.objects.filter(plan=plan).order_by("pk", "milestones__due_date")
    if ids is not None:
        loaded = sorted(ids)
        rows = _fetch(
            base.filter(pk__in=loaded)
            .annotate(asked=Q(pk__in=sorted(asked if asked is not None else ids)))
            .values_list(*OBJECTIVE_FIELDS, "asked")
        )
        scope = Q(objective_id__in=loaded)
    elif objectives is None:
        requested = None
        scope = Q(objective__plan=plan)
        rows = _fetch(base.values_list(*OBJECTIVE_FIELDS, Value(True)))
    else:
        # The objectives asked for, and those they depend on (to the configured depth): their own
        # flags travel along dependencies.
        asked = objectives.order_by().values("pk")
        level = asked
        union = Q(pk__in=asked)
        for _ in range(max(limits["dependency_depth"], 0)):
            level = Dependency.objects.filter(objective__in=level).values("depends_on")
            union |= Q(pk__in=level)
        wanted = base.filter(union)
        rows = _fetch(
            wanted.annotate(asked=Q(pk__in=asked)).values_list(*OBJECTIVE_FIELDS, "asked")
        )
        scope = Q(objective__in=wanted.order_by().values("pk"))
    objective_rows = []
    milestones: dict[int, list[risk.MilestoneFact]] = defaultdict(list)
    asked_ids = set()
    for pk, group in groupby(rows, key=itemgetter(0)):
        group = list(group)
        first = group[0]
        objective_rows.append((*first[:6], _date(first[6])))
        if first[-1]:
            asked_ids.add(pk)
        if first[8] is not None:  # milestones (every milestone has a due date)
            milestones[pk] = [
                risk.make_milestone_fact(row[7], _date(row[8]), _date(row[9]), row[10] or "")
                for row in group
            ]
    requested = None if objectives is None and ids is None else asked_ids

    # Updates made up to the end of `today`, in the recent periods.
    cutoff = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    teams = _load_teams(scope, period_of, period_ids, cutoff)
    measures = _load_measures(scope)
    acknowledgements: dict[int, dict] = defaultdict(dict)
    for objective_id, rule, subject, note, level_, first_name, last_name, username, at in _fetch(
        FlagAcknowledgement.objects.filter(scope)
        .order_by("acknowledged_at", "pk")
        .values_list(
            "objective_id",
            "rule",
            "subject",
            "note",
            "severity_score",
            "acknowledged_by__first_name",
            "acknowledged_by__last_name",
            "acknowledged_by__username",
            "acknowledged_at",
        )
    ):
        # Ordered oldest first, so the newest acknowledgement of a flag wins.
        acknowledgements[objective_id][(rule, subject)] = risk.Acknowledgement(
            note=note,
            evidence_level=level_,
            by=f"{first_name} {last_name}".strip() or username,
            at=_datetime(at),
        )
    return Snapshot(
        plan=plan_facts,
        today=today,
        requested=requested,
        objectives=objective_rows,
        teams=teams,
        milestones=milestones,
        measures=measures,
        graph=graph,
        acknowledgements=acknowledgements,
        limits=limits,
    )


# Loaded updates are lists: [month, period end, rating, created (raw), created (local date), Report]
_MONTH_THEN_CREATED = itemgetter(0, 3)


def _load_teams(scope, periods, period_ids, cutoff) -> dict[int, list[dict]]:
    """Every involved team with its current view and its recent updates, in one query: a row per
    (team, recent update), or one row for a team with no recent update."""
    zone = timezone.get_current_timezone()
    local_dates: dict = {}  # creation time -> local date; updates are often made in batches

    def local_date(created):
        on = local_dates.get(created)
        if on is None:
            on = local_dates[created] = _datetime(created).astimezone(zone).date()
        return on

    recent = Q(
        # No period has id 0: with no recent periods the join finds nothing.
        updates__period_id__in=period_ids or [0],
        updates__created_at__lt=cutoff,
    )
    rows = _fetch(
        Contribution.objects.filter(scope)
        .order_by("objective_id", "pk")
        .annotate(
            recent=FilteredRelation("updates", condition=recent),
            has_lead=Exists(Membership.objects.filter(team_id=OuterRef("team_id"), role=Role.LEAD)),
        )
        .values_list(
            "pk",
            "objective_id",
            "team_id",
            "team__name",
            "team__directorate_id",
            "team__directorate__name",
            "role",
            "commitment",
            "has_lead",
            "latest_update__period_id",
            "latest_update__rating",
            "latest_update__created_at",
            "recent__period_id",
            "recent__rating",
            "recent__created_at",
        )
    )
    teams: dict[int, list[dict]] = defaultdict(list)
    # Rows come a contribution at a time (ordered by objective, then contribution): one pass.
    contribution_id = None
    updates: list = []
    unsorted = []
    for row in rows:
        if row[0] != contribution_id:
            (
                contribution_id,
                objective_id,
                team_id,
                name,
                directorate_id,
                directorate,
                role,
                commitment,
                has_lead,
                latest_period,
                latest_rating,
                latest_at,
            ) = row[:12]
            latest = None
            if latest_period is not None:
                month, end = periods[latest_period]
                on = local_dates.get(latest_at) or local_date(latest_at)
                latest = [month, end, latest_rating, latest_at, on, None]
            updates = []
            teams[objective_id].append(
                {
                    "team_id": team_id,
                    "name": name or "",
                    "directorate_id": directorate_id,
                    "directorate": directorate or "",
                    "role": role,
                    "commitment": commitment,
                    "has_lead": bool(has_lead),
                    "latest": latest,
                    "updates": updates,
                }
            )
        period_id = row[12]
        if period_id is not None:
            month, end = periods[period_id]
            created = row[14]
            on = local_dates.get(created) or local_date(created)
            # The raw creation time orders updates (the same type within one database).
            updates.append([month, end, row[13], created, on, None])
            if len(updates) == 2:
                unsorted.append(updates)
    for team_updates in unsorted:
        team_updates.sort(key=_MONTH_THEN_CREATED)
    for group in teams.values():
        group.sort(key=lambda t: (t["role"] != "lead", t["name"]))
    return teams


def _load_measures(scope) -> dict[int, list[dict]]:
    """Every measure with its readings in date order, in one query (a row per reading)."""
    measures: dict[int, list[dict]] = defaultdict(list)
    rows = _fetch(
        Measure.objects.filter(scope)
        .order_by("objective_id", "-is_main", "name", "pk", "readings__date")
        # As text, so it is decoded once per measure rather than once per reading.
        .annotate(raw_rebase_dates=Cast("rebase_dates", output_field=TextField()))
        .values_list(
            "pk",
            "objective_id",
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "raw_rebase_dates",
            "readings__date",
            "readings__value",
        )
    )
    for _, group in groupby(rows, key=itemgetter(0)):
        group = list(group)
        pk, objective_id, name, unit, direction, baseline, since, target, by, rebase = group[0][:10]
        # Both backends return reading dates as dates (Django's SQLite converters run in the
        # driver) and values as floats.
        readings = [row[10:12] for row in group] if group[0][10] is not None else []
        measures[objective_id].append(
            {
                "pk": pk,
                "name": name,
                "unit": unit,
                "direction": direction,
                "baseline_value": baseline,
                "baseline_date": _date(since),
                "target_value": target,
                "target_date": _date(by),
                "rebase_dates": tuple(_json(rebase) or ()),
                "readings": readings,
                "dates": [row[10] for row in group] if readings else [],
            }
        )
    return measures


# --- Facts as of a day --------------------------------------------------------------------------


def _report(update: list) -> risk.Report:
    """The rules' Report for a loaded update, made once however many days are evaluated."""
    report = update[5]
    if report is None:
        report = update[5] = risk.make_report(update[0], update[1], update[2], update[4])
    return report


def _team_view(
    team: dict, day: dt.date, months: set[int], keep: int
) -> tuple[risk.TeamView, str | None]:
    latest = team["latest"]
    newest_per_month: dict[int, list] = {}
    # The newest update of all is the current view whenever it was made by `day`.
    known = latest is not None and latest[4] <= day
    current = latest if known else None
    # Updates are in (month, creation) order, so the last one kept for a month is its newest.
    for update in team["updates"]:
        if update[4] > day:
            continue
        if not known and (current is None or update[3] > current[3]):
            current = update
        if update[0] in months:
            newest_per_month[update[0]] = update
    # The rules read only the newest few reports (deterioration's window at most).
    if newest_per_month:
        kept = list(newest_per_month.values())
        history = tuple(map(_report, kept[-keep:] if len(kept) > keep else kept))
    else:
        history = ()
    if current is None:
        return (
            risk.make_team_view(
                team["name"],
                team["role"],
                team["commitment"],
                team["has_lead"],
                history,
                None,
                None,
            ),
            None,
        )
    report = _report(current)
    view = risk.make_team_view(
        team["name"],
        team["role"],
        team["commitment"],
        team["has_lead"],
        history,
        report,
        report.reported_on,
    )
    return view, report.rating


def _measure_fact(measure: dict, day: dt.date, cache: dict) -> risk.MeasureFact:
    count = bisect_right(measure["dates"], day)
    latest_value = latest_date = None
    summary = None
    if count:
        latest_date, latest_value = measure["readings"][count - 1]
        # Without a direction and a target no reading can be concern or miss the target.
        if measure["direction"] != spc.NEITHER or measure["target_value"] is not None:
            key = (measure["pk"], count)
            if key not in cache:
                try:
                    cache[key] = spc.summarise(
                        spc.analyse(
                            measure["readings"][:count],
                            direction=measure["direction"],
                            target=measure["target_value"],
                            rebase_dates=measure["rebase_dates"],
                        )
                    )
                except ValueError:  # spc.SeriesError too: such readings give no verdict
                    cache[key] = None
            summary = cache[key]
    return risk.make_measure_fact(
        measure["name"],
        measure["unit"],
        measure["direction"],
        measure["baseline_value"],
        measure["baseline_date"],
        measure["target_value"],
        measure["target_date"],
        latest_value,
        latest_date,
        summary,
    )


def evaluate_snapshot(snapshot: Snapshot, day: dt.date | None = None) -> list[ObjectiveRisk]:
    """Every requested objective's flags as of ``day`` (default: the snapshot's today), most
    severe first."""
    day = day or snapshot.today
    if day > snapshot.today:
        raise ValueError("A snapshot cannot be evaluated after the day it was loaded for.")
    limits = snapshot.limits
    months = history_months(snapshot.plan, day, limits["history_periods"])
    keep = max(limits["deterioration_window"], limits["deterioration_consecutive_falls"] + 1, 1)
    facts = []
    ratings: dict[int, tuple[TeamRating, ...]] = {}
    empty: tuple = ()
    for pk, ref, title, lead_team, owner_id, state, delivery_date in snapshot.objectives:
        views = []
        team_ratings = []
        for team in snapshot.teams.get(pk, empty):
            view, rating = _team_view(team, day, months, keep)
            views.append(view)
            team_ratings.append(
                TeamRating(
                    team["team_id"],
                    team["name"] or risk.UNNAMED_TEAM,
                    team["directorate_id"],
                    team["directorate"],
                    team["role"],
                    rating,
                )
            )
        ratings[pk] = tuple(team_ratings)
        facts.append(
            risk.make_objective_facts(
                pk,
                ref,
                title,
                lead_team,
                owner_id is not None,
                state,
                delivery_date,
                tuple(views),
                tuple(snapshot.milestones.get(pk, empty)),
                tuple(
                    _measure_fact(m, day, snapshot.spc_cache)
                    for m in snapshot.measures.get(pk, empty)
                ),
                tuple(snapshot.graph.get(pk, empty)),
            )
        )
    flags_by_id = risk.evaluate_facts(
        facts, plan=snapshot.plan, today=day, settings=snapshot.limits, graph=snapshot.graph
    )
    requested = snapshot.requested
    results = []
    for pk, ref, title, lead_team, _, state, delivery_date in snapshot.objectives:
        if requested is not None and pk not in requested:
            continue
        flags = flags_by_id[pk]
        total = sum(flag.score for flag in flags)
        score = total
        acks = snapshot.acknowledgements.get(pk)
        if acks:
            flags = risk.apply_acknowledgements(flags, acks)
            score = risk.objective_score(flags)
        teams = ratings[pk]
        item = _new(ObjectiveRisk)  # ObjectiveRisk(...) without the frozen __init__'s cost
        vars(item).update(
            objective_id=pk,
            ref=ref,
            title=title,
            lead_team=lead_team or "",
            is_shared=len(teams) > 1,
            teams=teams,
            flags=flags,
            score=score,
            total_score=total,
            state=state,
            delivery_date=delivery_date,
        )
        results.append(item)
    results.sort(key=sort_key)
    return results


# --- Public entry points ------------------------------------------------------------------------


@contextmanager
def _collector_paused():
    """Loading and evaluating a plan makes a few hundred thousand short-lived objects and no
    reference cycles; left on, the cycle collector would sweep them over and over (about a sixth
    of the time at 5,000 objectives). Restores the collector's previous state."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def evaluate(plan: Plan, *, objectives=None, today=None, periods=None) -> list[ObjectiveRisk]:
    """Flags for every objective of ``plan`` (or of the ``objectives`` queryset), most severe
    first, with acknowledgements applied. Objectives without flags come last, with score 0."""
    today = today or clock.today()
    with _collector_paused():
        snapshot = load(plan, objectives=objectives, today=today, periods=periods)
        results = evaluate_snapshot(snapshot, today)
        # Freed while the collector is still off: otherwise its first pass after would walk
        # every row and fact of the load (some 70 ms at 5,000 objectives) only to free them.
        del snapshot
    return results


def flags_for_objective(objective: Objective, today=None) -> tuple[risk.Flag, ...]:
    """One objective's flags, most severe first (acknowledged ones last)."""
    results = evaluate(
        objective.plan, objectives=Objective.objects.filter(pk=objective.pk), today=today
    )
    return results[0].flags if results else ()


def risks_by_objective(objectives, today=None) -> dict[int, ObjectiveRisk]:
    """objective id -> its ObjectiveRisk, for a queryset of objectives (e.g. a lead's My work).
    Six queries per plan involved, plus one to find the plans."""
    today = today or clock.today()
    results: dict[int, ObjectiveRisk] = {}
    plan_ids = set(objectives.order_by().values_list("plan_id", flat=True).distinct())
    for plan in Plan.objects.filter(pk__in=plan_ids):
        for item in evaluate(plan, objectives=objectives.filter(plan=plan), today=today):
            results[item.objective_id] = item
    return results


def flags_for_objectives(objectives, today=None) -> dict[int, tuple[risk.Flag, ...]]:
    """objective id -> its flags, for Objective instances already in hand with their plan (as My
    work has them): six queries for each plan among them, none to find the plans."""
    today = today or clock.today()
    by_plan: dict[int, set[int]] = defaultdict(set)
    plans = {}
    for objective in objectives:
        by_plan[objective.plan_id].add(objective.pk)
        plans[objective.plan_id] = objective.plan
    flags: dict[int, tuple[risk.Flag, ...]] = {}
    for plan_id, ids in by_plan.items():
        chosen = Objective.objects.filter(pk__in=ids)
        for item in evaluate(plans[plan_id], objectives=chosen, today=today):
            flags[item.objective_id] = item.flags
    return flags


def previous_period_end(plan: risk.PlanFacts, today: dt.date) -> dt.date | None:
    """The end of the last closed period before ``today``: "last month" for what changed."""
    closed = [p.end_date for p in plan.periods if p.end_date < today]
    return closed[-1] if closed else None


@dataclass(frozen=True)
class Change:
    item: ObjectiveRisk
    flag: risk.Flag


def changes(
    before: list[ObjectiveRisk], after: list[ObjectiveRisk]
) -> tuple[list[Change], list[Change]]:
    """Flags new in ``after`` and flags resolved (in ``before``, gone from ``after``), matched by
    objective, rule and subject; most severe first."""
    old = {(i.objective_id, *f.key): Change(i, f) for i in before for f in i.flags}
    new = {(i.objective_id, *f.key): Change(i, f) for i in after for f in i.flags}
    added = sorted((c for k, c in new.items() if k not in old), key=change_key)
    resolved = sorted((c for k, c in old.items() if k not in new), key=change_key)
    return added, resolved


def change_key(change: Change):
    """Most severe first, then by reference and label."""
    return (risk.SEVERITY_ORDER[change.flag.severity], change.item.ref, change.flag.label)


def evaluate_with_changes(
    plan: Plan, *, objectives=None, today=None, since=None, periods=None, ids=None, asked=None
):
    """(risks now, flags new since ``since``, flags resolved since then, the ``since`` day) from one
    load. ``since`` defaults to the end of the last closed period; without one there are no
    changes to show. ``periods``: the plan's period rows when the caller has them; ``ids`` and
    ``asked``: as for ``load``."""
    now, added, resolved, since, _ = evaluate_with_changes_and_graph(
        plan,
        objectives=objectives,
        today=today,
        since=since,
        periods=periods,
        ids=ids,
        asked=asked,
    )
    return now, added, resolved, since


def evaluate_with_changes_and_graph(
    plan: Plan, *, objectives=None, today=None, since=None, periods=None, ids=None, asked=None
):
    """evaluate_with_changes, plus the loaded dependencies (objective id -> [DependencyFact]).
    ``ids`` and ``asked``: as for ``load``."""
    today = today or clock.today()
    with _collector_paused():
        snapshot = load(
            plan,
            objectives=objectives,
            today=today,
            earliest=since or _month_ago(today),
            periods=periods,
            ids=ids,
            asked=asked,
        )
        since = since or previous_period_end(snapshot.plan, today)
        now = evaluate_snapshot(snapshot, today)
        graph = snapshot.graph
        if since is None:
            del snapshot  # freed while the collector is off (see evaluate)
            return now, [], [], None, graph
        before = evaluate_snapshot(snapshot, since)
        del snapshot
        added, resolved = changes(before, now)
        del before
    return now, added, resolved, since, graph


def _month_ago(today: dt.date) -> dt.date:
    # The previous period's end is at most a month and a day back; read history from there.
    return today - dt.timedelta(days=32)
