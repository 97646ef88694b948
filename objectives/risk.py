"""At-risk rules: which objectives are drifting, how badly, and why — in plain English.

Pure functions over plain values (no Django, no database): ``objectives/risk_loader.py`` turns
rows into the frozen dataclasses below, calls ``evaluate_facts()`` and applies acknowledgements. The
ten rules are those of DESIGN.md "At-risk rules"; each flag carries a rule, a severity, a score, a
one-sentence explanation naming teams, dates and values, what it is about (``subject``), the
evidence it used and an ``evidence_level`` (bigger = worse) that decides when an acknowledgement
lapses.

Thresholds (``DEFAULT_THRESHOLDS``; ``settings.RISK_THRESHOLDS`` overrides any of them by name):

- ``low_confidence_high`` ("red"): a current view this bad or worse is high severity; Amber/Red is
  medium. Amber/Red and Red are low confidence by definition (DESIGN.md), so that is not a setting.
- ``divergence_steps`` (2): two teams' current ratings this many steps apart (on the five-point
  scale) on a shared objective. ``divergence_high_steps`` (3): high severity from here.
- ``silence_missed_periods`` (1): an involved team missed this many closed periods in a row (a
  period is closed once its last day is past). ``silence_days`` (45): or its last update is older
  than this. ``silence_high_missed_periods`` (3): high severity from here; 2 is medium, else low.
- ``deterioration_steps`` (2): the latest rating is this many steps worse than the best of the
  last ``deterioration_window`` (3) updates; or it fell at each of the last
  ``deterioration_consecutive_falls`` (2) updates, in consecutive periods.
  ``deterioration_high_steps`` (3): high severity from here.
- ``overdue_milestones`` (1): this many milestones past due and not done;
  ``overdue_milestones_high`` (2): high severity from here.
- ``trajectory_tolerance`` (0.10): a measure's latest reading is behind the straight line from
  baseline to target by more than this share of the baseline-to-target distance.
  ``trajectory_high_tolerances`` (2): behind by more than this many tolerances is high severity, as
  is a control chart whose target will consistently be missed. A latest reading that is
  special-cause concern also puts a measure off trajectory (objectives/spc.py decides both).
- ``optimism_ratings`` (Green, Amber/Green): a team saying one of these while milestones are
  overdue or measures off trajectory is optimistic; medium when it says Green, else low.
- ``dependency_depth`` (1): how many levels of "depends on" a high-severity flag travels.
- ``time_pressure_after_month`` (6): once this reporting month (September, mid-year) is closed,
  a current view of ``time_pressure_rating`` (Amber) or worse with delivery due inside the plan year
  is time pressure (high from Amber/Red). Past the delivery date and not complete is always high.
- ``history_periods`` (6): how many recent periods of updates the loader reads for these rules.
- ``severity_scores`` (high 10, medium 4, low 1): a flag's score. An objective's score is the sum
  of its flags' scores, leaving out acknowledged flags (a lapsed acknowledgement counts again).
  Lists sort by score, then shared objectives first, then reference.

Objectives that are complete or closed are not evaluated: nothing about them is at risk any more.
Circular dependencies are flagged under the dependency rule with the subject ``"cycle"``; following
dependencies stops at objectives already seen, so a circle never loops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache

from .ratings import STEP
from .spc import Assurance, Summary, format_value

# --- Thresholds ---------------------------------------------------------------------------------

DEFAULT_THRESHOLDS: dict = {
    "low_confidence_high": "red",
    "divergence_steps": 2,
    "divergence_high_steps": 3,
    "silence_missed_periods": 1,
    "silence_days": 45,
    "silence_high_missed_periods": 3,
    "deterioration_steps": 2,
    "deterioration_window": 3,
    "deterioration_consecutive_falls": 2,
    "deterioration_high_steps": 3,
    "overdue_milestones": 1,
    "overdue_milestones_high": 2,
    "trajectory_tolerance": 0.10,
    "trajectory_high_tolerances": 2,
    "optimism_ratings": ("green", "amber_green"),
    "dependency_depth": 1,
    "time_pressure_after_month": 6,
    "time_pressure_rating": "amber",
    "history_periods": 6,
    "severity_scores": {"high": 10, "medium": 4, "low": 1},
}


def thresholds(overrides: Mapping | None = None) -> dict:
    """DEFAULT_THRESHOLDS with ``overrides`` applied; an unknown name fails loudly."""
    merged = dict(DEFAULT_THRESHOLDS)
    for name, value in (overrides or {}).items():
        if name not in DEFAULT_THRESHOLDS:
            known = ", ".join(sorted(DEFAULT_THRESHOLDS))
            raise ValueError(f"RISK_THRESHOLDS has no setting {name!r}; known settings: {known}")
        merged[name] = value
    return merged


# --- Rules, severities and their words ----------------------------------------------------------

LOW_CONFIDENCE = "low_confidence"
DIVERGENCE = "divergence"
SILENCE = "silence"
DETERIORATION = "deterioration"
OVERDUE_MILESTONES = "overdue_milestones"
OFF_TRAJECTORY = "off_trajectory"
OPTIMISM = "optimism"
DEPENDENCY = "dependency"
TIME_PRESSURE = "time_pressure"
OWNERSHIP = "ownership"

RULES = {
    LOW_CONFIDENCE: "Low confidence",
    DIVERGENCE: "Divergence",
    SILENCE: "Silence",
    DETERIORATION: "Deterioration",
    OVERDUE_MILESTONES: "Overdue milestones",
    OFF_TRAJECTORY: "Off trajectory",
    OPTIMISM: "Optimism",
    DEPENDENCY: "Dependency",
    TIME_PRESSURE: "Time pressure",
    OWNERSHIP: "Ownership gap",
}
RULE_ORDER = {rule: index for index, rule in enumerate(RULES)}
CYCLE = "cycle"  # subject of the dependency flag for a circle of dependencies

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITIES = {HIGH: "High", MEDIUM: "Medium", LOW: "Low"}
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

RATING_WORDS = {
    "green": "Green",
    "amber_green": "Amber/Green",
    "amber": "Amber",
    "amber_red": "Amber/Red",
    "red": "Red",
}
STATE_WORDS = {
    "not_started": "not started",
    "in_progress": "in progress",
    "complete": "complete",
    "paused": "paused",
    "closed": "closed",
}
FINISHED_STATES = frozenset({"complete", "closed"})
MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
UNNAMED_TEAM = "A team no longer on record"


@cache
def day(when: dt.date) -> str:
    """31 July 2024 (cached: a plan's flags name the same few hundred dates again and again)"""
    return f"{when.day} {MONTHS[when.month]} {when.year}"


@cache
def month(when: dt.date) -> str:
    """July 2024"""
    return f"{MONTHS[when.month]} {when.year}"


def and_join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# --- Plain facts in -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodFact:
    month: int  # 1 = April … 12 = March
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True, slots=True)
class PlanFacts:
    label: str
    start_date: dt.date
    end_date: dt.date
    periods: tuple[PeriodFact, ...] = ()  # in month order; a new plan may have none yet


