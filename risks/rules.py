"""The at-risk rules: which shared objectives are in danger, which to watch, and why.

Pure Python over plain dataclasses (no Django, no database); ``risks/loader.py`` builds the facts
and ``risks/services.py`` stores what comes out. The rules are those of DESIGN.md "At-risk rules":

- each rule gives findings of one level, *Watch* or *In danger*, with one sentence naming teams,
  dates and values, and the evidence it used;
- one piece of evidence counts once: a team's Red view is one low-confidence finding, not also
  deterioration, divergence or time pressure;
- an objective's concern is its strongest finding, raised from Watch to In danger only when two
  independent sources agree (two teams' views, a view and the data, a view and the milestones).

Every threshold is in ``DEFAULTS``; ``settings.RISK_THRESHOLDS`` overrides any by name and
``check_thresholds`` refuses nonsense at start-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from objectives.spc import format_value

NONE, WATCH, IN_DANGER = 0, 1, 2
LEVEL_WORDS = {NONE: "No concern", WATCH: "Watch", IN_DANGER: "In danger"}

DEFAULTS: dict[str, int | float] = {
    # A period counts as missed this many days after it ends (teams report early the next month).
    "silence_grace_days": 10,
    # Silence on a shared objective is In danger from this many missed periods, or days unheard.
    "silence_danger_periods": 2,
    "silence_danger_days": 60,
    # Divergence: current views this many steps apart (Watch), and In danger from the second.
    "divergence_steps": 2,
    "divergence_danger_steps": 3,
    # Deterioration: down this many steps within this many months.
    "deterioration_steps": 2,
    "deterioration_months": 3,
    # A Red view held for this many periods is In danger on its own.
    "red_danger_periods": 2,
    # Overdue milestones contradict a Green view when one is this late, or this many are overdue.
    "overdue_danger_days": 31,
    "overdue_danger_count": 2,
    # Off trajectory: behind the baseline-to-target line by more than this share of the distance.
    "trajectory_tolerance": 0.10,
    # Time pressure: months left to delivery for Amber/Red or Red, and for Amber.
    "time_pressure_low_months": 3,
    "time_pressure_amber_months": 1,
    # An ask between teams is unanswered after this many days.
    "ask_days": 14,
}


def check_thresholds(overrides: dict | None) -> dict:
    """DEFAULTS with ``overrides``; a ValueError naming the setting for any nonsense."""
    merged = dict(DEFAULTS)
    for name, value in (overrides or {}).items():
        if name not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
            raise ValueError(f"RISK_THRESHOLDS has no setting {name!r}; known settings: {known}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"RISK_THRESHOLDS[{name!r}] must be a number, not {value!r}")
        merged[name] = value
    for name, value in merged.items():
        if name == "trajectory_tolerance":
            if not 0 <= value < 1:
                raise ValueError(f"RISK_THRESHOLDS['{name}'] must be from 0 to under 1: {value!r}")
        elif value < 1 or value != int(value):
            raise ValueError(f"RISK_THRESHOLDS[{name!r}] must be a whole number of 1 or more")
    if merged["divergence_danger_steps"] < merged["divergence_steps"]:
        raise ValueError("RISK_THRESHOLDS: divergence_danger_steps is below divergence_steps")
    return merged


# --- Words ----------------------------------------------------------------------------------------

RATINGS = ("green", "amber_green", "amber", "amber_red", "red")
STEP = {rating: index for index, rating in enumerate(RATINGS)}
RATING_WORDS = {
    "green": "Green",
    "amber_green": "Amber/Green",
    "amber": "Amber",
    "amber_red": "Amber/Red",
    "red": "Red",
}
LOW = frozenset({"amber_red", "red"})
OPTIMISTIC = frozenset({"green", "amber_green"})
FINISHED = frozenset({"complete", "closed"})


def day(when: dt.date) -> str:
    return f"{when.day} {when:%B %Y}"


def month(when: dt.date) -> str:
    return f"{when:%B %Y}"


def and_join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- Facts in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    month: int  # 1 = April … 12 = March
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class View:
    """A team's view for one period: the newest correction of its update for that period."""

    month: int
    period_start: dt.date
    rating: str
    reported_on: dt.date


@dataclass(frozen=True)
class Team:
    name: str
    is_lead: bool = False
    commitment: str = "-"
    has_lead_member: bool = True
    views: tuple[View, ...] = ()  # in period order

    @property
    def current(self) -> View | None:
        """The view for the newest period the team reported on: its current view."""
        return self.views[-1] if self.views else None


@dataclass(frozen=True)
class Milestone:
    title: str
    due: dt.date
    done: dt.date | None = None
    team: str = ""


