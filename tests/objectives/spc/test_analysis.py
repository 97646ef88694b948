"""objectives/spc/analysis.py: phases, the latest reading, the icons, the notes and the verdict.
The series are described in helpers.py (BASE: mean 11, limits 5.68 and 16.32)."""

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from objectives import spc
from objectives.spc import Assurance, Kind, Rule, Side, Span, Summary, Variation

from .helpers import BASE, LOWER, UPPER, analyse, month

ROOT = Path(__file__).resolve().parents[3]


# --- the latest reading and the variation icon -------------------------------------------------

VARIATION_CASES = [
    # added readings, direction, variation icon of the latest reading
    pytest.param([17.0], "higher", Variation.IMPROVEMENT_HIGH, id="high, higher is better"),
    pytest.param([17.0], "lower", Variation.CONCERN_HIGH, id="high, lower is better"),
    pytest.param([17.0], "neither", Variation.NEITHER_HIGH, id="high, neither"),
    pytest.param([5.0], "higher", Variation.CONCERN_LOW, id="low, higher is better"),
    pytest.param([5.0], "lower", Variation.IMPROVEMENT_LOW, id="low, lower is better"),
    pytest.param([5.0], "neither", Variation.NEITHER_LOW, id="low, neither"),
    pytest.param(
        [10.5, 11, 11.5, 12, 12.5, 13], "lower", Variation.CONCERN_HIGH, id="trend up, lower"
    ),
    pytest.param(
        [11, 10, 9, 10, 9, 10, 9, 10], "higher", Variation.CONCERN_LOW, id="run below, higher"
    ),
    pytest.param([], "higher", Variation.COMMON_CAUSE, id="nothing special"),
]


@pytest.mark.parametrize(("added", "direction", "variation"), VARIATION_CASES)
def test_the_variation_icon_is_what_describes_the_latest_reading(added, direction, variation):
    analysis = analyse([*BASE, *map(float, added)], direction=direction)

    assert analysis.variation == variation
    assert spc.summarise(analysis) == Summary(
        variation, None, variation in (Variation.CONCERN_HIGH, Variation.CONCERN_LOW)
    )


def test_the_latest_reading_is_described_as_the_chart_describes_it():
    # 17 and 18 are above the limit and end a rise of 9 from index 11: outside comes first
    analysis = analyse([*BASE, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0], direction="higher")

    assert analysis.latest == Span(Rule.OUTSIDE, Side.HIGH, 18, 20, Kind.IMPROVEMENT)
    assert analysis.latest == analysis.signals[-1].span


def test_the_latest_reading_inside_the_limits_is_common_cause_even_after_a_signal():
    analysis = analyse([*BASE, 17.0, 12.0], direction="higher")

    assert [signal.index for signal in analysis.signals] == [12]
    assert analysis.latest is None
    assert spc.summarise(analysis) == Summary(Variation.COMMON_CAUSE, None, False)


def test_a_direction_can_be_a_django_choices_member_or_its_value():
    class Direction(str):  # stands in for objectives.models.Direction: a str subclass
        pass

    analysis = analyse([*BASE, 17.0], direction=Direction("lower"))

    assert (analysis.direction, analysis.variation) == ("lower", Variation.CONCERN_HIGH)
    assert type(analysis.direction) is str
    with pytest.raises(ValueError, match="direction must be one of higher, lower, neither"):
        analyse(BASE, direction="up")


@pytest.mark.parametrize("icon", [*Variation, *Assurance])
def test_every_icon_carries_text(icon):
    assert icon.label == {**spc.VARIATION_LABEL, **spc.ASSURANCE_LABEL}[icon]


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


@pytest.mark.parametrize(
    ("target", "message"),
    [("x", "target must be a finite number, not 'x'"), (float("nan"), "target must be a finite")],
)
def test_a_bad_target_is_a_clear_error(target, message):
    with pytest.raises(ValueError, match=message):
        analyse(BASE, direction="higher", target=target)


# --- rebasing ----------------------------------------------------------------------------------


def test_a_rebase_starts_a_phase_with_its_own_limits():
    values = [*BASE, *[22.0, 20.0] * 6]

    before = analyse(values)
    after = analyse(values, rebase_dates=[month(12)])

    # one set of limits: every one of the last 12 readings (20 or 22) is above 16.32
    assert [(s.rule, s.start, s.end) for s in before.spans if s.rule == Rule.OUTSIDE] == [
        (Rule.OUTSIDE, 12, 24)
    ]
    # two phases, each mean 11 or 21 with mean mR 2: nothing special
    assert [(p.start, p.end, p.mean, p.mean_moving_range) for p in after.phases] == [
        (0, 12, 11.0, 2.0),
        (12, 24, 21.0, 2.0),
    ]
    assert after.spans == ()
    assert after.phase_of(11).start == 0
    assert after.phase_of(12).start == 12