@dataclass(frozen=True, slots=True)
class Report:
    """A team's view for one period (the newest correction of it)."""

    period_month: int
    period_end: dt.date
    rating: str
    reported_on: dt.date


@dataclass(frozen=True, slots=True)
class TeamView:
    """One involved team: its role, what it committed to, its recent reports.

    ``history`` holds the recent periods' reports in period order. ``current`` is the team's current
    view (its newest update); by default the newest report in ``history``. ``last_reported_on`` is
    the date of the newest update even when that is older than the history the loader read.
    """

    team: str
    role: str = "contributor"  # "lead" or "contributor"
    commitment: str = ""
    has_lead_member: bool = True
    history: tuple[Report, ...] = ()
    current: Report | None = None
    last_reported_on: dt.date | None = None

    def __post_init__(self):
        if self.current is None and self.history:
            newest = max(self.history, key=lambda r: (r.reported_on, r.period_month))
            object.__setattr__(self, "current", newest)
        if self.last_reported_on is None and self.current is not None:
            object.__setattr__(self, "last_reported_on", self.current.reported_on)

    @property
    def name(self) -> str:
        return self.team or UNNAMED_TEAM

    @property
    def rating(self) -> str | None:
        return self.current.rating if self.current else None


@dataclass(frozen=True, slots=True)
class MilestoneFact:
    title: str
    due_date: dt.date
    done_date: dt.date | None = None
    team: str = ""


@dataclass(frozen=True, slots=True)
class MeasureFact:
    """A measure's trajectory inputs, its latest reading and its control chart summary."""

    name: str
    unit: str = ""
    direction: str = "higher"
    baseline_value: float | None = None
    baseline_date: dt.date | None = None
    target_value: float | None = None
    target_date: dt.date | None = None
    latest_value: float | None = None
    latest_date: dt.date | None = None
    spc: Summary | None = None


@dataclass(frozen=True, slots=True)
class DependencyFact:
    objective_id: int  # the objective depended on
    ref: str
    need: str = ""


