"""Statistical process control for measures: XmR charts read the NHS "Making Data Count" way.

What it decides, for one measure's readings: the centre line and process limits, which readings
are *special cause* (and whether that is improvement or concern), the variation and assurance icons
for the latest reading, and a one-line verdict in plain English.

Where the numbers come from (NHS England, "Making Data Count", and any SPC text on XmR charts):

- Centre line: the mean of the baseline readings, the first ``BASELINE_POINTS`` (12) of each phase.
  With fewer, the limits are *trial* limits and move as readings arrive.
- Moving range: mR = |xᵢ − xᵢ₋₁|, between neighbouring baseline readings of a phase.
- Process limits: mean ± 2.66 × mean mR. 2.66 = 3 / d2 with d2 = 1.128, the bias constant for
  ranges of two readings, so the limits sit at three estimated standard deviations.
- Near-limit band: beyond mean ± 1.773 × mean mR; 1.773 = 2/3 × 2.66, i.e. two standard deviations.
- Moving-range screening (optional, off by default as in the NHS Excel tools): drop moving ranges
  ≥ 3.267 × their mean, then take the mean again. 3.267 = D4 for subgroups of two, the upper limit
  of a moving-range chart.

Special-cause rules, run within a phase (a rebase starts a new phase with its own limits):

- outside: a reading above the upper or below the lower process limit (strictly);
- trend: ``run_length`` readings in a row, each strictly higher (or each strictly lower) than the
  one before; equal neighbours break it; it may cross the mean;
- two of three: two of three neighbouring readings beyond the near-limit band but not beyond the
  limits, with all three on the same side of the mean; only the readings in the band are tagged;
- run: ``run_length`` readings in a row all above or all below the mean; one on the mean breaks it.

``run_length`` is 7 by default; 6 is allowed. A reading that triggers several rules is described by
the first of: outside, trend, two of three, run.

Everything here is plain Python over plain values: no Django, no database. ``analyse()`` is
written for speed (bench/bench_spc.py runs it over 5,000 measures, as the risk engine does): it
works out the limits and what describes the *latest* reading, which is all that the verdict, the
icons and the risk engine need. Tagging every reading (``Analysis.spans`` and ``.signals``, for
charts and tables) runs on first use, over bytes with one zone per reading so that the rules are
C-level searches.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from itertools import repeat
from numbers import Real
from operator import gt, lt, sub
from typing import NamedTuple

BASELINE_POINTS = 12
RUN_LENGTH = 7
RUN_LENGTHS = (6, 7)
MIN_POINTS = 2

LIMIT_FACTOR = 2.66  # 3 / d2, d2 = 1.128
NEAR_FACTOR = 1.773  # 2/3 × 2.66
SCREEN_FACTOR = 3.267  # D4 for n = 2

HIGHER = "higher"
LOWER = "lower"
NEITHER = "neither"
DIRECTIONS = (HIGHER, LOWER, NEITHER)

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


class Rule(StrEnum):
    """Special-cause rules, in the order that decides how a reading is described."""

    OUTSIDE = "outside"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    RUN = "run"


class Side(StrEnum):
    HIGH = "high"
    LOW = "low"


class Kind(StrEnum):
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"


class Variation(StrEnum):
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

# Enum members as module globals: attribute access on an enum class is slow enough to show in
# the benchmark, and analyse() touches them for every span.
_OUTSIDE, _TREND, _TWO_OF_THREE, _RUN = Rule
_HIGH, _LOW = Side
_IMPROVEMENT, _CONCERN, _NEUTRAL = Kind
_PASS, _FAIL, _HIT_AND_MISS = Assurance
_RULE_ORDER = tuple(Rule)

# (kind of a high signal, kind of a low signal) by direction of the measure
_KINDS = {
    HIGHER: (_IMPROVEMENT, _CONCERN),
    LOWER: (_CONCERN, _IMPROVEMENT),
    NEITHER: (_NEUTRAL, _NEUTRAL),
}
_VARIATION = {kind: {side: Variation(f"{kind}_{side}") for side in Side} for kind in Kind}
_COMMON_CAUSE = Variation.COMMON_CAUSE
# (kind, variation icon) of a signal, by direction of the measure and side of the signal
_SIGNAL = {
    direction: {
        side: (kind, _VARIATION[kind][side]) for side, kind in zip(Side, kinds, strict=True)
    }
    for direction, kinds in _KINDS.items()
}
_DIRECTION_OF = {direction: direction for direction in DIRECTIONS}

# Zones of a reading within its phase, as bytes so that the rules run as C-level searches:
#   0 below the lower limit | 1 in the lower near-limit band | 2 below the mean | 3 on the mean
#   4 above the mean | 5 in the upper near-limit band | 6 above the upper limit
_BELOW_LIMIT, _LOW_BAND, _HIGH_BAND, _ABOVE_LIMIT = 0, 1, 5, 6
# zone → side of the mean: 0 below, 1 on, 2 above
_SIDE_OF_ZONE = bytes.maketrans(bytes(range(7)), bytes((0, 0, 0, 1, 2, 2, 2)))
_OUTSIDE_RE = re.compile(rb"\x00+|\x06+")
# a window of three on one side of the mean with two or more of them in the band; the lookahead
# lets windows overlap
_TWO_OF_THREE_RE = {
    _HIGH_BAND: re.compile(rb"(?=\x05\x05[\x04-\x06]|\x05[\x04-\x06]\x05|[\x04-\x06]\x05\x05)"),
    _LOW_BAND: re.compile(rb"(?=\x01\x01[\x00-\x02]|\x01[\x00-\x02]\x01|[\x00-\x02]\x01\x01)"),
}
_RUN_RE = {n: re.compile(rb"\x00{%d,}|\x02{%d,}" % (n, n)) for n in RUN_LENGTHS}
# rises[i] is 1 when reading i + 1 is higher than reading i
_RISING_RE = {n: re.compile(rb"\x01{%d,}" % (n - 1)) for n in RUN_LENGTHS}
_NOT_RISING_RE = {n: re.compile(rb"\x00{%d,}" % (n - 1)) for n in RUN_LENGTHS}

_isfinite = math.isfinite
_new_tuple = tuple.__new__


class SeriesError(ValueError):
    """The readings cannot be analysed; ``problems`` says which rows and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        message = problems[0].message
        if len(problems) > 1:
            more = len(problems) - 1
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the readings. ``position`` counts from 0; -1 means the whole series."""

    position: int
    field: str  # "row", "date", "value" or "series"
    message: str


class Phase(NamedTuple):
    """Readings ``start`` to ``end - 1`` share one set of limits, computed from the first
    ``baseline_count`` of them (fewer than the baseline asked for: *trial* limits).

    A NamedTuple, like Span, rather than a frozen dataclass: ``analyse()`` makes one or two per
    measure and the dataclass cost a tenth of the time the benchmark allows.
    """

    start: int
    end: int
    baseline_count: int
    mean: float
    mean_moving_range: float
    lower: float  # process limits: mean ∓ 2.66 × mean moving range
    upper: float
    trial: bool
    screened_out: int = 0  # moving ranges dropped by screening

    @property
    def near_lower(self) -> float:
        """Lower edge of the near-limit band: mean − 1.773 × mean moving range."""
        return self.mean - NEAR_FACTOR * self.mean_moving_range

    @property
    def near_upper(self) -> float:
        return self.mean + NEAR_FACTOR * self.mean_moving_range

    @property
    def collapsed(self) -> bool:
        """All baseline readings are equal: the limits sit on the mean."""
        return self.mean_moving_range == 0

    @property
    def length(self) -> int:
        """How many readings the phase holds."""
        return self.end - self.start


class Span(NamedTuple):
    """Neighbouring readings ``start`` to ``end - 1`` that one rule flags on one side.

    A NamedTuple rather than a dataclass because ``analyse()`` builds thousands of them a second.
    """

    rule: Rule
    side: Side
    start: int
    end: int
    kind: Kind

    @property
    def length(self) -> int:
        """How many readings the span holds."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Signal:
    """One special-cause reading, with every rule it triggers (in description order)."""

    index: int
    date: date
    value: float
    rules: tuple[Rule, ...]
    side: Side  # of the describing rule
    kind: Kind
    span: Span  # the run of the describing rule that this reading belongs to
    description: str

    @property
    def rule(self) -> Rule:
        """The rule that describes this reading: the first of ``rules``."""
        return self.rules[0]


