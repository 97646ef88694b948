"""objectives/spc/rules.py: the limits and the four special-cause rules, each firing and each just
missing at its threshold. The series are described in helpers.py."""

import math
from fractions import Fraction

import pytest

from objectives.spc import Kind, Phase, Rule, Side
from objectives.spc.rules import mean

from .helpers import BASE, LOWER, NEAR_LOWER, NEAR_UPPER, UPPER, analyse, month, spans_of

HIGH, LOW = Side.HIGH, Side.LOW


def above(value: float) -> float:
    """The next number up: the smallest step past a threshold."""
    return math.nextafter(value, math.inf)


def below(value: float) -> float:
    return math.nextafter(value, -math.inf)


# --- limits ------------------------------------------------------------------------------------


def test_limits_come_from_the_mean_and_mean_moving_range_of_the_first_12_readings():
    # the 13th reading (40) is far outside, but the baseline is only the first 12
    analysis = analyse([*BASE, 40.0])

    assert analysis.phases == (
        Phase(
            start=0,
            end=13,
            baseline_count=12,
            mean=11.0,
            mean_moving_range=2.0,
            lower=LOWER,
            upper=UPPER,
            near_lower=NEAR_LOWER,
            near_upper=NEAR_UPPER,
            trial=False,
            screened_out=0,
        ),
    )


def test_the_near_limit_band_starts_two_thirds_of_the_way_to_the_limits():
    (phase,) = analyse(BASE).phases

    assert phase.near_upper - phase.mean == (phase.upper - phase.mean) * 2 / 3
    assert phase.mean - phase.near_lower == (phase.mean - phase.lower) * 2 / 3
    assert (phase.near_lower, phase.near_upper) == (7.453333333333333, 14.546666666666667)


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


def test_fewer_than_12_readings_give_trial_limits():
    # 12, 10, 12, 10, 12: mean 56 / 5 = 11.2, mean mR 8 / 4 = 2
    (phase,) = analyse([12.0, 10.0, 12.0, 10.0, 12.0]).phases

    assert (phase.baseline_count, phase.trial, phase.mean, phase.mean_moving_range) == (
        5,
        True,
        11.2,
        2.0,
    )


def test_screening_drops_moving_ranges_of_3_267_times_their_mean_or_more():
    # 10, 11, 10, 11, 10, 11, 10, 30, 10, 11, 10, 11
    # moving ranges: nine of 1 and two of 20 → mean 49 / 11 = 4.4545…
    # cut-off 3.267 × 4.4545 = 14.55: both 20s go, leaving nine 1s → mean mR 1
    values = [10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 30.0, 10.0, 11.0, 10.0, 11.0]

    (plain,) = analyse(values).phases
    (screened,) = analyse(values, screen_moving_ranges=True).phases

    assert (plain.mean_moving_range, plain.screened_out) == (49 / 11, 0)
    assert (screened.mean_moving_range, screened.screened_out) == (1.0, 2)
    assert screened.mean == plain.mean == 145 / 12  # the mean itself is not screened


def test_moving_ranges_just_under_the_screening_cut_off_are_kept():
    # moving ranges: ten of 1 and one of 4 → mean 14 / 11 = 1.2727…; the cut-off is
    # 3.267 × 1.2727… = 4.158, so the 4 stays
    values = [10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 15.0, 14.0, 15.0, 14.0, 15.0, 14.0]

    (phase,) = analyse(values, screen_moving_ranges=True).phases

    assert (phase.mean_moving_range, phase.screened_out) == (14 / 11, 0)


EXACT_MEAN_CASES = [
    # numbers, their mean; sum(numbers) / len(numbers) would be one unit in the last place off
    pytest.param([95.1] * 12, 95.1, id="twelve readings of 95.1"),
    pytest.param([90.0, 90.2] * 6, 90.1, id="90.0 and 90.2"),
    pytest.param([0.1] * 10, 0.1, id="ten readings of 0.1"),
]


@pytest.mark.parametrize(("numbers", "expected"), EXACT_MEAN_CASES)
def test_the_mean_is_exact(numbers, expected):
    assert sum(numbers) / len(numbers) != expected
    assert mean(numbers) == expected
    assert mean(numbers) == float(sum(map(Fraction, numbers)) / len(numbers))