REBASE_CASES = [
    # rebase date, phase starts, ignored
    pytest.param(month(0), [0], [], id="on the first reading: nothing to split"),
    pytest.param(month(-3), [0], [], id="before the first reading"),
    pytest.param(month(1), [0], [month(1)], id="would leave 1 reading before"),
    pytest.param(month(2), [0, 2], [], id="leaves 2 readings before"),
    pytest.param(month(12), [0], [month(12)], id="would leave 1 reading after"),
    pytest.param(month(11), [0, 11], [], id="leaves 2 readings after"),
    pytest.param(month(13), [0], [month(13)], id="after the last reading"),
    pytest.param(dt.date(2024, 1, 15), [0, 9], [], id="between readings: from the next one"),
]


@pytest.mark.parametrize(("rebase", "starts", "ignored"), REBASE_CASES)
def test_a_rebase_needs_2_readings_each_side(rebase, starts, ignored):
    analysis = analyse([*BASE, 11.0], rebase_dates=[rebase])

    assert [phase.start for phase in analysis.phases] == starts
    assert list(analysis.ignored_rebase_dates) == ignored


def test_a_bad_rebase_date_is_a_clear_error():
    with pytest.raises(ValueError, match="rebase dates must be dates like 2024-06-01, not 'soon'"):
        analyse(BASE, rebase_dates=["soon"])


# --- notes -------------------------------------------------------------------------------------

NOTES_CASES = [
    pytest.param(
        [12.0, 10.0, 12.0, 10.0, 12.0],
        {},
        ["The limits are trial limits from 5 readings."],
        id="trial",
    ),
    pytest.param(
        [7.0] * 12,
        {},
        [
            "All baseline readings are the same, so the moving ranges are 0 and the process "
            "limits sit on the mean."
        ],
        id="collapsed",
    ),
    pytest.param(
        [10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 30.0, 10.0, 11.0, 10.0, 11.0],
        {"screen_moving_ranges": True},
        ["2 unusually large moving ranges were left out of the limits."],
        id="screened",
    ),
    pytest.param(
        [*BASE, 11.0],
        {"rebase_dates": [month(12)]},
        ["The rebase from 1 May 2024 is not applied: each phase needs at least 2 readings."],
        id="ignored rebase",
    ),
    pytest.param(
        [*BASE, 20.0, 22.0, 20.0],
        {"rebase_dates": [month(12)]},
        ["The limits from May 2024 are trial limits from 3 readings."],
        id="trial limits after a rebase",
    ),
    pytest.param(BASE, {}, [], id="none"),
]


@pytest.mark.parametrize(("values", "options", "expected"), NOTES_CASES)
def test_the_notes_explain_the_limits(values, options, expected):
    assert list(analyse(values, **options).notes) == expected


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
        [*BASE, 4.0],
        {"direction": "lower"},
        "£",
        "Special cause improvement: the latest reading, £4, is below the lower process limit of "
        "£5.68.",
        id="outside below, no target",
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
        [12.0, 10.0, 12.0, 10.0, 12.0],
        {},
        "",
        "Common cause variation: the latest reading is within the process limits of 5.88 to "
        "16.5. Trial limits from 5 readings.",
        id="trial limits",
    ),
    pytest.param(
        [95.1] * 12,
        {"direction": "higher", "target": 95.0},
        "%",
        "Common cause variation: every baseline reading is 95.1%, so the process limits sit on "
        "the mean. At this rate the target of 95% will consistently be met.",
        id="twelve readings of 95.1",
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


# --- too few readings, and the result as data --------------------------------------------------


@pytest.mark.parametrize(("values", "reason"), [([], "2 more readings"), ([4.0], "1 more reading")])
def test_fewer_than_2_readings_give_no_chart_and_say_how_many_more(values, reason):
    analysis = analyse(values, direction="higher", target=3.0)

    assert (analysis.has_chart, analysis.phases, analysis.spans) == (False, (), ())
    assert (analysis.variation, analysis.assurance, analysis.latest) == (None, None, None)
    assert analysis.reason.startswith(reason)
    assert spc.summarise(analysis) == Summary(None, None, False)


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
