"""A staff-directory export (CSV or XLSX) -> numbered rows of named cells, or UnreadableFile.

The same promises as the plan import (objectives/importing/reading.py), in words about people:
what a file is comes from its content, not its name; CSV text may be UTF-8 (with or without a
byte-order mark), UTF-16 with one, or Windows-1252; an XLSX is opened read-only, its zip
directory checked before anything is unpacked, and a formula is read as the result Excel saved
with it (a formula with no saved result, or an Excel error such as #REF!, becomes an `Unreadable`
cell reported against its row). The first of the top rows that names the name and email columns
is the header; blank rows are skipped. More than PEOPLE_IMPORT_MAX_ROWS people rows is refused.

The cell and header helpers are the plan import's (normalise_header, is_blank, display, Problem);
the reading is ours, because the plan reader knows only the plan's sheets and words its messages
for them.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from objectives.importing.columns import normalise_header
from objectives.importing.parsing import EXCEL_ERRORS, Unreadable, display, is_blank
from objectives.importing.reading import megabytes

HEADER_SEARCH_ROWS = 10
MAX_ZIP_ENTRIES = 2_000

# Canonical column -> the headers people use for it (compared after normalise_header).
COLUMNS = {
    "name": ("name", "full name", "display name", "person", "staff name", "employee name"),
    "email": ("email", "email address", "e mail", "work email", "mail", "upn"),
    "team": ("team", "team name"),
    "role": ("role", "role in team", "team role"),
    "directorate": ("directorate", "directorate name", "division"),
    "director_of": ("director of", "director", "directs", "oversees"),
}
REQUIRED = ("name", "email")
HEADER_KEYS = {normalise_header(alias): key for key, names in COLUMNS.items() for alias in names}
FORMULA_NO_VALUE = "is a formula with no saved result; open the file in Excel, save it and retry"
EXCEL_ERROR = "is an Excel error value; correct the formula or type the value"


class UnreadableFile(Exception):
    """The whole file is refused; str(exc) says why and what to do."""


@dataclass
class DirectoryRows:
    columns: set[str]  # the canonical columns the file has
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, key -> cell)
    ignored_headers: list[str] = field(default_factory=list)


def read_directory(data: bytes, *, name: str = "The file") -> DirectoryRows:
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise UnreadableFile(
            f"{name} is {megabytes(len(data))}; the most this service accepts is "
            f"{megabytes(settings.IMPORT_MAX_BYTES)}. Export only the columns name, email, team, "
            "role, directorate and director of."
        )
    if not data.strip():
        raise UnreadableFile(f"{name} is empty.")
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _table(_xlsx_rows(data, name=name), name=name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            f"{name} is an old-style Excel (.xls) file. Save it as an Excel workbook (.xlsx) "
            "or as CSV and upload that."
        )
    return _table(_csv_rows(data, name=name), name=name)


# --- CSV ----------------------------------------------------------------------------------------


def _decode(data: bytes, *, name: str) -> str:
    encodings = (
        ("utf-16",)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        else (
            "utf-8-sig",
            "cp1252",
        )
    )
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text[:65536]:
            return text
    raise UnreadableFile(
        f"{name} is not a CSV file or an Excel workbook (.xlsx). Export the staff directory as "
        "CSV or .xlsx and upload that."
    )


def _csv_rows(data: bytes, *, name: str) -> list[tuple[int, tuple]]:
    text = _decode(data, name=name)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t|")
    except csv.Error:
        raise UnreadableFile(
            f"{name} is text, but its first line has no commas, semicolons or tabs between "
            "column names, so it is not a CSV table."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter)
    try:
        return _limited(enumerate(reader, start=1))
    except csv.Error as error:
        raise UnreadableFile(
            f"{name}: line {reader.line_num} is not valid CSV ({error})."
        ) from None


def _limited(numbered_rows) -> list[tuple[int, tuple]]:
    limit = settings.PEOPLE_IMPORT_MAX_ROWS
    rows, filled = [], 0
    for number, values in numbered_rows:
        values = tuple(values)
        if any(not is_blank(value) for value in values):
            filled += 1
            if filled > limit + 1:  # + 1 for the header row
                raise UnreadableFile(
                    f"The file has more than {limit:,} rows; the most one import takes is "
                    f"{limit:,} (PEOPLE_IMPORT_MAX_ROWS). Split it by directorate and import "
                    "each part without --full."
                )
        rows.append((number, values))
    return rows


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes, *, name: str) -> list[tuple[int, tuple]]:
    damaged = UnreadableFile(
        f"{name} looks like an Excel workbook but could not be opened; open it in Excel, save it "
        "again and upload the new copy."
    )
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise damaged from None
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if sum(info.file_size for info in infos) > limit or len(infos) > MAX_ZIP_ENTRIES:
        raise UnreadableFile(
            f"{name} unpacks to more than {megabytes(limit)}, so it was refused without being "
            "opened. Copy the people sheet alone into a new workbook and upload that."
        )
    import openpyxl

    try:
        # Formulas as written (to know which cells hold one) and as Excel last saved their results.
        formulas = _first_sheet(openpyxl.load_workbook(io.BytesIO(data), read_only=True))
        results = _first_sheet(
            openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        )
    except UnreadableFile:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same here.
        raise damaged from None
    rows = []
    for (number, written), (_, saved) in zip(formulas, results, strict=True):
        cells = []
        for position, cell in enumerate(written):
            value = saved[position] if position < len(saved) else None
            if isinstance(cell, str) and cell.startswith("=") and value is None:
                value = Unreadable(cell, FORMULA_NO_VALUE)
            cells.append(value)
        rows.append((number, tuple(cells)))
    return rows


def _first_sheet(workbook) -> list[tuple[int, tuple]]:
    """The rows of the first sheet that has a header row (the directory export's only one)."""
    try:
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()  # some programs write a wrong <dimension>
            rows = _limited(enumerate(worksheet.iter_rows(values_only=True), start=1))
            if _header_index(rows) is not None:
                return rows
        return []
    finally:
        workbook.close()


# --- Header and rows ----------------------------------------------------------------------------


def _header_index(rows) -> int | None:
    seen = 0
    for index, (_, values) in enumerate(rows):
        if all(is_blank(value) for value in values):
            continue
        keys = {HEADER_KEYS.get(normalise_header(value)) for value in values}
        if set(REQUIRED) <= keys:
            return index
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            return None
    return None


def _table(rows, *, name: str) -> DirectoryRows:
    index = _header_index(rows)
    if index is None:
        raise UnreadableFile(
            f"{name} has no header row naming its columns; the first row should name at least "
            "name and email (and team, role, directorate, director of as needed)."
        )
    positions: dict[str, int] = {}
    ignored = []
    for position, header in enumerate(rows[index][1]):
        key = HEADER_KEYS.get(normalise_header(header))
        if key is None or key in positions:
            if not is_blank(header):
                ignored.append(display(header))
            continue
        positions[key] = position
    table = DirectoryRows(columns=set(positions), ignored_headers=ignored)
    for number, values in rows[index + 1 :]:
        if all(is_blank(value) for value in values):
            continue
        cells = {key: values[at] if at < len(values) else None for key, at in positions.items()}
        for key, value in cells.items():
            if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
                cells[key] = Unreadable(value.strip(), EXCEL_ERROR)
        table.rows.append((number, cells))
    return table
