"""Whole-plan risk evaluations, cached by a fingerprint of the data the rules read.

Evaluating a large plan (5,000 objectives, now and as of the last month end for "what changed")
takes over a second, and directors read the dashboard far more often than the data changes. So a
plan is evaluated whole, once per fingerprint, and pages filter the result in memory:

- ``fingerprint()`` is one aggregate query over every table the rules read: counts and newest ids
  (so additions and deletions show), and weighted sums of the columns that decide a flag (dates,
  values, roles, commitments), so an edit in place shows too; plus ``today`` and the thresholds.
- Status updates, readings and acknowledgements are only ever added. When nothing but those
  changed since a cached evaluation, only the objectives they belong to (and the objectives that
  depend on them) are evaluated again and patched in: a lead saving an update costs the next
  dashboard a few milliseconds, not a whole evaluation. Any other change evaluates the plan again.
- Each process keeps its evaluations as objects (nothing to unpickle on a hit). When the "risk"
  cache (settings.CACHES) is shared, files under RISK_CACHE_DIR, whole evaluations are written
  there too, so a new worker, or one whose copy is out of date, takes another worker's work rather
  than evaluating the plan itself (unpickling costs about a sixth of an evaluation); the default
  in-memory cache is not used for that, as it would only pickle what the process already holds.
  Entries older than that cache's timeout are evaluated afresh, which bounds how long an edit that
  no sum can see (a renamed team of the same length) stays unseen.
- Writing an evaluation to the shared cache (pickling 5 MB: about 0.2 s) waits, during a request,
  until the response has been sent (``request_finished``), so the person whose page set it off
  does not wait for it too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import connection

from . import clock, risk_loader
from .models import (
    Contribution,
    Dependency,
    Directorate,
    FlagAcknowledgement,
    Measure,
    Membership,
    Milestone,
    Objective,
    ObjectiveRevision,
    Period,
    Plan,
    PlanStatus,
    Reading,
    StatusUpdate,
    Team,
)

CACHE_ALIAS = "risk"
FORMAT = 2  # bump when Evaluation or the rules' output changes shape


# --- The fingerprint -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """``appended``: (count, newest id) of status updates and of acknowledgements, and (count,
    newest id, weighted sum of values) of readings. ``rest``: every other aggregate."""

    appended: tuple
    rest: tuple


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _col(model, name: str) -> str:
    return _q(model._meta.get_field(name).column)


def _day(column: str) -> str:
    # A date as a number of days, natively on each backend (cheap: no text to build per row).
    if connection.vendor == "sqlite":
        return f"julianday({column})"
    return f"({column} - DATE '2000-01-01')"


APPENDED_PARTS = 3  # status updates, acknowledgements, readings: only ever added to


def _parts() -> list[tuple[str, object, list[str], list[str]]]:
    """(name, model, cheap aggregates, aggregates that read every row) for each part of the
    fingerprint, the APPENDED_PARTS first. Counts and newest ids show additions and deletions;
    the sums show edits in place (two rows trading values exactly would not show)."""
    su, rd, ack = StatusUpdate, Reading, FlagAcknowledgement
    ob, rev, co, mem = Objective, ObjectiveRevision, Contribution, Membership
    te, di, mi, me, de, pe = Team, Directorate, Milestone, Measure, Dependency, Period

    def c(model, name):
        return _col(model, name)

    def basic(model):
        return ["COUNT(*)", f"MAX({c(model, 'id')})"]

    def length(model, name):
        return f"SUM(LENGTH({c(model, name)}))"

    return [
        ("updates", su, basic(su), []),
        ("acknowledgements", ack, basic(ack), []),
        ("readings", rd, basic(rd), [f"SUM({c(rd, 'value')})"]),
        (
            "objectives",
            ob,
            basic(ob),
            # The edit form bumps version and updated_at; the importer records a revision.
            [
                f"MAX({c(ob, 'updated_at')})",
                f"SUM({c(ob, 'version')})",
                f"SUM(COALESCE({c(ob, 'owner')}, 0))",
                f"SUM({c(ob, 'lead_team')})",
            ],
        ),
        ("revisions", rev, basic(rev), []),
        (
            "contributions",
            co,
            basic(co),
            [
                f"SUM({c(co, 'team')})",
                length(co, "role"),
                f"SUM(LENGTH(TRIM({c(co, 'commitment')})))",
            ],
        ),
        (
            "memberships",
            mem,
            basic(mem),
            [
                f"SUM(CASE WHEN {c(mem, 'role')} = 'lead' THEN {c(mem, 'team')} ELSE 0 END)",
                f"SUM(CASE WHEN {c(mem, 'role')} = 'lead' THEN 1 ELSE 0 END)",
            ],
        ),
        ("teams", te, basic(te), [f"SUM({c(te, 'directorate')})", length(te, "name")]),
        ("directorates", di, basic(di), [length(di, "name")]),
        (
            "milestones",
            mi,
            basic(mi),
            [
                f"COUNT({c(mi, 'done_date')})",
                f"SUM({_day(c(mi, 'due_date'))})",
                f"SUM({_day(c(mi, 'done_date'))})",
                f"SUM(COALESCE({c(mi, 'team')}, 0))",
                length(mi, "title"),
            ],
        ),
        (
            "measures",
            me,
            basic(me),
            [
                f"SUM({c(me, 'target_value')})",
                f"SUM({c(me, 'baseline_value')})",
                f"SUM({_day(c(me, 'target_date'))})",
                f"SUM({_day(c(me, 'baseline_date'))})",
                length(me, "direction"),
                f"SUM(LENGTH(CAST({c(me, 'rebase_dates')} AS TEXT)))",
                f"SUM(LENGTH({c(me, 'name')}) + LENGTH({c(me, 'unit')}))",
            ],
        ),
        (
            "dependencies",
            de,
            basic(de),
            [f"SUM({c(de, 'objective')})", f"SUM({c(de, 'depends_on')})", length(de, "need")],
        ),
        (
            "periods",
            pe,
            basic(pe),
            [f"SUM({_day(c(pe, 'start_date'))})", f"SUM({_day(c(pe, 'end_date'))})"],
        ),
    ]


def _group_concat(expression: str) -> str:
    if connection.vendor == "sqlite":
        return f"group_concat({expression})"
    return f"string_agg(CAST({expression} AS TEXT), ',')"


def _derived(alias: str, aggregates: list[str], source: str) -> tuple[str, list[str]]:
    """(a FROM item computing ``aggregates`` in one pass over ``source``, its columns)."""
    names = [f"c{i}" for i in range(len(aggregates))]
    selects = ", ".join(f"{a} AS {_q(n)}" for a, n in zip(aggregates, names, strict=True))
    return f"(SELECT {selects} {source}) {_q(alias)}", [f"{_q(alias)}.{_q(n)}" for n in names]


def _fingerprint_columns() -> tuple[list[str], list[str], list[int]]:
    """(columns, FROM sources, widths).

    SQLite: each cheap aggregate is its own scalar subquery (answered from the b-tree alone), each
    table's other aggregates one pass over it, as a FROM item. PostgreSQL would search join orders
    for a dozen FROM items (planning cost more than running), so there every aggregate is a scalar
    subquery: the added-rows ones as numbers, each other table's as one row read as text."""
    columns, sources, widths = [], [], []
    sqlite = connection.vendor == "sqlite"
    for index, (name, model, cheap, scans) in enumerate(_parts()):
        table = _table(model)
        if sqlite:
            columns += [f"(SELECT {aggregate} FROM {table})" for aggregate in cheap]
            if scans:
                source, derived = _derived(f"f_{name}", scans, f"FROM {table}")
                sources.append(source)
                columns += derived
            widths.append(len(cheap) + len(scans))
        elif index < APPENDED_PARTS:
            columns += [f"(SELECT {aggregate} FROM {table})" for aggregate in cheap + scans]
            widths.append(len(cheap) + len(scans))
        else:
            row = ", ".join(cheap + scans)
            columns.append(f"(SELECT CAST(ROW({row}) AS TEXT) FROM {table})")
            widths.append(1)
    return columns, sources, widths


