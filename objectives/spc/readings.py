"""A measure's readings checked and converted: (date, float) pairs, or every problem by row."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from numbers import Real

from .words import day


class SeriesError(ValueError):
    """The readings cannot be analysed; ``problems`` says which rows and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        message = problems[0].message
        if len(problems) > 1:
            more = len(problems) - 1
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the readings. ``position`` counts from 0; -1 means the whole series."""

    position: int
    field: str  # "row", "date", "value" or "series"
    message: str


def validate_series(rows) -> list[Problem]:
    """Everything wrong with ``rows`` of (date, value), by position (0-based); [] when fine.

    Dates must be ``date`` objects (a ``datetime`` counts as its date) and unique; values must be
    finite real numbers (not text, not None). Order does not matter: analyse() sorts.
    """
    return read_rows(rows)[1]


def read_rows(rows) -> tuple[list[tuple[date, float]], list[Problem]]:
    """The good readings as (date, float) pairs, in the order given, and every problem."""
    try:
        rows = list(rows)
    except TypeError:
        message = f"Readings must be a list of (date, value) pairs, not {rows!r}."
        return [], [Problem(-1, "series", message)]
    pairs: list[tuple[date, float]] = []
    problems: list[Problem] = []
    seen: dict[date, int] = {}
    for position, row in enumerate(rows):
        try:
            when, value = row
        except (TypeError, ValueError):
            message = f"Row {position + 1} should be a (date, value) pair, not {row!r}."
            problems.append(Problem(position, "row", message))
            continue
        if isinstance(when, datetime):
            when = when.date()
        is_date = isinstance(when, date)
        if not is_date:
            message = f"{_label(position, when)}: {when!r} is not a date."
            problems.append(Problem(position, "date", message))
        elif when in seen:
            message = (
                f"{_label(position, when)}: that date is already used by row {seen[when] + 1}."
            )
            problems.append(Problem(position, "date", message))
        else:
            seen[when] = position
        number = as_number(value)
        if number is None or not math.isfinite(number):
            message = f"{_label(position, when)}: {_what_is_wrong(value, number)}."
            problems.append(Problem(position, "value", message))
        elif is_date:
            pairs.append((when, number))
    return pairs, problems


def _label(position: int, when) -> str:
    """ "Row 2 (1 June 2023)", or "Row 2" when the row has no date."""
    if isinstance(when, date):
        return f"Row {position + 1} ({day(when)})"
    return f"Row {position + 1}"


def _what_is_wrong(value, number: float | None) -> str:
    if number is None:
        return f"{value!r} is not a number"
    if math.isnan(number):
        return "the value is not a number (NaN)"
    return "the value is infinite or too large"


def as_number(value) -> float | None:
    """A float for real numbers (int, float, Decimal, Fraction, NumPy's; bool counts as 0 or 1);
    infinity for one too large for a float; None for anything else."""
    if isinstance(value, float):  # the usual case, and much quicker to check than Real
        return value
    if not isinstance(value, Real | Decimal):
        return None
    try:
        return float(value)
    except OverflowError:  # an int of more than about 308 digits
        return math.inf


def as_date(value) -> date:
    """A rebase date: a date, a datetime's date or an ISO date string."""
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