@dataclass(frozen=True)
class Measure:
    name: str
    direction: str = "higher"  # "higher", "lower" or "neither"
    unit: str = ""
    baseline: float | None = None
    baseline_date: dt.date | None = None
    target: float | None = None
    target_date: dt.date | None = None
    latest: float | None = None
    latest_date: dt.date | None = None
    variation: str | None = None  # objectives.spc.Variation value of the latest point
    assurance: str | None = None  # objectives.spc.Assurance value


@dataclass(frozen=True)
class Ask:
    key: str
    from_team: str
    to_team: str
    text: str
    asked_on: dt.date


@dataclass(frozen=True)
class Dependency:
    """What this objective depends on, with that objective's own concern (not its dependencies')."""

    ref: str
    concern: int = NONE
    low_views: bool = False  # any of its current views Amber/Red or Red
    delivery_date: dt.date | None = None
    need: str = ""


@dataclass(frozen=True)
class Objective:
    ref: str
    title: str = ""
    state: str = "in_progress"
    delivery_date: dt.date | None = None
    has_owner: bool = True
    teams: tuple[Team, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    measures: tuple[Measure, ...] = ()
    asks: tuple[Ask, ...] = ()
    dependencies: tuple[Dependency, ...] = ()

    @property
    def is_shared(self) -> bool:
        return len(self.teams) > 1


# --- Findings out -------------------------------------------------------------------------------

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
UNANSWERED_ASK = "unanswered_ask"

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
    UNANSWERED_ASK: "Unanswered ask",
}
# Which finding heads an objective when several share its level: the one a director would name.
HEADLINE_ORDER = (
    OPTIMISM,
    LOW_CONFIDENCE,
    SILENCE,
    TIME_PRESSURE,
    OVERDUE_MILESTONES,
    OFF_TRAJECTORY,
    DIVERGENCE,
    DETERIORATION,
    DEPENDENCY,
    UNANSWERED_ASK,
    OWNERSHIP,
)


@dataclass(frozen=True)
class Finding:
    rule: str
    level: int
    explanation: str
    subject: str = ""  # what the finding is about within its rule: a team, a measure, a ref
    evidence: dict = field(default_factory=dict, compare=False)
    strength: int = 1  # how bad the evidence is, for ordering and for acknowledgements to lapse
    # Independent source of evidence ("team:<name>", "data", "milestones"); findings from two
    # different sources corroborate each other. Empty: does not corroborate.
    source: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)

    @property
    def label(self) -> str:
        return f"{RULES[self.rule]}: {self.subject}" if self.subject else RULES[self.rule]