def _appended_sources() -> tuple[list[str], list[str]]:
    """(FROM sources, columns) for the rows added after given ids (the newest status update,
    acknowledgement and reading already evaluated; see _marks): how many, their objectives, and
    the new readings' sum. Scalar subqueries on PostgreSQL (see _fingerprint_columns)."""
    su, co, ack, rd, me = StatusUpdate, Contribution, FlagAcknowledgement, Reading, Measure
    parts = [
        (
            "a_updates",
            ["COUNT(*)", _group_concat(f"c.{_col(co, 'objective')}")],
            f"FROM {_table(su)} s JOIN {_table(co)} c ON c.{_col(co, 'id')} = "
            f"s.{_col(su, 'contribution')} WHERE s.{_col(su, 'id')} > %s",
        ),
        (
            "a_acknowledgements",
            ["COUNT(*)", _group_concat(_col(ack, "objective"))],
            f"FROM {_table(ack)} WHERE {_col(ack, 'id')} > %s",
        ),
        (
            "a_readings",
            [
                "COUNT(*)",
                _group_concat(f"m.{_col(me, 'objective')}"),
                f"SUM(r.{_col(rd, 'value')})",
            ],
            f"FROM {_table(rd)} r JOIN {_table(me)} m ON m.{_col(me, 'id')} = "
            f"r.{_col(rd, 'measure')} WHERE r.{_col(rd, 'id')} > %s",
        ),
    ]
    sources, columns = [], []
    for alias, aggregates, source in parts:
        if connection.vendor == "sqlite":
            item, derived = _derived(alias, aggregates, source)
            sources.append(item)
            columns += derived
        else:
            columns += [f"(SELECT {aggregate} {source})" for aggregate in aggregates]
    # updates (count, ids), acknowledgements (count, ids), readings (count, ids, sum)
    return sources, columns


