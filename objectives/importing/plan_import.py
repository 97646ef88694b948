"""A business-plan spreadsheet -> a preview of what would change -> (with no errors) the change.

`build_preview(data, plan_label=…)` reads the file (reading.py), parses every cell (parsing.py),
matches rows to what the plan already holds and returns a `Preview`: per sheet, the rows that would
be created, updated (with each field's before and after) and left unchanged; every problem as
(sheet, row, column, value found, what was expected); warnings that don't block; and the plan's
objectives that the file leaves out (listed, never deleted).

`apply(preview, user=…)` writes a preview with no problems in one transaction: every row or none.
`import_plan(...)` does both inside one transaction, so what is applied is exactly what was
validated a moment before (the confirm step and the management command use it).

Matching: objectives by `ref` (exactly, else ignoring case), milestones by (objective ref, title),
measures by (objective ref, name). A column absent from the file leaves that field as it is; a
column present with an empty cell empties the field (or sets its default: Medium priority, Not
started). `initial_rating` records a status update for the lead team in the plan's first period
through services.record_status, only when that team has none there yet.

Speed: the plan's objectives, contributions, milestones, measures, dependencies, first-period
updates, teams (lookups.py) and the owners named are each loaded in one query; writing.py
writes new rows with bulk_create and changed ones with bulk_update.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from objectives import ratings
from objectives.demo import create_plan
from objectives.models import (
    Contribution,
    ContributionRole,
    Dependency,
    Direction,
    Frequency,
    Measure,
    Milestone,
    Objective,
    Plan,
    PlanStatus,
    Priority,
    State,
    StatusUpdate,
    Team,
)

from . import columns, parsing, reading, writing
from .columns import column_for_field
from .lookups import PeopleIndex, RefIndex, TeamIndex
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

_BAD = object()  # a cell that produced a problem


# --- The preview --------------------------------------------------------------------------------


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
    name: str
    created: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


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
    work: _Work | None = None

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
        return f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged"

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated)

    @property
    def notices(self) -> list[str]:
        """Everything worth knowing that doesn't stop the import, in the order of the file."""
        found = [warning.message for warning in self.warnings] + list(self.notes)
        for sheet in self.sheets.values():
            if sheet.ignored_columns:
                names = ", ".join(f"'{name}'" for name in sheet.ignored_columns)
                several = len(sheet.ignored_columns) > 1
                found.append(
                    f"{sheet.name}: the import doesn't use the column{'s' if several else ''} "
                    f"{names}, so {'they are' if several else 'it is'} ignored."
                )
            found += [
                f"{sheet.name} row {number} was read as a note below the table and ignored: "
                f"'{text[:80]}'"
                for number, text in sheet.notes
            ]
        return found


@dataclass
class _ObjectiveIntent:
    row: int
    ref: str
    existing: dict | None
    fields: dict  # model field -> value, only the columns the file has
    lead: Team
    contributors: dict[Team, str] | None  # None: column absent
    depends_on: list[str] | None
    initial_rating: str | None
    record_rating: bool = False
    field_changes: dict = field(default_factory=dict)
    teams_changed: bool = False
    deps_changed: bool = False


@dataclass
class _ChildIntent:
    row: int
    ref: str
    key: str
    fields: dict
    existing_id: int | None
    field_changes: dict = field(default_factory=dict)


@dataclass
class _Work:
    objectives: list[_ObjectiveIntent] = field(default_factory=list)
    milestones: list[_ChildIntent] = field(default_factory=list)
    measures: list[_ChildIntent] = field(default_factory=list)
    author: object = None


# --- Reading one row ----------------------------------------------------------------------------


