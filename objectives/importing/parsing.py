"""Cell values from a spreadsheet -> Python values, accepting what people actually type.

Pure functions: each takes one cell value as the reader gives it (str from a CSV; str, int, float,
bool, date or datetime from an XLSX; None for an empty cell) and returns the value, None for an
empty cell, or raises `ValueProblem` whose `expected` text reads on from the value found
("is not a date; use 31/03/2025 or 2025-03-31").

Dates are read day first (UK): 31/03/2025, 31/3/25, 31-03-2025, 31.03.2025, 31 March 2025,
31 Mar 2025, 31st March 2025, March 31, 2025, ISO 2025-03-31, Excel date cells and Excel serial
numbers. Ratings: G, Green, AG, A/G, Amber-Green, amber green, A, Amber, AR, A/R, Amber/Red, R, Red.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from objectives.models import Direction, Frequency, Priority, State
from objectives.ratings import FIVE_POINT, THREE_POINT, Rating

DATE_EXPECTED = "is not a date; use 31/03/2025 or 2025-03-31"
NUMBER_EXPECTED = "is not a number; use digits, e.g. 75 or 1250.5"
PRIORITY_EXPECTED = "is not a priority; use High, Medium or Low (or 1, 2, 3)"
STATE_EXPECTED = "is not a state; use Not started, In progress, Complete, Paused or Closed"
DIRECTION_EXPECTED = "is not a direction; use Higher is better, Lower is better or Neither"
FREQUENCY_EXPECTED = "is not a frequency; use Weekly, Monthly or Quarterly"
RATING_EXPECTED = {
    5: "is not a rating; use Green, Amber/Green, Amber, Amber/Red or Red (or G, AG, A, AR, R)",
    3: "is not a rating on the three-point scale; use Green, Amber or Red",
}

EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)
# Excel's day 0 is 30 December 1899 once its 1900 leap-year bug is allowed for (serials > 60).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers are only read as dates in a plausible range (1990 to 2100), so a stray number
# such as 2025 in a date column is reported rather than read as 17 July 1905.
SERIAL_RANGE = (32874, 73415)


class ValueProblem(ValueError):
    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


@dataclass(frozen=True)
class Unreadable:
    """A cell the reader could not use: a formula with no saved result, or an Excel error."""

    shown: str
    expected: str


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value, limit: int = 80) -> str:
    """The value as a person would recognise it in their spreadsheet, for messages."""
    if isinstance(value, Unreadable):
        return value.shown
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
        if isinstance(value, dt.datetime):
            return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = text_value(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_value(value) -> str:
    """Any cell as text: spaces trimmed, line endings made \\n, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


# --- Dates --------------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Matched against lower-cased text: "2025-03-31t00:00:00z".
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/](\d{{1,2}})[-/](\d{{1,2}}){_TIME}$")
_UK_NUMERIC = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{4}}|\d{{2}}){_TIME}$")
_DAY_WORD = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_UK_WORDS = re.compile(
    rf"^{_DAY_WORD}(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{{4}}|\d{{2}})$"
)
_US_WORDS = re.compile(rf"^{_DAY_WORD}([a-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$")


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(DATE_EXPECTED) from None