def test_twelve_readings_of_95_1_are_common_cause():
    analysis = analyse([95.1] * 12)

    (phase,) = analysis.phases
    assert (phase.mean, phase.lower, phase.upper) == (95.1, 95.1, 95.1)
    assert analysis.spans == ()


def test_all_identical_readings_collapse_the_limits_onto_the_mean():
    (phase,) = analyse([7.0] * 12).phases

    assert (phase.mean, phase.mean_moving_range, phase.lower, phase.upper) == (7.0, 0, 7.0, 7.0)
    assert phase.collapsed


def test_after_collapsed_limits_any_other_reading_is_outside():
    analysis = analyse([7.0] * 12 + [7.0, 7.5, 6.5])

    assert spans_of(analysis) == [(Rule.OUTSIDE, HIGH, 13, 14), (Rule.OUTSIDE, LOW, 14, 15)]


# --- outside the process limits ----------------------------------------------------------------

OUTSIDE_CASES = [
    # readings added to BASE (from index 12), expected outside spans (side, start, end)
    pytest.param([above(UPPER)], [(HIGH, 12, 13)], id="just above the upper limit"),
    pytest.param([UPPER], [], id="on the upper limit is inside"),
    pytest.param([below(LOWER)], [(LOW, 12, 13)], id="just below the lower limit"),
    pytest.param([LOWER], [], id="on the lower limit is inside"),
    pytest.param(
        [17.0, 18.0, 12.0, 4.0],
        [(HIGH, 12, 14), (LOW, 15, 16)],
        id="neighbours beyond the same limit make one span",
    ),
]


@pytest.mark.parametrize(("added", "expected"), OUTSIDE_CASES)
def test_a_reading_beyond_a_process_limit_is_special_cause(added, expected):
    analysis = analyse([*BASE, *added])

    assert spans_of(analysis, Rule.OUTSIDE) == [(Rule.OUTSIDE, *span) for span in expected]


# --- a run on one side of the mean -------------------------------------------------------------

RUN_CASES = [
    # after BASE and 11 (on the mean), readings alternate so there is no trend, and stay inside
    # the near-limit band so there is no two-of-three: only the run rule can fire
    pytest.param([12, 13, 12, 13, 12, 13, 12], 7, [(HIGH, 13, 20)], id="7 above"),
    pytest.param([12, 13, 12, 13, 12, 13], 7, [], id="6 above is not enough"),
    pytest.param([12, 13, 12, 13, 12, 13], 6, [(HIGH, 13, 19)], id="6 above with N = 6"),
    pytest.param([12, 13, 12, 13, 12], 6, [], id="5 above with N = 6 is not enough"),
    pytest.param([10, 9, 10, 9, 10, 9, 10], 7, [(LOW, 13, 20)], id="7 below"),
    pytest.param([12, 13, 12, 11, 13, 12, 13], 7, [], id="one on the mean breaks it"),
    pytest.param([12, 13, 12, 10, 13, 12, 13], 7, [], id="one below breaks it"),
    pytest.param([12, 13, 12, 13, 12, 13, 12, 13, 12], 7, [(HIGH, 13, 22)], id="9 is one run"),
]


@pytest.mark.parametrize(("added", "run_length", "expected"), RUN_CASES)
def test_a_run_of_n_on_one_side_of_the_mean_is_special_cause(added, run_length, expected):
    analysis = analyse([*BASE, 11.0, *map(float, added)], run_length=run_length)

    assert spans_of(analysis) == [(Rule.RUN, *span) for span in expected]


def test_a_reading_on_the_true_mean_breaks_a_run():
    # baseline 90.0, 90.2 × 6: mean 90.1 exactly (added up and divided, it would be
    # 90.10000000000001, and 90.1 would count as below it); mR 0.2, limits 90.1 ± 0.532
    below_mean = [90.0, 90.05, 90.0]
    analysis = analyse([*[90.0, 90.2] * 6, *below_mean, 90.1, *below_mean], direction="higher")

    assert analysis.phases[0].mean == 90.1
    assert spans_of(analysis) == []


def test_the_run_length_must_be_6_or_7():
    with pytest.raises(ValueError, match="run_length must be 6 or 7, not 5"):
        analyse(BASE, run_length=5)