@dataclass(frozen=True)
class Analysis:
    """The result of ``analyse()``: readings in date order, their phases and limits, and the span
    that describes the latest reading (``latest``, None when it is common cause).

    ``latest`` is all that the verdict, the icons and the risk engine need, so ``analyse()`` works
    it out from the end of the series. ``spans`` and ``signals`` (every special-cause reading, for
    charts and tables) are worked out on first use and kept.
    """

    dates: tuple[date, ...]
    values: tuple[float, ...]
    direction: str
    target: float | None
    run_length: int
    phases: tuple[Phase, ...]
    latest: Span | None
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

    @cached_property
    def spans(self) -> tuple[Span, ...]:
        """Every special-cause span, ordered by phase, then rule (outside, trend, two of three,
        run), then position: the first span holding a reading is the one that describes it."""
        return _all_spans(self.values, self.phases, self.direction, self.run_length)

    # variation and assurance are cached properties (not plain ones) so that analyse() can fill
    # them in from what it has at hand; Analysis(...) and dataclasses.replace() work them out on
    # first use.
    @cached_property
    def variation(self) -> Variation | None:
        """Variation icon for the latest reading; None when there is no chart."""
        if len(self.values) < MIN_POINTS:
            return None
        span = self.latest
        if span is None:
            return Variation.COMMON_CAUSE
        return _VARIATION[span.kind][span.side]

    @cached_property
    def assurance(self) -> Assurance | None:
        """Assurance icon from the latest phase's limits; None without a target or direction."""
        if not self.phases:
            return None
        phase = self.phases[-1]
        return _assurance(self.target, self.direction, phase.lower, phase.upper)

    def phase_of(self, index: int) -> Phase:
        """The phase that reading ``index`` belongs to."""
        for phase in self.phases:
            if index < phase.end:
                return phase
        raise IndexError(index)

    @cached_property
    def signals(self) -> tuple[Signal, ...]:
        """One entry per special-cause reading, in date order."""
        rules: dict[int, list[Rule]] = {}
        describing: dict[int, Span] = {}
        for span in self.spans:
            for index in range(span.start, span.end):
                tagged = rules.setdefault(index, [])
                if span.rule not in tagged:
                    tagged.append(span.rule)
                describing.setdefault(index, span)
        return tuple(
            Signal(
                index=index,
                date=self.dates[index],
                value=self.values[index],
                rules=tuple(sorted(rules[index], key=_RULE_ORDER.index)),
                side=describing[index].side,
                kind=describing[index].kind,
                span=describing[index],
                description=describe(describing[index]),
            )
            for index in sorted(rules)
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Plain-English caveats: trial limits, collapsed limits, screening, ignored rebases."""
        notes = []
        for phase in self.phases:
            since = "" if phase.start == 0 else f" from {_month(self.dates[phase.start])}"
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
                f"The rebase from {_day(when)} is not applied: each phase needs at least "
                f"{MIN_POINTS} readings."
            )
        return tuple(notes)


class _Building:
    """An Analysis while analyse() fills it in: the same layout as Analysis (an instance
    ``__dict__`` and a weak-reference slot, no ``__slots__``) but without the frozen
    ``__setattr__``, so that each field is a plain attribute store, which Python turns into a
    write straight into the instance's own values. analyse() then sets ``__class__`` to
    Analysis: from there on it is an ordinary frozen Analysis, with its fields in its
    ``__dict__`` as the generated ``__init__`` would leave them.

    If Analysis ever gets ``__slots__`` (``slots=True``) the layouts differ and the
    ``__class__`` assignment raises TypeError: every analysis in the tests would fail.
    """


@dataclass(frozen=True, slots=True)
class Summary:
    """What the risk engine needs from a chart."""

    variation: Variation | None
    assurance: Assurance | None
    latest_is_concern: bool


# Every possible Summary, made once: summarise() runs for every measure and a Summary is frozen.
_SUMMARIES = {
    variation: {
        assurance: Summary(
            variation, assurance, variation in (Variation.CONCERN_HIGH, Variation.CONCERN_LOW)
        )
        for assurance in (None, *Assurance)
    }
    for variation in (None, *Variation)
}


def summarise(analysis: Analysis) -> Summary:
    return _SUMMARIES[analysis.variation][analysis.assurance]


# ---------------------------------------------------------------------------------------------
# analysis


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
    try:
        direction = _DIRECTION_OF[direction]  # a Django choices member becomes its plain value
    except (KeyError, TypeError):
        raise ValueError(
            f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}"
        ) from None
    if target is not None and (type(target) is not float or not _isfinite(target)):
        target = _target(target)
    if run_length not in RUN_LENGTHS:
        raise ValueError(f"run_length must be 6 or 7, not {run_length!r}")
    if type(baseline) is not int or baseline < MIN_POINTS:
        raise ValueError(f"baseline must be a whole number of at least {MIN_POINTS}")

    # Fast path: a list of (date, float) pairs in date order. Anything else goes through
    # _clean(), which converts and sorts, or raises SeriesError saying what is wrong.
    if type(rows) is not list and type(rows) is not tuple:
        rows = _as_list(rows)
    try:
        # rows of three or more fields give three or more columns and fail the unpacking
        dates, values = zip(*rows)  # noqa: B905
        total = sum(values)
        # each date after the one before: the dates against an iterator one ahead of them,
        # cheaper than a slice (zip gave at least one date, or the unpacking failed)
        following = iter(dates)
        next(following)
        ok = (
            type(total) is float
            and _isfinite(total)
            and type(dates[0]) is date
            and all(map(lt, dates, following))
        )
    except (TypeError, ValueError, IndexError):
        ok = False
    if not ok:
        dates, values = _clean(rows)
        total = sum(values)
    n = len(values)
    if n < MIN_POINTS:  # no chart: no limits and no icons
        phases = ignored = ()
        latest = variation = assurance = None
    else:
        if rebase_dates or screen_moving_ranges:
            starts, ignored = _phase_starts(dates, rebase_dates) if rebase_dates else ((0,), ())
            phases = tuple(
                map(
                    _phase,
                    repeat(values),
                    starts,
                    (*starts[1:], n),
                    repeat(baseline),
                    repeat(screen_moving_ranges),
                )
            )
            start, _, _, mean, mean_mr, lower, upper, _, _ = phases[-1]
        else:
            # One phase, the common case: _phase() without the slices and the second sum.
            if n <= baseline:
                k, base, mean = n, values, total / n
            else:
                k, base = baseline, values[:baseline]
                mean = sum(base) / k
            following = iter(base)  # as for the dates: |base[i + 1] - base[i]| without a slice
            next(following)
            mean_mr = sum(map(abs, map(sub, following, base))) / (k - 1)
            width = LIMIT_FACTOR * mean_mr
            if not _isfinite(width):
                raise SeriesError([Problem(-1, "series", "The readings are too large to chart.")])
            start, lower, upper = 0, mean - width, mean + width
            phase = (0, n, k, mean, mean_mr, lower, upper, k < baseline, 0)
            phases, ignored = (_new_tuple(Phase, phase),), ()

        # What describes the last reading, found by looking back from it; start and the limits
        # are the last phase's. This gives the same answer as the first span of _all_spans()
        # that ends at the last reading (tests/objectives/test_spc.py checks this on random
        # series) without tagging every reading. It is written out here rather than called, as
        # the assurance icon below is, because analyse() runs for every measure: each rule only
        # notes its side and where its span starts (i), and the Span is made once at the end.
        rule = None
        i = n - 1
        last = values[i]
        if last > upper:
            while i > start and values[i - 1] > upper:
                i -= 1
            rule, side = _OUTSIDE, _HIGH
        elif last < lower:
            while i > start and values[i - 1] < lower:
                i -= 1
            rule, side = _OUTSIDE, _LOW
        else:
            previous = values[i - 1]
            if last > previous:  # rising into the last reading: how far back does the rise go?
                i -= 1
                while i > start and values[i] > values[i - 1]:
                    i -= 1
                if n - i >= run_length:
                    rule, side = _TREND, _HIGH
            elif last < previous:
                i -= 1
                while i > start and values[i] < values[i - 1]:
                    i -= 1
                if n - i >= run_length:
                    rule, side = _TREND, _LOW

            # Two of three: the last reading is in the band and so is one of the two before it,
            # with all three on its side of the mean. Every band reading in a row back from the
            # last is then tagged too (each shares a window of three with two of them, or with
            # the qualifying one), and the first reading before them that is not in the band is
            # not.
            if rule is None and n - start >= 3:
                near = NEAR_FACTOR * mean_mr  # as Phase.near_upper and near_lower
                if last > mean + near:
                    a, b = values[n - 3], values[n - 2]
                    near_upper = mean + near
                    if (
                        a > mean
                        and b > mean
                        and (near_upper < a <= upper or near_upper < b <= upper)
                    ):
                        i = n - 1
                        while i > start and near_upper < values[i - 1] <= upper:
                            i -= 1
                        rule, side = _TWO_OF_THREE, _HIGH
                elif last < mean - near:
                    a, b = values[n - 3], values[n - 2]
                    near_lower = mean - near
                    if (
                        a < mean
                        and b < mean
                        and (lower <= a < near_lower or lower <= b < near_lower)
                    ):
                        i = n - 1
                        while i > start and lower <= values[i - 1] < near_lower:
                            i -= 1
                        rule, side = _TWO_OF_THREE, _LOW

            # a run on one side of the mean; previous first: most series fail that, and it is
            # cheaper than a slice
            if rule is None and n - start >= run_length:
                if last > mean:
                    if previous > mean and min(values[-run_length:]) > mean:
                        i = n - run_length
                        while i > start and values[i - 1] > mean:
                            i -= 1
                        rule, side = _RUN, _HIGH
                elif last < mean and previous < mean and max(values[-run_length:]) < mean:
                    i = n - run_length
                    while i > start and values[i - 1] < mean:
                        i -= 1
                    rule, side = _RUN, _LOW
        if rule is None:
            latest, variation = None, _COMMON_CAUSE
        else:
            kind, variation = _SIGNAL[direction][side]
            # tuple.__new__ skips Span's Python-level __new__, as for Phase
            latest = _new_tuple(Span, (rule, side, i, n, kind))

        # the assurance icon, as _assurance() works it out
        if target is None or direction is NEITHER:
            assurance = None
        elif lower <= target <= upper:
            assurance = _HIT_AND_MISS
        elif (target < lower) is (direction is HIGHER):  # outside on the easy side passes
            assurance = _PASS
        else:
            assurance = _FAIL

    # Analysis(...) without the generated frozen __init__, which sets each field through
    # object.__setattr__ (slow enough to show in the benchmark): a _Building, which is an
    # Analysis without the frozen __setattr__, gets plain attribute stores (the cheapest way to
    # fill an instance), then becomes an Analysis. Same fields, same result; Analysis(...) itself
    # works as usual. The icons go in too: they are cached properties, and verdict() and
    # summarise() read them.
    analysis = _Building()
    analysis.dates = dates
    analysis.values = values
    analysis.direction = direction
    analysis.target = target
    analysis.run_length = run_length
    analysis.phases = phases
    analysis.latest = latest
    analysis.ignored_rebase_dates = ignored
    analysis.variation = variation
    analysis.assurance = assurance
    analysis.__class__ = Analysis
    return analysis


def _phase(values, start: int, end: int, baseline: int, screen: bool) -> Phase:
    """Limits for readings ``start`` to ``end - 1`` from the first ``baseline`` of them."""
    count = end - start
    k = baseline if baseline < count else count
    base = values[start : start + k]
    if screen:
        mean_mr, screened = _screened_mean_moving_range(base)
    else:
        mean_mr, screened = sum(map(abs, map(sub, base[1:], base))) / (k - 1), 0
    width = LIMIT_FACTOR * mean_mr
    if not _isfinite(width):
        raise SeriesError([Problem(-1, "series", "The readings are too large to chart.")])
    mean = sum(base) / k
    # tuple.__new__ skips NamedTuple's Python-level __new__: a tenth of a microsecond per measure
    return _new_tuple(
        Phase, (start, end, k, mean, mean_mr, mean - width, mean + width, k < baseline, screened)
    )


def _zones(values, phase: Phase) -> bytes:
    """One byte per reading of ``phase``: its zone (see _SIDE_OF_ZONE above)."""
    mean, upper, lower = phase.mean, phase.upper, phase.lower
    near_upper, near_lower = phase.near_upper, phase.near_lower
    # "beyond" is strict on both sides: a reading exactly on a limit is inside it
    return bytes(
        [
            (6 if v > upper else 5 if v > near_upper else 4)
            if v > mean
            else (2 if v >= near_lower else 1 if v >= lower else 0)
            if v < mean
            else 3
            for v in values[phase.start : phase.end]
        ]
    )


def _all_spans(values, phases, direction: str, run_length: int) -> tuple[Span, ...]:
    """Every special-cause span: each rule run over each phase."""
    high_kind, low_kind = _KINDS[direction]
    # rises[i] is 1 when reading i + 1 is higher than reading i
    rises = bytes(map(gt, values[1:], values))
    spans = []
    for phase in phases:
        start, end = phase.start, phase.end
        zones = _zones(values, phase)
        sides = zones.translate(_SIDE_OF_ZONE)

        # outside the process limits
        for match in _OUTSIDE_RE.finditer(zones):
            i, j = match.span()
            if zones[i]:
                spans.append(Span(_OUTSIDE, _HIGH, start + i, start + j, high_kind))
            else:
                spans.append(Span(_OUTSIDE, _LOW, start + i, start + j, low_kind))

        # trend: run_length readings each strictly higher (lower) than the one before
        for match in _RISING_RE[run_length].finditer(rises, start, end - 1):
            i, j = match.span()
            spans.append(Span(_TREND, _HIGH, i, j + 1, high_kind))
        for match in _NOT_RISING_RE[run_length].finditer(rises, start, end - 1):
            _falling(values, *match.span(), run_length, low_kind, spans)

        # two of three beyond the near-limit band, all three on the same side of the mean
        _two_of_three(zones, _HIGH_BAND, start, _HIGH, high_kind, spans)
        _two_of_three(zones, _LOW_BAND, start, _LOW, low_kind, spans)

        # run on one side of the mean
        for match in _RUN_RE[run_length].finditer(sides):
            i, j = match.span()
            if sides[i]:
                spans.append(Span(_RUN, _HIGH, start + i, start + j, high_kind))
            else:
                spans.append(Span(_RUN, _LOW, start + i, start + j, low_kind))
    return tuple(spans)


def _screened_mean_moving_range(base) -> tuple[float, int]:
    """Mean moving range leaving out those ≥ 3.267 × the mean, and how many were left out."""
    moving_ranges = list(map(abs, map(sub, base[1:], base)))
    mean_mr = sum(moving_ranges) / len(moving_ranges)
    cutoff = SCREEN_FACTOR * mean_mr
    kept = [r for r in moving_ranges if r < cutoff]
    if not kept or len(kept) == len(moving_ranges):
        return mean_mr, 0
    return sum(kept) / len(kept), len(moving_ranges) - len(kept)


def _falling(values, first: int, last: int, run_length: int, kind: Kind, spans: list) -> None:
    """Readings ``first``..``last`` never rise; equal neighbours split them into falling trends."""
    run_start = first
    for i in range(first, last):
        if values[i + 1] == values[i]:
            if i - run_start >= run_length - 1:
                spans.append(Span(_TREND, _LOW, run_start, i + 1, kind))
            run_start = i + 1
    if last - run_start >= run_length - 1:
        spans.append(Span(_TREND, _LOW, run_start, last + 1, kind))


def _two_of_three(zones: bytes, band: int, offset: int, side: Side, kind: Kind, spans: list):
    """Tag the readings in ``band`` of every qualifying window of three; one span per stretch."""
    tagged = set()
    for match in _TWO_OF_THREE_RE[band].finditer(zones):
        i = match.start()
        for j in (i, i + 1, i + 2):
            if zones[j] == band:
                tagged.add(j)
    if not tagged:
        return
    tagged = sorted(tagged)
    first = previous = tagged[0]
    for i in tagged[1:]:
        if i != previous + 1:
            spans.append(Span(_TWO_OF_THREE, side, offset + first, offset + previous + 1, kind))
            first = i
        previous = i
    spans.append(Span(_TWO_OF_THREE, side, offset + first, offset + previous + 1, kind))


def _phase_starts(dates, rebase_dates) -> tuple[tuple[int, ...], tuple[date, ...]]:
    """Index of the first reading of each phase, and the rebase dates not applied.

    A rebase that would leave a phase with fewer than MIN_POINTS readings is not applied (and is
    reported in ``Analysis.notes``) rather than drawn as a phase with no limits.
    """
    n = len(dates)
    starts = [0]
    ignored = []
    if len(rebase_dates) > 1:
        rebase_dates = sorted({_as_date(d) for d in rebase_dates})
    for when in rebase_dates:
        when = _as_date(when)
        index = bisect_left(dates, when)
        if index == 0:
            continue  # on or before the first reading: nothing to split
        if index - starts[-1] >= MIN_POINTS and n - index >= MIN_POINTS:
            starts.append(index)
        else:
            ignored.append(when)
    return tuple(starts), tuple(ignored)


def _as_date(value) -> date:
    if type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"rebase dates must be dates like 2024-06-01, not {value!r}")


def _target(value) -> float:
    number = _as_number(value)
    if number is None or not _isfinite(number):
        raise ValueError(f"target must be a finite number, not {value!r}")
    return number


def _assurance(target, direction, lower: float, upper: float) -> Assurance | None:
    """The assurance icon from the target and the latest phase's process limits."""
    if target is None or direction == NEITHER:
        return None
    if lower <= target <= upper:
        return _HIT_AND_MISS
    # outside the limits on the easy side passes, on the hard side fails
    if (target < lower) == (direction == HIGHER):
        return _PASS
    return _FAIL


# ---------------------------------------------------------------------------------------------
# validation


def _as_list(rows) -> list:
    try:
        return list(rows)
    except TypeError:
        raise SeriesError(
            [
                Problem(
                    -1, "series", f"Readings must be a list of (date, value) pairs, not {rows!r}."
                )
            ]
        ) from None


def _as_number(value) -> float | None:
    """A float for real numbers (int, float, Decimal, Fraction, NumPy's); None for anything else.

    bool is an int in Python and counts as 0 or 1, as it does on analyse()'s fast path.
    """
    if type(value) is float:
        return value
    if not isinstance(value, Real | Decimal):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError):
        return math.inf


