"""A problem found in an uploaded file, named the way a person finds it in their spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """(sheet, row number, column, value found, what was expected).

    `expected` reads on from the value: "is not a date; use 31/03/2025 or 2025-03-31", so that
    `message` is "Objectives row 14, delivery_date: '31/13/2025' is not a date; use …".
    """

    sheet: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    @property
    def message(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", {self.column}"
        found = f"'{self.value}' " if self.value not in (None, "") else ""
        if self.row is None and not self.column:
            return f"{where} {found}{self.expected}"  # "Objectives has no header row; …"
        return f"{where}: {found}{self.expected}"

    def __str__(self) -> str:
        return self.message
