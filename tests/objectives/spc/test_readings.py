"""objectives/spc/readings.py: every bad input is a SeriesError naming the row; good input is
converted and sorted."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from objectives import spc
from objectives.spc import SeriesError

from .helpers import BASE, month, series

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
        [(month(0), 1.5), (month(1), 10**400), (month(2), 2.5)],
        [(1, "value", "Row 2 (1 June 2023): the value is infinite or too large.")],
        id="a huge integer among floats",
    ),
    pytest.param(
        [(month(0), Decimal("1e400")), (month(1), 1.0)],
        [(0, "value", "Row 1 (1 May 2023): the value is infinite or too large.")],
        id="a huge Decimal",
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
        [("yesterday", "x")],
        [
            (0, "date", "Row 1: 'yesterday' is not a date."),
            (0, "value", "Row 1: 'x' is not a number."),
        ],
        id="neither a date nor a number",
    ),
    pytest.param(
        [(month(0), 1.0), 5, (month(2), 1.0, "note")],
        [
            (1, "row", "Row 2 should be a (date, value) pair, not 5."),
            (2, "row", f"Row 3 should be a (date, value) pair, not {(month(2), 1.0, 'note')!r}."),
        ],
        id="not pairs",
    ),
    pytest.param(
        None,
        [(-1, "series", "Readings must be a list of (date, value) pairs, not None.")],
        id="not a list",
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

    assert [(p.position, p.field, p.message) for p in raised.value.problems] == problems
    assert isinstance(raised.value, ValueError)


def test_a_series_error_counts_the_other_problems():
    rows = [(month(0), "a"), (month(1), "b"), (month(2), "c")]

    with pytest.raises(SeriesError) as raised:
        spc.analyse(rows)

    assert str(raised.value) == ("Row 1 (1 May 2023): 'a' is not a number. (and 2 more problems)")


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([1e308, 1e308], id="too large to add up"),
        pytest.param([1e308, -1e308], id="moving range too large"),
    ],
)
def test_readings_too_large_to_chart_are_a_series_error(values):
    with pytest.raises(SeriesError, match=r"^The readings are too large to chart\.$"):
        spc.analyse(series(values))


def test_good_readings_validate_cleanly():
    assert spc.validate_series(series(BASE)) == []


def test_readings_are_sorted_and_converted():
    rows = [
        (dt.datetime(2024, 3, 1, 9, 30), Decimal("12")),
        (dt.date(2024, 1, 1), 10),
        (dt.date(2024, 2, 1), Fraction(23, 2)),
        (dt.date(2024, 4, 1), True),
    ]

    analysis = spc.analyse(rows)

    assert analysis.dates == (
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
        dt.date(2024, 3, 1),
        dt.date(2024, 4, 1),
    )
    assert analysis.values == (10.0, 11.5, 12.0, 1.0)
    assert [type(v) for v in analysis.values] == [float, float, float, float]