def validate_series(rows) -> list[Problem]:
    """Everything wrong with ``rows`` of (date, value), by position (0-based); [] when fine.

    Dates must be ``date`` objects (a ``datetime`` counts as its date) and unique; values must be
    finite real numbers (not text, not None). Order does not matter: analyse() sorts.
    """
    try:
        rows = list(rows)
    except TypeError:
        return [
            Problem(-1, "series", f"Readings must be a list of (date, value) pairs, not {rows!r}.")
        ]
    problems = []
    seen: dict[date, int] = {}
    for position, row in enumerate(rows):
        label = f"Row {position + 1}"
        try:
            when, value = row
        except (TypeError, ValueError):
            problems.append(
                Problem(position, "row", f"{label} should be a (date, value) pair, not {row!r}.")
            )
            continue
        if isinstance(when, datetime):
            when = when.date()
        if isinstance(when, date):
            label = f"{label} ({_day(when)})"
            if when in seen:
                problems.append(
                    Problem(
                        position,
                        "date",
                        f"{label}: that date is already used by row {seen[when] + 1}.",
                    )
                )
            else:
                seen[when] = position
        else:
            problems.append(Problem(position, "date", f"{label}: {when!r} is not a date."))
        number = _as_number(value)
        if number is None:
            problems.append(Problem(position, "value", f"{label}: {value!r} is not a number."))
        elif math.isnan(number):
            problems.append(
                Problem(position, "value", f"{label}: the value is not a number (NaN).")
            )
        elif math.isinf(number):
            problems.append(
                Problem(position, "value", f"{label}: the value is infinite or too large.")
            )
    return problems


