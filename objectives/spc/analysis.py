"""``analyse()``: one measure's readings as an XmR chart, its icons and its verdict.

Every reading is tagged once (``Analysis.spans``); the chart and its table (``signals``), the
variation icon and the risk engine (``latest``, ``summarise()``) and the verdict all read that.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

from . import rules
from .readings import SeriesError, as_date, as_number, read_rows
from .rules import (
    BASELINE_POINTS,
    DIRECTIONS,
    HIGHER,
    MIN_POINTS,
    NEITHER,
    RULE_ORDER,
    RUN_LENGTH,
    RUN_LENGTHS,
    Kind,
    Phase,
    Rule,
    Side,
    Span,
)
from .words import day, format_range, format_value, month


class Variation(StrEnum):
    """The variation icon for the latest reading: common cause, or "<kind>_<side>"."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"

    @property
    def label(self) -> str:
        return VARIATION_LABEL[self]


class Assurance(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    HIT_AND_MISS = "hit_and_miss"

    @property
    def label(self) -> str:
        return ASSURANCE_LABEL[self]


VARIATION_LABEL = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.IMPROVEMENT_HIGH: "Special cause improvement (high)",
    Variation.IMPROVEMENT_LOW: "Special cause improvement (low)",
    Variation.CONCERN_HIGH: "Special cause concern (high)",
    Variation.CONCERN_LOW: "Special cause concern (low)",
    Variation.NEITHER_HIGH: "Special cause variation (high)",
    Variation.NEITHER_LOW: "Special cause variation (low)",
}
ASSURANCE_LABEL = {
    Assurance.PASS: "Consistently passes the target",
    Assurance.FAIL: "Consistently fails the target",
    Assurance.HIT_AND_MISS: "Hit and miss: the target is within the process limits",
}
KIND_HEADLINE = {
    Kind.IMPROVEMENT: "Special cause improvement",
    Kind.CONCERN: "Special cause concern",
    Kind.NEITHER: "Special cause variation",
}
# what the assurance icon means for the target, in the verdict's words
OUTCOME = {
    Assurance.PASS: "will consistently be met",
    Assurance.FAIL: "will consistently be missed",
    Assurance.HIT_AND_MISS: "will sometimes be met and sometimes missed",
}


@dataclass(frozen=True)
class Signal:
    """One special-cause reading, with every rule it triggers (in description order)."""

    index: int
    date: date
    value: float
    rules: tuple[Rule, ...]
    side: Side  # of the describing rule
    kind: Kind
    span: Span  # the span of the describing rule that this reading belongs to
    description: str

    @property
    def rule(self) -> Rule:
        """The rule that describes this reading: the first of ``rules``."""
        return self.rules[0]


@dataclass(frozen=True)
class Summary:
    """What the risk engine needs from a chart."""

    variation: Variation | None
    assurance: Assurance | None
    latest_is_concern: bool