# --- a trend -----------------------------------------------------------------------------------

TREND_CASES = [
    # BASE ends …, 12, 10: the 10 (index 11) starts any rise that follows
    pytest.param(BASE, [10.5, 11, 11.5, 12, 12.5, 13], 7, [(HIGH, 11, 18)], id="7 rising"),
    pytest.param(BASE, [10.5, 11, 11.5, 12, 12.5], 7, [], id="6 rising is not enough"),
    pytest.param(BASE, [10.5, 11, 11.5, 12, 12.5], 6, [(HIGH, 11, 17)], id="6 rising, N = 6"),
    pytest.param(BASE, [10.5, 11, 11.5, 12], 6, [], id="5 rising with N = 6 is not enough"),
    pytest.param(BASE, [10.5, 11, 11, 11.5, 12, 12.5], 7, [], id="equal neighbours break it"),
    # [10, 12] × 6 ends on 12 after a rise: the 12 (index 11) starts any fall that follows
    pytest.param([10.0, 12.0] * 6, [11.5, 11, 10.5, 10, 9.5, 9], 7, [(LOW, 11, 18)], id="7 fall"),
    pytest.param([10.0, 12.0] * 6, [11.5, 11, 10.5, 10, 9.5], 7, [], id="6 falling is not enough"),
    pytest.param([10.0, 12.0] * 6, [11.5, 11, 11, 10.5, 10, 9.5], 7, [], id="equal breaks a fall"),
]


@pytest.mark.parametrize(("base", "added", "run_length", "expected"), TREND_CASES)
def test_a_trend_of_n_each_strictly_beyond_the_last_is_special_cause(
    base, added, run_length, expected
):
    analysis = analyse([*base, *map(float, added)], run_length=run_length)

    assert spans_of(analysis, Rule.TREND) == [(Rule.TREND, *span) for span in expected]


# --- two of three close to a limit -------------------------------------------------------------

TWO_OF_THREE_CASES = [
    # BASE ends on 10 (index 11, below the mean); the added readings start at index 12
    pytest.param([15, 12, 15], [(HIGH, 12, 13), (HIGH, 14, 15)], id="15, 12, 15"),
    pytest.param(
        [above(NEAR_UPPER), 12, above(NEAR_UPPER)],
        [(HIGH, 12, 13), (HIGH, 14, 15)],
        id="just beyond the band's edge",
    ),
    pytest.param([NEAR_UPPER, 12, 15], [], id="on the band's edge is not in the band"),
    pytest.param([14.5466, 12, 15], [], id="beyond 1.773 mR is not yet two thirds of the way"),
    pytest.param([UPPER, 12, UPPER], [(HIGH, 12, 13), (HIGH, 14, 15)], id="on the limit"),
    pytest.param([15, 10, 15], [], id="the middle one is below the mean"),
    pytest.param([15, 11, 15], [], id="the middle one is on the mean"),
    pytest.param([15, 15, 12], [(HIGH, 12, 14)], id="two in a row then one above the mean"),
    pytest.param([15, 15], [], id="two in a row after one below the mean"),
    pytest.param([16.5, 15, 12], [], id="beyond the limit counts as outside, not here"),
    pytest.param([7, 10, 7], [(LOW, 12, 13), (LOW, 14, 15)], id="low side: 7, 10, 7"),
    pytest.param(
        [below(NEAR_LOWER), 10, below(NEAR_LOWER)],
        [(LOW, 12, 13), (LOW, 14, 15)],
        id="just beyond the lower band's edge",
    ),
    pytest.param([NEAR_LOWER, 10, 7], [], id="on the lower band's edge is not in the band"),
]


@pytest.mark.parametrize(("added", "expected"), TWO_OF_THREE_CASES)
def test_two_of_three_in_the_near_limit_band_on_one_side_are_special_cause(added, expected):
    analysis = analyse([*BASE, *map(float, added)])

    assert spans_of(analysis, Rule.TWO_OF_THREE) == [
        (Rule.TWO_OF_THREE, *span) for span in expected
    ]


# --- several rules at once ---------------------------------------------------------------------