def _clean(rows) -> tuple[tuple[date, ...], tuple[float, ...]]:
    """The slow path: explain what is wrong, or convert and sort."""
    problems = validate_series(rows)
    if problems:
        raise SeriesError(problems)
    pairs = sorted(
        (when.date() if isinstance(when, datetime) else when, _as_number(value))
        for when, value in rows
    )
    if not pairs:
        return (), ()
    dates, values = zip(*pairs, strict=True)
    if not _isfinite(sum(values)):
        raise SeriesError([Problem(-1, "series", "The readings are too large to add up.")])
    return dates, values


# ---------------------------------------------------------------------------------------------
# words


def format_value(value: float, unit: str = "") -> str:
    """A reading for people: 3 significant figures, whole numbers from 1,000 up.

    65.0 → "65%", 61.234 → "61.2%", 1234.5 → "1,234 days", 0.1234 → "0.123", £ goes in front.
    """
    # printf-style: the same digits as f"{value:.3g}" and a little faster (a verdict per measure)
    text = "%.3g" % value  # noqa: UP031
    if "e" in text:  # 1,000 or more, or under 0.0001
        text = f"{value:,.0f}" if abs(value) >= 1 else f"{value:.1e}"
    if unit == "%":
        return text + "%"
    if not unit:
        return text
    if unit in PREFIX_UNITS:
        return "-" + unit + text[1:] if value < 0 else unit + text
    return text + " " + unit