@dataclass(frozen=True)
class Analysis:
    """The result of ``analyse()``: readings in date order, their phases and limits, and every
    special-cause span (ordered by phase, then rule, then position)."""

    dates: tuple[date, ...]
    values: tuple[float, ...]
    direction: str
    target: float | None
    run_length: int
    phases: tuple[Phase, ...]
    spans: tuple[Span, ...]
    ignored_rebase_dates: tuple[date, ...] = ()

    @property
    def has_chart(self) -> bool:
        return len(self.values) >= MIN_POINTS

    @property
    def reason(self) -> str:
        """Why there is no chart; empty when there is one."""
        missing = MIN_POINTS - len(self.values)
        if missing <= 0:
            return ""
        if missing == 1:
            return "1 more reading is needed before a chart can be drawn."
        return f"{missing} more readings are needed before a chart can be drawn."

    def spans_holding(self, index: int) -> list[Span]:
        """The special-cause spans that reading ``index`` is part of."""
        return [span for span in self.spans if span.start <= index < span.end]

    @cached_property
    def signals(self) -> tuple[Signal, ...]:
        """One entry per special-cause reading, in date order."""
        tagged = sorted({index for span in self.spans for index in range(span.start, span.end)})
        signals = []
        for index in tagged:
            holding = self.spans_holding(index)
            triggered = {s.rule for s in holding}
            span = rules.describing(holding)
            signals.append(
                Signal(
                    index=index,
                    date=self.dates[index],
                    value=self.values[index],
                    rules=tuple(rule for rule in RULE_ORDER if rule in triggered),
                    side=span.side,
                    kind=span.kind,
                    span=span,
                    description=rules.describe(span),
                )
            )
        return tuple(signals)

    @property
    def latest(self) -> Span | None:
        """The span that describes the latest reading; None when it is common cause."""
        return rules.describing(self.spans_holding(len(self.values) - 1))

    @property
    def variation(self) -> Variation | None:
        """Variation icon for the latest reading; None when there is no chart."""
        if not self.has_chart:
            return None
        span = self.latest
        if span is None:
            return Variation.COMMON_CAUSE
        return Variation(f"{span.kind}_{span.side}")

    @property
    def assurance(self) -> Assurance | None:
        """Assurance icon from the latest phase's limits; None without a target or direction."""
        if not self.phases or self.target is None or self.direction == NEITHER:
            return None
        phase = self.phases[-1]
        if phase.lower <= self.target <= phase.upper:
            return Assurance.HIT_AND_MISS
        # outside the limits on the easy side passes: below them when higher is better
        if (self.target < phase.lower) == (self.direction == HIGHER):
            return Assurance.PASS
        return Assurance.FAIL

    def phase_of(self, index: int) -> Phase:
        """The phase that reading ``index`` belongs to."""
        for phase in self.phases:
            if index < phase.end:
                return phase
        raise IndexError(index)

    @property
    def notes(self) -> tuple[str, ...]:
        """Plain-English caveats: trial limits, collapsed limits, screening, ignored rebases."""
        notes = []
        for phase in self.phases:
            since = "" if phase.start == 0 else f" from {month(self.dates[phase.start])}"
            if phase.collapsed:
                notes.append(
                    f"All baseline readings{since} are the same, so the moving ranges are 0 "
                    "and the process limits sit on the mean."
                )
            if phase.trial:
                notes.append(
                    f"The limits{since} are trial limits from {phase.baseline_count} readings."
                )
            if phase.screened_out:
                notes.append(
                    f"{phase.screened_out} unusually large moving range"
                    f"{'s were' if phase.screened_out > 1 else ' was'} left out of the "
                    f"limits{since}."
                )
        for when in self.ignored_rebase_dates:
            notes.append(
                f"The rebase from {day(when)} is not applied: each phase needs at least "
                f"{MIN_POINTS} readings."
            )
        return tuple(notes)


