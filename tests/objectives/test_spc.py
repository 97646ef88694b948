"""SPC rules (objectives/spc.py): limits, the four special-cause rules, icons, verdicts, bad input.

Most series start from BASE, twelve readings that alternate 12, 10:
    mean = (12 + 10) × 6 / 12 = 11
    moving ranges: eleven of |10 − 12| = 2, so mean mR = 22 / 11 = 2
    process limits = 11 ± 2.66 × 2 = 11 ± 5.32 → 5.68 and 16.32
    near-limit band from 11 ± 1.773 × 2 = 11 ± 3.546 → beyond 7.454 and 14.546
BASE never triggers a rule: it alternates sides and directions and stays inside 7.454 … 14.546.
Readings added after it do not move the limits (the baseline is the first 12). BASE ends on 10,
below the mean, after a fall from 12; many series add 11, exactly on the mean, to break a run.
"""

import dataclasses
import datetime as dt
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objectives import spc
from objectives.spc import Assurance, Kind, Rule, SeriesError, Side, Span, Variation

BASE = [12.0, 10.0] * 6
MEAN = 11.0
UPPER = 11.0 + 2.66 * 2.0  # 16.32, computed the way spc computes it
LOWER = 11.0 - 2.66 * 2.0  # 5.68
NEAR_UPPER = 11.0 + 1.773 * 2.0  # 14.546
NEAR_LOWER = 11.0 - 1.773 * 2.0  # 7.454
START = dt.date(2023, 5, 1)  # reading 13 (index 13) falls in June 2024
ROOT = Path(__file__).resolve().parents[2]


def month(index: int, start: dt.date = START) -> dt.date:
    year, month0 = divmod(start.month - 1 + index, 12)
    return dt.date(start.year + year, month0 + 1, 1)


def series(values, start: dt.date = START):
    return [(month(i, start), value) for i, value in enumerate(values)]


def analyse(values, **options):
    return spc.analyse(series(values), **options)


def spans_of(analysis, rule=None):
    return [
        (span.rule, span.side, span.start, span.end)
        for span in analysis.spans
        if rule is None or span.rule == rule
    ]


# --- limits ------------------------------------------------------------------------------------


def test_limits_come_from_the_mean_and_mean_moving_range_of_the_first_12_readings():
    # the 13th reading (40) is far outside, but the baseline is only the first 12
    analysis = analyse([*BASE, 40.0])

    (phase,) = analysis.phases
    assert (phase.start, phase.end, phase.baseline_count, phase.trial) == (0, 13, 12, False)
    assert phase.mean == 11.0
    assert phase.mean_moving_range == 2.0
    assert phase.lower == pytest.approx(5.68)
    assert phase.upper == pytest.approx(16.32)
    assert phase.near_lower == pytest.approx(7.454)
    assert phase.near_upper == pytest.approx(14.546)


def test_baseline_length_can_be_changed():
    # first 4 readings: 12, 10, 12, 10 → mean 11, mR 2, 2, 2 → mean mR 2
    analysis = analyse([12.0, 10.0, 12.0, 10.0, 30.0, 31.0], baseline=4)

    (phase,) = analysis.phases
    assert (phase.baseline_count, phase.trial, phase.mean, phase.mean_moving_range) == (
        4,
        False,
        11.0,
        2.0,
    )


def test_fewer_than_12_readings_give_trial_limits_and_say_so():
    # 12, 10, 12, 10, 12: mean 56 / 5 = 11.2, mean mR 8 / 4 = 2
    analysis = analyse([12.0, 10.0, 12.0, 10.0, 12.0])

    (phase,) = analysis.phases
    assert (phase.baseline_count, phase.trial) == (5, True)
    assert phase.mean == pytest.approx(11.2)
    assert phase.mean_moving_range == 2.0
    assert analysis.notes == ("The limits are trial limits from 5 readings.",)
    assert spc.verdict(analysis) == (
        "Common cause variation: the latest reading is within the process limits of 5.88 to "
        "16.5. Trial limits from 5 readings."
    )