PREFIX_UNITS = frozenset({"£", "$", "€"})


def format_range(low: float, high: float, unit: str = "") -> str:
    """Two readings for people: "45.5% to 58.1%", "3.5 to 7 days", "£12 to £20"."""
    # printf-style, as in format_value(), and one format for both numbers; "e" in the text means
    # 1,000 or more, or under 0.0001, which format_value() writes out. Money: the sign goes
    # before the symbol, so each is formatted too.
    if unit == "%":
        text = "%.3g%% to %.3g%%" % (low, high)  # noqa: UP031
        if "e" not in text:
            return text
    elif unit not in PREFIX_UNITS:
        text = "%.3g to %.3g" % (low, high)  # noqa: UP031
        if "e" not in text:
            return f"{text} {unit}" if unit else text
    return f"{format_value(low, unit)} to {format_value(high, unit)}"


def _month(when: date) -> str:
    return f"{MONTHS[when.month]} {when.year}"


def _day(when: date) -> str:
    return f"{when.day} {MONTHS[when.month]} {when.year}"


def describe(span: Span) -> str:
    """What a special-cause span says about each of its readings, for tables and tooltips."""
    high = span.side is _HIGH
    rule = span.rule
    if rule is _OUTSIDE:
        return "Above the upper process limit" if high else "Below the lower process limit"
    if rule is _TREND:
        return f"Part of {span.length} readings in a row {'rising' if high else 'falling'}"
    if rule is _TWO_OF_THREE:
        return f"2 of 3 readings close to the {'upper' if high else 'lower'} process limit"
    return f"Part of {span.length} readings in a row {'above' if high else 'below'} the average"


