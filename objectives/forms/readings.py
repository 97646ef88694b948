"""Entering a measure's readings: one at a time, pasted as two columns, or uploaded as CSV.

Everything a person can get wrong is found before anything is saved, and each problem is reported
by line number with the text that was typed and what is expected:

- columns are separated by a tab, a comma or a semicolon (the first line decides); a third column
  is a note; a first line that is neither a date nor a number is a header and skipped;
- dates are UK (30/06/2024, 30-06-24, 30 June 2024) or ISO (2024-06-30, a time after it is
  ignored); values are plain numbers (61.5, -3, 1,234 with thousands commas, 1.2E+05), with a
  trailing % allowed for a measure in %; NaN and infinity are refused;
- a date may be before the plan (baselines), but not after today nor more than
  ``YEARS_BEFORE_PLAN`` years before the plan starts (a mistyped year);
- a date may appear once in what is entered, and a date already recorded for the measure is refused
  unless "replace existing readings" is ticked, when the new value and note replace the old.

Parsing is plain Python (``parse_table``, ``parse_date``, ``parse_value``), so it is tested without
requests and reused by anything that reads readings from text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass

from django import forms

from objectives.importing.parsing import MONTHS
from objectives.spc import format_value

NOTE_LIMIT = 250
MAX_ROWS = 2_000
MAX_PASTE_CHARS = 200_000
MAX_UPLOAD_BYTES = 1_000_000
YEARS_BEFORE_PLAN = 10

DATE_HINT = "use day/month/year, like 30/06/2024, or 2024-06-30"
VALUE_HINT = "use digits with a decimal point, like 61.5"
REPLACE_LABEL = "Replace existing readings"

MONTH_NUMBERS = MONTHS  # "march" and "mar" -> 3: the plan importer's table

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?z?)?")
_UK = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]+)\.?,?[ -](\d{4})")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


@dataclass(frozen=True)
class Row:
    """One reading as entered. ``line`` counts from 1, as a person reads the paste or file."""

    line: int
    date: dt.date
    value: float
    note: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was entered: ``text`` reads on its own next to a field, and
    ``message`` puts the line number in front for a paste or file."""

    line: int
    field: str  # "date", "value", "note" or "row"
    text: str

    @property
    def message(self) -> str:
        return f"Line {self.line}: {self.text}."

    @property
    def sentence(self) -> str:
        """The text on its own, for a field of the one-reading form."""
        return f"{self.text[0].upper()}{self.text[1:]}."


def _quoted(raw: str) -> str:
    shown = raw if len(raw) <= 40 else raw[:39] + "…"
    return f"'{shown}'"


def parse_date(raw: str) -> dt.date | None:
    """A date from UK or ISO text; None when it is not one."""
    text = raw.strip().lower()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
        if len(match[4]) == 2:
            year += 2000
    elif (match := _WORDS.fullmatch(text)) and match[2] in MONTH_NUMBERS:
        day, month, year = int(match[1]), MONTH_NUMBERS[match[2]], int(match[3])
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_value(raw: str, *, unit: str = "") -> float | str:
    """The number in ``raw``, or the text of what is wrong with it."""
    text = raw.strip().translate(_MINUS_SIGNS)
    if unit == "%" and text.endswith("%"):
        text = text[:-1].rstrip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text.lower()):
        if not text:
            return "there is no value – enter a date, then a value"
        return f"{_quoted(raw.strip())} is not a number – {VALUE_HINT}"
    value = float(text)
    if not math.isfinite(value):
        return f"{_quoted(raw.strip())} is too large to be a reading"
    return value