class _Row:
    def __init__(self, table: reading.Table, number: int, values: tuple, problems: list):
        self.table = table
        self.sheet = table.spec.name
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
        return _BAD

    def get(self, key: str, parser=text_value):
        """The parsed value of a column (None when empty), or _BAD after recording a problem."""
        value = self.raw(key)
        if isinstance(value, Unreadable):
            return self.problem(key, value, value.expected)
        required = REQUIRED_TEXT.get((self.sheet, key))
        if is_blank(value):
            if required:
                return self.problem(key, "", required)
            return None if parser is not text_value else ""
        try:
            parsed = parser(value)
        except ValueProblem as problem:
            return self.problem(key, value, problem.expected)
        limit = MAX_LENGTH.get((self.sheet, key))
        if limit and isinstance(parsed, str) and len(parsed) > limit:
            return self.problem(
                key, value, f"is too long ({len(parsed):,} characters); use at most {limit}"
            )
        return parsed


# --- Building the preview -----------------------------------------------------------------------


def build_preview(data: bytes, *, plan_label: str, name: str = "The file", author=None) -> Preview:
    """Read, parse and match. Never writes. `author` is who initial ratings would be recorded as."""
    preview = Preview(plan_label=plan_label.strip())
    try:
        Plan.dates_for_label(preview.plan_label)
    except ValueError as error:
        preview.refusal = f"Plan: {error}."
        return preview
    preview.plan = Plan.objects.filter(label=preview.plan_label).first()
    if preview.plan is not None and preview.plan.status == PlanStatus.CLOSED:
        preview.refusal = (
            f"Plan {preview.plan_label} is closed; nothing can be imported into it. An "
            "administrator can reopen it first."
        )
        return preview
    try:
        book = reading.read_book(data, name=name)
    except reading.UnreadableFile as error:
        preview.refusal = str(error)
        return preview
    preview.file_kind = book.kind
    preview.notes.extend(book.notes)
    preview.problems.extend(book.problems)
    for table in book.tables.values():
        preview.problems.extend(table.problems)
    _Matcher(preview, book, author).run()
    # As a person reads the file: sheet by sheet, row by row, left to right.
    sheets = [spec.name for spec in columns.SHEETS]
    positions = {
        (name, key): position
        for name, table in book.tables.items()
        for key, position in table.columns.items()
    }
    preview.problems.sort(
        key=lambda p: (
            sheets.index(p.sheet) if p.sheet in sheets else -1,
            p.row or 0,
            positions.get((p.sheet, p.column), -1),
        )
    )
    return preview