@dataclass(frozen=True, slots=True)
class ObjectiveFacts:
    objective_id: int
    ref: str
    title: str = ""
    lead_team: str | None = None  # None: the lead team is missing
    has_owner: bool = True
    state: str = "in_progress"
    delivery_date: dt.date | None = None
    teams: tuple[TeamView, ...] = ()
    milestones: tuple[MilestoneFact, ...] = ()
    measures: tuple[MeasureFact, ...] = ()
    dependencies: tuple[DependencyFact, ...] = ()

    @property
    def is_shared(self) -> bool:
        return len(self.teams) > 1


# --- Flags out ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    note: str
    evidence_level: float
    by: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    rule: str
    severity: str
    score: int
    explanation: str
    subject: str = ""
    evidence: dict = field(default_factory=dict, compare=False, hash=False)
    evidence_level: float = 0
    acknowledgement: Acknowledgement | None = None
    lapsed: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)

    @property
    def rule_label(self) -> str:
        return RULES[self.rule]

    @property
    def label(self) -> str:
        """Short label: "Low confidence: Ambulance flow", "Circular dependency"."""
        if self.rule == DEPENDENCY and self.subject == CYCLE:
            return "Circular dependency"
        if self.rule == OWNERSHIP and self.subject in ("owner", "lead team"):
            return f"{RULES[self.rule]}: no {self.subject}"
        if self.subject:
            return f"{RULES[self.rule]}: {self.subject}"
        return RULES[self.rule]

    @property
    def severity_label(self) -> str:
        return SEVERITIES[self.severity]

    @property
    def is_acknowledged(self) -> bool:
        """Acknowledged and still standing (not lapsed)."""
        return self.acknowledgement is not None and not self.lapsed

    acknowledged = is_acknowledged

    @property
    def counts(self) -> bool:
        """Whether the flag adds to its objective's score."""
        return not self.is_acknowledged

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "label": self.label,
            "severity": self.severity,
            "score": self.score,
            "subject": self.subject,
            "explanation": self.explanation,
            "evidence": self.evidence,
            "evidence_level": self.evidence_level,
            "acknowledged": self.is_acknowledged,
            "lapsed": self.lapsed,
        }


def flag_sort_key(flag: Flag):
    """Acknowledged flags last; then most severe first, in rule order."""
    return (
        flag.acknowledgement is not None and not flag.lapsed,
        SEVERITY_ORDER[flag.severity],
        RULE_ORDER[flag.rule],
        flag.subject,
    )


def _new_flag_key(flag: Flag):
    # flag_sort_key for flags fresh from the rules, none of them acknowledged yet.
    return (SEVERITY_ORDER[flag.severity], RULE_ORDER[flag.rule], flag.subject)


def objective_score(flags: Iterable[Flag]) -> int:
    """The sum of the flags' scores, leaving out acknowledged (not lapsed) flags."""
    return sum(flag.score for flag in flags if flag.acknowledgement is None or flag.lapsed)


def worst_severity(flags: Iterable[Flag]) -> str | None:
    severities = [flag.severity for flag in flags if flag.counts]
    return min(severities, key=SEVERITY_ORDER.__getitem__) if severities else None


def apply_acknowledgements(
    flags: Iterable[Flag], acknowledgements: Mapping[tuple[str, str], Acknowledgement]
) -> tuple[Flag, ...]:
    """Mark flags acknowledged; an acknowledgement lapses when the evidence is now worse."""
    out = []
    for flag in flags:
        ack = acknowledgements.get(flag.key)
        if ack is not None:
            flag = replace(
                flag, acknowledgement=ack, lapsed=flag.evidence_level > ack.evidence_level
            )
        out.append(flag)
    return tuple(sorted(out, key=flag_sort_key))


# --- Quick construction -------------------------------------------------------------------------


def _maker(cls):
    """A constructor for the frozen dataclass ``cls`` that takes every field, in order, and sets
    each slot directly: the generated ``__init__`` goes through ``object.__setattr__`` per field
    and costs over twice as much, and a plan's evaluation makes some 80,000 of these. No
    defaults and no ``__post_init__``: callers pass every field (tests check the two agree)."""
    names = [f.name for f in fields(cls)]
    namespace = {"_new": object.__new__, "_cls": cls}
    for name in names:
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
    body = "".join(f"    _set_{name}(obj, {name})\n" for name in names)
    source = f"def make({', '.join(names)}):\n    obj = _new(_cls)\n{body}    return obj\n"
    exec(source, namespace)  # noqa: S102 - code made here from the dataclass's own field names
    make = namespace["make"]
    make.__doc__ = f"{cls.__name__}(...) with every field given, positionally."
    return make


