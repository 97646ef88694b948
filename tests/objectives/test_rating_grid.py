"""objectives/rating_grid.py: what each cell of an objective's month × team grid says."""

import datetime as dt

import pytest

from objectives import rating_grid

PLAN_START = dt.date(2024, 4, 1)
TEAMS = [(1, "NHS 111 online", True), (2, "Ambulance flow", False)]


def states(today, ratings):
    months = rating_grid.months(PLAN_START, today)
    return {
        row.team: [cell.rating or cell.state for cell in row.cells]
        for row in rating_grid.rows(TEAMS, ratings, months, today)
    }


def test_the_months_run_april_to_march_with_the_current_one_marked():
    months = rating_grid.months(PLAN_START, dt.date(2024, 11, 15))

    assert [(m.short, m.start, m.end) for m in (months[0], months[9], months[11])] == [
        ("Apr", dt.date(2024, 4, 1), dt.date(2024, 4, 30)),
        ("Jan", dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
        ("Mar", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
    ]
    assert [m.label for m in months if m.is_current] == ["November 2024"]


def test_a_team_that_reported_last_month_is_due_this_month():
    ratings = [(1, 7, "green"), (1, 8, "amber"), (2, 7, "green")]

    grid = states(dt.date(2024, 11, 15), ratings)

    missing = [rating_grid.NOT_REPORTED] * 6
    to_come = [rating_grid.TO_COME] * 4
    assert grid == {
        "NHS 111 online": [*missing, "green", "amber", *to_come],
        "Ambulance flow": [*missing, "green", rating_grid.DUE, *to_come],
    }


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2024, 3, 31), [rating_grid.TO_COME] * 12),  # before the plan starts
        (dt.date(2025, 4, 1), [rating_grid.NOT_REPORTED] * 12),  # after it ends
        (dt.date(2024, 4, 1), [rating_grid.DUE] + [rating_grid.TO_COME] * 11),
        (dt.date(2025, 3, 31), [rating_grid.NOT_REPORTED] * 11 + [rating_grid.DUE]),
    ],
)
def test_months_without_an_update_are_missed_due_or_to_come_by_the_date(today, expected):
    assert states(today, [])["Ambulance flow"] == expected


def test_a_later_update_of_a_month_wins_as_a_correction_does():
    ratings = [(1, 1, "amber"), (1, 2, "red"), (1, 1, "green")]

    grid = states(dt.date(2024, 6, 15), ratings)

    assert grid["NHS 111 online"][:3] == ["green", "red", rating_grid.DUE]
