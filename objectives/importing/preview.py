"""What the person uploading sees before anything is written: counts, changes, problems, notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from objectives.models import Plan

from .intents import Work
from .problems import Problem


@dataclass
class RowChange:
    row: int
    key: str  # what identifies the row: "DIG-07", or "DIG-07 · Beta live"
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after)

    @property
    def ref(self) -> str:
        """The objective's ref (for milestones and measures, the ref their key starts with)."""
        return self.key.split(" · ", 1)[0]


@dataclass
class SheetResult:
    name: str  # which kind of sheet: "Objectives", "Milestones" or "Measures"
    title: str = ""  # the sheet's own name in the file, e.g. "Plan 24-25"
    created: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def shown_name(self) -> str:
        """'Objectives', or 'Objectives (sheet “Plan 24-25”)' when the user named it otherwise."""
        if not self.title or self.title == self.name:
            return self.name
        return f"{self.name} (sheet ‘{self.title}’)"


@dataclass
class Preview:
    plan_label: str
    plan: Plan | None = None
    file_kind: str = ""
    refusal: str = ""  # the whole file was refused: this says why
    sheets: dict[str, SheetResult] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (ref, title) not in the file
    kept_milestones: int = 0  # in the plan, not in the file: kept
    kept_measures: int = 0
    # Sheet kinds that more than one sheet could be: kind -> the candidate sheet names, and the
    # one read. The preview lets the person choose another.
    sheet_choices: dict[str, list[str]] = field(default_factory=dict)
    sheets_read: dict[str, str] = field(default_factory=dict)
    work: Work | None = None

    @property
    def ok(self) -> bool:
        return not self.refusal and not self.problems

    @property
    def created(self) -> int:
        return sum(len(s.created) for s in self.sheets.values())

    @property
    def updated(self) -> int:
        return sum(len(s.updated) for s in self.sheets.values())

    @property
    def unchanged(self) -> int:
        return sum(len(s.unchanged) for s in self.sheets.values())

    @property
    def summary(self) -> str:
        """What was done, after the import: '3 created, 1 updated, 0 unchanged'."""
        return f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged"

    @property
    def headline(self) -> str:
        """What the import will do, before it is confirmed; never a count for a blocked file."""
        if self.refusal:
            return "Nothing will be imported: the file can't be read."
        if self.problems:
            count = len(self.problems)
            which = "the problem below is" if count == 1 else f"the {count:,} problems below are"
            return f"Nothing will be imported until {which} fixed."
        if not self.has_changes:
            return f"The import will change nothing: {self.unchanged:,} rows are unchanged."
        return (
            f"The import will create {self.created:,}, update {self.updated:,} and leave "
            f"{self.unchanged:,} unchanged."
        )

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated)

    @property
    def notices(self) -> list[str]:
        """Everything worth knowing that doesn't stop the import, in the order of the file."""
        found = [warning.message for warning in self.warnings] + list(self.notes)
        for sheet in self.sheets.values():
            where = sheet.title or sheet.name
            if sheet.ignored_columns:
                names = ", ".join(f"'{name}'" for name in sheet.ignored_columns)
                several = len(sheet.ignored_columns) > 1
                found.append(
                    f"{where}: the import doesn't use the column{'s' if several else ''} "
                    f"{names}, so {'they are' if several else 'it is'} ignored."
                )
            found += [
                f"{where} row {number} was read as a note below the table and ignored: "
                f"'{text[:80]}'"
                for number, text in sheet.notes
            ]
        return found