def check_row(
    line: int, date_text: str, value_text: str, note: str = "", *, unit: str = ""
) -> tuple[Row | None, list[Problem]]:
    """One row's own problems (not those that need the other rows or the measure)."""
    problems = []
    date_text = date_text.strip()
    when = parse_date(date_text)
    if when is None:
        if date_text:
            text = f"{_quoted(date_text)} is not a date – {DATE_HINT}"
        else:
            text = f"there is no date – {DATE_HINT}"
        problems.append(Problem(line, "date", text))
    value = parse_value(value_text, unit=unit)
    if isinstance(value, str):
        problems.append(Problem(line, "value", value))
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        problems.append(
            Problem(line, "note", f"the note is {len(note):,} characters; keep it to {NOTE_LIMIT}")
        )
    if problems:
        return None, problems
    return Row(line, when, value, note), []


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    for candidate in ("\t", ";", ","):
        if candidate in first:
            return candidate
    return ","


def _is_header(cells: list[str]) -> bool:
    """Column names: a first cell with letters and no digits, and no number in the second."""
    first = cells[0]
    return (
        re.search(r"[^\W\d_]", first) is not None
        and not re.search(r"\d", first)
        and (len(cells) < 2 or isinstance(parse_value(cells[1]), str))
    )


def parse_table(text: str, *, unit: str = "") -> tuple[list[Row], list[Problem]]:
    """Rows of (date, value[, note]) from pasted or uploaded text, and every problem found.

    Blank lines are skipped. Duplicate dates within the text are problems; checks against the
    measure's own readings are ``check_against_measure``'s.
    """
    text = text.replace("\x00", "")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    problems: list[Problem] = []
    first_line_of: dict[dt.date, int] = {}
    previous_end = 0
    seen_content = header_skipped = False
    header_line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # Only an unterminated quote gets here (NULs are removed above).
            problems.append(
                Problem(
                    previous_end + 1,
                    "row",
                    'a quote mark (") is opened but never closed – remove it or close it',
                )
            )
            break
        line = previous_end + 1
        previous_end = reader.line_num
        cells = [cell.strip() for cell in cells]
        while cells and not cells[-1]:
            cells.pop()  # spreadsheets add empty columns at the end
        if not cells:
            continue
        if not seen_content:
            seen_content = True
            if _is_header(cells):
                header_skipped, header_line = True, line
                continue
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(Problem(line, "row", f"enter at most {MAX_ROWS:,} readings at once"))
            break
        if len(cells) == 1:
            shown = _quoted(cells[0])
            problems.append(
                Problem(
                    line,
                    "row",
                    f"expected a date and a value separated by a tab, comma or semicolon; "
                    f"found only {shown}",
                )
            )
            continue
        if len(cells) > 3:
            problems.append(
                Problem(
                    line,
                    "row",
                    f"expected 2 columns (date, value) or 3 (date, value, note); "
                    f"found {len(cells)}",
                )
            )
            continue
        if (
            delimiter == ","
            and len(cells) == 3
            and re.fullmatch(r"\d{3}(?:\.\d*)?", cells[2])
            and re.fullmatch(r"[+-]?\d{1,3}", cells[1])
        ):
            joined = f"{cells[1]},{cells[2]}"
            problems.append(
                Problem(
                    line,
                    "value",
                    f"is '{joined}' one number? Write it without the comma ({cells[1]}"
                    f"{cells[2]}), or separate the columns with tabs",
                )
            )
            continue
        row, row_problems = check_row(line, *cells, unit=unit)
        problems.extend(row_problems)
        if row is None:
            continue
        if row.date in first_line_of:
            problems.append(
                Problem(
                    line,
                    "date",
                    f"{row.date.isoformat()} is also on line {first_line_of[row.date]}; "
                    "enter each date once",
                )
            )
            continue
        first_line_of[row.date] = line
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(1, "row", "there are no readings – enter a date, then a value"))
        if header_skipped:
            problems[-1] = Problem(
                header_line,
                "row",
                "this looks like column names, and there are no readings after it – enter a "
                "date, then a value",
            )
    return rows, problems


