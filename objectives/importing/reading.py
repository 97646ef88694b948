"""Uploaded bytes -> tables of cells, refusing anything unsafe or not a spreadsheet.

What a file is comes from its content, never its name: a zip holding `[Content_Types].xml` and an
`xl/` part is an Excel workbook; text that decodes (UTF-8 with or without a byte-order mark,
UTF-16 with one, else Windows-1252) and has a delimiter in its header line is a CSV. Anything
else is refused with a message.

Limits (settings; see README "Importing and exporting the business plan" and .env.example):
- IMPORT_MAX_BYTES (5 MiB): the file itself.
- IMPORT_MAX_UNCOMPRESSED_BYTES (50 MiB): an XLSX's parts added up, read from the zip's directory
  before anything is unpacked, so a zip bomb is refused without inflating it. (Python's zipfile
  never yields more than a part's declared size, so a directory that lies gets a damaged file,
  not a bomb.)
- IMPORT_MAX_ROWS (20,000): data rows on any one sheet.

Workbooks are opened with openpyxl in read-only mode with `data_only=True`: a formula is read as
the result Excel saved with it, never evaluated. A formula with no saved result (a file written
by a program that doesn't calculate) and Excel error values (#REF!, #N/A …) become `Unreadable`
cells, reported against their row and column.

Sheets: which sheet is read as which is sheets.py's job (hidden, copy and summary sheets are never
read; names first, then the best-fitting header; the person chooses when two fit). Messages name
each sheet as the file does ("Plan 24-25 row 3"). The objectives list export, a different format,
is refused with one message saying what to upload instead.

Tables: the header row is the first of the top 10 non-blank rows that names at least two known
columns, one of them required; blank rows are skipped; after a blank row, a row with a single
filled cell or with none of the key columns filled is a note below the table and is ignored (and
listed, so nothing disappears silently).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings

from . import columns, sheets
from .columns import SheetSpec
from .parsing import EXCEL_ERRORS, Unreadable, ValueProblem, display, is_blank, parse_rating
from .problems import Problem

MAX_ZIP_ENTRIES = 2_000
CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
FORMULA_NO_VALUE = (
    "is a formula with no saved result; open the file in Excel, save it and upload it again, "
    "or paste the values in place of the formulas"
)
EXCEL_ERROR = "is an Excel error value; correct the formula or type the value"


class UnreadableFile(Exception):
    """The whole file is refused; str(exc) says why and what to do, for the person uploading."""


@dataclass
class Table:
    spec: SheetSpec
    name: str  # as the file names the sheet
    header_row: int
    columns: dict[str, int]  # canonical key -> position in the row
    headers: dict[str, str]  # canonical key -> the header as written
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    read_as: list[str] = field(default_factory=list)  # how a column was read, when not by name

    def has(self, key: str) -> bool:
        return key in self.columns


@dataclass
class Book:
    kind: str  # "csv" or "xlsx"
    tables: dict[str, Table]  # by spec name: "Objectives", "Milestones", "Measures"
    file_name: str = "The file"
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)  # kind -> candidate sheets
    read_as: dict[str, str] = field(default_factory=dict)  # kind -> the sheet read as it

    @property
    def row_count(self) -> int:
        return sum(len(table.rows) for table in self.tables.values())


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def read_book(
    data: bytes, *, name: str = "The file", plan_label: str = "", chosen: dict | None = None
) -> Book:
    """Bytes of an uploaded file -> Book. Raises UnreadableFile with a message for people.

    `plan_label` helps choose between sheets for different years ("Plan 23-24", "Plan 24-25");
    `chosen` maps a sheet kind ("Objectives") to the sheet the person chose to read as it.
    """
    kind = sniff(data, name=name)
    if kind == "xlsx":
        return _read_xlsx(data, name=name, plan_label=plan_label, chosen=chosen or {})
    return _read_csv(data, name=name)


def sniff(data: bytes, *, name: str = "The file") -> str:
    """'xlsx' or 'csv' by content, or UnreadableFile. Cheap: run it when the file arrives."""
    if len(data) > max_bytes():
        raise UnreadableFile(
            f"{name} is {megabytes(len(data))}; the most this service accepts is "
            f"{megabytes(max_bytes())}. Remove sheets other than Objectives, Milestones and "
            "Measures, or split the plan into two files."
        )
    if not data.strip():
        raise UnreadableFile(f"{name} is empty.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        _check_zip(data, name=name)
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            f"{name} is an old-style Excel 97-2003 (.xls) file or a password-protected workbook. "
            "Save it as an Excel workbook (.xlsx) without a password, or as CSV, and upload that."
        )
    _delimiter(_decode(data, name=name), name=name)
    return "csv"


def _check_zip(data: bytes, *, name: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile(
            f"{name} looks like an Excel workbook but is damaged; open it in Excel, save it "
            "again and upload the new copy."
        ) from None
    entries = {info.filename for info in infos}
    if "[Content_Types].xml" not in entries or "xl/workbook.xml" not in entries:
        raise UnreadableFile(
            f"{name} is a zip file but not an Excel workbook (.xlsx). Upload the plan as .xlsx "
            "or .csv; OpenDocument (.ods) and Word files are not read."
        )
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limit or len(infos) > MAX_ZIP_ENTRIES:
        raise UnreadableFile(
            f"{name} unpacks to more than {megabytes(limit)} (it holds "
            f"{megabytes(unpacked)} once unzipped), so it was refused without being opened. "
            "Copy just the Objectives, Milestones and Measures sheets into a new workbook and "
            "upload that."
        )


def _decode(data: bytes, *, name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(_NOT_A_TABLE.format(name=name))
    # Text files don't hold NULs or other control characters; binary files (PDFs, images,
    # executables) nearly always do, even when every byte happens to decode.
    sample = text[:65536]
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    if "\x00" in sample or controls > len(sample) // 1000:
        raise UnreadableFile(_NOT_A_TABLE.format(name=name))
    return text


_NOT_A_TABLE = (
    "{name} is not a CSV file or an Excel workbook (.xlsx). Save the plan from Excel as "
    "'Excel Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)' and upload that."
)


# --- CSV ----------------------------------------------------------------------------------------


def _delimiter(text: str, *, name: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in CANDIDATE_DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise UnreadableFile(
            f"{name} is text, but its first line has no commas, semicolons or tabs between "
            "column names, so it is not a CSV table. Save the plan from Excel as 'Excel "
            "Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)' and upload that."
        )
    return best


def _read_csv(data: bytes, *, name: str) -> Book:
    text = _decode(data, name=name)
    delimiter = _delimiter(text, name=name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        numbered = ((number, tuple(row)) for number, row in enumerate(reader, start=1))
        rows = list(_limited(numbered, sheet=columns.OBJECTIVES.name))
    except csv.Error as error:
        raise UnreadableFile(
            f"{name} could not be read as CSV near line {reader.line_num}: {error}."
        ) from None
    table = build_table(columns.OBJECTIVES, columns.OBJECTIVES.name, rows, file_name=name)
    book = Book(kind="csv", tables={}, file_name=name)
    if isinstance(table, Problem):
        book.problems.append(table)
    else:
        book.tables[table.spec.name] = table
    return book


def _limited(rows: Iterable[tuple[int, tuple]], *, sheet: str) -> Iterator[tuple[int, tuple]]:
    """Pass rows on, refusing the file once a sheet has more non-blank rows than the limit."""
    limit = settings.IMPORT_MAX_ROWS
    filled = 0
    for number, values in rows:
        if any(not is_blank(v) for v in values):
            filled += 1
            if filled > limit + 1:  # + 1 for the header row
                raise UnreadableFile(
                    f"{sheet} has more than {limit:,} rows; the most one import takes is "
                    f"{limit:,} per sheet. Split the plan into two files."
                )
        yield number, values


# --- XLSX ---------------------------------------------------------------------------------------

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Scan the sheets' XML for any formula element, streaming so memory stays small."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _open_workbook(data: bytes, *, name: str, data_only: bool):
    import openpyxl

    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same here.
        raise UnreadableFile(
            f"{name} could not be opened as an Excel workbook; open it in Excel, save it again "
            "and upload the new copy."
        ) from None


def _sheet_rows(worksheet) -> Iterator[tuple[int, tuple]]:
    # Some programs write a wrong <dimension>; ignore it and read every row there is.
    worksheet.reset_dimensions()
    return enumerate(worksheet.iter_rows(values_only=True), start=1)


def _formula_cells(data: bytes, *, name: str) -> dict[str, dict[tuple[int, int], str]]:
    """sheet title -> {(row, column index): '=FORMULA'} for every formula cell."""
    workbook = _open_workbook(data, name=name, data_only=False)
    found: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for worksheet in workbook.worksheets:
            if worksheet.sheet_state != "visible":
                continue
            worksheet.reset_dimensions()
            cells = {}
            for row in worksheet.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        cells[(cell.row, cell.column - 1)] = str(cell.value)
            found[worksheet.title] = cells
    finally:
        workbook.close()
    return found


def _read_xlsx(data: bytes, *, name: str, plan_label: str, chosen: dict[str, str]) -> Book:
    formulas = _formula_cells(data, name=name) if _has_formulas(data) else {}
    workbook = _open_workbook(data, name=name, data_only=True)
    book = Book(kind="xlsx", tables={}, file_name=name)
    used_formulas = 0
    try:
        pending = []
        for worksheet in workbook.worksheets:
            title = worksheet.title
            if columns.normalise_header(title) == columns.normalise_header(columns.README_SHEET):
                continue
            if worksheet.sheet_state != "visible":
                book.notes.append(f"Sheet '{title}' is hidden, so it was not read.")
                continue
            try:
                rows = list(_limited(_sheet_rows(worksheet), sheet=title))
            except UnreadableFile:
                raise
            except Exception:
                raise UnreadableFile(
                    f"{name}: sheet '{title}' could not be read; open the file in Excel, save it "
                    "again and upload the new copy."
                ) from None
            sheet_formulas = formulas.get(title, {})
            if sheet_formulas:
                rows, used = _resolve_formulas(rows, sheet_formulas)
                used_formulas += used
            pending.append((title, rows))
    finally:
        workbook.close()

    candidates = sheets.candidates(pending)
    for spec in columns.SHEETS:
        titles = candidates.get(spec.name, [])
        if not titles:
            continue
        title = sheets.pick(spec, titles, plan_label=plan_label, chosen=chosen.get(spec.name))
        if len(titles) > 1:
            book.choices[spec.name] = titles
            if title is None:
                listed = ", ".join(f"'{t}'" for t in titles)
                book.problems.append(
                    Problem(
                        name,
                        None,
                        None,
                        None,
                        f"has {len(titles)} sheets that could be the {spec.name} sheet ({listed}); "
                        "choose the one to read below, or rename or hide the others",
                    )
                )
                continue
        rows = dict(pending)[title]
        _add_table(book, spec, title, rows)
        book.read_as[spec.name] = title
        if columns.sheet_for_name(title) is None:
            book.notes.append(f"Sheet '{title}' was read as the {spec.name} sheet.")
    read = set(book.read_as.values())
    for title, rows in pending:
        if title in read or not any(any(not is_blank(v) for v in values) for _, values in rows):
            continue
        book.notes.append(
            f"Sheet '{title}' was not read: {sheets.why_not_read(title, rows, candidates)}."
        )
    if used_formulas:
        book.notes.append(
            f"{used_formulas:,} cells hold formulas; the results Excel saved with them were used."
        )
    if not book.tables and not book.problems:
        book.problems.append(
            Problem(
                name,
                None,
                None,
                None,
                "has no Objectives, Milestones or Measures sheet; use the template's sheet and "
                "column names",
            )
        )
    return book


def _add_table(book: Book, spec: SheetSpec, title: str, rows) -> None:
    table = build_table(spec, title, rows, file_name=book.file_name)
    if isinstance(table, Problem):
        book.problems.append(table)
    else:
        book.tables[spec.name] = table


def _resolve_formulas(rows, sheet_formulas):
    used = 0
    resolved = []
    for number, values in rows:
        if any((number, index) in sheet_formulas for index in range(len(values))):
            values = list(values)
            for index, value in enumerate(values):
                formula = sheet_formulas.get((number, index))
                if formula is None:
                    continue
                if value is None:
                    values[index] = Unreadable(formula, FORMULA_NO_VALUE)
                elif not (isinstance(value, str) and value in EXCEL_ERRORS):
                    used += 1
            values = tuple(values)
        resolved.append((number, values))
    return resolved, used


# --- Tables -------------------------------------------------------------------------------------


LIST_EXPORT_HEADERS = {"lead_directorate", "each_team's_current_view", "current_rating"}
LIST_EXPORT = (
    "{name} is the objectives list export (the download on the Objectives page): a summary for "
    "reading, with each team's current view, not the plan's columns. To change a plan in a "
    "spreadsheet, download the plan from Import a business plan, under Export a plan, edit that "
    "copy and import it."
)
# A column headed "Status" is the lifecycle state in the template, but in many NHS workbooks it
# holds the RAG rating; its content decides.
STATUS_HEADERS = {"status"}


def build_table(
    spec: SheetSpec, title: str, rows: list[tuple[int, tuple]], *, file_name: str = "The file"
) -> Table | Problem:
    """Find the header, map columns, keep data rows; a Problem when there is no header at all.

    Raises UnreadableFile for the objectives list export, which is not a plan."""
    header_index = sheets.find_header(spec, rows)
    if header_index is None:
        expected = ", ".join(spec.required)
        return Problem(
            title,
            None,
            None,
            None,
            f"has no header row naming its columns; the first row should name the columns, "
            f"including {expected}",
        )
    header_row, header_values = rows[header_index]
    if {columns.normalise_header(v) for v in header_values} >= LIST_EXPORT_HEADERS:
        raise UnreadableFile(LIST_EXPORT.format(name=file_name))
    table = Table(spec=spec, name=title, header_row=header_row, columns={}, headers={})
    for position, header in enumerate(header_values):
        if is_blank(header):
            continue
        key = columns.column_for_header(spec, header)
        shown = display(header)
        if key is None:
            table.ignored_headers.append(shown)
        elif key in table.columns:
            table.problems.append(
                Problem(
                    title,
                    header_row,
                    key,
                    shown,
                    f"names the same column as '{table.headers[key]}'; keep one of them",
                )
            )
        else:
            table.columns[key] = position
            table.headers[key] = shown
    for key in spec.required:
        if key not in table.columns:
            aliases = ", ".join(spec.column(key).aliases[:2])
            table.problems.append(
                Problem(
                    title,
                    header_row,
                    key,
                    None,
                    f"column is missing; add a column headed {key} (or {aliases})",
                )
            )
    key_positions = [table.columns[k] for k in spec.required if k in table.columns]
    below_gap = False
    for number, values in rows[header_index + 1 :]:
        filled = [v for v in values if not is_blank(v)]
        if not filled:
            below_gap = True
            continue
        keys_empty = all(p >= len(values) or is_blank(values[p]) for p in key_positions)
        if below_gap and (len(filled) == 1 or keys_empty):
            table.notes.append((number, " ".join(display(v) for v in filled)))
            continue
        below_gap = False
        table.rows.append((number, values))
    _status_as_rating(table)
    return table


def _status_as_rating(table: Table) -> None:
    """A "Status" column whose every filled cell is a rating word is read as initial_rating."""
    position = table.columns.get("state")
    if (
        position is None
        or "initial_rating" in table.columns
        or columns.normalise_header(table.headers["state"]) not in STATUS_HEADERS
    ):
        return
    cells = [values[position] for _, values in table.rows if position < len(values)]
    filled = [cell for cell in cells if not is_blank(cell)]
    if not filled or not all(is_rating_word(cell) for cell in filled):
        return
    table.columns["initial_rating"] = table.columns.pop("state")
    table.headers["initial_rating"] = table.headers.pop("state")
    table.read_as.append(
        f"{table.name}: the column '{table.headers['initial_rating']}' holds ratings (such as "
        f"'{display(filled[0])}'), so it was read as initial_rating, not as the objective's state."
    )


def is_rating_word(value) -> bool:
    try:
        return parse_rating(value, points=5) is not None
    except ValueProblem:
        return False


def excel_error(value) -> Unreadable | None:
    """An Excel error value typed or computed into a cell, as an Unreadable; else None."""
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        return Unreadable(value.strip(), EXCEL_ERROR)
    return None