make_flag = _maker(Flag)
make_report = _maker(Report)
make_team_view = _maker(TeamView)
make_measure_fact = _maker(MeasureFact)
make_milestone_fact = _maker(MilestoneFact)
make_objective_facts = _maker(ObjectiveFacts)


# --- Evaluation ---------------------------------------------------------------------------------


def evaluate_facts(
    objectives: Iterable[ObjectiveFacts],
    *,
    plan: PlanFacts,
    today: dt.date,
    settings: Mapping | None = None,
    graph: Mapping[int, Iterable[DependencyFact]] | None = None,
) -> dict[int, tuple[Flag, ...]]:
    """Flags for each objective, most severe first. ``settings`` overrides thresholds.

    ``graph`` (objective id -> what it depends on) is every dependency of the plan, for finding
    circles that pass through objectives not being evaluated; by default the objectives' own."""
    limits = thresholds(settings)
    context = _Context(plan, today, limits)
    objectives = list(objectives)
    own: dict[int, list[Flag]] = {}
    for facts in objectives:
        if facts.state in FINISHED_STATES:
            own[facts.objective_id] = []
            continue
        own[facts.objective_id] = _own_flags(facts, context)
    by_id = {facts.objective_id: facts for facts in objectives}
    result = {}
    if graph is None:
        graph = {facts.objective_id: facts.dependencies for facts in objectives}
    cycles = _cycles(graph, wanted=by_id)
    for facts in objectives:
        flags = own[facts.objective_id]
        if facts.state not in FINISHED_STATES:
            flags = flags + _dependency_flags(facts, by_id, own, context)
            if facts.objective_id in cycles:
                flags.append(_cycle_flag(facts, cycles[facts.objective_id], context))
        result[facts.objective_id] = tuple(sorted(flags, key=_new_flag_key))
    return result


class _Context:
    """What every rule reads: dates worked out once per evaluation."""

    __slots__ = (
        "plan",
        "today",
        "limits",
        "scores",
        "closed",
        "last_closed",
        "mid_year_closed",
        "silent_before",
    )

    def __init__(self, plan: PlanFacts, today: dt.date, limits: dict):
        self.plan = plan
        self.today = today
        self.limits = limits
        self.scores = limits["severity_scores"]
        self.closed = tuple(p for p in plan.periods if p.end_date < today)
        self.last_closed = self.closed[-1] if self.closed else None
        after = limits["time_pressure_after_month"]
        self.mid_year_closed = _month_end(plan.start_date, after) < today
        # A team whose newest report is for the last closed period (or later) and recent enough
        # cannot be silent.
        self.silent_before = today - dt.timedelta(days=limits["silence_days"])

    def may_be_silent(self, team: TeamView) -> bool:
        """False only when _silence cannot fire: a quick test that saves the full one."""
        last_reported = team.last_reported_on
        if last_reported is None or last_reported < self.silent_before:
            return True
        last = self.last_closed
        if last is None:
            return False
        if self.limits["silence_missed_periods"] <= 0:
            return True
        newest = team.current.period_month if team.current else 0
        if team.history:
            newest = max(newest, team.history[-1].period_month)
        return newest < last.month

    def flag(self, rule, severity, explanation, *, subject="", evidence=None, level=0):
        return make_flag(
            rule,
            severity,
            self.scores[severity],
            explanation,
            subject,
            evidence or {},
            level,
            None,
            False,
        )


def _month_end(plan_start: dt.date, month_number: int) -> dt.date:
    index = plan_start.month - 1 + month_number
    year = plan_start.year + index // 12
    return dt.date(year, index % 12 + 1, 1) - dt.timedelta(days=1)


def _own_flags(facts: ObjectiveFacts, context: _Context) -> list[Flag]:
    """Every rule but dependency, which needs the other objectives' flags first."""
    flags: list[Flag] = []
    append = flags.append
    for team in facts.teams:
        current = team.current
        # Cheap checks first: most teams are neither low, nor silent, nor falling.
        if current is not None and STEP[current.rating] >= LOW_CONFIDENCE_STEP:
            append(_low_confidence(team, context))
        if context.may_be_silent(team):
            flag = _silence(team, facts, context)
            if flag:
                append(flag)
        if len(team.history) > 1 and STEP[team.history[-1].rating]:
            flag = _deterioration(team, context)
            if flag:
                append(flag)
    if len(facts.teams) > 1:
        flag = _divergence(facts, context)
        if flag:
            append(flag)
    overdue = _overdue_milestones(facts, context) if facts.milestones else None
    if overdue:
        append(overdue)
    off = [flag for measure in facts.measures if (flag := _off_trajectory(measure, context))]
    flags.extend(off)
    if overdue or off:
        flags.extend(_optimism(facts, overdue, off, context))
    if facts.delivery_date is not None:
        flag = _time_pressure(facts, context)
        if flag:
            append(flag)
    flags.extend(_ownership(facts, context))
    return flags