class _Matcher:
    def __init__(self, preview: Preview, book: reading.Book, author):
        self.preview = preview
        self.book = book
        self.author = author
        self.plan = preview.plan
        self.work = _Work(author=author)
        preview.work = self.work
        self.teams = TeamIndex(Team.objects.only("id", "name"))
        self.team_names = {team.pk: team.name for team in self.teams.by_key.values()}
        self.points = settings.RATING_SCALE
        self._load_plan()

    # One query each for what the plan already holds.
    def _load_plan(self):
        self.existing = {}
        self.contributions = defaultdict(dict)  # objective id -> team id -> (role, commitment)
        self.dependencies = defaultdict(set)  # objective id -> refs it depends on
        self.first_updates = {}  # (objective id, team id) -> rating of the newest update
        self.milestones = {}  # (objective id, title) -> row
        self.measures = {}
        self.owners = {}
        self.first_period = None
        if self.plan is None:
            return
        fields = [
            "id",
            "ref",
            "title",
            "description",
            "lead_team_id",
            "owner_id",
            "delivery_date",
            "priority",
            "state",
            "stakeholders",
            "expected_outcome",
            "version",
        ]
        for row in Objective.objects.filter(plan=self.plan).values(*fields):
            self.existing[row["ref"]] = row
        for objective_id, team_id, role, commitment, latest in Contribution.objects.filter(
            objective__plan=self.plan
        ).values_list("objective_id", "team_id", "role", "commitment", "latest_update_id"):
            self.contributions[objective_id][team_id] = (role, commitment, latest is not None)
        for objective_id, ref in Dependency.objects.filter(
            objective__plan=self.plan, depends_on__plan=self.plan
        ).values_list("objective_id", "depends_on__ref"):
            self.dependencies[objective_id].add(ref)
        self.first_period = self.plan.periods.order_by("month").first()
        if self.first_period is not None:
            for objective_id, team_id, rating in (
                StatusUpdate.objects.filter(
                    period=self.first_period, contribution__objective__plan=self.plan
                )
                .order_by("created_at", "pk")
                .values_list("contribution__objective_id", "contribution__team_id", "rating")
            ):
                self.first_updates[(objective_id, team_id)] = rating
        for row in (
            Milestone.objects.filter(objective__plan=self.plan)
            .order_by("pk")
            .values("id", "objective_id", "title", "due_date", "done_date", "team_id")
        ):
            self.milestones.setdefault((row["objective_id"], row["title"]), row)
        for row in (
            Measure.objects.filter(objective__plan=self.plan)
            .order_by("pk")
            .values(
                "id",
                "objective_id",
                "name",
                "unit",
                "direction",
                "baseline_value",
                "baseline_date",
                "target_value",
                "target_date",
                "frequency",
            )
        ):
            self.measures.setdefault((row["objective_id"], row["name"]), row)
        owner_ids = {row["owner_id"] for row in self.existing.values() if row["owner_id"]}
        self.owners = {user.pk: user for user in get_user_model().objects.filter(pk__in=owner_ids)}

    def run(self):
        self.refs = RefIndex(self.existing)
        self.file_refs = RefIndex([])
        objectives = self.book.tables.get("Objectives")
        if objectives:
            self._collect_refs(objectives)
            self._objectives(objectives)
        if milestones := self.book.tables.get("Milestones"):
            self._children(milestones, "title", self._milestone_fields, self.milestones)
        if measures := self.book.tables.get("Measures"):
            self._children(measures, "name", self._measure_fields, self.measures)
        if objectives:
            self.preview.missing = [
                (ref, row["title"])
                for ref, row in sorted(self.existing.items())
                if ref not in self.existing_refs_in_file
            ]

    def _collect_refs(self, table):
        """Refs in the file, so other rows (and sheets) may point at objectives not yet made."""
        self.existing_refs_in_file = set()
        position = table.columns.get("ref")
        if position is None:
            return
        for _, values in table.rows:
            ref = text_value(values[position]) if position < len(values) else ""
            if ref and not isinstance(values[position], Unreadable):
                self.file_refs.add(ref)
                if known := self.refs.find(ref):
                    self.existing_refs_in_file.add(known)

    def _result(self, table) -> SheetResult:
        result = SheetResult(
            name=table.spec.name, ignored_columns=table.ignored_headers, notes=table.notes
        )
        self.preview.sheets[table.spec.name] = result
        return result

    # --- Objectives -----------------------------------------------------------------------------

    def _objectives(self, table):
        result = self._result(table)
        problems = self.preview.problems
        wanted_owners = set()
        if table.has("owner_email"):
            position = table.columns["owner_email"]
            wanted_owners = {
                text_value(values[position])
                for _, values in table.rows
                if position < len(values) and not is_blank(values[position])
            }
        people = PeopleIndex(wanted_owners)
        self.owners.update({user.pk: user for user in people.by_username.values()})
        seen_refs: dict[str, int] = {}
        for number, values in table.rows:
            row = _Row(table, number, values, problems)
            ref = row.get("ref")
            if ref is not _BAD:
                folded = ref.casefold()
                if folded in seen_refs:
                    row.problem(
                        "ref",
                        ref,
                        f"is also used on row {seen_refs[folded]}; each objective needs its own "
                        "ref",
                    )
                else:
                    seen_refs[folded] = number
            fields = {"title": row.get("title")}
            for key in ("description", "stakeholders", "expected_outcome"):
                if row.has(key):
                    fields[key] = row.get(key)
            if row.has("delivery_date"):
                fields["delivery_date"] = row.get("delivery_date", parsing.parse_date)
            if row.has("priority"):
                priority = row.get("priority", parsing.parse_priority)
                fields["priority"] = Priority.MEDIUM.value if priority is None else priority
            if row.has("state"):
                state = row.get("state", parsing.parse_state)
                fields["state"] = State.NOT_STARTED.value if state is None else state
            lead = row.get("lead_team", self._team)
            contributors = None
            if row.has("contributing_teams"):
                contributors = self._contributors(row)
            if row.has("owner_email"):
                owner = row.get("owner_email", people.find)
                fields["owner_id"] = owner.pk if owner not in (None, _BAD) else owner
            depends_on = None
            if row.has("depends_on"):
                depends_on = self._depends_on(row, ref)
            initial = None
            if row.has("initial_rating"):
                initial = row.get(
                    "initial_rating", lambda v: parsing.parse_rating(v, points=self.points)
                )
            if row.failed:
                continue
            known = self.refs.find(ref)
            intent = _ObjectiveIntent(
                row=number,
                ref=known or ref,
                existing=self.existing.get(known) if known else None,
                fields=fields,
                lead=lead,
                contributors=contributors,
                depends_on=depends_on,
                initial_rating=initial,
            )
            self._compare_objective(intent, result, row)
        if any(i.record_rating for i in self.work.objectives) and self.author is None:
            first = next(i for i in self.work.objectives if i.record_rating)
            problems.append(
                Problem(
                    "Objectives",
                    first.row,
                    "initial_rating",
                    ratings.label(first.initial_rating),
                    "can't be recorded without a person to record it as; run import_plan with "
                    "--user",
                )
            )

    def _team(self, value) -> Team:
        return self.teams.find(parsing.collapse_spaces(text_value(value)))

    def _contributors(self, row: _Row) -> dict[Team, str] | object:
        entries = row.get("contributing_teams", parsing.parse_team_list)
        if entries is _BAD:
            return _BAD
        found = {}
        for name, commitment in entries or []:
            try:
                team = self.teams.find(name)
            except ValueProblem as problem:
                row.problem("contributing_teams", name, problem.expected)
                continue
            found[team] = commitment
        return found

    def _depends_on(self, row: _Row, ref) -> list[str] | object:
        refs = row.get("depends_on", parsing.parse_ref_list)
        if refs is _BAD:
            return _BAD
        resolved = []
        for needed in refs or []:
            target = self.file_refs.find(needed) or self.refs.find(needed)
            if target is None:
                row.problem(
                    "depends_on",
                    needed,
                    f"is not the ref of an objective in this file or in plan "
                    f"{self.preview.plan_label}",
                )
            elif ref is not _BAD and target.casefold() == ref.casefold():
                row.problem("depends_on", needed, "is this objective's own ref; leave it out")
            else:
                resolved.append(self.refs.find(target) or target)
        return resolved

    def _compare_objective(self, intent: _ObjectiveIntent, result: SheetResult, row: _Row):
        contributors = intent.contributors or {}
        contributors = {t: c for t, c in contributors.items() if t != intent.lead}
        if intent.contributors is not None:
            intent.contributors = contributors
        existing = intent.existing
        lead_name = intent.lead.name
        if existing is None:
            intent.record_rating = intent.initial_rating is not None
            change = RowChange(intent.row, intent.ref, intent.fields["title"])
            change.changes.append(("lead_team", "", lead_name))
            result.created.append(change)
            self.work.objectives.append(intent)
            return
        change = RowChange(intent.row, intent.ref, intent.fields["title"])
        for key, value in intent.fields.items():
            before = existing[key]
            if key in ("title", "description", "stakeholders", "expected_outcome"):
                before = _normalise_text(before)
            if before != value:
                intent.field_changes[key] = (existing[key], value)
                change.changes.append(
                    (column_for_field(key), self._show(key, existing[key]), self._show(key, value))
                )
        current = self.contributions.get(existing["id"], {})
        if existing["lead_team_id"] != intent.lead.pk:
            intent.teams_changed = True
            change.changes.append(
                ("lead_team", self.team_names.get(existing["lead_team_id"], ""), lead_name)
            )
        if intent.contributors is not None:
            after = {team.pk: commitment for team, commitment in contributors.items()}
            # A team that has reported stays involved (services.set_teams never drops its
            # updates), so leaving it out of the file is not a change the import can make.
            kept = sorted(
                self.team_names[team_id]
                for team_id, (_, _, reported) in current.items()
                if reported and team_id != intent.lead.pk and team_id not in after
            )
            for name in kept:
                self.preview.warnings.append(
                    Problem(
                        "Objectives",
                        intent.row,
                        "contributing_teams",
                        name,
                        "is left out but stays involved: it has reported on this objective, "
                        "and its updates are kept",
                    )
                )
            before = {
                team_id: _normalise_text(commitment)
                for team_id, (role, commitment, reported) in current.items()
                if role != ContributionRole.LEAD
                and team_id != intent.lead.pk
                and self.team_names[team_id] not in kept
            }
            if before != after:
                intent.teams_changed = True
                change.changes.append(
                    (
                        "contributing_teams",
                        self._show_teams(before),
                        self._show_teams(after),
                    )
                )
        if intent.depends_on is not None:
            before_refs = self.dependencies.get(existing["id"], set())
            if before_refs != set(intent.depends_on):
                intent.deps_changed = True
                change.changes.append(
                    (
                        "depends_on",
                        "; ".join(sorted(before_refs)) or EMPTY,
                        "; ".join(sorted(intent.depends_on)) or EMPTY,
                    )
                )
        if intent.initial_rating is not None:
            reported = self.first_updates.get((existing["id"], intent.lead.pk))
            if reported is None:
                intent.record_rating = True
                after = ratings.label(intent.initial_rating)
                change.changes.append(("initial_rating", ratings.NOT_REPORTED_LABEL, after))
            elif reported is not None and reported != intent.initial_rating:
                self.preview.warnings.append(
                    Problem(
                        "Objectives",
                        intent.row,
                        "initial_rating",
                        ratings.label(intent.initial_rating),
                        f"is not recorded: {lead_name} already reported "
                        f"{ratings.label(reported)} for {self.first_period.label}",
                    )
                )
        self.work.objectives.append(intent)
        if change.changes:
            result.updated.append(change)
        else:
            result.unchanged.append(change)

    def _show(self, key, value) -> str:
        if value is None or value == "":
            return EMPTY
        if key == "owner_id":
            user = self.owners.get(value)
            return (user.email or user.username) if user else EMPTY
        if key == "priority":
            return Priority(value).label
        if key == "state":
            return State(value).label
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return display(value)

    def _show_teams(self, teams: dict[int, str]) -> str:
        parts = []
        for team_id, commitment in sorted(teams.items(), key=lambda i: self.team_names[i[0]]):
            name = self.team_names[team_id]
            parts.append(f"{name}: {commitment}" if commitment else name)
        return display("; ".join(parts), limit=200) or EMPTY

    # --- Milestones and measures ----------------------------------------------------------------

    def _objective_ref(self, row: _Row):
        ref = row.get("objective_ref")
        if ref is _BAD:
            return _BAD
        target = self.file_refs.find(ref) or self.refs.find(ref)
        if target is None:
            return row.problem(
                "objective_ref",
                ref,
                f"is not the ref of an objective in this file or in plan {self.preview.plan_label}",
            )
        return self.refs.find(target) or target

    def _milestone_fields(self, row: _Row) -> dict:
        fields = {"due_date": row.get("due_date", parsing.parse_date)}
        if row.has("team"):
            team = row.get("team", self._team)
            fields["team_id"] = team.pk if isinstance(team, Team) else team
        if row.has("done_date"):
            fields["done_date"] = row.get("done_date", parsing.parse_date)
        return fields

    def _measure_fields(self, row: _Row) -> dict:
        fields = {}
        if row.has("unit"):
            fields["unit"] = row.get("unit")
        if row.has("direction"):
            direction = row.get("direction", parsing.parse_direction)
            fields["direction"] = Direction.HIGHER.value if direction is None else direction
        for key, model_field in (("baseline", "baseline_value"), ("target", "target_value")):
            if row.has(key):
                fields[model_field] = row.get(key, parsing.parse_number)
        for key in ("baseline_date", "target_date"):
            if row.has(key):
                fields[key] = row.get(key, parsing.parse_date)
        if row.has("frequency"):
            frequency = row.get("frequency", parsing.parse_frequency)
            fields["frequency"] = Frequency.MONTHLY.value if frequency is None else frequency
        return fields

    def _children(self, table, name_key, fields_for, existing_rows):
        result = self._result(table)
        problems = self.preview.problems
        seen: dict[tuple[str, str], int] = {}
        matched_ids = set()
        noun = "milestone" if name_key == "title" else "measure"
        intents = self.work.milestones if name_key == "title" else self.work.measures
        for number, values in table.rows:
            row = _Row(table, number, values, problems)
            ref = self._objective_ref(row)
            name = row.get(name_key)
            if ref is not _BAD and name is not _BAD:
                key = (ref.casefold(), name)
                if key in seen:
                    row.problem(
                        name_key,
                        name,
                        f"is also on row {seen[key]} for {ref}; give each {noun} of an "
                        "objective its own " + ("title" if noun == "milestone" else "name"),
                    )
                else:
                    seen[key] = number
            fields = fields_for(row)
            if row.failed:
                continue
            existing_objective = self.existing.get(ref)
            existing = None
            if existing_objective is not None:
                existing = existing_rows.get((existing_objective["id"], name))
            intent = _ChildIntent(
                row=number,
                ref=ref,
                key=name,
                fields=fields,
                existing_id=existing["id"] if existing else None,
            )
            intents.append(intent)
            change = RowChange(number, f"{ref} · {name}", name)
            if existing is None:
                result.created.append(change)
                continue
            matched_ids.add(existing["id"])
            for key, value in fields.items():
                before = existing[key]
                if key == "unit":
                    before = _normalise_text(before)
                if before != value:
                    intent.field_changes[key] = (existing[key], value)
                    shown = self._show_child(key, existing[key]), self._show_child(key, value)
                    change.changes.append((column_for_field(key), *shown))
            (result.updated if change.changes else result.unchanged).append(change)
        kept = sum(1 for row in existing_rows.values() if row["id"] not in matched_ids)
        if noun == "milestone":
            self.preview.kept_milestones = kept
        else:
            self.preview.kept_measures = kept

    def _show_child(self, key, value) -> str:
        if value is None or value == "":
            return EMPTY
        if key == "team_id":
            return self.team_names.get(value, EMPTY)
        if key == "direction":
            return Direction(value).label
        if key == "frequency":
            return Frequency(value).label
        if isinstance(value, float):
            return text_value(value)
        return self._show(key, value)