def test_each_reading_is_tagged_with_every_rule_and_described_by_the_first():
    # index: 0-11 BASE (ends 12, 10), 12: 11 (on the mean), 13-19: 12, 13, 14, 15, 16, 17, 18
    # trend: 10, 11, 12 … 18 rise strictly from index 11 to 19 (9 readings)
    # run: 12 … 18 are the 7 readings above the mean (11 at index 12 is on it)
    # two of three: 15 and 16 are in the band (14.5466… < x ≤ 16.32); windows 14, 15, 16 and
    #   15, 16, 17 both qualify; 17 and 18 are beyond the limit so count only as outside
    # outside: 17 and 18 are above 16.32
    analysis = analyse([*BASE, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0], direction="higher")

    assert spans_of(analysis) == [
        (Rule.OUTSIDE, HIGH, 18, 20),
        (Rule.TREND, HIGH, 11, 20),
        (Rule.TWO_OF_THREE, HIGH, 16, 18),
        (Rule.RUN, HIGH, 13, 20),
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


def test_the_peak_between_a_rise_and_a_fall_belongs_to_the_later_trend():
    # BASE ends 12, 10 (index 11); 10.5 … 13 rise to index 17; 12.5 … 10 fall from there to 23.
    # Index 17 (13) ends the rise and starts the fall. The readings from index 14 (11.5) to 20
    # (11.5) are the 7 above the mean; 11 (indices 13 and 21) is on it.
    rise, fall = [10.5, 11.0, 11.5, 12.0, 12.5, 13.0], [12.5, 12.0, 11.5, 11.0, 10.5, 10.0]
    analysis = analyse([*BASE, *rise, *fall], direction="lower")

    assert spans_of(analysis) == [
        (Rule.TREND, HIGH, 11, 18),
        (Rule.TREND, LOW, 17, 24),
        (Rule.RUN, HIGH, 14, 21),
    ]
    peak = next(signal for signal in analysis.signals if signal.index == 17)
    assert (peak.rules, peak.side, peak.kind, peak.description) == (
        (Rule.TREND, Rule.RUN),
        LOW,
        Kind.IMPROVEMENT,
        "Part of 7 readings in a row falling",
    )
    before = next(signal for signal in analysis.signals if signal.index == 16)
    assert before.description == "Part of 7 readings in a row rising"


def test_rules_do_not_run_across_a_rebase():
    # 12, 10 × 4, then 10.5, 11, 11.5 | rebase | 12, 12.5, 13, 13.5: one trend of 8 from index 7
    # without the rebase; with it, rising runs of 4 (indices 7-10) and 4 (11-14).
    # Phase 1 (11 readings): mean 121 / 11 = 11, mean mR (7 × 2 + 3 × 0.5) / 10 = 1.55
    # Phase 2 (4 readings): mean 12.75, mean mR 0.5: limits 11.42 to 14.08, nothing beyond
    values = [*[12.0, 10.0] * 4, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0, 13.5]

    assert spans_of(analyse(values)) == [(Rule.TREND, HIGH, 7, 15)]
    rebased = analyse(values, rebase_dates=[month(11).isoformat()])
    assert [(p.start, p.end, p.trial) for p in rebased.phases] == [(0, 11, True), (11, 15, True)]
    assert (rebased.phases[0].mean, rebased.phases[0].mean_moving_range) == (11.0, 1.55)
    assert rebased.spans == ()


KIND_CASES = [
    # added readings, direction, expected kind of every signal
    pytest.param([17.0], "higher", Kind.IMPROVEMENT, id="high, higher is better"),
    pytest.param([17.0], "lower", Kind.CONCERN, id="high, lower is better"),
    pytest.param([17.0], "neither", Kind.NEITHER, id="high, neither"),
    pytest.param([5.0], "higher", Kind.CONCERN, id="low, higher is better"),
    pytest.param([5.0], "lower", Kind.IMPROVEMENT, id="low, lower is better"),
    pytest.param([5.0], "neither", Kind.NEITHER, id="low, neither"),
]


@pytest.mark.parametrize(("added", "direction", "kind"), KIND_CASES)
def test_special_cause_is_improvement_or_concern_by_the_measure_direction(added, direction, kind):
    analysis = analyse([*BASE, *added], direction=direction)

    assert [span.kind for span in analysis.spans] == [kind]
