"""The downloadable XLSX template, and the workbook writer the export shares with it.

One writer, so the export is exactly the template's shape: sheets Objectives, Milestones and
Measures with the canonical column names in row 1 (frozen, bold, with drop-down lists for the
columns that take a fixed set of words), then a Read me sheet explaining every column with an
example, and listing the teams the importer knows.

Cells are written as values, never formulas: text that starts with '=' is stored as text, and
control characters a worksheet can't hold are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from objectives.models import Direction, Frequency, Priority, State, Team
from objectives.ratings import FIVE_POINT, THREE_POINT

from . import columns

DATE_FORMAT = "DD/MM/YYYY"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
TITLE_FONT = Font(bold=True, size=16)
HEADING_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
VALIDATION_ROWS = 5000


def choice_lists(points: int = 5) -> dict[tuple[str, str], list[str]]:
    """(sheet, column) -> the words offered in the column's drop-down list."""
    scale = FIVE_POINT if points == 5 else THREE_POINT
    return {
        ("Objectives", "priority"): [p.label for p in Priority],
        ("Objectives", "state"): [s.label for s in State],
        ("Objectives", "initial_rating"): [r.label for r in scale],
        ("Measures", "direction"): [d.label for d in Direction],
        ("Measures", "frequency"): [f.label for f in Frequency],
    }


def _cell(sheet, value, *, font=None, fill=None, number_format=None, alignment=None):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    if alignment:
        cell.alignment = alignment
    return cell


def _row(sheet, values):
    """Plain values pass through; dates and text starting '=' need a cell of their own.

    Control characters other than tab and new line can't be stored in a worksheet at all, so
    they are dropped (an export must never fail on what someone pasted into a title)."""
    out = []
    for value in values:
        if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if isinstance(value, dt.date):
            out.append(_cell(sheet, value, number_format=DATE_FORMAT))
        elif isinstance(value, str) and value.startswith("="):
            out.append(_cell(sheet, value))
        else:
            out.append(value)
    return out


def write_workbook(rows: dict[str, list[list]] | None = None, *, points: int = 5) -> bytes:
    """The template's workbook, with `rows` (sheet name -> rows of values) below the headers."""
    rows = rows or {}
    # A normal (not write-only) workbook, so each sheet starts with its <dimension> as Excel's
    # own files do: without it, read-only readers (openpyxl's too) scan a whole sheet to size it.
    workbook = Workbook()
    workbook.remove(workbook.active)
    lists = choice_lists(points)
    for spec in columns.SHEETS:
        sheet = workbook.create_sheet(spec.name)
        for index, column in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns, start=1):
            words = lists.get((spec.name, column.key))
            if not words:
                continue
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(words) + '"',
                allow_blank=True,
                showErrorMessage=False,  # a drop-down to help, not a gate: the import checks
            )
            validation.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            sheet.data_validations.append(validation)
        sheet.append([_cell(sheet, key, font=HEADER_FONT, fill=HEADER_FILL) for key in spec.keys])
        for values in rows.get(spec.name, ()):
            sheet.append(_row(sheet, values))
    _write_readme(workbook, points)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template(*, points: int = 5) -> bytes:
    """The empty template people download from /import/."""
    return write_workbook(points=points)


README_INTRO = [
    "Fill in the Objectives sheet, and the Milestones and Measures sheets if you have them. "
    "Keep the column names in row 1 as they are (case, spaces and column order don't matter, "
    "and common alternatives such as 'Lead team' or 'Due date' are understood).",
    "Upload the file at /import/ in the service (directors and administrators). You see a "
    "preview first: what will be created, what will change, and every problem with its sheet, "
    "row and column. Nothing changes until you confirm, and then every row goes in or none.",
    "Importing the same file again changes nothing. An objective is recognised by its ref, a "
    "milestone by its objective's ref and title, a measure by its objective's ref and name. "
    "Objectives in the plan that the file leaves out are listed in the preview, never deleted.",
    "Dates: 31/03/2025, 31 March 2025, 2025-03-31 or a date cell. Leave a column out entirely "
    "to keep what the service already holds for it.",
    "Formulas are fine: their saved results are read. Blank rows, and notes below a table after "
    "a blank row, are ignored.",
]


def _append_paragraph(sheet, text: str) -> None:
    """One short line per row, unwrapped, so the text reads across the sheet in any program
    (a wrapped paragraph in one narrow cell makes a very tall row)."""
    for line in textwrap.wrap(text, width=110):
        sheet.append([line])


def _write_readme(workbook, points: int) -> None:
    sheet = workbook.create_sheet(columns.README_SHEET)
    for letter, width in zip("ABCD", (22, 10, 70, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_cell(sheet, "How to fill in this workbook", font=TITLE_FONT)])
    for paragraph in README_INTRO:
        _append_paragraph(sheet, paragraph)
    lists = choice_lists(points)
    for spec in columns.SHEETS:
        sheet.append([])
        sheet.append([_cell(sheet, f"{spec.name} sheet", font=HEADING_FONT)])
        _append_paragraph(sheet, spec.intro)
        sheet.append(
            [
                _cell(sheet, text, font=BOLD)
                for text in ("Column", "Required", "What to put", "Example")
            ]
        )
        for column in spec.columns:
            words = lists.get((spec.name, column.key))
            what = column.description
            if words:
                what += " Choose from the drop-down list."
            sheet.append(
                [
                    _cell(sheet, column.key, font=BOLD),
                    "Yes" if column.required else "No",
                    _cell(sheet, what, alignment=WRAP),
                    _cell(sheet, column.example, alignment=WRAP),
                ]
            )
        sheet.append([_cell(sheet, f"An example {spec.name} row:", font=BOLD)])
        sheet.append(list(spec.keys))
        sheet.append([_cell(sheet, column.example) for column in spec.columns])
    sheet.append([])
    sheet.append([_cell(sheet, "Teams", font=HEADING_FONT)])
    _append_paragraph(
        sheet, "Use these names for lead_team, contributing_teams and team (case doesn't matter)."
    )
    for name in Team.objects.order_by("name").values_list("name", flat=True):
        sheet.append([name])