_STATEMENTS: dict = {}


def _statement(*, appended: bool, plan: str | None) -> tuple[str, list[int]]:
    """The one query: the fingerprint; with ``appended`` the rows added since given ids; with
    ``plan`` ("latest": the latest agreed plan, "given": the plan whose id is the last parameter)
    that plan and its periods too, one row per period."""
    key = (connection.vendor, appended, plan)
    cached = _STATEMENTS.get(key)
    if cached is not None:
        return cached
    columns, sources, widths = _fingerprint_columns()
    if appended:
        more_sources, more_columns = _appended_sources()
        sources += more_sources
        columns += more_columns
    sql = f"SELECT {', '.join(columns)}"
    if sources:
        sql += f" FROM {', '.join(sources)}"
    if plan:
        inner = ", ".join(f"{column} AS {_q(f'k{i}')}" for i, column in enumerate(columns))
        inner_sql = f"SELECT {inner}" + (f" FROM {', '.join(sources)}" if sources else "")
        pl, pe = Plan, Period
        plan_columns = ["id", "label", "start_date", "end_date", "status", "agreed_on"]
        period_columns = ["id", "month", "start_date", "end_date"]
        if plan == "latest":
            chosen = (
                f"(SELECT {_col(pl, 'id')} FROM {_table(pl)} WHERE {_col(pl, 'status')} = %s"
                f" ORDER BY {_col(pl, 'start_date')} DESC LIMIT 1)"
            )
        else:
            chosen = "%s"
        sql = (
            "SELECT fp.*, "
            + ", ".join(f"pl.{_col(pl, name)}" for name in plan_columns)
            + ", "
            + ", ".join(f"pe.{_col(pe, name)}" for name in period_columns)
            + f" FROM ({inner_sql}) fp"
            f" LEFT JOIN {_table(pl)} pl ON pl.{_col(pl, 'id')} = {chosen}"
            f" LEFT JOIN {_table(pe)} pe ON pe.{_col(pe, 'plan')} = pl.{_col(pl, 'id')}"
            f" ORDER BY pe.{_col(pe, 'month')}"
        )
    _STATEMENTS[key] = (sql, widths)
    return sql, widths


@dataclass(frozen=True)
class Appended:
    """Rows added after the ids of a cached evaluation: counts, their objectives and the new
    readings' sum."""

    updates: int
    acknowledgements: int
    readings: int
    readings_sum: float
    objectives: frozenset


def _ids(text) -> set[int]:
    return {int(part) for part in str(text).split(",") if part} if text else set()