def _normalise_text(value) -> str:
    return text_value(value or "")


# --- Applying -----------------------------------------------------------------------------------


class NotConfirmable(Exception):
    """apply() was given a preview with problems."""


def import_plan(
    data: bytes, *, plan_label: str, user=None, name: str = "The file", dry_run: bool = False
) -> Preview:
    """Validate and, when there are no problems and not dry_run, apply: all in one transaction."""
    with transaction.atomic():
        preview = build_preview(data, plan_label=plan_label, name=name, author=user)
        if preview.ok and not dry_run:
            apply(preview)
    return preview


def apply(preview: Preview, *, user=None) -> Preview:
    """Write a problem-free preview to the database, all rows or none."""
    if not preview.ok or preview.work is None:
        raise NotConfirmable(f"{len(preview.problems)} problems; nothing was imported")
    work = preview.work
    author = user or work.author
    with transaction.atomic():
        plan = preview.plan or Plan.objects.filter(label=preview.plan_label).first()
        if plan is None:
            start, _ = Plan.dates_for_label(preview.plan_label)
            plan = create_plan(start.year, status=PlanStatus.DRAFT)
            preview.plan = plan
        ids = writing.write_objectives(plan, work, author)
        writing.write_dependencies(work, ids)
        writing.write_children(work.milestones, Milestone, ids)
        writing.write_children(work.measures, Measure, ids)
        writing.record_initial_ratings(plan, work, ids, author)
    return preview


# Used by views and tests to show a count line per sheet.
def sheet_line(result: SheetResult) -> str:
    return (
        f"{result.name}: {len(result.created):,} to create, {len(result.updated):,} to update, "
        f"{len(result.unchanged):,} unchanged"
    )


__all__ = [
    "Preview",
    "SheetResult",
    "RowChange",
    "Problem",
    "NotConfirmable",
    "build_preview",
    "apply",
    "import_plan",
]
