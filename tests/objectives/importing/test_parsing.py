"""objectives/importing/parsing.py: what people type, accepted; anything else, refused by name."""

import datetime as dt

import pytest

from objectives.importing import parsing
from objectives.importing.parsing import ValueProblem

MARCH_31 = dt.date(2025, 3, 31)


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-31",
        "2025/03/31",
        "2025-03-31 00:00:00",
        "2025-03-31T00:00:00",
        "31/03/2025",
        "31/3/2025",
        "31/03/25",
        "31-03-2025",
        "31.03.2025",
        "31 March 2025",
        "31 march 2025",
        "31 Mar 2025",
        "31-Mar-2025",
        "31-Mar-25",
        "31st March 2025",
        "Monday 31 March 2025",
        "March 31, 2025",
        "  31/03/2025  ",
        dt.date(2025, 3, 31),
        dt.datetime(2025, 3, 31, 0, 0),
        45747,  # Excel serial number
        45747.0,
    ],
)
def test_a_date_is_read_in_every_form_people_write_it(value):
    assert parsing.parse_date(value) == MARCH_31


@pytest.mark.parametrize(
    "value", ["31/13/2025", "30/02/2025", "next March", "2025", 2025, "03/31/2025x", True, "Q4"]
)
def test_a_date_that_is_not_one_is_refused_with_both_forms_suggested(value):
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_date(value)
    assert raised.value.expected == "is not a date; use 31/03/2025 or 2025-03-31"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_cell_is_no_value(value):
    assert parsing.parse_date(value) is None
    assert parsing.parse_rating(value) is None
    assert parsing.parse_number(value) is None


@pytest.mark.parametrize(
    "value, rating",
    [
        ("G", "green"),
        ("Green", "green"),
        ("GREEN ", "green"),
        ("A/G", "amber_green"),
        ("AG", "amber_green"),
        ("Amber-Green", "amber_green"),
        ("amber green", "amber_green"),
        ("Amber/Green", "amber_green"),
        ("Green/Amber", "amber_green"),
        ("A", "amber"),
        ("Amber", "amber"),
        ("AR", "amber_red"),
        ("A/R", "amber_red"),
        ("Amber/Red", "amber_red"),
        ("amber-red", "amber_red"),
        ("Red/Amber", "amber_red"),
        ("R", "red"),
        ("red", "red"),
    ],
)
def test_a_rating_is_read_however_it_is_spelled(value, rating):
    assert parsing.parse_rating(value) == rating


@pytest.mark.parametrize("value", ["Purple", "Blue", "GR", "on track", 3])
def test_a_rating_off_the_scale_is_refused_naming_the_scale(value):
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_rating(value)
    assert raised.value.expected == (
        "is not a rating; use Green, Amber/Green, Amber, Amber/Red or Red (or G, AG, A, AR, R)"
    )


def test_on_the_three_point_scale_amber_green_is_refused():
    assert parsing.parse_rating("Amber", points=3) == "amber"
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_rating("A/G", points=3)
    assert raised.value.expected == (
        "is not a rating on the three-point scale; use Green, Amber or Red"
    )


@pytest.mark.parametrize(
    "value, number",
    [
        ("75", 75.0),
        (" 75 ", 75.0),
        ("1,250.5", 1250.5),
        ("75%", 75.0),
        ("£1,000", 1000.0),
        (12, 12.0),
        (0.5, 0.5),
        ("-3", -3.0),
    ],
)
def test_a_number_is_read_with_commas_percent_and_currency(value, number):
    assert parsing.parse_number(value) == number


@pytest.mark.parametrize("value", ["seventy", "1.2.3", "nan", "inf", True, "12 days"])
def test_a_number_that_is_not_one_is_refused(value):
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_number(value)
    assert raised.value.expected == "is not a number; use digits, e.g. 75 or 1250.5"


