"""The limits of a phase and the four special-cause rules, each written once.

Each rule looks at the readings of one phase, labels each reading (or each step from one reading
to the next) 1 for high, -1 for low and 0 for neither, and returns the stretches (side, start,
end) of equal labels that it flags. ``spans()`` runs them all over a phase, in the order that
decides how a reading is described. The numbers are explained in objectives/spc/__init__.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby, pairwise

from .readings import Problem, SeriesError

BASELINE_POINTS = 12
RUN_LENGTH = 7
RUN_LENGTHS = (6, 7)
MIN_POINTS = 2

LIMIT_FACTOR = 2.66  # 3 / d2, d2 = 1.128
SCREEN_FACTOR = 3.267  # D4 for n = 2

HIGHER = "higher"
LOWER = "lower"
NEITHER = "neither"
DIRECTIONS = (HIGHER, LOWER, NEITHER)


class Rule(StrEnum):
    """Special-cause rules, in the order that decides how a reading is described."""

    OUTSIDE = "outside"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    RUN = "run"


RULE_ORDER = tuple(Rule)


class Side(StrEnum):
    HIGH = "high"
    LOW = "low"


class Kind(StrEnum):
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"


@dataclass(frozen=True)
class Phase:
    """Readings ``start`` to ``end - 1`` share one set of limits, computed from the first
    ``baseline_count`` of them (fewer than the baseline asked for: *trial* limits)."""

    start: int
    end: int
    baseline_count: int
    mean: float
    mean_moving_range: float
    lower: float  # process limits: mean ∓ 2.66 × mean moving range
    upper: float
    near_lower: float  # the near-limit band: two thirds of the way from the mean to each limit
    near_upper: float
    trial: bool
    screened_out: int = 0  # moving ranges dropped by screening

    @property
    def collapsed(self) -> bool:
        """All baseline readings are equal: the limits sit on the mean."""
        return self.mean_moving_range == 0

    @property
    def length(self) -> int:
        """How many readings the phase holds."""
        return self.end - self.start


@dataclass(frozen=True)
class Span:
    """Neighbouring readings ``start`` to ``end - 1`` that one rule flags on one side."""

    rule: Rule
    side: Side
    start: int
    end: int
    kind: Kind

    @property
    def length(self) -> int:
        """How many readings the span holds."""
        return self.end - self.start


def mean(numbers) -> float:
    """The mean, correctly rounded. math.fsum's sum is exact but rounded once, so dividing it
    can leave the mean a unit in the last place off; a second pass adds back what the first
    left over. SeriesError when the numbers are too large to add up."""
    n = len(numbers)
    try:
        first = math.fsum(numbers) / n
        if math.isfinite(first):
            return first + math.fsum([*numbers, *[-first] * n]) / n
    except OverflowError:
        pass
    raise SeriesError([Problem(-1, "series", "The readings are too large to chart.")])


def phase(values, start: int, end: int, baseline: int, screen: bool) -> Phase:
    """Limits for readings ``start`` to ``end - 1`` from the first ``baseline`` of them."""
    count = min(baseline, end - start)
    base = values[start : start + count]
    moving_ranges = [abs(b - a) for a, b in pairwise(base)]
    mean_moving_range = mean(moving_ranges)
    screened_out = 0
    if screen:
        kept = [r for r in moving_ranges if r < SCREEN_FACTOR * mean_moving_range]
        if kept and len(kept) < len(moving_ranges):
            mean_moving_range = mean(kept)
            screened_out = len(moving_ranges) - len(kept)
    centre = mean(base)
    width = LIMIT_FACTOR * mean_moving_range
    near = width * 2 / 3
    if not math.isfinite(centre + width):
        raise SeriesError([Problem(-1, "series", "The readings are too large to chart.")])
    return Phase(
        start=start,
        end=end,
        baseline_count=count,
        mean=centre,
        mean_moving_range=mean_moving_range,
        lower=centre - width,
        upper=centre + width,
        near_lower=centre - near,
        near_upper=centre + near,
        trial=count < baseline,
        screened_out=screened_out,
    )


def spans(values, phase: Phase, direction: str, run_length: int) -> list[Span]:
    """Every special-cause span in ``phase``: by rule (in description order), then position."""
    readings = values[phase.start : phase.end]
    sides = [_compare(v, phase.mean) for v in readings]  # 1 above the mean, -1 below, 0 on it
    found = (
        (Rule.OUTSIDE, outside(readings, phase)),
        (Rule.TREND, trends(readings, run_length)),
        (Rule.TWO_OF_THREE, two_of_three(readings, sides, phase)),
        (Rule.RUN, runs(sides, run_length)),
    )
    return [
        Span(rule, side, phase.start + start, phase.start + end, kind(direction, side))
        for rule, stretches in found
        for side, start, end in stretches
    ]


def outside(readings, phase: Phase) -> list[tuple[Side, int, int]]:
    """Readings strictly beyond a process limit."""
    return _stretches([1 if v > phase.upper else -1 if v < phase.lower else 0 for v in readings])


def trends(readings, run_length: int) -> list[tuple[Side, int, int]]:
    """``run_length`` or more readings, each strictly higher (or lower) than the one before."""
    # step i joins reading i to reading i + 1, so steps start .. end - 1 join readings start .. end
    steps = [_compare(b, a) for a, b in pairwise(readings)]
    return [(side, start, end + 1) for side, start, end in _stretches(steps, run_length - 1)]


def two_of_three(readings, sides: list[int], phase: Phase) -> list[tuple[Side, int, int]]:
    """In any three neighbours on one side of the mean with two or more of them in the near-limit
    band on that side, the readings in the band. ``sides``: each reading's side of the mean."""
    bands = [_band(v, phase) for v in readings]
    if len(bands) - bands.count(0) < 2:
        return []  # fewer than two readings in the bands: nothing to look for
    tagged = [0] * len(readings)
    for first in range(len(readings) - 2):
        window = (first, first + 1, first + 2)
        side = sides[first]
        if side != 0 and side == sides[first + 1] == sides[first + 2]:
            in_band = [i for i in window if bands[i] == side]
            if len(in_band) >= 2:
                for i in in_band:
                    tagged[i] = side
    return _stretches(tagged)