# 1. Low confidence


LOW_CONFIDENCE_STEP = STEP["amber_red"]


def _low_confidence(team: TeamView, context: _Context) -> Flag:
    """Only called for Amber/Red or Red."""
    report = team.current
    step = STEP[report.rating]
    severity = HIGH if step >= STEP[context.limits["low_confidence_high"]] else MEDIUM
    return context.flag(
        LOW_CONFIDENCE,
        severity,
        f"{team.name} reported {RATING_WORDS[report.rating]} on {day(report.reported_on)}.",
        subject=team.name,
        evidence={
            "team": team.name,
            "rating": report.rating,
            "reported_on": report.reported_on.isoformat(),
            "period": month(report.period_end),
        },
        level=step,
    )


# 2. Divergence


def _divergence(facts: ObjectiveFacts, context: _Context) -> Flag | None:
    rated = [team for team in facts.teams if team.current is not None]
    if len(rated) < 2:
        return None
    best = min(rated, key=lambda t: STEP[t.current.rating])
    worst = max(rated, key=lambda t: STEP[t.current.rating])
    steps = STEP[worst.current.rating] - STEP[best.current.rating]
    if steps < context.limits["divergence_steps"]:
        return None
    severity = HIGH if steps >= context.limits["divergence_high_steps"] else MEDIUM
    return context.flag(
        DIVERGENCE,
        severity,
        f"{best.name} says {RATING_WORDS[best.current.rating]} "
        f"({day(best.current.reported_on)}), {worst.name} says "
        f"{RATING_WORDS[worst.current.rating]} ({day(worst.current.reported_on)}): "
        f"{steps} steps apart.",
        evidence={
            "best": {"team": best.name, "rating": best.current.rating},
            "worst": {"team": worst.name, "rating": worst.current.rating},
            "steps": steps,
        },
        level=steps,
    )


# 3. Silence


def _periods_text(periods: list[PeriodFact]) -> str:
    """ "October 2024", "September and October 2024", "5 periods, June to October 2024"."""
    if len(periods) > 3:
        first, last = periods[0].start_date, periods[-1].start_date
        start = MONTHS[first.month] if first.year == last.year else month(first)
        return f"{len(periods)} periods, {start} to {month(last)}"
    years = {p.start_date.year for p in periods}
    if len(years) == 1:
        return f"{and_join([MONTHS[p.start_date.month] for p in periods])} {years.pop()}"
    return and_join([month(p.start_date) for p in periods])