def verdict(analysis: Analysis, *, unit: str = "") -> str:
    """One line for people: what the latest reading says, then what it means for the target.

    "Special cause concern: 7 readings in a row below the average since June 2024. At this rate
    the target of 65% will consistently be missed."
    """
    phases = analysis.phases
    if not phases:  # fewer than 2 readings
        return analysis.reason
    _, _, baseline_count, mean, mean_moving_range, lower, upper, trial, _ = phases[-1]
    span = analysis.latest
    collapsed = mean_moving_range == 0
    if span is None:
        if collapsed:
            text = (
                f"Common cause variation: every baseline reading is "
                f"{format_value(mean, unit)}, so the process limits sit on the mean."
            )
        else:
            template = _WITHIN_LIMITS.get(unit)
            if template is not None and lower >= _PLAIN_LOW and upper < _PLAIN_HIGH:
                text = template % (lower, upper)
            else:
                text = (
                    "Common cause variation: the latest reading is within the process limits of "
                    f"{format_range(lower, upper, unit)}."
                )
    else:
        rule, side, first, end, kind = span
        high = side is _HIGH
        if rule is _OUTSIDE:
            value = analysis.values[-1]
            limit = upper if high else lower
            templates = _OUTSIDE_LIMIT.get(unit)
            if (
                templates is not None
                and _PLAIN_LOW <= value < _PLAIN_HIGH
                and _PLAIN_LOW <= limit < _PLAIN_HIGH
            ):
                text = templates[kind][high] % (value, limit)
            else:
                text = (
                    f"{KIND_HEADLINE[kind]}: the latest reading, {format_value(value, unit)}, is "
                    f"{'above the upper' if high else 'below the lower'} process limit of "
                    f"{format_value(limit, unit)}."
                )
        elif rule is _TWO_OF_THREE:
            text = (
                f"{KIND_HEADLINE[kind]}: 2 of the last 3 readings are close to the "
                f"{'upper' if high else 'lower'} process limit."
            )
        else:
            if rule is _TREND:
                what = "rising" if high else "falling"
            else:
                what = "above the average" if high else "below the average"
            text = (
                f"{KIND_HEADLINE[kind]}: {end - first} readings in a row {what} since "
                f"{_month(analysis.dates[first])}."
            )
    if collapsed:
        if span is not None:
            text += " All baseline readings are the same, so the limits sit on the mean."
    elif trial:
        text += f" Trial limits from {baseline_count} readings."
    assurance = analysis.assurance
    if assurance is None:  # no target, or no direction
        return text
    key = (analysis.target, unit, assurance)
    return text + (_TARGET_SENTENCES.get(key) or _target_sentence(*key))


