"""Which sheet of a workbook is read as which: rules a person can predict from their tabs.

1. Hidden sheets are never read (reading.py skips them before they get here).
2. Sheets whose names say they are copies ("Copy of Objectives", "Objectives (2)") or summaries
   and lists of choices ("Summary", "Lists", "Drop-downs", "Lookups") are not read.
3. A sheet named like one of ours ("Objectives", "Business plan", "Milestones", "KPIs"; see
   columns.py) is that sheet.
4. Otherwise a sheet is the kind its header row fits best: it must name every required column of
   that kind (a Milestones sheet a title and a due date; an Objectives sheet a ref, a title and a
   lead team), and the kind whose columns it names most wins, so a plan can never be read as
   milestones.
5. When two sheets could be the same kind, the one whose name mentions the plan's year wins
   ("Plan 24-25" for 2024/25); else the person chooses on the preview.
"""

from __future__ import annotations

import re

from objectives.plans import normalise_label

from . import columns
from .columns import SheetSpec
from .parsing import is_blank

HEADER_SEARCH_ROWS = 10

_COPY = re.compile(r"^copy of\b|\(\d+\)$", re.IGNORECASE)
_NOT_DATA = re.compile(
    r"\b(summary|summaries|dashboard|overview|lists?|look ?ups?|drop ?-?downs?|validation|"
    r"pivot|charts?|instructions|guidance|key)\b",
    re.IGNORECASE,
)
_YEARS = re.compile(r"(\d{4}|\d{2})\s*(?:[-/_ ]|to)\s*(\d{4}|\d{2})", re.IGNORECASE)


def header_keys(spec: SheetSpec, values) -> set[str]:
    keys = {columns.column_for_header(spec, v) for v in values if isinstance(v, str)}
    keys.discard(None)
    return keys


def find_header(spec: SheetSpec, rows, *, complete: bool = False) -> int | None:
    """Index in rows of the header row: the first of the top ten non-blank rows naming two known
    columns, one of them required (all the required ones when `complete`); else None."""
    seen = 0
    for index, (_, values) in enumerate(rows):
        if all(is_blank(v) for v in values):
            continue
        keys = header_keys(spec, values)
        required = set(spec.required)
        if complete and required <= keys or not complete and len(keys) >= 2 and keys & required:
            return index
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            return None
    return None


def is_copy(title: str) -> bool:
    return bool(_COPY.search(title.strip()))


def is_not_data(title: str) -> bool:
    return bool(_NOT_DATA.search(title.replace("_", " ")))


def best_kind(rows) -> SheetSpec | None:
    """The kind whose every required column the header names, naming the most columns."""
    best, best_score = None, 0
    for spec in columns.SHEETS:
        index = find_header(spec, rows, complete=True)
        if index is None:
            continue
        score = len(header_keys(spec, rows[index][1]))
        if score > best_score:
            best, best_score = spec, score
    return best


def candidates(pending: list[tuple[str, list]]) -> dict[str, list[str]]:
    """kind -> the sheets that could be it, in workbook order (named sheets beat fitting ones)."""
    named: dict[str, list[str]] = {}
    fitting: dict[str, list[str]] = {}
    for title, rows in pending:
        spec = columns.sheet_for_name(title)
        if spec is not None:
            named.setdefault(spec.name, []).append(title)
            continue
        if is_copy(title) or is_not_data(title):
            continue
        spec = best_kind(rows)
        if spec is not None:
            fitting.setdefault(spec.name, []).append(title)
    return {
        spec.name: named.get(spec.name) or fitting[spec.name]
        for spec in columns.SHEETS
        if named.get(spec.name) or fitting.get(spec.name)
    }


def mentions_year(title: str, plan_label: str) -> bool:
    for first, second in _YEARS.findall(title):
        try:
            if normalise_label(f"{first}/{second}") == plan_label:
                return True
        except ValueError:
            continue
    return False


def pick(spec: SheetSpec, titles: list[str], *, plan_label: str, chosen: str | None) -> str | None:
    """The sheet to read as `spec` among `titles`, or None when the person must choose."""
    if len(titles) == 1:
        return titles[0]
    if chosen in titles:
        return chosen
    this_year = [title for title in titles if plan_label and mentions_year(title, plan_label)]
    return this_year[0] if len(this_year) == 1 else None


def why_not_read(title: str, rows, found: dict[str, list[str]]) -> str:
    if columns.sheet_for_name(title) is None:
        if is_copy(title):
            return (
                "its name says it is a copy of another sheet; rename it if it is the one to import"
            )
        if is_not_data(title):
            return "its name says it is a summary or a list of choices, not the plan"
    kind = columns.sheet_for_name(title) or best_kind(rows)
    if kind is not None and kind.name in found:
        return f"another sheet was read as the {kind.name} sheet"
    return (
        "it is not named Objectives, Milestones or Measures and its first rows don't name their "
        "columns"
    )