def _silence(team: TeamView, facts: ObjectiveFacts, context: _Context) -> Flag | None:
    limits = context.limits
    # Periods count as missed after the newest one the team reported for.
    reported = [report.period_month for report in team.history]
    if team.current is not None:
        reported.append(team.current.period_month)
    newest = max(reported, default=0)
    missed = [period for period in context.closed if period.month > newest]
    last = team.last_reported_on
    days = (context.today - last).days if last else None
    by_periods = len(missed) >= limits["silence_missed_periods"]
    by_days = days is not None and days > limits["silence_days"]
    if not (by_periods or by_days):
        return None
    level = max(len(missed), (days or 0) // 30)
    threshold_high = limits["silence_high_missed_periods"]
    severity = HIGH if level >= threshold_high else MEDIUM if level >= 2 else LOW
    if last is None:
        text = f"{team.name} has not reported at all; it missed {_periods_text(missed)}"
    elif by_periods:
        text = f"{team.name} has not reported since {day(last)} and missed {_periods_text(missed)}"
    else:
        text = f"{team.name} has not reported for {days} days, since {day(last)}"
    others = [t for t in facts.teams if t is not team and t.current is not None]
    if others:
        other = max(others, key=lambda t: t.current.reported_on)
        text += (
            f"; {other.name} reported {RATING_WORDS[other.current.rating]} on "
            f"{day(other.current.reported_on)}"
        )
    return context.flag(
        SILENCE,
        severity,
        text + ".",
        subject=team.name,
        evidence={
            "team": team.name,
            "last_reported_on": last.isoformat() if last else None,
            "missed_periods": [month(p.start_date) for p in missed],
            "days_silent": days,
        },
        level=level,
    )


# 4. Deterioration


def _deterioration(team: TeamView, context: _Context) -> Flag | None:
    history = team.history
    if len(history) < 2:
        return None
    latest = history[-1]
    latest_step = STEP[latest.rating]
    if latest_step == 0:
        return None  # Green now: nothing has fallen to here
    limits = context.limits
    window = history[-limits["deterioration_window"] :]
    best = min(window[:-1], key=lambda r: STEP[r.rating])
    fall = latest_step - STEP[best.rating]
    by_steps = fall >= limits["deterioration_steps"]
    falls = limits["deterioration_consecutive_falls"]
    chain = history[-(falls + 1) :]
    consecutive = (
        not by_steps
        and falls > 0
        and len(chain) == falls + 1
        and all(
            b.period_month == a.period_month + 1 and STEP[b.rating] > STEP[a.rating]
            for a, b in zip(chain, chain[1:], strict=False)
        )
    )
    if not (by_steps or consecutive):
        return None
    if by_steps:
        text = (
            f"{team.name}'s rating fell {fall} steps, from {RATING_WORDS[best.rating]} in "
            f"{month(best.period_end)} to {RATING_WORDS[latest.rating]} in "
            f"{month(latest.period_end)}."
        )
        level = fall
    else:
        text = f"{team.name}'s rating fell in consecutive periods: " + and_join(
            [f"{RATING_WORDS[r.rating]} in {month(r.period_end)}" for r in chain]
        )
        text += "."
        level = STEP[chain[-1].rating] - STEP[chain[0].rating]
    severity = HIGH if level >= limits["deterioration_high_steps"] else MEDIUM
    return context.flag(
        DETERIORATION,
        severity,
        text,
        subject=team.name,
        evidence={
            "team": team.name,
            "ratings": [[month(r.period_end), r.rating] for r in window],
            "steps": level,
        },
        level=level,
    )


# 5. Overdue milestones


def _overdue_milestones(facts: ObjectiveFacts, context: _Context) -> Flag | None:
    today = context.today
    overdue = [
        m
        for m in facts.milestones
        if m.due_date < today and (m.done_date is None or m.done_date > today)
    ]
    limits = context.limits
    if len(overdue) < limits["overdue_milestones"] or not overdue:
        return None
    items = [f"{m.title} (due {day(m.due_date)}{', ' + m.team if m.team else ''})" for m in overdue]
    verb = "is" if len(overdue) == 1 else "are"
    severity = HIGH if len(overdue) >= limits["overdue_milestones_high"] else MEDIUM
    return context.flag(
        OVERDUE_MILESTONES,
        severity,
        f"{plural(len(overdue), 'milestone')} {verb} overdue: {and_join(items)}.",
        evidence={
            "milestones": [
                {"title": m.title, "due": m.due_date.isoformat(), "team": m.team} for m in overdue
            ]
        },
        level=len(overdue),
    )


# 6. Off trajectory


def _expected(measure: MeasureFact) -> float | None:
    """Where the straight line from baseline to target stands on the latest reading's date."""
    if None in (
        measure.baseline_value,
        measure.baseline_date,
        measure.target_value,
        measure.target_date,
        measure.latest_date,
    ):
        return None
    span = (measure.target_date - measure.baseline_date).days
    if span <= 0 or measure.target_value == measure.baseline_value:
        return None
    elapsed = (measure.latest_date - measure.baseline_date).days
    share = min(1.0, max(0.0, elapsed / span))
    return measure.baseline_value + (measure.target_value - measure.baseline_value) * share


def _off_trajectory(measure: MeasureFact, context: _Context) -> Flag | None:
    if measure.latest_value is None or measure.latest_date is None:
        return None
    limits = context.limits
    summary = measure.spc
    concern = summary is not None and summary.latest_is_concern
    fails = summary is not None and summary.assurance == Assurance.FAIL
    expected = _expected(measure)
    shortfall = tolerance = 0.0
    if expected is not None:
        distance = measure.target_value - measure.baseline_value
        tolerance = abs(distance) * limits["trajectory_tolerance"]
        shortfall = (expected - measure.latest_value) * (1 if distance > 0 else -1)
    behind = expected is not None and shortfall > tolerance
    if not (behind or concern or fails):
        return None

    unit = measure.unit
    value = format_value(measure.latest_value, unit)
    evidence: dict = {
        "measure": measure.name,
        "latest": measure.latest_value,
        "latest_date": measure.latest_date.isoformat(),
    }
    reasons = []
    level = 0.0
    severity = MEDIUM
    if behind:
        tolerances = shortfall / tolerance if tolerance else float("inf")
        level += min(int(tolerances), 99)
        if tolerances > limits["trajectory_high_tolerances"]:
            severity = HIGH
        evidence.update(expected=round(expected, 6), tolerance=round(tolerance, 6))
        reasons.append(
            f"{measure.name} was {value} on {day(measure.latest_date)}, behind the "
            f"{format_value(expected, unit)} expected by then on the way from "
            f"{format_value(measure.baseline_value, unit)} on {day(measure.baseline_date)} to "
            f"{format_value(measure.target_value, unit)} by {day(measure.target_date)}"
        )
    else:
        reasons.append(f"{measure.name} was {value} on {day(measure.latest_date)}")
    if concern:
        level += 1
        evidence["special_cause_concern"] = True
        reasons.append("its control chart shows special cause concern at the latest reading")
    if fails:
        level += 1
        severity = HIGH
        evidence["assurance"] = "fail"
        target = (
            f"the target of {format_value(measure.target_value, unit)}"
            if measure.target_value is not None
            else "the target"
        )
        reasons.append(f"at this rate {target} will consistently be missed")
    return context.flag(
        OFF_TRAJECTORY,
        severity,
        "; ".join(reasons) + ".",
        subject=measure.name,
        evidence=evidence,
        level=level,
    )


# 7. Optimism


def _optimism(facts, overdue: Flag | None, off: list[Flag], context: _Context) -> list[Flag]:
    ratings = context.limits["optimism_ratings"]
    contrary = []
    count = 0
    if overdue is not None:
        n = overdue.evidence_level
        count += int(n)
        contrary.append(f"{plural(int(n), 'milestone')} {'is' if n == 1 else 'are'} overdue")
    if off:
        count += len(off)
        names = and_join([flag.subject for flag in off])
        contrary.append(f"{names} {'is' if len(off) == 1 else 'are'} off trajectory")
    flags = []
    for team in facts.teams:
        report = team.current
        if report is None or report.rating not in ratings:
            continue
        says_green = report.rating == "green"
        flags.append(
            context.flag(
                OPTIMISM,
                MEDIUM if says_green else LOW,
                f"{team.name} says {RATING_WORDS[report.rating]} ({day(report.reported_on)}) "
                f"while {' and '.join(contrary)}.",
                subject=team.name,
                evidence={"team": team.name, "rating": report.rating, "contrary": contrary},
                level=count + (1 if says_green else 0),
            )
        )
    return flags


# 8. Dependency


def _dependency_flags(facts, by_id, own, context: _Context) -> list[Flag]:
    """Follow "depends on" up to the configured depth; flag each objective reached that carries a
    high-severity flag of its own. Objectives already seen are not followed again."""
    if not facts.dependencies:
        return []
    depth = context.limits["dependency_depth"]
    flags = []
    seen = {facts.objective_id}
    frontier = [(dep, [dep]) for dep in facts.dependencies]
    for _ in range(max(depth, 0)):
        next_frontier = []
        for dep, path in frontier:
            if dep.objective_id in seen:
                continue
            seen.add(dep.objective_id)
            high = [f for f in own.get(dep.objective_id, ()) if f.severity == HIGH]
            if high:
                flags.append(_dependency_flag(facts, path, high, by_id, context))
            target = by_id.get(dep.objective_id)
            if target is not None:
                next_frontier.extend((d, [*path, d]) for d in target.dependencies)
        frontier = next_frontier
    return flags


def _dependency_flag(facts, path, high, by_id, context: _Context) -> Flag:
    first = path[0]
    reached = path[-1]
    target = by_id.get(reached.objective_id)
    need = f" for {_lower_first(first.need)}" if first.need else ""
    chain = "".join(f", which depends on {d.ref}" for d in path[1:])
    title = f" ({target.title})" if target is not None and target.title and len(path) == 1 else ""
    labels = and_join(sorted({f.label for f in high}))
    return context.flag(
        DEPENDENCY,
        MEDIUM,
        f"It depends on {first.ref}{title}{need}{chain}, which has "
        f"{plural(len(high), 'high-severity flag')}: {labels}.",
        subject=reached.ref,
        evidence={
            "path": [d.ref for d in path],
            "flags": [f.label for f in high],
        },
        level=len(high),
    )


def _lower_first(text: str) -> str:
    """ "Accurate profiles" -> "accurate profiles"; "NHS App data" stays as it is."""
    first_word = text.split(" ", 1)[0]
    if len(first_word) > 1 and first_word[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _cycles(dependencies: Mapping[int, Iterable[DependencyFact]], wanted) -> dict[int, list[str]]:
    """objective id (of those ``wanted``) -> the refs round its circle of dependencies.

    Tarjan's strongly connected components, iterative so that a long chain cannot overflow the
    stack; every objective is visited once, so a circle never loops."""
    ref_of = {}
    graph: dict[int, list[int]] = {}
    for source, deps in dependencies.items():
        targets = graph.setdefault(source, [])
        for dep in deps:
            targets.append(dep.objective_id)
            ref_of[dep.objective_id] = dep.ref
            graph.setdefault(dep.objective_id, [])
    for objective_id, facts in wanted.items():
        ref_of[objective_id] = facts.ref
    if not any(graph.values()):
        return {}
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    components = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    result = {}
    for component in components:
        members = set(component)
        for start in component:
            if start in wanted:
                result[start] = _circle_from(start, graph, members, ref_of)
    return result


def _circle_from(start: int, graph, members: set[int], ref_of) -> list[str]:
    """A shortest path from ``start`` back to itself inside its component, as refs."""
    previous = {start: None}
    queue = [start]
    found = None
    while queue and found is None:
        next_queue = []
        for node in queue:
            for child in graph[node]:
                if child not in members:
                    continue
                if child == start:
                    found = node
                    break
                if child not in previous:
                    previous[child] = node
                    next_queue.append(child)
            if found is not None:
                break
        queue = next_queue
    path = []
    node = found
    while node is not None:
        path.append(node)
        node = previous[node]
    path.reverse()
    return [ref_of[n] for n in path] + [ref_of[start]]


def _cycle_flag(facts: ObjectiveFacts, circle: list[str], context: _Context) -> Flag:
    steps = ", which needs ".join(circle[1:])
    return context.flag(
        DEPENDENCY,
        MEDIUM,
        f"Its dependencies go round in a circle: {circle[0]} needs {steps}.",
        subject=CYCLE,
        evidence={"circle": circle},
        level=1,
    )


# 9. Time pressure


def _time_pressure(facts: ObjectiveFacts, context: _Context) -> Flag | None:
    delivery = facts.delivery_date
    if delivery is None:
        return None
    today = context.today
    if delivery < today:
        return context.flag(
            TIME_PRESSURE,
            HIGH,
            f"Delivery was due on {day(delivery)} and it is still "
            f"{STATE_WORDS.get(facts.state, facts.state)}.",
            evidence={"delivery_date": delivery.isoformat(), "state": facts.state},
            level=5,
        )
    if not context.mid_year_closed or delivery > context.plan.end_date:
        return None
    rated = [team for team in facts.teams if team.current is not None]
    if not rated:
        return None
    worst = max(rated, key=lambda t: STEP[t.current.rating])
    step = STEP[worst.current.rating]
    if step < STEP[context.limits["time_pressure_rating"]]:
        return None
    return context.flag(
        TIME_PRESSURE,
        HIGH if step >= STEP["amber_red"] else MEDIUM,
        f"It is past mid-year and {worst.name} rates it {RATING_WORDS[worst.current.rating]} "
        f"({day(worst.current.reported_on)}), with delivery due on {day(delivery)}.",
        evidence={
            "delivery_date": delivery.isoformat(),
            "team": worst.name,
            "rating": worst.current.rating,
        },
        level=step,
    )


# 10. Ownership gap


def _ownership(facts: ObjectiveFacts, context: _Context) -> list[Flag]:
    flags = []
    if not facts.has_owner:
        flags.append(
            context.flag(
                OWNERSHIP,
                MEDIUM,
                f"{facts.ref} has no named owner.",
                subject="owner",
                evidence={"owner": None},
                level=1,
            )
        )
    leads = [team for team in facts.teams if team.role == "lead"]
    if facts.lead_team is None and not leads:
        flags.append(
            context.flag(
                OWNERSHIP,
                MEDIUM,
                f"{facts.ref} has no lead team.",
                subject="lead team",
                evidence={"lead_team": None},
                level=1,
            )
        )
    for team in facts.teams:
        if team.role == "lead" and not team.has_lead_member:
            flags.append(
                context.flag(
                    OWNERSHIP,
                    MEDIUM,
                    f"{team.name}, the lead team, has no team lead.",
                    subject=team.name,
                    evidence={"team": team.name, "gap": "no team lead"},
                    level=1,
                )
            )
        elif team.role != "lead" and not team.commitment.strip():
            flags.append(
                context.flag(
                    OWNERSHIP,
                    LOW,
                    f"{team.name} contributes but has not said what it commits to.",
                    subject=team.name,
                    evidence={"team": team.name, "gap": "no commitment"},
                    level=1,
                )
            )
    return flags