# The two commonest first sentences of a verdict with their numbers left to printf, for the units
# that printf can write in place ("%" and none). format_value() and format_range() write a number
# from 0.0001 up to (not including) 999 exactly as %.3g does: %.3g only turns to an exponent, which
# they write out another way, below 0.0001 or from 1,000 once rounded. verdict() uses these when
# every number in the sentence is in that range; one printf instead of formatting each number and
# joining the pieces.
_PLAIN_LOW = 0.0001
_PLAIN_HIGH = 999.0
_WITHIN_LIMITS = {
    unit: "Common cause variation: the latest reading is within the process limits of "
    f"%.3g{escaped} to %.3g{escaped}."
    for unit, escaped in (("%", "%%"), ("", ""))
}
# by unit, then kind of signal, then whether it is high (True) or low (False)
_OUTSIDE_LIMIT = {
    unit: {
        kind: {
            high: f"{KIND_HEADLINE[kind]}: the latest reading, %.3g{escaped}, is "
            f"{'above the upper' if high else 'below the lower'} process limit of %.3g{escaped}."
            for high in (False, True)
        }
        for kind in Kind
    }
    for unit, escaped in (("%", "%%"), ("", ""))
}

# what the assurance icon means for the target, in the verdict's words
_OUTCOME = {
    _PASS: "will consistently be met",
    _FAIL: "will consistently be missed",
    _HIT_AND_MISS: "will sometimes be met and sometimes missed",
}
# The verdict's last sentence by (target, unit, assurance): targets recur across measures (65%,
# 95%, 18 weeks), so these are made once and kept, up to a size.
_TARGET_SENTENCES: dict[tuple[float, str, Assurance], str] = {}
_TARGET_SENTENCES_MAX = 4096


def _target_sentence(target: float, unit: str, assurance: Assurance) -> str:
    text = f" At this rate the target of {format_value(target, unit)} {_OUTCOME[assurance]}."
    if target:  # 0.0 and -0.0 make one key but read "0" and "-0": those are not kept
        if len(_TARGET_SENTENCES) >= _TARGET_SENTENCES_MAX:
            _TARGET_SENTENCES.clear()
        _TARGET_SENTENCES[target, unit, assurance] = text
    return text


__all__ = [
    "ASSURANCE_LABEL",
    "BASELINE_POINTS",
    "DIRECTIONS",
    "HIGHER",
    "LIMIT_FACTOR",
    "LOWER",
    "NEAR_FACTOR",
    "NEITHER",
    "RUN_LENGTH",
    "SCREEN_FACTOR",
    "VARIATION_LABEL",
    "Analysis",
    "Assurance",
    "Kind",
    "Phase",
    "Problem",
    "Rule",
    "SeriesError",
    "Side",
    "Signal",
    "Span",
    "Summary",
    "Variation",
    "analyse",
    "describe",
    "format_value",
    "summarise",
    "validate_series",
    "verdict",
]