@dataclass(frozen=True)
class Verdict:
    concern: int
    findings: tuple[Finding, ...]  # the headline first, then by level and rule
    corroborated: bool = False
    reason: str = ""  # the headline finding's sentence, or the two that agree

    @property
    def headline(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def strength(self) -> int:
        return sum(finding.strength * finding.level for finding in self.findings)


def evaluate(
    objective: Objective, *, periods: tuple[Period, ...], today: dt.date, limits: dict = DEFAULTS
) -> Verdict:
    """The findings and concern level of one objective as of ``today``."""
    if objective.state in FINISHED:
        return Verdict(NONE, ())
    closed = [p for p in periods if p.end + dt.timedelta(days=limits["silence_grace_days"]) < today]
    findings: list[Finding] = []
    for team in objective.teams:
        low = _low_confidence(team, objective, today, limits)
        findings += filter(None, [low, _deterioration(team, limits)])
        findings += filter(None, [_silence(team, objective, closed, today, limits)])
    findings += filter(None, [_divergence(objective, closed, limits)])
    overdue = _overdue_milestones(objective, today)
    off = [found for m in objective.measures if (found := _off_trajectory(m, limits))]
    findings += filter(None, [overdue, *off, _optimism(objective, off, today, limits)])
    findings += filter(None, [_time_pressure(objective, today, limits), _ownership(objective)])
    if objective.is_shared:
        findings += [found for ask in objective.asks if (found := _unanswered(ask, today, limits))]
    findings += [found for d in objective.dependencies if (found := _dependency(d, objective))]
    return concern(findings)


def concern(findings: list[Finding]) -> Verdict:
    """The strongest finding's level, raised to In danger when two independent sources agree."""
    if not findings:
        return Verdict(NONE, ())
    level = max(f.level for f in findings)
    sources = {f.source for f in findings if f.source}
    corroborated = level == WATCH and len(sources) >= 2
    if corroborated:
        level = IN_DANGER
    ordered = sorted(findings, key=lambda f: (-f.level, HEADLINE_ORDER.index(f.rule), f.subject))
    headline = ordered[0].explanation
    if corroborated:
        # The reason is the agreement: the strongest finding of each of two sources.
        first = next(f for f in ordered if f.source)
        second = next(f for f in ordered if f.source and f.source != first.source)
        headline = f"{first.explanation} {second.explanation}"
    return Verdict(level, tuple(ordered), corroborated, headline)


# 1. Low confidence: Amber/Red or Red; Red held for two periods is In danger on its own. Little
# time left to delivery is said here too (rule 9), since it is the same view.


def _low_confidence(team: Team, objective: Objective, today, limits) -> Finding | None:
    view = team.current
    if view is None or view.rating not in LOW:
        return None
    held = 1
    for earlier in reversed(team.views[:-1]):
        if earlier.rating != "red" or earlier.month != view.month - held:
            break
        held += 1
    danger = view.rating == "red" and held >= limits["red_danger_periods"]
    text = f"{team.name} says {RATING_WORDS[view.rating]} for {month(view.period_start)}"
    text += f" ({day(view.reported_on)})"
    if danger:
        text += f", Red for {held} months running"
    delivery = objective.delivery_date
    if delivery and 0 <= _months_between(today, delivery) <= limits["time_pressure_low_months"]:
        text += f", with delivery due on {day(delivery)}, {(delivery - today).days} days away"
    return Finding(
        LOW_CONFIDENCE,
        IN_DANGER if danger else WATCH,
        text + ".",
        subject=team.name,
        evidence={"team": team.name, "rating": view.rating, "months_red": held},
        strength=STEP[view.rating] + (held if view.rating == "red" else 0),
        source=f"team:{team.name}",
    )


# 2. Divergence: current views two or more steps apart, unless low confidence already says it.
# A silent team's old view is left out: silence (rule 3) already says it.


def _divergence(objective: Objective, closed, limits) -> Finding | None:
    newest_closed = closed[-1].month if closed else 0
    rated = [t for t in objective.teams if t.current and t.current.month >= newest_closed]
    if len(rated) < 2:
        return None
    best = min(rated, key=lambda t: STEP[t.current.rating])
    worst = max(rated, key=lambda t: STEP[t.current.rating])
    steps = STEP[worst.current.rating] - STEP[best.current.rating]
    if steps < limits["divergence_steps"]:
        return None
    if worst.current.rating in LOW and worst.current.month == best.current.month:
        return None  # the low-confidence finding already carries this view
    b, w = best.current, worst.current
    return Finding(
        DIVERGENCE,
        IN_DANGER if steps >= limits["divergence_danger_steps"] else WATCH,
        f"{best.name} says {RATING_WORDS[b.rating]} ({month(b.period_start)}), {worst.name} "
        f"says {RATING_WORDS[w.rating]} ({month(w.period_start)}): {steps} steps apart.",
        evidence={"best": [best.name, b.rating], "worst": [worst.name, w.rating], "steps": steps},
        strength=steps,
    )


# 3. Silence: an involved team missed the last closed period.


def _silence(team: Team, objective: Objective, closed, today, limits) -> Finding | None:
    if not closed:
        return None
    newest = team.current.month if team.current else 0
    missed = [p for p in closed if p.month > newest]
    if not missed or missed[-1] != closed[-1]:
        return None
    last = max((v.reported_on for v in team.views), default=None)
    days = (today - last).days if last else None
    danger = objective.is_shared and (
        len(missed) >= limits["silence_danger_periods"]
        or (days is None or days > limits["silence_danger_days"])
    )
    names = and_join([month(p.start) for p in missed[-3:]])
    if len(missed) > 3:
        names = f"{len(missed)} months to {month(missed[-1].start)}"
    if last is None:
        text = f"{team.name} has not reported at all; it missed {names}."
    else:
        text = f"{team.name} has not reported since {day(last)}; it missed {names}."
    return Finding(
        SILENCE,
        IN_DANGER if danger else WATCH,
        text,
        subject=team.name,
        evidence={"team": team.name, "missed": len(missed), "days_silent": days},
        strength=len(missed),
    )


# 4. Deterioration: down two or more steps within three months, when not already low confidence.


def _deterioration(team: Team, limits) -> Finding | None:
    view = team.current
    if view is None or view.rating in LOW:
        return None
    window = [v for v in team.views[:-1] if view.month - v.month <= limits["deterioration_months"]]
    if not window:
        return None
    best = min(window, key=lambda v: STEP[v.rating])
    fall = STEP[view.rating] - STEP[best.rating]
    if fall < limits["deterioration_steps"]:
        return None
    return Finding(
        DETERIORATION,
        WATCH,
        f"{team.name}'s view fell {fall} steps, from {RATING_WORDS[best.rating]} in "
        f"{month(best.period_start)} to {RATING_WORDS[view.rating]} in "
        f"{month(view.period_start)}.",
        subject=team.name,
        evidence={"team": team.name, "from": best.rating, "to": view.rating, "steps": fall},
        strength=fall,
        source=f"team:{team.name}",
    )


# 5. Overdue milestones: past due and not done (Watch; too late or too many against a Green view
# is optimism, rule 7).


def _overdue(objective: Objective, today: dt.date) -> list[Milestone]:
    return [m for m in objective.milestones if m.due < today and (m.done is None or m.done > today)]


def _overdue_milestones(objective: Objective, today: dt.date) -> Finding | None:
    overdue = _overdue(objective, today)
    if not overdue:
        return None
    items = [f"{m.title} (due {day(m.due)}{', ' + m.team if m.team else ''})" for m in overdue]
    verb = "is" if len(overdue) == 1 else "are"
    return Finding(
        OVERDUE_MILESTONES,
        WATCH,
        f"{plural(len(overdue), 'milestone')} {verb} overdue: {and_join(items)}.",
        evidence={"milestones": [[m.title, m.due.isoformat()] for m in overdue]},
        strength=len(overdue),
        source="milestones",
    )


# 6. Off trajectory: a measure behind its line, read in its own direction; special-cause concern;
# or, for a measure with no line, a target its control chart says will consistently be missed.
# Improvement is never a concern.


def _off_trajectory(measure: Measure, limits) -> Finding | None:
    if measure.latest is None or measure.latest_date is None or measure.direction == "neither":
        return None
    sign = 1 if measure.direction == "higher" else -1
    value = _number(measure.latest, measure.unit)
    improving = measure.variation in ("improvement_high", "improvement_low")
    reasons = []
    expected = _expected(measure)
    if measure.target is not None and measure.baseline is not None:
        if (measure.target - measure.baseline) * sign <= 0:
            # A floor ("at least 90%") or ceiling: breached only when the measure crosses it.
            if (measure.latest - measure.target) * sign < 0:
                reasons.append(
                    f"{measure.name} was {value} on {day(measure.latest_date)}, on the wrong "
                    f"side of its target of {_number(measure.target, measure.unit)}"
                )
        elif expected is not None:
            tolerance = abs(measure.target - measure.baseline) * limits["trajectory_tolerance"]
            if (expected - measure.latest) * sign > tolerance:
                reasons.append(
                    f"{measure.name} was {value} on {day(measure.latest_date)}, behind the "
                    f"{_number(expected, measure.unit)} expected by then on the way to "
                    f"{_number(measure.target, measure.unit)} by {day(measure.target_date)}"
                )
    if measure.variation in ("concern_high", "concern_low"):
        chart = "its control chart" if reasons else f"{measure.name}'s control chart"
        reasons.append(f"{chart} shows special-cause concern")
    # Without a line to the target, the chart's assurance says whether it will be met. With
    # one, the line is the plan: limits from before the work began would always say "fail".
    if measure.assurance == "fail" and not improving and expected is None:
        reasons.append(
            f"its control chart says the target of {_number(measure.target, measure.unit)} "
            "will consistently be missed"
        )
    if not reasons:
        return None
    text = "; ".join(reasons)
    if improving:
        text += "; it is improving: consider rebasing its control limits"
    return Finding(
        OFF_TRAJECTORY,
        WATCH,
        text[0].upper() + text[1:] + ".",
        subject=measure.name,
        evidence={"measure": measure.name, "latest": measure.latest, "expected": expected},
        strength=len(reasons),
        source="data",
    )


def _expected(measure: Measure) -> float | None:
    """Where the straight line from baseline to target stands on the latest reading's date."""
    if None in (measure.baseline, measure.baseline_date, measure.target, measure.target_date):
        return None
    span = (measure.target_date - measure.baseline_date).days
    if span <= 0:
        return None
    share = min(1.0, max(0.0, (measure.latest_date - measure.baseline_date).days / span))
    return measure.baseline + (measure.target - measure.baseline) * share


def _number(value: float | None, unit: str) -> str:
    return "its target" if value is None else format_value(value, unit)


# 7. Optimism: teams say Green or Amber/Green while milestones or data say otherwise.


def _optimism(objective: Objective, off: list[Finding], today, limits) -> Finding | None:
    teams = [t for t in objective.teams if t.current and t.current.rating in OPTIMISTIC]
    if not teams or any(t.current and t.current.rating in LOW for t in objective.teams):
        return None  # none is optimistic, or a team already sounds the alarm (rule 1)
    overdue = _overdue(objective, today)
    late = [m for m in overdue if (today - m.due).days > limits["overdue_danger_days"]]
    contrary = []
    if late or len(overdue) >= limits["overdue_danger_count"]:
        contrary.append(
            f"{plural(len(overdue), 'milestone')} {'is' if len(overdue) == 1 else 'are'} overdue"
        )
    if off:
        names = and_join([f.subject for f in off])
        contrary.append(f"{names} {'is' if len(off) == 1 else 'are'} off trajectory")
    if not contrary:
        return None
    views = and_join([f"{t.name} says {RATING_WORDS[t.current.rating]}" for t in teams])
    return Finding(
        OPTIMISM,
        IN_DANGER,
        f"{views} while {' and '.join(contrary)}.",
        evidence={"teams": [t.name for t in teams], "contrary": contrary},
        strength=len(teams) + len(overdue) + len(off),
    )


# 8. Dependency: it depends on an objective In danger.


def _dependency(dependency: Dependency, objective: Objective) -> Finding | None:
    if dependency.concern != IN_DANGER:
        return None
    later = (
        objective.delivery_date is not None
        and dependency.delivery_date is not None
        and objective.delivery_date > dependency.delivery_date
    )
    danger = dependency.low_views and later
    need = f" for {dependency.need}" if dependency.need else ""
    text = f"It depends on {dependency.ref}{need}, which is in danger"
    if danger:
        text += f" with Amber/Red or Red views and is due first ({day(dependency.delivery_date)})"
    return Finding(
        DEPENDENCY,
        IN_DANGER if danger else WATCH,
        text + ".",
        subject=dependency.ref,
        evidence={"depends_on": dependency.ref, "low_views": dependency.low_views},
    )


# 9. Time pressure: little time left for a non-Green view, or past delivery and not complete.


def _months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / 30.44


def _time_pressure(objective: Objective, today, limits) -> Finding | None:
    delivery = objective.delivery_date
    if delivery is None:
        return None
    if delivery < today:
        state = objective.state.replace("_", " ")
        return Finding(
            TIME_PRESSURE,
            IN_DANGER,
            f"Delivery was due on {day(delivery)} and it is still {state}.",
            evidence={"delivery_date": delivery.isoformat(), "state": objective.state},
            strength=3,
        )
    rated = [t for t in objective.teams if t.current is not None]
    if not rated:
        return None
    worst = max(rated, key=lambda t: STEP[t.current.rating])
    rating = worst.current.rating
    # Amber/Red and Red with little time left are said by the low-confidence finding (rule 1).
    if rating != "amber" or _months_between(today, delivery) > limits["time_pressure_amber_months"]:
        return None
    return Finding(
        TIME_PRESSURE,
        WATCH,
        f"{worst.name} says {RATING_WORDS[rating]} with delivery due on {day(delivery)}, "
        f"{(delivery - today).days} days away.",
        evidence={"delivery_date": delivery.isoformat(), "team": worst.name, "rating": rating},
        strength=STEP[rating],
    )


# 10. Ownership gap: no owner, a lead team without a lead, a contributor without a commitment.


def _ownership(objective: Objective) -> Finding | None:
    gaps = []
    if not objective.has_owner:
        gaps.append("it has no named owner")
    if not any(team.is_lead for team in objective.teams):
        gaps.append("it has no lead team")
    for team in objective.teams:
        if team.is_lead and not team.has_lead_member:
            gaps.append(f"{team.name}, the lead team, has no team lead")
        elif not team.is_lead and not team.commitment.strip():
            gaps.append(f"{team.name} has not said what it commits to")
    if not gaps:
        return None
    text = "; ".join(gaps)
    return Finding(
        OWNERSHIP,
        WATCH,
        text[0].upper() + text[1:] + ".",
        evidence={"gaps": gaps},
        strength=len(gaps),
    )


# 11. Unanswered ask: an ask between teams on a shared objective, open past its date.


def _unanswered(ask: Ask, today, limits) -> Finding | None:
    waited = (today - ask.asked_on).days
    if waited <= limits["ask_days"]:
        return None
    return Finding(
        UNANSWERED_ASK,
        WATCH,
        f"{ask.from_team} asked {ask.to_team} on {day(ask.asked_on)} and has had no answer "
        f"for {waited} days: “{ask.text[:120]}”.",
        subject=ask.key,
        evidence={"from": ask.from_team, "to": ask.to_team, "days": waited},
    )
