"""objectives/spc/words.py: readings for people."""

import pytest

from objectives import spc

FORMAT_CASES = [
    (65.0, "%", "65%"),
    (61.234, "%", "61.2%"),
    (1234.5, "days", "1,234 days"),
    (999.6, "", "1,000"),
    (0.1234, "", "0.123"),
    (0.00001234, "", "1.2e-05"),
    (-5.5, "£", "-£5.5"),
    (12.0, "per 1,000", "12 per 1,000"),
]


@pytest.mark.parametrize(("value", "unit", "expected"), FORMAT_CASES)
def test_values_are_shown_to_3_significant_figures_with_their_unit(value, unit, expected):
    assert spc.format_value(value, unit) == expected


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
