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

Everything here is plain Python over plain values: no Django, no database. ``analyse()`` is written
for speed (bench/bench_spc.py runs it over 5,000 measures): the per-reading work is done by builtins
over bytes, and the per-reading objects (``Signal``) are only built when a chart or table asks.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from itertools import pairwise, repeat
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

# kind of a special cause by direction of the measure and side of the signal
_KIND = {
    HIGHER: {Side.HIGH: Kind.IMPROVEMENT, Side.LOW: Kind.CONCERN},
    LOWER: {Side.HIGH: Kind.CONCERN, Side.LOW: Kind.IMPROVEMENT},
    NEITHER: {Side.HIGH: Kind.NEITHER, Side.LOW: Kind.NEITHER},
}
_VARIATION = {(kind, side): Variation(f"{kind}_{side}") for kind in Kind for side in Side}

# Zones of a reading within its phase, as bytes so that the rules can run as C-level searches:
#   0 below the lower limit | 1 in the lower near-limit band | 2 below the mean | 3 on the mean
#   4 above the mean | 5 in the upper near-limit band | 6 above the upper limit
_BELOW_LIMIT, _LOW_BAND, _ON_MEAN, _HIGH_BAND, _ABOVE_LIMIT = 0, 1, 3, 5, 6
# zone → side of the mean: 0 below, 1 on, 2 above
_SIDE_OF_ZONE = bytes.maketrans(bytes(range(7)), bytes((0, 0, 0, 1, 2, 2, 2)))
_OUTSIDE_RE = re.compile(rb"\x00+|\x06+")
_BAND_RE = {_HIGH_BAND: re.compile(rb"\x05"), _LOW_BAND: re.compile(rb"\x01")}
_RUN_RE = {n: re.compile(rb"\x00{%d,}|\x02{%d,}" % (n, n)) for n in RUN_LENGTHS}
_RISING_RE = {n: re.compile(rb"\x01{%d,}" % (n - 1)) for n in RUN_LENGTHS}
_NOT_RISING_RE = {n: re.compile(rb"\x00{%d,}" % (n - 1)) for n in RUN_LENGTHS}
_RUN_BYTES = {n: (b"\x00" * n, b"\x02" * n) for n in RUN_LENGTHS}
_STEP_BYTES = {n: (b"\x01" * (n - 1), b"\x00" * (n - 1)) for n in RUN_LENGTHS}

_INF = math.inf
_isfinite = math.isfinite
_nextafter = math.nextafter


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


@dataclass(frozen=True, slots=True)
class Phase:
    """Readings ``start`` to ``end - 1`` share one set of limits, computed from the first
    ``baseline_count`` of them."""

    start: int
    end: int
    baseline_count: int
    mean: float
    mean_moving_range: float
    trial: bool
    screened_out: int = 0  # moving ranges dropped by screening

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_FACTOR * self.mean_moving_range

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_FACTOR * self.mean_moving_range

    @property
    def near_lower(self) -> float:
        return self.mean - NEAR_FACTOR * self.mean_moving_range

    @property
    def near_upper(self) -> float:
        return self.mean + NEAR_FACTOR * self.mean_moving_range

    @property
    def collapsed(self) -> bool:
        """All baseline readings are equal: the limits sit on the mean."""
        return self.mean_moving_range == 0

    def __len__(self) -> int:
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

    def __len__(self) -> int:  # type: ignore[override]
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
        return self.rules[0]


@dataclass(frozen=True)
class Analysis:
    """The result of ``analyse()``: readings in date order, phases and special-cause spans.

    ``spans`` are ordered by phase, then rule (outside, trend, two of three, run), then position, so
    the first span holding a reading is the one that describes it.
    """

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

    @property
    def latest_span(self) -> Span | None:
        """The span that describes the latest reading, or None when it is common cause."""
        n = len(self.values)
        for span in self.spans:
            if span.end == n:
                return span
        return None

    @property
    def variation(self) -> Variation | None:
        """Variation icon for the latest reading; None when there is no chart."""
        if len(self.values) < MIN_POINTS:
            return None
        span = self.latest_span
        if span is None:
            return Variation.COMMON_CAUSE
        return _VARIATION[span.kind, span.side]

    @property
    def assurance(self) -> Assurance | None:
        """Assurance icon from the latest phase's limits; None without a target or direction."""
        return _assurance(self.target, self.direction, self.phases)

    def phase_of(self, index: int) -> Phase:
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