def test_screening_drops_moving_ranges_of_3_267_times_their_mean_or_more():
    # 10, 11, 10, 11, 10, 11, 10, 30, 10, 11, 10, 11
    # moving ranges: nine of 1 and two of 20 → mean 49 / 11 = 4.4545…
    # cut-off 3.267 × 4.4545 = 14.55: both 20s go, leaving nine 1s → mean mR 1
    values = [10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 30.0, 10.0, 11.0, 10.0, 11.0]

    plain = analyse(values).phases[0]
    screened = analyse(values, screen_moving_ranges=True).phases[0]

    assert (plain.mean_moving_range, plain.screened_out) == (pytest.approx(49 / 11), 0)
    assert (screened.mean_moving_range, screened.screened_out) == (1.0, 2)
    assert screened.mean == pytest.approx(145 / 12)  # the mean itself is not screened
    assert analyse(values, screen_moving_ranges=True).notes == (
        "2 unusually large moving ranges were left out of the limits.",
    )


# --- rule (a): outside the process limits ------------------------------------------------------

OUTSIDE_CASES = [
    # added reading, expected spans (rule, side, start, end)
    pytest.param(16.33, [(Rule.OUTSIDE, Side.HIGH, 12, 13)], id="just above the upper limit"),
    pytest.param(UPPER, [], id="exactly on the upper limit is inside"),
    pytest.param(5.67, [(Rule.OUTSIDE, Side.LOW, 12, 13)], id="just below the lower limit"),
    pytest.param(LOWER, [], id="exactly on the lower limit is inside"),
]


@pytest.mark.parametrize(("added", "expected"), OUTSIDE_CASES)
def test_a_reading_beyond_a_process_limit_is_special_cause(added, expected):
    analysis = analyse([*BASE, added])

    assert spans_of(analysis, Rule.OUTSIDE) == expected


def test_neighbouring_readings_beyond_the_same_limit_make_one_span():
    analysis = analyse([*BASE, 17.0, 18.0, 12.0, 4.0])

    assert spans_of(analysis, Rule.OUTSIDE) == [
        (Rule.OUTSIDE, Side.HIGH, 12, 14),
        (Rule.OUTSIDE, Side.LOW, 15, 16),
    ]


# --- rule (b): a run on one side of the mean ---------------------------------------------------

RUN_CASES = [
    # after BASE and 11 (on the mean), readings alternate so there is no trend, and stay inside
    # the near-limit band so there is no two-of-three: only the run rule can fire
    pytest.param([12, 13, 12, 13, 12, 13, 12], 7, [(Side.HIGH, 13, 20)], id="7 above"),
    pytest.param([12, 13, 12, 13, 12, 13], 7, [], id="6 above is not enough"),
    pytest.param([12, 13, 12, 13, 12, 13], 6, [(Side.HIGH, 13, 19)], id="6 above with N = 6"),
    pytest.param([10, 9, 10, 9, 10, 9, 10], 7, [(Side.LOW, 13, 20)], id="7 below"),
    pytest.param([12, 13, 12, 11, 13, 12, 13], 7, [], id="one on the mean breaks it"),
    pytest.param([12, 13, 12, 10, 13, 12, 13], 7, [], id="one below breaks it"),
    pytest.param(
        [12, 13, 12, 13, 12, 13, 12, 13, 12], 7, [(Side.HIGH, 13, 22)], id="9 above is one run"
    ),
]


@pytest.mark.parametrize(("added", "run_length", "expected"), RUN_CASES)
def test_a_run_of_n_on_one_side_of_the_mean_is_special_cause(added, run_length, expected):
    analysis = analyse([*BASE, 11.0, *map(float, added)], run_length=run_length)

    assert spans_of(analysis) == [(Rule.RUN, side, start, end) for side, start, end in expected]


def test_the_run_length_must_be_6_or_7():
    with pytest.raises(ValueError, match="run_length must be 6 or 7, not 5"):
        analyse(BASE, run_length=5)


# --- rule (c): a trend -------------------------------------------------------------------------

