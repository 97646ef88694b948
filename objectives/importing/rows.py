"""One row of a sheet being matched: its cells parsed by column, its problems recorded."""

from __future__ import annotations

from objectives.models import Measure, Milestone, Objective

from . import reading
from .parsing import Unreadable, ValueProblem, display, is_blank, text_value
from .problems import Problem

EMPTY = "(empty)"

REQUIRED_TEXT = {
    ("Objectives", "ref"): "is empty; every objective needs a ref, e.g. DIG-07",
    ("Objectives", "title"): "is empty; every objective needs a title",
    ("Objectives", "lead_team"): "is empty; every objective needs a lead team",
    ("Milestones", "objective_ref"): "is empty; give the ref of the objective it belongs to",
    ("Milestones", "title"): "is empty; every milestone needs a title",
    ("Milestones", "due_date"): "is empty; every milestone needs a due date, e.g. 30/09/2024",
    ("Measures", "objective_ref"): "is empty; give the ref of the objective it belongs to",
    ("Measures", "name"): "is empty; every measure needs a name",
}
MAX_LENGTH = {
    ("Objectives", "ref"): Objective._meta.get_field("ref").max_length,
    ("Objectives", "title"): Objective._meta.get_field("title").max_length,
    ("Milestones", "title"): Milestone._meta.get_field("title").max_length,
    ("Measures", "name"): Measure._meta.get_field("name").max_length,
    ("Measures", "unit"): Measure._meta.get_field("unit").max_length,
}

TEAMS_HINT = "; separate teams with ';', ',', '/' or 'and'"

BAD = object()  # a cell that produced a problem


class Row:
    def __init__(self, table: reading.Table, number: int, values: tuple, problems: list):
        self.table = table
        self.kind = table.spec.name  # "Objectives", "Milestones" or "Measures"
        self.sheet = table.name  # as the file names the sheet, for messages
        self.number = number
        self.values = values
        self.problems = problems
        self.failed = False

    def has(self, key: str) -> bool:
        return key in self.table.columns

    def raw(self, key: str):
        position = self.table.columns.get(key)
        if position is None or position >= len(self.values):
            return None
        value = self.values[position]
        return reading.excel_error(value) or value

    def problem(self, key: str, value, expected: str) -> object:
        self.problems.append(Problem(self.sheet, self.number, key, display(value), expected))
        self.failed = True
        return BAD

    def get(self, key: str, parser=text_value):
        """The parsed value of a column (None when empty), or BAD after recording a problem."""
        value = self.raw(key)
        if isinstance(value, Unreadable):
            return self.problem(key, value, value.expected)
        required = REQUIRED_TEXT.get((self.kind, key))
        if is_blank(value):
            if required:
                return self.problem(key, "", required)
            return None if parser is not text_value else ""
        try:
            parsed = parser(value)
        except ValueProblem as problem:
            return self.problem(key, value, problem.expected)
        limit = MAX_LENGTH.get((self.kind, key))
        if limit and isinstance(parsed, str) and len(parsed) > limit:
            return self.problem(
                key, value, f"is too long ({len(parsed):,} characters); use at most {limit}"
            )
        return parsed