def runs(sides: list[int], run_length: int) -> list[tuple[Side, int, int]]:
    """``run_length`` or more readings in a row on one side of the mean (``sides``: each
    reading's side of the mean)."""
    return _stretches(sides, run_length)


def _compare(value: float, other: float) -> int:
    """1 when ``value`` is above ``other``, -1 when below, 0 when equal."""
    return 1 if value > other else -1 if value < other else 0


def _band(value: float, phase: Phase) -> int:
    """1 or -1 in the upper or lower near-limit band (beyond its edge, not beyond the limit)."""
    if phase.near_upper < value <= phase.upper:
        return 1
    if phase.lower <= value < phase.near_lower:
        return -1
    return 0


def _stretches(labels: list[int], min_length: int = 1) -> list[tuple[Side, int, int]]:
    """(side, start, end) for each stretch of equal labels other than 0 that is at least
    ``min_length`` long."""
    stretches = []
    start = 0
    for label, group in groupby(labels):
        length = len(list(group))
        if label != 0 and length >= min_length:
            stretches.append((Side.HIGH if label > 0 else Side.LOW, start, start + length))
        start += length
    return stretches


def kind(direction: str, side: Side) -> Kind:
    """Improvement or concern, by the measure's direction; neither when it has none."""
    if direction == NEITHER:
        return Kind.NEITHER
    better = Side.HIGH if direction == HIGHER else Side.LOW
    return Kind.IMPROVEMENT if side == better else Kind.CONCERN


def describing(holding: list[Span]) -> Span | None:
    """Of the spans that hold one reading, the one that describes it: the first rule in
    RULE_ORDER and, where a reading is in two spans of that rule (the turn between a rising and
    a falling trend), the later span."""
    if not holding:
        return None
    return min(holding, key=lambda span: (RULE_ORDER.index(span.rule), -span.start))


def describe(span: Span) -> str:
    """What a special-cause span says about each of its readings, for tables and tooltips."""
    high = span.side == Side.HIGH
    if span.rule == Rule.OUTSIDE:
        return "Above the upper process limit" if high else "Below the lower process limit"
    if span.rule == Rule.TWO_OF_THREE:
        return f"2 of 3 readings close to the {'upper' if high else 'lower'} process limit"
    return f"Part of {in_a_row(span)}"


def in_a_row(span: Span) -> str:
    """ "7 readings in a row rising", for a trend or a run."""
    high = span.side == Side.HIGH
    if span.rule == Rule.TREND:
        what = "rising" if high else "falling"
    else:
        what = "above the average" if high else "below the average"
    return f"{span.length} readings in a row {what}"