TREND_CASES = [
    # BASE ends …, 12, 10: the 10 (index 11) starts any rise that follows
    pytest.param(
        BASE, [10.5, 11, 11.5, 12, 12.5, 13], 7, [(Side.HIGH, 11, 18)], id="7 rising, crossing"
    ),
    pytest.param(BASE, [10.5, 11, 11.5, 12, 12.5], 7, [], id="6 rising is not enough"),
    pytest.param(
        BASE, [10.5, 11, 11.5, 12, 12.5], 6, [(Side.HIGH, 11, 17)], id="6 rising with N = 6"
    ),
    pytest.param(BASE, [10.5, 11, 11, 11.5, 12, 12.5], 7, [], id="equal neighbours break it"),
    # [10, 12] × 6 ends on 12 after a rise: the 12 (index 11) starts any fall that follows
    pytest.param(
        [10.0, 12.0] * 6,
        [11.5, 11, 10.5, 10, 9.5, 9],
        7,
        [(Side.LOW, 11, 18)],
        id="7 falling",
    ),
    pytest.param([10.0, 12.0] * 6, [11.5, 11, 11, 10.5, 10, 9.5], 7, [], id="equal breaks a fall"),
]


@pytest.mark.parametrize(("base", "added", "run_length", "expected"), TREND_CASES)
def test_a_trend_of_n_each_strictly_beyond_the_last_is_special_cause(
    base, added, run_length, expected
):
    analysis = analyse([*base, *map(float, added)], run_length=run_length)

    assert spans_of(analysis, Rule.TREND) == [
        (Rule.TREND, side, start, end) for side, start, end in expected
    ]


# --- rule (d): two of three close to a limit ---------------------------------------------------

TWO_OF_THREE_CASES = [
    # BASE ends on 10 (index 11, below the mean); the added readings start at index 12
    pytest.param([15, 12, 15], [(Side.HIGH, 12, 13), (Side.HIGH, 14, 15)], id="15, 12, 15"),
    pytest.param([15, 12, 14.5], [], id="14.5 is not beyond 14.546"),
    pytest.param([15, 10, 15], [], id="the middle one is below the mean"),
    pytest.param([15, 15, 12], [(Side.HIGH, 12, 14)], id="two in a row then one above the mean"),
    pytest.param([15, 15], [], id="two in a row after one below the mean"),
    pytest.param([16.5, 15, 12], [], id="beyond the limit counts as outside, not here"),
    pytest.param([7, 10, 7], [(Side.LOW, 12, 13), (Side.LOW, 14, 15)], id="low side: 7, 10, 7"),
    pytest.param([NEAR_UPPER, 12, 15], [], id="exactly on the band's edge is not beyond it"),
]


@pytest.mark.parametrize(("added", "expected"), TWO_OF_THREE_CASES)
def test_two_of_three_beyond_the_near_limit_band_on_one_side_are_special_cause(added, expected):
    analysis = analyse([*BASE, *map(float, added)])

    assert spans_of(analysis, Rule.TWO_OF_THREE) == [
        (Rule.TWO_OF_THREE, side, start, end) for side, start, end in expected
    ]


# --- several rules at once ---------------------------------------------------------------------


def test_each_reading_is_tagged_with_every_rule_and_described_by_the_first():
    # index: 0-11 BASE (ends 12, 10), 12: 11 (on the mean), 13-19: 12, 13, 14, 15, 16, 17, 18
    # trend: 10, 11, 12 … 18 rise strictly from index 11 to 19 (9 readings)
    # run: 12 … 18 are the 7 readings above the mean (11 at index 12 is on it)
    # two of three: 15 and 16 are in the band (14.546 < x ≤ 16.32); windows 14, 15, 16 and
    #   15, 16, 17 both qualify; 17 and 18 are beyond the limit so count only as outside
    # outside: 17 and 18 are above 16.32
    analysis = analyse([*BASE, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0], direction="higher")

    assert spans_of(analysis) == [
        (Rule.OUTSIDE, Side.HIGH, 18, 20),
        (Rule.TREND, Side.HIGH, 11, 20),
        (Rule.TWO_OF_THREE, Side.HIGH, 16, 18),
        (Rule.RUN, Side.HIGH, 13, 20),
    ]
    tagged = {signal.index: (signal.rules, signal.description) for signal in analysis.signals}
    rising = "Part of 9 readings in a row rising"
    assert tagged == {
        11: ((Rule.TREND,), rising),
        12: ((Rule.TREND,), rising),
        13: ((Rule.TREND, Rule.RUN), rising),
        14: ((Rule.TREND, Rule.RUN), rising),
        15: ((Rule.TREND, Rule.RUN), rising),
        16: ((Rule.TREND, Rule.TWO_OF_THREE, Rule.RUN), rising),
        17: ((Rule.TREND, Rule.TWO_OF_THREE, Rule.RUN), rising),
        18: ((Rule.OUTSIDE, Rule.TREND, Rule.RUN), "Above the upper process limit"),
        19: ((Rule.OUTSIDE, Rule.TREND, Rule.RUN), "Above the upper process limit"),
    }
    assert {signal.kind for signal in analysis.signals} == {Kind.IMPROVEMENT}
    assert analysis.latest == Span(Rule.OUTSIDE, Side.HIGH, 18, 20, Kind.IMPROVEMENT)
    assert analysis.variation == Variation.IMPROVEMENT_HIGH