def _marks(print_: Fingerprint) -> list[int]:
    """The parameters of _appended_sources: the newest ids already evaluated (on PostgreSQL once
    per subquery that reads them)."""
    updates, acks, readings = print_.appended
    update, ack, reading = updates[1] or 0, acks[1] or 0, readings[1] or 0
    if connection.vendor == "sqlite":
        return [update, ack, reading]
    return [update, update, ack, ack, reading, reading, reading]


def _split(row, widths, marks) -> tuple[Fingerprint, Appended | None, int]:
    values, start = [], 0
    for width in widths:
        values.append(tuple(row[start : start + width]))
        start += width
    print_ = Fingerprint(
        appended=tuple(values[:APPENDED_PARTS]), rest=tuple(values[APPENDED_PARTS:])
    )
    appended = None
    if marks is not None:
        updates, update_ids, acks, ack_ids, readings, reading_ids, readings_sum = row[
            start : start + 7
        ]
        start += 7
        appended = Appended(
            updates=updates,
            acknowledgements=acks,
            readings=readings,
            readings_sum=float(readings_sum or 0),
            objectives=frozenset(_ids(update_ids) | _ids(ack_ids) | _ids(reading_ids)),
        )
    return print_, appended, start


def fingerprint(*, since: Fingerprint | None = None) -> tuple[Fingerprint, Appended | None]:
    """One query over every table the rules read (the whole database, so one fingerprint serves
    every plan); with ``since``, what was added after that fingerprint's newest rows too."""
    marks = _marks(since) if since is not None else None
    sql, widths = _statement(appended=marks is not None, plan=None)
    with connection.cursor() as cursor:
        cursor.execute(sql, marks or [])
        row = cursor.fetchone()
    print_, appended, _ = _split(row, widths, marks)
    return print_, appended


def _fingerprint_and_plan(since: Fingerprint | None, plan_id: int | None = None):
    """(fingerprint, appended, plan or None, its period rows) in one query: the plan ``plan_id``,
    or else the latest agreed plan."""
    marks = _marks(since) if since is not None else None
    sql, widths = _statement(
        appended=marks is not None, plan="latest" if plan_id is None else "given"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(marks or []), PlanStatus.AGREED if plan_id is None else plan_id])
        rows = cursor.fetchall()
    print_, appended, start = _split(rows[0], widths, marks)
    found, label, starts, ends, status, agreed_on = rows[0][start : start + 6]
    if found is None:
        return print_, appended, None, []
    date = risk_loader._date
    plan = Plan(
        pk=found,
        label=label,
        start_date=date(starts),
        end_date=date(ends),
        status=status,
        agreed_on=date(agreed_on),
    )
    plan._state.adding = False
    plan._state.db = connection.alias
    periods = [
        (pk, month, date(first), date(last))
        for pk, month, first, last in (row[start + 6 : start + 10] for row in rows)
        if pk is not None
    ]
    return print_, appended, plan, periods


