"""Spreadsheets made in memory for the import tests."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl

OBJECTIVE_HEADER = ["ref", "title", "lead_team"]


def xlsx(sheets: dict[str, list[list]], *, hidden: tuple[str, ...] = ()) -> bytes:
    """An XLSX with the given sheets (name -> rows, the first row being the header); the sheets
    named in `hidden` are hidden, as Excel's Hide sheet does."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def with_cached_values(data: bytes, values: dict[str, str], sheet: int = 1) -> bytes:
    """Give formula cells the results Excel would have saved with them (openpyxl saves none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == f"xl/worksheets/sheet{sheet}.xml":
                text = content.decode()
                for ref, value in values.items():
                    # Excel marks a formula's text result t="str"; a number has no type.
                    kind = "" if re.fullmatch(r"-?[\d.]+", value) else ' t="str"'
                    text = re.sub(
                        rf'<c r="{ref}"([^>]*)>(<f>.*?</f>)<v\s*/?>(</v>)?',
                        rf'<c r="{ref}"\1{kind}>\2<v>{value}</v>',
                        text,
                    )
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()