# --- improvement, concern or neither -----------------------------------------------------------

KIND_CASES = [
    # added readings, direction, expected (kind of every signal), variation icon
    pytest.param([17.0], "higher", Kind.IMPROVEMENT, Variation.IMPROVEMENT_HIGH, id="high, higher"),
    pytest.param([17.0], "lower", Kind.CONCERN, Variation.CONCERN_HIGH, id="high, lower"),
    pytest.param([17.0], "neither", Kind.NEITHER, Variation.NEITHER_HIGH, id="high, neither"),
    pytest.param([5.0], "higher", Kind.CONCERN, Variation.CONCERN_LOW, id="low, higher"),
    pytest.param([5.0], "lower", Kind.IMPROVEMENT, Variation.IMPROVEMENT_LOW, id="low, lower"),
    pytest.param([5.0], "neither", Kind.NEITHER, Variation.NEITHER_LOW, id="low, neither"),
    pytest.param(
        [10.5, 11, 11.5, 12, 12.5, 13], "higher", Kind.IMPROVEMENT, Variation.IMPROVEMENT_HIGH,
        id="trend up, higher",
    ),
    pytest.param(
        [10.5, 11, 11.5, 12, 12.5, 13], "lower", Kind.CONCERN, Variation.CONCERN_HIGH,
        id="trend up, lower",
    ),
    pytest.param(
        [11, 10, 9, 10, 9, 10, 9, 10], "higher", Kind.CONCERN, Variation.CONCERN_LOW,
        id="run below, higher",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("added", "direction", "kind", "variation"), KIND_CASES)
def test_special_cause_is_improvement_or_concern_by_the_measure_direction(
    added, direction, kind, variation
):
    analysis = analyse([*BASE, *map(float, added)], direction=direction)

    assert {signal.kind for signal in analysis.signals} == {kind}
    assert analysis.variation == variation
    assert spc.summarise(analysis).latest_is_concern == (kind == Kind.CONCERN)


def test_the_latest_reading_inside_the_limits_is_common_cause_even_after_a_signal():
    analysis = analyse([*BASE, 17.0, 12.0], direction="higher")

    assert spans_of(analysis) == [(Rule.OUTSIDE, Side.HIGH, 12, 13)]
    assert analysis.latest is None
    assert analysis.variation == Variation.COMMON_CAUSE
    assert spc.summarise(analysis) == spc.Summary(Variation.COMMON_CAUSE, None, False)


def test_a_direction_can_be_a_django_choices_member_or_its_value():
    class Direction(str):  # stands in for objectives.models.Direction: a str subclass
        pass

    analysis = analyse([*BASE, 17.0], direction=Direction("lower"))

    assert (analysis.direction, analysis.variation) == ("lower", Variation.CONCERN_HIGH)
    with pytest.raises(ValueError, match="direction must be one of higher, lower, neither"):
        analyse(BASE, direction="up")


@pytest.mark.parametrize("icon", [*Variation, *Assurance])
def test_every_icon_carries_text(icon):
    assert icon.label == {**spc.VARIATION_LABEL, **spc.ASSURANCE_LABEL}[icon]
    assert len(icon.label) > 10


# --- assurance ---------------------------------------------------------------------------------

ASSURANCE_CASES = [
    # limits are 5.68 and 16.32
    pytest.param("higher", 5.0, Assurance.PASS, id="higher, target below the limits"),
    pytest.param("higher", 17.0, Assurance.FAIL, id="higher, target above the limits"),
    pytest.param("higher", 11.0, Assurance.HIT_AND_MISS, id="higher, target between"),
    pytest.param("higher", UPPER, Assurance.HIT_AND_MISS, id="higher, target on the upper limit"),
    pytest.param("lower", 17.0, Assurance.PASS, id="lower, target above the limits"),
    pytest.param("lower", 5.0, Assurance.FAIL, id="lower, target below the limits"),
    pytest.param("lower", 11.0, Assurance.HIT_AND_MISS, id="lower, target between"),
    pytest.param("lower", LOWER, Assurance.HIT_AND_MISS, id="lower, target on the lower limit"),
    pytest.param("neither", 5.0, None, id="neither: no assurance"),
    pytest.param("higher", None, None, id="no target: no assurance"),
]


@pytest.mark.parametrize(("direction", "target", "expected"), ASSURANCE_CASES)
def test_assurance_compares_the_target_with_the_process_limits(direction, target, expected):
    analysis = analyse(BASE, direction=direction, target=target)

    assert analysis.assurance == expected
    assert spc.summarise(analysis).assurance == expected


def test_assurance_uses_the_limits_of_the_latest_phase():
    # phase 2 (from index 12) alternates 22, 20: mean 21, mR 2 → limits 15.68 and 26.32
    values = [*BASE, *[22.0, 20.0] * 6]

    analysis = analyse(values, direction="higher", target=14.0, rebase_dates=[month(12)])

    assert analysis.phases[-1].mean == 21.0
    assert analysis.assurance == Assurance.PASS


# --- rebasing ----------------------------------------------------------------------------------


def test_a_rebase_starts_a_phase_with_its_own_limits():
    values = [*BASE, *[22.0, 20.0] * 6]

    before = analyse(values)
    after = analyse(values, rebase_dates=[month(12)])

    # one set of limits: every one of the last 12 readings (20 or 22) is above 16.32
    assert spans_of(before, Rule.OUTSIDE) == [(Rule.OUTSIDE, Side.HIGH, 12, 24)]
    # two phases, each mean 11 or 21 with mean mR 2: nothing special
    assert [(p.start, p.end, p.mean, p.mean_moving_range) for p in after.phases] == [
        (0, 12, 11.0, 2.0),
        (12, 24, 21.0, 2.0),
    ]
    assert after.spans == ()
    assert after.variation == Variation.COMMON_CAUSE


def test_rules_do_not_run_across_a_rebase():
    # 12, 10 × 4, then 10.5, 11, 11.5 | rebase | 12, 12.5, 13, 13.5: one trend of 8 from index 7
    # without the rebase; with it, rising runs of 4 (indices 7-10) and 4 (11-14).
    # Phase 1 (11 readings): mean 121 / 11 = 11, mean mR (7 × 2 + 3 × 0.5) / 10 = 1.55
    # Phase 2 (4 readings): mean 12.75, mean mR 0.5: limits 11.42 to 14.08, nothing beyond
    values = [*[12.0, 10.0] * 4, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0, 13.5]

    assert spans_of(analyse(values)) == [(Rule.TREND, Side.HIGH, 7, 15)]
    rebased = analyse(values, rebase_dates=[month(11).isoformat()])
    assert [(p.start, p.end, p.trial) for p in rebased.phases] == [(0, 11, True), (11, 15, True)]
    assert rebased.phases[0].mean_moving_range == pytest.approx(1.55)
    assert rebased.spans == ()


REBASE_CASES = [
    # rebase date, phase starts, ignored
    pytest.param(month(0), [0], [], id="on the first reading: nothing to split"),
    pytest.param(month(-3), [0], [], id="before the first reading"),
    pytest.param(month(1), [0], [month(1)], id="would leave 1 reading before"),
    pytest.param(month(12), [0], [month(12)], id="would leave 1 reading after"),
    pytest.param(month(13), [0], [month(13)], id="after the last reading"),
    pytest.param(dt.date(2024, 1, 15), [0, 9], [], id="between readings: from the next one"),
]


@pytest.mark.parametrize(("rebase", "starts", "ignored"), REBASE_CASES)
def test_a_rebase_needs_2_readings_each_side(rebase, starts, ignored):
    analysis = analyse([*BASE, 11.0], rebase_dates=[rebase])

    assert [phase.start for phase in analysis.phases] == starts
    assert list(analysis.ignored_rebase_dates) == ignored


def test_an_ignored_rebase_is_explained_in_the_notes():
    analysis = analyse([*BASE, 11.0], rebase_dates=[month(12)])

    assert analysis.notes == (
        "The rebase from 1 May 2024 is not applied: each phase needs at least 2 readings.",
    )


def test_a_bad_rebase_date_is_a_clear_error():
    with pytest.raises(ValueError, match="rebase dates must be dates like 2024-06-01, not 'soon'"):
        analyse(BASE, rebase_dates=["soon"])


# --- verdicts ----------------------------------------------------------------------------------

VERDICT_CASES = [
    pytest.param(
        [*BASE, 11.0, 10.0, 9.0, 10.0, 9.0, 10.0, 9.0, 10.0],
        {"direction": "higher", "target": 17.0},
        "%",
        "Special cause concern: 7 readings in a row below the average since June 2024. "
        "At this rate the target of 17% will consistently be missed.",
        id="run below, target missed",
    ),
    pytest.param(
        BASE,
        {"direction": "higher", "target": 11.0},
        "%",
        "Common cause variation: the latest reading is within the process limits of 5.68% to "
        "16.3%. At this rate the target of 11% will sometimes be met and sometimes missed.",
        id="common cause, hit and miss",
    ),
    pytest.param(
        [*BASE, 17.0],
        {"direction": "lower", "target": 4.0},
        "days",
        "Special cause concern: the latest reading, 17 days, is above the upper process limit of "
        "16.3 days. At this rate the target of 4 days will consistently be missed.",
        id="outside, lower is better",
    ),
    pytest.param(
        [*BASE, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0],
        {"direction": "higher", "target": 5.0},
        "",
        "Special cause improvement: 7 readings in a row rising since April 2024. "
        "At this rate the target of 5 will consistently be met.",
        id="trend, target met",
    ),
    pytest.param(
        [*BASE, 7.0, 10.0, 7.0],
        {"direction": "neither"},
        "£",
        "Special cause variation: 2 of the last 3 readings are close to the lower process limit.",
        id="two of three, neither",
    ),
    pytest.param(
        [5.0] * 6,
        {"direction": "higher", "target": 5.0},
        "",
        "Common cause variation: every baseline reading is 5, so the process limits sit on the "
        "mean. At this rate the target of 5 will sometimes be met and sometimes missed.",
        id="all the same",
    ),
    pytest.param(
        [5.0] * 6 + [6.0],
        {"direction": "higher", "baseline": 6},
        "",
        "Special cause improvement: the latest reading, 6, is above the upper process limit of 5. "
        "All baseline readings are the same, so the limits sit on the mean.",
        id="all the same, then a change",
    ),
    pytest.param([5.0], {}, "", "1 more reading is needed before a chart can be drawn.", id="one"),
    pytest.param([], {}, "", "2 more readings are needed before a chart can be drawn.", id="none"),
]


@pytest.mark.parametrize(("values", "options", "unit", "expected"), VERDICT_CASES)
def test_the_verdict_is_one_plain_english_line(values, options, unit, expected):
    assert spc.verdict(analyse(values, **options), unit=unit) == expected


@pytest.mark.parametrize(
    ("low", "high", "unit", "expected"),
    [
        (45.5, 58.12, "%", "45.5% to 58.1%"),
        (3.5, 7.0, "days", "3.5 to 7 days"),
        (-5.0, 1234.5, "£", "-£5 to £1,234"),
        (0.5, 2.0, "", "0.5 to 2"),
    ],
)
def test_ranges_are_shown_with_the_unit_once_or_on_both_ends(low, high, unit, expected):
    assert spc.format_range(low, high, unit) == expected


FORMAT_CASES = [
    (65.0, "%", "65%"),
    (61.234, "%", "61.2%"),
    (1234.5, "days", "1,234 days"),
    (999.6, "", "1,000"),
    (0.1234, "", "0.123"),
    (-5.5, "£", "-£5.5"),
    (12.0, "per 1,000", "12 per 1,000"),
]


@pytest.mark.parametrize(("value", "unit", "expected"), FORMAT_CASES)
def test_values_are_shown_to_3_significant_figures_with_their_unit(value, unit, expected):
    assert spc.format_value(value, unit) == expected


# --- too few readings and bad input ------------------------------------------------------------


@pytest.mark.parametrize(("values", "reason"), [([], "2 more readings"), ([4.0], "1 more reading")])
def test_fewer_than_2_readings_give_no_chart_and_say_how_many_more(values, reason):
    analysis = analyse(values, direction="higher", target=3.0)

    assert (analysis.has_chart, analysis.phases, analysis.variation) == (False, (), None)
    assert analysis.assurance is None
    assert analysis.reason.startswith(reason)
    assert spc.summarise(analysis) == spc.Summary(None, None, False)


def test_all_identical_readings_collapse_the_limits_onto_the_mean():
    analysis = analyse([7.0] * 12)

    (phase,) = analysis.phases
    assert (phase.mean, phase.mean_moving_range, phase.lower, phase.upper) == (7.0, 0, 7.0, 7.0)
    assert phase.collapsed
    assert analysis.spans == ()
    assert analysis.notes == (
        "All baseline readings are the same, so the moving ranges are 0 and the process limits "
        "sit on the mean.",
    )


def test_after_collapsed_limits_any_other_reading_is_outside():
    analysis = analyse([7.0] * 12 + [7.0, 7.5, 6.5])

    assert spans_of(analysis, Rule.OUTSIDE) == [
        (Rule.OUTSIDE, Side.HIGH, 13, 14),
        (Rule.OUTSIDE, Side.LOW, 14, 15),
    ]


BAD_ROWS = [
    pytest.param(
        [(month(0), 1.0), (month(1), "abc")],
        [(1, "value", "Row 2 (1 June 2023): 'abc' is not a number.")],
        id="text",
    ),
    pytest.param(
        [(month(0), None), (month(1), 1.0)],
        [(0, "value", "Row 1 (1 May 2023): None is not a number.")],
        id="None",
    ),
    pytest.param(
        [(month(0), 1.0), (month(1), float("nan"))],
        [(1, "value", "Row 2 (1 June 2023): the value is not a number (NaN).")],
        id="NaN",
    ),
    pytest.param(
        [(month(0), float("-inf")), (month(1), 1.0)],
        [(0, "value", "Row 1 (1 May 2023): the value is infinite or too large.")],
        id="infinity",
    ),
    pytest.param(
        [(month(0), 1.0), (month(1), 2.0), (month(1), 3.0)],
        [(2, "date", "Row 3 (1 June 2023): that date is already used by row 2.")],
        id="duplicate date",
    ),
    pytest.param(
        [("yesterday", 1.0), (month(1), 2.0)],
        [(0, "date", "Row 1: 'yesterday' is not a date.")],
        id="not a date",
    ),
    pytest.param(
        [(month(0), 1.0), 5, (month(2), 1.0, "note")],
        [
            (1, "row", "Row 2 should be a (date, value) pair, not 5."),
            (2, "row", f"Row 3 should be a (date, value) pair, not {(month(2), 1.0, 'note')!r}."),
        ],
        id="not pairs",
    ),
]


@pytest.mark.parametrize(("rows", "problems"), BAD_ROWS)
def test_bad_readings_are_reported_by_position(rows, problems):
    found = spc.validate_series(rows)

    assert [(p.position, p.field, p.message) for p in found] == problems


@pytest.mark.parametrize(("rows", "problems"), BAD_ROWS)
def test_bad_readings_raise_a_series_error_naming_the_row(rows, problems):
    with pytest.raises(SeriesError) as raised:
        spc.analyse(rows)

    assert str(raised.value).startswith(problems[0][2])
    assert [(p.position, p.field, p.message) for p in raised.value.problems] == problems
    assert isinstance(raised.value, ValueError)


def test_a_series_error_counts_the_other_problems():
    rows = [(month(0), "a"), (month(1), "b"), (month(2), "c")]

    with pytest.raises(SeriesError, match=r"^Row 1 \(1 May 2023\): 'a' is not a number\. "):
        spc.analyse(rows)
    assert str(SeriesError(spc.validate_series(rows))).endswith("(and 2 more problems)")


def test_readings_that_are_not_a_list_are_a_series_error():
    with pytest.raises(SeriesError, match="Readings must be a list of"):
        spc.analyse(None)
    assert spc.validate_series(None)[0].position == -1


def test_readings_too_large_to_add_up_are_a_series_error():
    with pytest.raises(SeriesError, match="too large"):
        spc.analyse([(month(0), 1e308), (month(1), 1e308)])


def test_good_readings_validate_cleanly():
    assert spc.validate_series(series(BASE)) == []


def test_readings_are_sorted_and_converted():
    rows = [
        (dt.datetime(2024, 3, 1, 9, 30), Decimal("12")),
        (dt.date(2024, 1, 1), 10),
        (dt.date(2024, 2, 1), 11.5),
    ]

    analysis = spc.analyse(rows)

    assert analysis.dates == (dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    assert analysis.values == (10.0, 11.5, 12.0)
    assert [type(v) for v in analysis.values] == [float, float, float]


@pytest.mark.parametrize(
    ("target", "message"),
    [("x", "target must be a finite number, not 'x'"), (float("nan"), "target must be a finite")],
)
def test_a_bad_target_is_a_clear_error(target, message):
    with pytest.raises(ValueError, match=message):
        analyse(BASE, direction="higher", target=target)


# --- the fast answer for the latest reading matches tagging every reading ----------------------


def steady_then_walk():
    """A steady start (moderate limits) then a walk in small whole steps: trends, runs, ties,
    two-of-three and points on the limits all turn up near the end, where latest looks."""
    steady = st.lists(st.sampled_from([9.0, 10.0, 11.0]), min_size=2, max_size=14)
    steps = st.lists(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]), max_size=14)
    return st.tuples(steady, steps).map(
        lambda parts: parts[0] + [10.0 + sum(parts[1][: i + 1]) for i in range(len(parts[1]))]
    )