_RULE_ORDER = list(Rule)


@dataclass(frozen=True, slots=True)
class Summary:
    """What the risk engine needs from a chart."""

    variation: Variation | None
    assurance: Assurance | None
    latest_is_concern: bool


def summarise(analysis: Analysis) -> Summary:
    span = analysis.latest_span
    return Summary(
        variation=analysis.variation,
        assurance=analysis.assurance,
        latest_is_concern=span is not None and span.kind is Kind.CONCERN,
    )


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
    if direction == HIGHER:
        direction = HIGHER
    elif direction == LOWER:
        direction = LOWER
    elif direction == NEITHER:
        direction = NEITHER
    else:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if target is not None:
        target = _target(target)
    if run_length not in RUN_LENGTHS:
        raise ValueError(f"run_length must be 6 or 7, not {run_length!r}")
    if type(baseline) is not int or baseline < MIN_POINTS:
        raise ValueError(f"baseline must be a whole number of at least {MIN_POINTS}")

    # Fast path: a list of (date, float) pairs in date order. Anything else goes through
    # _clean(), which sorts, converts or explains what is wrong.
    if type(rows) is not list and type(rows) is not tuple:
        rows = _as_list(rows)
    try:
        dates, values = zip(*rows, strict=True)
        total = sum(values)
        ok = (
            type(total) is float
            and _isfinite(total)
            and type(dates[0]) is date
            and all(map(lt, dates, dates[1:]))
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        dates, values = _clean(rows)
    n = len(values)
    if n < MIN_POINTS:
        return Analysis(dates, values, direction, target, run_length, (), ())

    ignored = ()
    if rebase_dates:
        starts, ignored = _phase_starts(dates, rebase_dates)
    else:
        starts = (0,)

    kinds = _KIND[direction]
    high_kind = kinds[Side.HIGH]
    low_kind = kinds[Side.LOW]
    # rises[i] is 1 when reading i + 1 is higher than reading i
    rises = bytes(map(gt, values[1:], values))
    rising_bytes, not_rising_bytes = _STEP_BYTES[run_length]
    run_low_bytes, run_high_bytes = _RUN_BYTES[run_length]

    phases = []
    spans = []
    ends = (*starts[1:], n)
    for start, end in zip(starts, ends, strict=True):
        count = end - start
        k = baseline if baseline < count else count
        base = values[start : start + k]
        mean = sum(base) / k
        moving_ranges = list(map(abs, map(sub, base[1:], base)))
        mean_mr = sum(moving_ranges) / (k - 1)
        screened = 0
        if screen_moving_ranges and mean_mr > 0:
            cutoff = SCREEN_FACTOR * mean_mr
            kept = [r for r in moving_ranges if r < cutoff]
            screened = len(moving_ranges) - len(kept)
            if screened:
                mean_mr = sum(kept) / len(kept)
        if not _isfinite(mean_mr * LIMIT_FACTOR):
            raise SeriesError(
                [Problem(-1, "series", "The readings are too large to draw a chart from.")]
            )
        phases.append(Phase(start, end, k, mean, mean_mr, k < baseline, screened))

        width = LIMIT_FACTOR * mean_mr
        near = NEAR_FACTOR * mean_mr
        # bisect_right counts thresholds <= v; nudging the upper ones up by one float makes
        # "above" strict on both sides and gives a zone of its own to a reading on the mean.
        thresholds = (
            mean - width,
            mean - near,
            mean,
            _nextafter(mean, _INF),
            _nextafter(mean + near, _INF),
            _nextafter(mean + width, _INF),
        )
        segment = values if count == n else values[start:end]
        zones = bytes(map(bisect_right, repeat(thresholds), segment))

        # outside the limits
        if _BELOW_LIMIT in zones or _ABOVE_LIMIT in zones:
            for match in _OUTSIDE_RE.finditer(zones):
                if zones[match.start()] == _ABOVE_LIMIT:
                    side, kind = Side.HIGH, high_kind
                else:
                    side, kind = Side.LOW, low_kind
                spans.append(
                    Span(Rule.OUTSIDE, side, start + match.start(), start + match.end(), kind)
                )

        # trend: run_length readings each strictly above (below) the one before
        if rising_bytes in rises:
            for match in _RISING_RE[run_length].finditer(rises, start, end - 1):
                spans.append(Span(Rule.TREND, Side.HIGH, match.start(), match.end() + 1, high_kind))
        if not_rising_bytes in rises:
            # "not rising" includes equal neighbours, which break a falling trend
            for match in _NOT_RISING_RE[run_length].finditer(rises, start, end - 1):
                _falling_spans(values, match.start(), match.end(), run_length, low_kind, spans)

        # two of three beyond the near-limit band, all three on one side of the mean
        sides = zones.translate(_SIDE_OF_ZONE)
        if zones.count(_HIGH_BAND) > 1:
            _two_of_three(zones, sides, _HIGH_BAND, 2, start, Side.HIGH, high_kind, spans)
        if zones.count(_LOW_BAND) > 1:
            _two_of_three(zones, sides, _LOW_BAND, 0, start, Side.LOW, low_kind, spans)

        # run on one side of the mean
        if run_low_bytes in sides or run_high_bytes in sides:
            for match in _RUN_RE[run_length].finditer(sides):
                if sides[match.start()]:
                    side, kind = Side.HIGH, high_kind
                else:
                    side, kind = Side.LOW, low_kind
                spans.append(Span(Rule.RUN, side, start + match.start(), start + match.end(), kind))

    return Analysis(
        dates, values, direction, target, run_length, tuple(phases), tuple(spans), ignored
    )


def _falling_spans(values, first: int, last: int, run_length: int, kind: Kind, spans: list):
    """Readings first..last never rise; split them where neighbours are equal."""
    run_start = first
    for i in range(first, last):
        if values[i + 1] == values[i]:
            if i - run_start >= run_length - 1:
                spans.append(Span(Rule.TREND, Side.LOW, run_start, i + 1, kind))
            run_start = i + 1
    if last - run_start >= run_length - 1:
        spans.append(Span(Rule.TREND, Side.LOW, run_start, last + 1, kind))


def _two_of_three(zones, sides, band, side_code, offset, side, kind, spans):
    """Tag readings in ``band`` that share a window of three, all on ``side_code`` of the mean."""
    positions = [m.start() for m in _BAND_RE[band].finditer(zones)]
    last = len(zones) - 1
    tagged = set()
    for a, b in pairwise(positions):
        gap = b - a
        if gap == 2:
            ok = sides[a + 1] == side_code
        elif gap == 1:
            ok = (a > 0 and sides[a - 1] == side_code) or (b < last and sides[b + 1] == side_code)
        else:
            ok = False
        if ok:
            tagged.add(a)
            tagged.add(b)
    run_start = None
    for i in sorted(tagged):
        if run_start is None:
            run_start = previous = i
        elif i == previous + 1:
            previous = i
        else:
            spans.append(
                Span(Rule.TWO_OF_THREE, side, offset + run_start, offset + previous + 1, kind)
            )
            run_start = previous = i
    if run_start is not None:
        spans.append(Span(Rule.TWO_OF_THREE, side, offset + run_start, offset + previous + 1, kind))


def _phase_starts(dates, rebase_dates) -> tuple[tuple[int, ...], tuple[date, ...]]:
    """Index of the first reading of each phase; rebases that would leave a phase with fewer than
    MIN_POINTS readings are ignored (and reported) rather than drawn as a chart with no limits."""
    n = len(dates)
    starts = [0]
    ignored = []
    for when in sorted({_as_date(d) for d in rebase_dates}):
        index = bisect_left(dates, when)
        if index == 0:
            continue  # before the first reading: nothing to split
        if index - starts[-1] >= MIN_POINTS and n - index >= MIN_POINTS:
            starts.append(index)
        else:
            ignored.append(when)
    return tuple(starts), tuple(ignored)


def _as_date(value) -> date:
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


def _assurance(target, direction, phases) -> Assurance | None:
    if target is None or direction == NEITHER or not phases:
        return None
    phase = phases[-1]
    lower, upper = phase.lower, phase.upper
    if lower <= target <= upper:
        return Assurance.HIT_AND_MISS
    target_below = target < lower
    if direction == HIGHER:
        return Assurance.PASS if target_below else Assurance.FAIL
    return Assurance.FAIL if target_below else Assurance.PASS


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
    """A float for int, float, Decimal and Fraction values; None for anything else (bool too)."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError):
        return math.inf


def validate_series(rows) -> list[Problem]:
    """Everything wrong with ``rows`` of (date, value), by position (0-based); [] when fine.

    Dates must be ``date`` objects (a ``datetime`` counts as its date) and unique; values must be
    finite numbers (int, float, Decimal or Fraction; not text, not bool). Order does not matter.
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
    """65.0 → "65%", 1234.5 → "1,235 days", 0.1234 → "0.123"."""
    magnitude = abs(value)
    if value == int(value) or magnitude >= 1000:
        text = f"{value:,.0f}"
    elif magnitude >= 100:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
        if "e" in text:
            text = f"{value:.2e}"
    if not unit:
        return text
    if unit == "%":
        return text + "%"
    if unit in ("£", "$", "€"):
        return ("-" + unit + text[1:]) if text.startswith("-") else unit + text
    return f"{text} {unit}"


def _month(when: date) -> str:
    return f"{MONTHS[when.month]} {when.year}"


def _day(when: date) -> str:
    return f"{when.day} {MONTHS[when.month]} {when.year}"


_LIMIT_WORD = {Side.HIGH: "upper", Side.LOW: "lower"}
_MEAN_WORD = {Side.HIGH: "above", Side.LOW: "below"}
_TREND_WORD = {Side.HIGH: "rising", Side.LOW: "falling"}


def describe(span: Span) -> str:
    """What one special-cause span says, as a sentence fragment starting with a capital."""
    if span.rule is Rule.OUTSIDE:
        return f"{_MEAN_WORD[span.side].capitalize()} the {_LIMIT_WORD[span.side]} process limit"
    if span.rule is Rule.TREND:
        return f"Part of {len(span)} readings in a row {_TREND_WORD[span.side]}"
    if span.rule is Rule.TWO_OF_THREE:
        return f"2 of 3 readings close to the {_LIMIT_WORD[span.side]} process limit"
    return f"Part of {len(span)} readings in a row {_MEAN_WORD[span.side]} the average"


def verdict(analysis: Analysis, *, unit: str = "") -> str:
    """One line for people: what the latest reading says, then what it means for the target.

    "Special cause concern: 7 readings in a row below the average since June 2024. At this rate
    the target of 65% will consistently be missed."
    """
    n = len(analysis.values)
    if n < MIN_POINTS:
        return analysis.reason
    phase = analysis.phases[-1]
    span = analysis.latest_span
    latest = analysis.values[-1]
    if span is None:
        text = (
            f"Common cause variation: the latest reading, {format_value(latest, unit)}, is within "
            f"the process limits of {format_value(phase.lower, unit)} to "
            f"{format_value(phase.upper, unit)}."
        )
    else:
        headline = KIND_HEADLINE[span.kind]
        side = span.side
        rule = span.rule
        if rule is Rule.OUTSIDE:
            limit = phase.upper if side is Side.HIGH else phase.lower
            text = (
                f"{headline}: the latest reading, {format_value(latest, unit)}, is "
                f"{_MEAN_WORD[side]} the {_LIMIT_WORD[side]} process limit of "
                f"{format_value(limit, unit)}."
            )
        elif rule is Rule.TWO_OF_THREE:
            text = (
                f"{headline}: 2 of the last 3 readings are close to the {_LIMIT_WORD[side]} "
                "process limit."
            )
        else:
            what = _TREND_WORD[side] if rule is Rule.TREND else f"{_MEAN_WORD[side]} the average"
            text = (
                f"{headline}: {span.end - span.start} readings in a row {what} since "
                f"{_month(analysis.dates[span.start])}."
            )
    if phase.collapsed:
        text += " All baseline readings are the same, so the limits sit on the mean."
    elif phase.trial:
        text += f" Trial limits from {phase.baseline_count} readings."
    assurance = analysis.assurance
    if assurance is not None:
        target = format_value(analysis.target, unit)
        if assurance is Assurance.PASS:
            text += f" At this rate the target of {target} will consistently be met."
        elif assurance is Assurance.FAIL:
            text += f" At this rate the target of {target} will consistently be missed."
        else:
            text += (
                f" At this rate the target of {target} will sometimes be met and sometimes missed."
            )
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