def check_against_measure(
    rows: list[Row],
    *,
    existing: dict[dt.date, float],
    today: dt.date,
    plan_start: dt.date,
    replace: bool,
    unit: str = "",
) -> list[Problem]:
    """Problems that need the measure: future dates, mistyped years, dates already recorded."""
    earliest = _years_before(plan_start, YEARS_BEFORE_PLAN)
    problems = []
    for row in rows:
        iso = row.date.isoformat()
        if row.date > today:
            problems.append(
                Problem(
                    row.line,
                    "date",
                    f"{iso} is in the future – readings can be entered up to today, {_long(today)}",
                )
            )
        elif row.date < earliest:
            problems.append(
                Problem(
                    row.line,
                    "date",
                    f"{iso} is more than {YEARS_BEFORE_PLAN} years before the plan starts "
                    f"({_long(plan_start)}) – check the year",
                )
            )
        elif row.date in existing and not replace:
            problems.append(
                Problem(
                    row.line,
                    "date",
                    f"{iso} is already recorded as {format_value(existing[row.date], unit)} – "
                    f"tick ‘{REPLACE_LABEL}’ to change it",
                )
            )
    return problems


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def decode_upload(data: bytes) -> str | Problem:
    """The text of an uploaded CSV file, or what is wrong with it."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return Problem(
            0,
            "file",
            "This is an Excel workbook, not a CSV file: in Excel choose File, Save a copy, "
            "CSV UTF-8, and upload that",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            pass
    return Problem(0, "file", "The file is not readable text: save it as CSV UTF-8 and try again")


# --- Forms --------------------------------------------------------------------------------------


class _ReadingsForm(forms.Form):
    """Shared by the three ways in: the measure and what it needs to check rows against."""

    mode = ""
    replace = forms.BooleanField(label=REPLACE_LABEL, required=False)

    def __init__(
        self,
        *args,
        measure,
        existing: dict[dt.date, float],
        today: dt.date,
        **kwargs,
    ):
        kwargs.setdefault("auto_id", f"m{measure.pk}-%s")
        kwargs.setdefault("prefix", self.mode)
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.existing = existing
        self.today = today
        self.rows: list[Row] = []
        self.problems: list[Problem] = []
        self.fields["replace"].widget.attrs["class"] = "nhsuk-checkboxes__input"

    @property
    def replace_count(self) -> int:
        return sum(1 for row in self.rows if row.date in self.existing)

    def _check_measure(self, rows: list[Row]) -> list[Problem]:
        return check_against_measure(
            rows,
            existing=self.existing,
            today=self.today,
            plan_start=self.measure.objective.plan.start_date,
            replace=bool(self.cleaned_data.get("replace")),
            unit=self.measure.unit,
        )

    def _read(self, text: str) -> tuple[list[Row], list[Problem]]:
        """Rows and every problem with them, in line order: the text's own and the measure's."""
        rows, problems = parse_table(text, unit=self.measure.unit)
        problems = sorted(problems + self._check_measure(rows), key=lambda p: p.line)
        return rows, problems

    def _report(self, field: str, problems: list[Problem]) -> None:
        self.problems = problems
        for problem in problems:
            self.add_error(field, problem.message)


class SingleReadingForm(_ReadingsForm):
    mode = "single"
    date = forms.CharField(
        label="Date",
        max_length=100,
        help_text="For example, 30/06/2024 or 2024-06-30",
        error_messages={
            "required": f"Enter the date of the reading – {DATE_HINT}.",
            "max_length": f"That is too long for a date – {DATE_HINT}.",
        },
    )
    value = forms.CharField(
        label="Value",
        max_length=100,
        error_messages={
            "required": "Enter the value of the reading, like 61.5.",
            "max_length": f"That is too long for a number – {VALUE_HINT}.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_LIMIT,
        error_messages={"max_length": f"Keep the note to {NOTE_LIMIT} characters."},
    )
    field_order = ["date", "value", "note", "replace"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs.update(
            {"class": "nhsuk-input--width-10", "autocomplete": "off"}
        )
        self.fields["value"].widget.attrs.update(
            {"class": "nhsuk-input--width-10", "inputmode": "decimal"}
        )
        self.fields["replace"].label = "Replace the existing reading for this date"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        row, problems = check_row(
            1, data["date"], data["value"], data["note"], unit=self.measure.unit
        )
        if row is not None:
            problems = self._check_measure([row])
        self.problems = problems
        for problem in problems:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.sentence)
        if not problems:
            self.rows = [row]
        return data


class PasteReadingsForm(_ReadingsForm):
    mode = "paste"
    text = forms.CharField(
        label="Paste two columns: date and value",
        help_text="Copy them from a spreadsheet, or type one reading a line, like "
        "30/06/2024, 61.5. A header row is fine. A third column is kept as a note.",
        max_length=MAX_PASTE_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "nhsuk-textarea", "spellcheck": "false"}),
        error_messages={
            "required": "Paste at least one line: a date, then a value.",
            "max_length": f"Paste at most {MAX_PASTE_CHARS:,} characters at once.",
        },
    )
    field_order = ["text", "replace"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        rows, problems = self._read(data["text"])
        if problems:
            self._report("text", problems)
        else:
            self.rows = rows
        return data


class CsvReadingsForm(_ReadingsForm):
    mode = "csv"
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Columns: date, value and, if you like, a note. A header row is fine.",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty: choose a CSV file with a date and a value on each line.",
        },
    )
    field_order = ["file", "replace"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {"class": "nhsuk-file-upload", "accept": ".csv,.txt,text/csv,text/plain"}
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        upload = data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error(
                "file",
                f"The file is {upload.size / 1_000_000:.1f} MB; upload at most "
                f"{MAX_UPLOAD_BYTES // 1_000_000} MB.",
            )
            return data
        text = decode_upload(upload.read())
        if isinstance(text, Problem):
            self.add_error("file", text.sentence)
            return data
        rows, problems = self._read(text)
        if problems:
            self._report("file", problems)
        else:
            self.rows = rows
        return data


FORMS = {form.mode: form for form in (SingleReadingForm, PasteReadingsForm, CsvReadingsForm)}


class RebaseForm(forms.Form):
    """Add a date from which the measure's control limits are recalculated, or remove one."""

    date = forms.CharField(
        label="Recalculate the limits from",
        max_length=100,
        help_text="The first date of the new process, for example 01/07/2024",
        required=False,
    )
    remove = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, measure, first_reading: dt.date | None, today: dt.date, **kwargs):
        kwargs.setdefault("auto_id", f"m{measure.pk}-rebase-%s")
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.first_reading = first_reading
        self.today = today
        self.fields["date"].widget.attrs.update(
            {"class": "nhsuk-input--width-10", "autocomplete": "off"}
        )

    @property
    def current(self) -> set[str]:
        return {str(value) for value in self.measure.rebase_dates or []}

    def clean_remove(self) -> dt.date | None:
        raw = self.cleaned_data["remove"]
        if not raw:
            return None
        if raw not in self.current:
            raise forms.ValidationError(
                f"{raw} is not a rebase date of this measure, so there is nothing to remove."
            )
        return dt.date.fromisoformat(raw)

    def clean_date(self) -> dt.date | None:
        raw = self.cleaned_data["date"].strip()
        if not raw:
            return None
        when = parse_date(raw)
        if when is None:
            raise forms.ValidationError(f"{_quoted(raw)} is not a date – {DATE_HINT}.")
        if when > self.today:
            raise forms.ValidationError(
                f"{when.isoformat()} is in the future – choose a date up to today, "
                f"{_long(self.today)}."
            )
        if self.first_reading is None or when <= self.first_reading:
            first = (
                f"the first reading, {_long(self.first_reading)}"
                if self.first_reading
                else "the first reading"
            )
            raise forms.ValidationError(
                f"Choose a date after {first}: limits are recalculated from a date with "
                "readings before it."
            )
        if when.isoformat() in self.current:
            raise forms.ValidationError(f"The limits are already recalculated from {_long(when)}.")
        return when

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("date") is None and data.get("remove") is None:
            self.add_error("date", f"Enter the date to recalculate the limits from – {DATE_HINT}.")
        return data