def check_latest(values, direction="neither", run_length=7, rebase_at=None, baseline=12):
    rebase = [month(rebase_at)] if rebase_at is not None else []
    analysis = analyse(
        values, direction=direction, run_length=run_length, rebase_dates=rebase, baseline=baseline
    )
    first = next((span for span in analysis.spans if span.end == len(values)), None)
    assert analysis.latest == first, values
    if first is not None:
        assert analysis.signals[-1].span == first


@settings(max_examples=500, deadline=None)
@given(
    values=st.one_of(
        steady_then_walk(),
        st.lists(st.floats(-5, 20, allow_nan=False), min_size=2, max_size=30),
    ),
    direction=st.sampled_from(spc.DIRECTIONS),
    run_length=st.sampled_from([6, 7]),
    rebase_at=st.one_of(st.none(), st.integers(0, 29)),
    baseline=st.integers(2, 14),
)
def test_latest_agrees_with_the_first_span_holding_the_last_reading(
    values, direction, run_length, rebase_at, baseline
):
    check_latest(values, direction, run_length, rebase_at, baseline)


def test_latest_agrees_with_tagging_every_reading_over_20000_seeded_series():
    rng = random.Random(4)
    for _ in range(20_000):
        steady = [rng.choice([9.0, 10.0, 11.0]) for _ in range(rng.randint(2, 14))]
        level, walk = 10.0, []
        for _ in range(rng.randint(0, 14)):
            level += rng.choice([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
            walk.append(level)
        values = steady + walk
        rebase_at = rng.choice([None, None, rng.randrange(len(values))])
        check_latest(
            values,
            rng.choice(spc.DIRECTIONS),
            rng.choice([6, 7]),
            rebase_at,
            rng.randint(2, 14),
        )


def test_an_analysis_is_plain_frozen_data():
    analysis = analyse([*BASE, 17.0], direction="higher", target=12.0)

    rebuilt = spc.Analysis(
        **{f.name: getattr(analysis, f.name) for f in dataclasses.fields(analysis)}
    )
    assert rebuilt == analysis
    assert hash(rebuilt) == hash(analysis)
    assert dataclasses.replace(analysis, target=20.0).assurance == Assurance.FAIL
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.target = 1.0


def test_spc_knows_nothing_of_django():
    code = "import sys, objectives.spc; print('django' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert result.stdout.strip() == "False"