def analyse(
    rows,
    *,
    direction: str = NEITHER,
    target: float | None = None,
    baseline: int = BASELINE_POINTS,
    run_length: int = RUN_LENGTH,
    rebase_dates=(),
    screen_moving_ranges: bool = False,
) -> Analysis:
    """Analyse ``rows`` of (date, value) for one measure.

    ``direction`` is "higher", "lower" or "neither" (``objectives.models.Direction`` values).
    ``rebase_dates`` (dates or ISO strings) start new phases at the first reading on or after each.
    Raises ``SeriesError`` for readings that cannot be analysed and ``ValueError`` for bad options.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    direction = str(direction)  # a Django choices member becomes its plain value
    if target is not None:
        number = as_number(target)
        if number is None or not math.isfinite(number):
            raise ValueError(f"target must be a finite number, not {target!r}")
        target = number
    if run_length not in RUN_LENGTHS:
        raise ValueError(f"run_length must be 6 or 7, not {run_length!r}")
    if type(baseline) is not int or baseline < MIN_POINTS:
        raise ValueError(f"baseline must be a whole number of at least {MIN_POINTS}")

    pairs, problems = read_rows(rows)
    if problems:
        raise SeriesError(problems)
    pairs.sort()
    dates = tuple(when for when, _ in pairs)
    values = tuple(value for _, value in pairs)

    phases, spans, ignored = (), (), ()
    if len(values) >= MIN_POINTS:
        starts, ignored = _phase_starts(dates, rebase_dates)
        ends = (*starts[1:], len(values))
        phases = tuple(
            rules.phase(values, start, end, baseline, screen_moving_ranges)
            for start, end in zip(starts, ends, strict=True)
        )
        spans = tuple(
            span for phase in phases for span in rules.spans(values, phase, direction, run_length)
        )
    return Analysis(
        dates=dates,
        values=values,
        direction=direction,
        target=target,
        run_length=run_length,
        phases=phases,
        spans=spans,
        ignored_rebase_dates=ignored,
    )


def _phase_starts(dates, rebase_dates) -> tuple[tuple[int, ...], tuple[date, ...]]:
    """Index of the first reading of each phase, and the rebase dates not applied.

    A rebase that would leave a phase with fewer than MIN_POINTS readings is not applied (and is
    reported in ``Analysis.notes``) rather than drawn as a phase with no limits.
    """
    starts = [0]
    ignored = []
    for when in sorted({as_date(value) for value in rebase_dates}):
        index = bisect_left(dates, when)
        if index == 0:
            continue  # on or before the first reading: nothing to split
        if index - starts[-1] >= MIN_POINTS and len(dates) - index >= MIN_POINTS:
            starts.append(index)
        else:
            ignored.append(when)
    return tuple(starts), tuple(ignored)


def summarise(analysis: Analysis) -> Summary:
    variation = analysis.variation
    return Summary(
        variation=variation,
        assurance=analysis.assurance,
        latest_is_concern=variation in (Variation.CONCERN_HIGH, Variation.CONCERN_LOW),
    )


def verdict(analysis: Analysis, *, unit: str = "") -> str:
    """One line for people: what the latest reading says, then what it means for the target.

    "Special cause concern: 7 readings in a row below the average since June 2024. At this rate
    the target of 65% will consistently be missed."
    """
    if not analysis.phases:  # fewer than 2 readings
        return analysis.reason
    phase = analysis.phases[-1]
    span = analysis.latest
    if span is None and phase.collapsed:
        text = (
            f"Common cause variation: every baseline reading is "
            f"{format_value(phase.mean, unit)}, so the process limits sit on the mean."
        )
    elif span is None:
        text = (
            "Common cause variation: the latest reading is within the process limits of "
            f"{format_range(phase.lower, phase.upper, unit)}."
        )
    elif span.rule == Rule.OUTSIDE:
        high = span.side == Side.HIGH
        text = (
            f"{KIND_HEADLINE[span.kind]}: the latest reading, "
            f"{format_value(analysis.values[-1], unit)}, is "
            f"{'above the upper' if high else 'below the lower'} process limit of "
            f"{format_value(phase.upper if high else phase.lower, unit)}."
        )
    elif span.rule == Rule.TWO_OF_THREE:
        text = (
            f"{KIND_HEADLINE[span.kind]}: 2 of the last 3 readings are close to the "
            f"{'upper' if span.side == Side.HIGH else 'lower'} process limit."
        )
    else:
        since = month(analysis.dates[span.start])
        text = f"{KIND_HEADLINE[span.kind]}: {rules.in_a_row(span)} since {since}."

    if phase.collapsed:
        if span is not None:
            text += " All baseline readings are the same, so the limits sit on the mean."
    elif phase.trial:
        text += f" Trial limits from {phase.baseline_count} readings."
    assurance = analysis.assurance
    if assurance is not None:
        target = format_value(analysis.target, unit)
        text += f" At this rate the target of {target} {OUTCOME[assurance]}."
    return text
