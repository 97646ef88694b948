"""The month × team rating grid at the top of an objective's page, as the review pack prints it:
one row per team, one cell per month of the plan (April to March) holding that month's rating.

A month's rating is the team's newest update for that period, so a correction wins. A month up to
today's with no update is *not reported*; today's month without one is *due* (the team has not yet
reported for it, even if it reported last month); later months are still to come. Plain values in,
plain values out: the view loads the rows, this decides what each cell says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

REPORTED = "reported"
NOT_REPORTED = "not_reported"
DUE = "due"
TO_COME = "to_come"


@dataclass(frozen=True)
class Month:
    number: int  # 1 = April … 12 = March
    start: dt.date
    end: dt.date
    is_current: bool

    @property
    def label(self) -> str:
        return f"{self.start:%B %Y}"  # "November 2024"

    @property
    def short(self) -> str:
        return f"{self.start:%b}"  # "Nov"


@dataclass(frozen=True)
class Cell:
    month: Month
    rating: str | None
    state: str  # REPORTED, NOT_REPORTED, DUE or TO_COME


@dataclass
class Row:
    key: int  # the contribution's id
    team: str
    is_lead: bool
    cells: list[Cell]

    @property
    def is_due(self) -> bool:
        """Has not yet reported for the current month."""
        return any(cell.state == DUE for cell in self.cells)


def months(plan_start: dt.date, today: dt.date) -> list[Month]:
    """The twelve months of the plan starting on `plan_start` (1 April), as its periods are."""
    starts = [_add_months(plan_start, n) for n in range(13)]
    return [
        Month(
            number=n + 1,
            start=starts[n],
            end=starts[n + 1] - dt.timedelta(days=1),
            is_current=starts[n] <= today < starts[n + 1],
        )
        for n in range(12)
    ]


def _add_months(day: dt.date, count: int) -> dt.date:
    years, month = divmod(day.month - 1 + count, 12)
    return day.replace(year=day.year + years, month=month + 1)


def rows(teams: Iterable, ratings: Iterable, plan_months: list[Month], today: dt.date) -> list[Row]:
    """`teams`: (contribution id, team name, is lead), in the order to show;
    `ratings`: (contribution id, month number, rating), oldest update first."""
    by_team: dict[int, dict[int, str]] = {}
    for key, month, rating in ratings:
        by_team.setdefault(key, {})[month] = rating  # a later update of the month wins
    return [
        Row(
            key=key,
            team=team,
            is_lead=is_lead,
            cells=[
                _cell(month, by_team.get(key, {}).get(month.number), today) for month in plan_months
            ],
        )
        for key, team, is_lead in teams
    ]


def _cell(month: Month, rating: str | None, today: dt.date) -> Cell:
    if rating is not None:
        return Cell(month, rating, REPORTED)
    if month.is_current:
        return Cell(month, None, DUE)
    if month.end < today:
        return Cell(month, None, NOT_REPORTED)
    return Cell(month, None, TO_COME)