def _context_key(plan: Plan, today) -> str:
    """What the evaluation depends on beyond the data: the database, the plan, the day, the
    thresholds and the rating scale."""
    parts = {
        "format": FORMAT,
        "database": str(settings.DATABASES["default"].get("NAME", "")),
        "plan": [plan.pk, plan.label, str(plan.start_date), str(plan.end_date)],
        "today": today.isoformat(),
        "thresholds": risk_loader.current_thresholds(),
        "scale": getattr(settings, "RATING_SCALE", None),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"risk-evaluation:{plan.pk}:{digest[:24]}"


def _pointer_key(today) -> str:
    """Where the key of the latest agreed plan's evaluation is kept, so the dashboard can ask for
    what was added since that evaluation in the same query that finds the plan."""
    parts = [FORMAT, str(settings.DATABASES["default"].get("NAME", "")), today.isoformat()]
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    return f"risk-latest-plan:{digest[:24]}"


# --- Evaluations ---------------------------------------------------------------------------------


@dataclass
class Evaluation:
    """A whole plan evaluated now and as of ``since`` (the last month end), most severe first."""

    key: str
    fingerprint: Fingerprint
    since: object  # datetime.date | None
    items: list  # [ObjectiveRisk], most severe first
    added: list  # [risk_loader.Change]
    resolved: list
    dependents: dict  # objective id -> ids of the objectives that depend on it
    dependencies: dict  # objective id -> ids of the objectives it depends on
    made_at: float = field(default_factory=time.time)
    patched: int = 0  # objectives evaluated again since the plan was last evaluated whole

    def __post_init__(self):
        self.by_id = {item.objective_id: item for item in self.items}
        self._memo: dict = {}

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("by_id", None)
        state.pop("_memo", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.by_id = {item.objective_id: item for item in self.items}
        self._memo = {}

    MEMO_LIMIT = 64
    # Memo keys ("choices", ...) whose values stay true when ratings, readings or
    # acknowledgements are added: which teams and directorates are involved does not change.
    KEPT_WHEN_PATCHED = frozenset({"choices"})

    def carry_memo(self, older: Evaluation) -> None:
        self._memo.update(
            (key, value) for key, value in older._memo.items() if key[0] in self.KEPT_WHEN_PATCHED
        )

    def memo(self, key, make):
        """``make()``, worked out once per ``key`` for this evaluation (pages ask the same views
        of it again and again: a director's scope, the filters left empty)."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        value = make()
        if len(self._memo) >= self.MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = value
        return value


_local: dict[str, Evaluation] = {}
_local_pointers: dict[str, str] = {}  # "the latest agreed plan today" -> its evaluation's key
_lock = threading.RLock()


def _shared():
    """The cache shared between processes, or None: without a "risk" alias (a test's own CACHES),
    or when it is in-process memory, which would only pickle and unpickle what this process
    already keeps as objects."""
    if CACHE_ALIAS not in settings.CACHES:
        return None
    cache = caches[CACHE_ALIAS]
    return None if isinstance(cache, LocMemCache) else cache


def clear() -> None:
    """Forget every cached evaluation, in this process and in the shared cache."""
    with _lock:
        _local.clear()
        _local_pointers.clear()
    if CACHE_ALIAS in settings.CACHES:
        caches[CACHE_ALIAS].clear()


def _max_age() -> float:
    timeout = caches[CACHE_ALIAS].default_timeout if CACHE_ALIAS in settings.CACHES else 900
    return float(timeout) if timeout else float("inf")


def _fresh(entry: Evaluation | None) -> Evaluation | None:
    if entry is not None and time.time() - entry.made_at > _max_age():
        return None
    return entry


def _whole(plan: Plan, key: str, print_: Fingerprint, today, periods) -> Evaluation:
    now, added, resolved, since, graph = risk_loader.evaluate_with_changes_and_graph(
        plan, today=today, periods=periods
    )
    dependents: dict[int, list[int]] = defaultdict(list)
    for source, targets in graph.items():
        for target in targets:
            dependents[target.objective_id].append(source)
    return Evaluation(
        key=key,
        fingerprint=print_,
        since=since,
        items=now,
        added=added,
        resolved=resolved,
        dependents=dict(dependents),
        dependencies={source: [t.objective_id for t in deps] for source, deps in graph.items()},
    )


def _appended_objectives(
    old: Fingerprint, new: Fingerprint, appended: Appended | None
) -> set[int] | None:
    """The objectives given new status updates, readings or acknowledgements since ``old``; None
    when anything else changed too (an edit or a deletion), so the plan must be evaluated whole."""
    if appended is None or old.rest != new.rest:
        return None
    (old_updates, old_acks, old_readings) = old.appended
    (new_updates, new_acks, new_readings) = new.appended
    # Only additions: each count grew by exactly the rows found after the old newest id...
    if appended.updates != new_updates[0] - old_updates[0]:
        return None
    if appended.acknowledgements != new_acks[0] - old_acks[0]:
        return None
    if appended.readings != new_readings[0] - old_readings[0]:
        return None
    # ...and the readings' sum by the new readings' values (no value edited in place).
    expected = float(old_readings[2] or 0) + appended.readings_sum
    actual = float(new_readings[2] or 0)
    if abs(actual - expected) > 1e-9 * max(1.0, abs(actual)):
        return None
    return set(appended.objectives)


def _reach(ids: set[int], graph: dict, depth: int) -> set[int]:
    """``ids`` and the objectives ``depth`` steps or fewer along ``graph`` from them."""
    result = set(ids)
    frontier = set(ids)
    for _ in range(max(depth, 0)):
        frontier = {d for i in frontier for d in graph.get(i, ())} - result
        if not frontier:
            break
        result |= frontier
    return result


def _patched(
    entry: Evaluation, plan: Plan, print_: Fingerprint, changed: set[int], today, periods
) -> Evaluation:
    """``entry`` with the ``changed`` objectives (and those depending on them) evaluated again."""
    wanted = {pk for pk in changed if pk in entry.by_id}
    if not wanted:  # only other plans' objectives changed: the same evaluation, newly checked
        same = Evaluation(
            key=entry.key,
            fingerprint=print_,
            since=entry.since,
            items=entry.items,
            added=entry.added,
            resolved=entry.resolved,
            dependents=entry.dependents,
            dependencies=entry.dependencies,
            made_at=entry.made_at,
            patched=entry.patched,
        )
        same._memo = entry._memo
        return same
    depth = risk_loader.current_thresholds()["dependency_depth"]
    # Those that depend on the changed ones (their dependency flags may change), and everything
    # those depend on, which their rules read.
    wanted = _reach(wanted, entry.dependents, depth)
    now, added, resolved, _, _ = risk_loader.evaluate_with_changes_and_graph(
        plan,
        ids=_reach(wanted, entry.dependencies, depth),
        asked=wanted,
        today=today,
        since=entry.since,
        periods=periods,
    )
    fresh = {item.objective_id: item for item in now}
    items = [fresh.get(item.objective_id, item) for item in entry.items]
    items.sort(key=risk_loader.sort_key)

    def merge(old, new):
        kept = [change for change in old if change.item.objective_id not in wanted]
        return sorted(kept + new, key=risk_loader.change_key)

    patched = Evaluation(
        key=entry.key,
        fingerprint=print_,
        since=entry.since,
        items=items,
        added=merge(entry.added, added) if entry.since else [],
        resolved=merge(entry.resolved, resolved) if entry.since else [],
        dependents=entry.dependents,
        dependencies=entry.dependencies,
        made_at=entry.made_at,
        patched=entry.patched + len(wanted),
    )
    patched.carry_memo(entry)
    return patched


# Patched evaluations are written back to the shared cache once this many objectives have been
# evaluated again since the last write, so a worker starting from it has little to catch up on.
SHARE_AFTER = 200


def _remember(entry: Evaluation, *, share: bool, pointer: str | None = None) -> None:
    _local[entry.key] = entry
    if pointer:
        _local_pointers[pointer] = entry.key
    shared = _shared()
    if share and shared is not None:
        entry.patched = 0
        _share(shared, entry.key, entry)
        if pointer:
            _share(shared, pointer, entry.key)


# Shared-cache writes waiting for the end of this thread's request: {key: value}, or None outside
# a request (management commands write at once).
_deferred = threading.local()
logger = logging.getLogger(__name__)


def _share(shared, key: str, value) -> None:
    writes = getattr(_deferred, "writes", None)
    if writes is None:
        shared.set(key, value)
    else:
        writes[key] = value


def _request_started(**_kwargs) -> None:
    _deferred.writes = {}


def _request_finished(**_kwargs) -> None:
    """Write what this request left for the shared cache, now that its response has gone. The
    shared copy only saves other workers time, so a failure to write it is logged, not raised."""
    writes, _deferred.writes = getattr(_deferred, "writes", None), None
    shared = _shared()
    if not writes or shared is None:
        return
    try:
        for key, value in writes.items():
            shared.set(key, value)
    except Exception:
        logger.exception("Could not write a risk evaluation to the shared cache")


def connect_signals() -> None:
    request_started.connect(_request_started, dispatch_uid="risk_cache_request_started")
    request_finished.connect(_request_finished, dispatch_uid="risk_cache_request_finished")


def _from_shared(key: str | None) -> Evaluation | None:
    shared = _shared()
    if key is None or shared is None:
        return None
    return _fresh(shared.get(key))


def _lookup(key: str | None) -> tuple[Evaluation | None, bool]:
    """(the cached evaluation under ``key``, whether it came from the shared cache): this
    process's copy, else the shared one."""
    if key is None:
        return None, False
    entry = _fresh(_local.get(key))
    if entry is not None:
        return entry, False
    entry = _from_shared(key)
    if entry is not None:
        _local[key] = entry
    return entry, entry is not None


def _resolve(
    plan, key, entry, print_, appended, *, today, periods, whole, shared_tried, pointer=None
) -> Evaluation | None:
    """The evaluation for ``print_``: ``entry`` as it is, ``entry`` patched, the shared cache's
    copy when another worker has already evaluated this data, or the plan evaluated whole (None
    instead when not ``whole``)."""
    if entry is not None and entry.key != key:
        entry = None
    if entry is not None and entry.fingerprint == print_:
        if pointer and _local_pointers.get(pointer) != key:
            _remember(entry, share=False, pointer=pointer)
        return entry
    changed = _appended_objectives(entry.fingerprint, print_, appended) if entry else None
    if changed is not None:
        patched = _patched(entry, plan, print_, changed, today, periods)
        _remember(patched, share=patched.patched >= SHARE_AFTER, pointer=pointer)
        return patched
    if not shared_tried:
        other = _from_shared(key)
        if other is not None and other.fingerprint == print_:
            _remember(other, share=False, pointer=pointer)
            return other
    if not whole:
        return None
    evaluation = _whole(plan, key, print_, today, periods)
    _remember(evaluation, share=True, pointer=pointer)
    return evaluation


def latest_plan_evaluation(*, today=None) -> tuple[Plan | None, list, Evaluation | None]:
    """(the latest agreed plan, its period rows, its evaluation for ``today``) for the dashboard:
    one query when nothing changed (the plan, its periods, the fingerprint and what was added
    since the cached evaluation, together), five more to patch or evaluate it."""
    today = today or clock.today()
    pointer = _pointer_key(today)
    with _lock:
        shared = _shared()
        key = _local_pointers.get(pointer) or (shared.get(pointer) if shared else None)
        entry, shared_tried = _lookup(key)
        print_, appended, plan, periods = _fingerprint_and_plan(
            entry.fingerprint if entry else None
        )
        if plan is None:
            return None, [], None
        evaluation = _resolve(
            plan,
            _context_key(plan, today),
            entry,
            print_,
            appended,
            today=today,
            periods=periods,
            whole=True,
            shared_tried=shared_tried,
            pointer=pointer,
        )
    return plan, periods, evaluation


def plan_evaluation(
    plan: Plan, *, periods=None, today=None, whole: bool = True
) -> Evaluation | None:
    """``plan``'s evaluation for ``today``: the cached one when the data has not changed (one
    query), patched when only additions were made, else evaluated whole — or, with
    ``whole=False``, None, for pages that would rather evaluate a few objectives themselves.
    ``periods``: the plan's period rows (risk_loader.plan_and_periods) when the caller has them."""
    today = today or clock.today()
    key = _context_key(plan, today)
    with _lock:
        entry, shared_tried = _lookup(key)
        print_, appended = fingerprint(since=entry.fingerprint if entry else None)
        return _resolve(
            plan,
            key,
            entry,
            print_,
            appended,
            today=today,
            periods=periods,
            whole=whole,
            shared_tried=shared_tried,
        )


def cached_plan_evaluation(plan: Plan, *, today=None) -> tuple[list, Evaluation | None]:
    """(``plan``'s period rows, its evaluation when one is cached, patched if need be, else None)
    in one query (six to patch): for pages that need only a few objectives and would rather
    evaluate those themselves, with the periods in hand, than the whole plan."""
    today = today or clock.today()
    key = _context_key(plan, today)
    with _lock:
        entry, shared_tried = _lookup(key)
        print_, appended, found, periods = _fingerprint_and_plan(
            entry.fingerprint if entry else None, plan.pk
        )
        if found is None:
            return [], None
        evaluation = _resolve(
            plan,
            key,
            entry,
            print_,
            appended,
            today=today,
            periods=periods,
            whole=False,
            shared_tried=shared_tried,
        )
    return periods, evaluation