@pytest.mark.parametrize(
    "value, priority",
    [
        ("High", 1),
        ("high", 1),
        ("H", 1),
        ("1", 1),
        (1, 1),
        (1.0, 1),
        ("P1", 1),
        ("Medium", 2),
        ("med", 2),
        ("2", 2),
        ("Low", 3),
        ("L", 3),
        (3, 3),
    ],
)
def test_a_priority_is_a_word_a_letter_or_a_number(value, priority):
    assert parsing.parse_priority(value) == priority


def test_a_priority_off_the_list_is_refused():
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_priority("Urgent")
    assert raised.value.expected == "is not a priority; use High, Medium or Low (or 1, 2, 3)"


@pytest.mark.parametrize(
    "value, state",
    [
        ("Not started", "not_started"),
        ("not_started", "not_started"),
        ("NOT STARTED", "not_started"),
        ("In progress", "in_progress"),
        ("in-progress", "in_progress"),
        ("Ongoing", "in_progress"),
        ("Complete", "complete"),
        ("Completed", "complete"),
        ("Done", "complete"),
        ("Paused", "paused"),
        ("On hold", "paused"),
        ("Closed", "closed"),
        ("Cancelled", "closed"),
    ],
)
def test_a_state_is_read_with_common_synonyms(value, state):
    assert parsing.parse_state(value) == state


def test_a_state_off_the_list_is_refused():
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_state("Nearly there")
    assert raised.value.expected == (
        "is not a state; use Not started, In progress, Complete, Paused or Closed"
    )


@pytest.mark.parametrize(
    "value, direction",
    [
        ("Higher is better", "higher"),
        ("higher", "higher"),
        ("Up", "higher"),
        ("Lower is better", "lower"),
        ("lower", "lower"),
        ("Neither", "neither"),
        ("N/A", "neither"),
    ],
)
def test_a_direction_is_read_in_short_or_long_form(value, direction):
    assert parsing.parse_direction(value) == direction


@pytest.mark.parametrize(
    "value, frequency",
    [
        ("Weekly", "weekly"),
        ("monthly", "monthly"),
        ("Month", "monthly"),
        ("Quarterly", "quarterly"),
    ],
)
def test_a_frequency_is_read(value, frequency):
    assert parsing.parse_frequency(value) == frequency


def test_a_direction_and_frequency_off_the_list_are_refused():
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_direction("sideways")
    assert raised.value.expected == (
        "is not a direction; use Higher is better, Lower is better or Neither"
    )
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_frequency("daily")
    assert raised.value.expected == "is not a frequency; use Weekly, Monthly or Quarterly"


def test_a_team_list_separates_teams_and_their_commitments():
    assert parsing.parse_team_list("Team A: build it; Team  B ;; Team C:") == [
        ("Team A", "build it"),
        ("Team B", ""),
        ("Team C", ""),
    ]


def test_a_quoted_commitment_may_hold_semicolons_and_round_trips():
    commitment = 'Run two pilots; report "early"'
    cell = f"Team A: {parsing.quote_commitment(commitment)}; Team B"
    assert parsing.parse_team_list(cell) == [("Team A", commitment), ("Team B", "")]


def test_a_commitment_with_no_team_is_refused():
    with pytest.raises(ValueProblem) as raised:
        parsing.parse_team_list(": do things")
    assert raised.value.expected == (
        "has a commitment with no team before the ':'; use 'Team name: commitment'"
    )


def test_a_ref_list_accepts_semicolons_commas_and_new_lines():
    assert parsing.parse_ref_list("DIG-01; OPS-02,UEC-03\nDIG-01") == ["DIG-01", "OPS-02", "UEC-03"]


@pytest.mark.parametrize(
    "value, text",
    [
        ("  padded  ", "padded"),
        ("a\r\nb", "a\nb"),
        (7, "7"),
        (7.0, "7"),
        (7.5, "7.5"),
        (dt.date(2025, 3, 31), "31/03/2025"),
        (None, ""),
    ],
)
def test_text_cells_are_trimmed_and_numbers_lose_their_point_zero(value, text):
    assert parsing.text_value(value) == text