def parse_date(value) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueProblem(DATE_EXPECTED)
    if isinstance(value, int | float):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueProblem(DATE_EXPECTED)
    if not isinstance(value, str):
        raise ValueProblem(DATE_EXPECTED)
    text = collapse_spaces(value).lower()
    if match := _ISO.match(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _UK_NUMERIC.match(text):
        return _make_date(_year(match[3]), int(match[2]), int(match[1]))
    if (match := _UK_WORDS.match(text)) and match[2] in MONTHS:
        return _make_date(_year(match[3]), MONTHS[match[2]], int(match[1]))
    if (match := _US_WORDS.match(text)) and match[1] in MONTHS:
        return _make_date(int(match[3]), MONTHS[match[1]], int(match[2]))
    raise ValueProblem(DATE_EXPECTED)


# --- Numbers ------------------------------------------------------------------------------------

_NUMBER_NOISE = re.compile(r"[,\s£$€%]")


def parse_number(value) -> float | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(NUMBER_EXPECTED)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(_NUMBER_NOISE.sub("", value))
        except ValueError:
            raise ValueProblem(NUMBER_EXPECTED) from None
    else:
        raise ValueProblem(NUMBER_EXPECTED)
    if not math.isfinite(number):
        raise ValueProblem(NUMBER_EXPECTED)
    return number


# --- Choices ------------------------------------------------------------------------------------


def _key(value) -> str:
    """'Amber / Green' -> 'ambergreen'; 'In-Progress' -> 'inprogress'; 2.0 -> '2'."""
    return re.sub(r"[^a-z0-9]", "", text_value(value).lower())


RATING_WORDS = {
    Rating.GREEN: ("g", "green"),
    Rating.AMBER_GREEN: ("ag", "ambergreen", "greenamber", "ga"),
    Rating.AMBER: ("a", "amber"),
    Rating.AMBER_RED: ("ar", "amberred", "redamber", "ra"),
    Rating.RED: ("r", "red"),
}
_RATINGS = {word: rating.value for rating, words in RATING_WORDS.items() for word in words}


def parse_rating(value, points: int = 5) -> str | None:
    if is_blank(value):
        return None
    rating = _RATINGS.get(_key(value))
    offered = {r.value for r in (FIVE_POINT if points == 5 else THREE_POINT)}
    if rating is None or rating not in offered:
        raise ValueProblem(RATING_EXPECTED[points])
    return rating


_PRIORITIES = {
    **dict.fromkeys(("1", "high", "h", "p1", "hi", "top"), Priority.HIGH),
    **dict.fromkeys(("2", "medium", "med", "m", "p2", "normal", "mid"), Priority.MEDIUM),
    **dict.fromkeys(("3", "low", "l", "p3", "lo"), Priority.LOW),
}


def parse_priority(value) -> int | None:
    if is_blank(value):
        return None
    try:
        return int(_PRIORITIES[_key(value)])
    except KeyError:
        raise ValueProblem(PRIORITY_EXPECTED) from None


_STATES = {
    **dict.fromkeys(
        ("notstarted", "notyetstarted", "todo", "planned", "new", "notbegun"), State.NOT_STARTED
    ),
    **dict.fromkeys(
        ("inprogress", "started", "ongoing", "underway", "active", "inflight", "wip"),
        State.IN_PROGRESS,
    ),
    **dict.fromkeys(("complete", "completed", "done", "delivered", "finished"), State.COMPLETE),
    **dict.fromkeys(("paused", "onhold", "hold", "deferred"), State.PAUSED),
    **dict.fromkeys(("closed", "cancelled", "canceled", "stopped", "withdrawn"), State.CLOSED),
}


def parse_state(value) -> str | None:
    if is_blank(value):
        return None
    try:
        return str(_STATES[_key(value)])
    except KeyError:
        raise ValueProblem(STATE_EXPECTED) from None


_DIRECTIONS = {
    **dict.fromkeys(
        ("higher", "higherisbetter", "higherbetter", "high", "up", "increase", "more"),
        Direction.HIGHER,
    ),
    **dict.fromkeys(
        ("lower", "lowerisbetter", "lowerbetter", "low", "down", "decrease", "less"),
        Direction.LOWER,
    ),
    **dict.fromkeys(("neither", "none", "na", "nodirection", "either"), Direction.NEITHER),
}


def parse_direction(value) -> str | None:
    if is_blank(value):
        return None
    try:
        return str(_DIRECTIONS[_key(value)])
    except KeyError:
        raise ValueProblem(DIRECTION_EXPECTED) from None


_FREQUENCIES = {
    **dict.fromkeys(("weekly", "week", "w", "everyweek"), Frequency.WEEKLY),
    **dict.fromkeys(("monthly", "month", "m", "everymonth"), Frequency.MONTHLY),
    **dict.fromkeys(("quarterly", "quarter", "q", "everyquarter"), Frequency.QUARTERLY),
}


def parse_frequency(value) -> str | None:
    if is_blank(value):
        return None
    try:
        return str(_FREQUENCIES[_key(value)])
    except KeyError:
        raise ValueProblem(FREQUENCY_EXPECTED) from None


# --- Lists --------------------------------------------------------------------------------------


def split_outside_quotes(text: str, separators: str = ";\n") -> list[str]:
    """'A: "x; y"; B' -> ['A: "x; y"', 'B']: separators inside double quotes don't split."""
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char in separators and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"').strip()
    return text


def quote_commitment(text: str) -> str:
    """The inverse of the commitment part of parse_team_list, for the export."""
    if any(char in text for char in ';\n"') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def parse_team_list(value) -> list[tuple[str, str]]:
    """'Team A: does x; Team B' -> [('Team A', 'does x'), ('Team B', '')]."""
    if is_blank(value):
        return []
    entries = []
    for part in split_outside_quotes(text_value(value)):
        if not part.strip():
            continue
        name, colon, commitment = part.partition(":")
        name = collapse_spaces(name)
        if not name:
            raise ValueProblem(
                "has a commitment with no team before the ':'; use 'Team name: commitment'"
            )
        entries.append((name, _unquote(commitment) if colon else ""))
    return entries


def parse_ref_list(value) -> list[str]:
    """'DIG-01; OPS-02, UEC-03' -> ['DIG-01', 'OPS-02', 'UEC-03'] (order kept, repeats dropped)."""
    if is_blank(value):
        return []
    refs = [part.strip() for part in re.split(r"[;,\n]", text_value(value))]
    return list(dict.fromkeys(ref for ref in refs if ref))
