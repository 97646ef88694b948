"""Matching a read file against the plan: every row -> a change to preview and an intent to write.

`Matcher(preview, book, user).run()` parses every cell (parsing.py), finds teams, owners and refs
(lookups.py), compares each row with what the plan already holds, and fills the preview (created,
updated, unchanged, problems, warnings) and its `work` (intents.py). It never writes.

Who may import what (permissions.py): a director may create or change only objectives whose lead
team, before and after, is in a directorate they oversee (admins and organisation-wide directors:
all); rows outside that scope are problems naming the row and the reason. Rows that would change
nothing are fine whoever imports them, so a whole-plan export imports again unchanged. A first
month that is locked takes initial ratings only from someone who may override the lock there.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from objectives import permissions, ratings
from objectives.models import (
    ContributionRole,
    Direction,
    Directorate,
    Frequency,
    Priority,
    State,
    Team,
)

from . import parsing, plan_contents, reading
from .columns import column_for_field
from .intents import ChildIntent, ObjectiveIntent, Work
from .lookups import PeopleIndex, RefIndex, TeamIndex
from .parsing import Unreadable, ValueProblem, display, is_blank, text_value
from .preview import Preview, RowChange, SheetResult
from .problems import Problem
from .rows import BAD, EMPTY, TEAMS_HINT, Row


class Matcher:
    def __init__(self, preview: Preview, book: reading.Book, author):
        self.preview = preview
        self.book = book
        self.author = author  # who imports: initial ratings are theirs, their scope applies
        self.plan = preview.plan
        self.work = Work(author=author)
        preview.work = self.work
        self.teams = TeamIndex(Team.objects.only("id", "name", "directorate_id"))
        self.teams_by_id = {team.pk: team for team in self.teams.by_key.values()}
        self.team_names = {team.pk: team.name for team in self.teams.by_key.values()}
        self.directorate_names = dict(Directorate.objects.values_list("id", "name"))
        self.points = settings.RATING_SCALE
        self.file_leads: dict[str, Team] = {}  # ref -> lead team after the import
        self.lock_overrides = 0
        objectives = book.tables.get("Objectives")
        self.objectives_sheet = objectives.name if objectives else "Objectives"
        contents = plan_contents.load(self.plan)
        self.existing = contents.existing
        self.contributions = contents.contributions
        self.dependencies = contents.dependencies
        self.first_updates = contents.first_updates
        self.milestones = contents.milestones
        self.measures = contents.measures
        self.owners = contents.owners
        self.first_period = contents.first_period

    # --- Scope ----------------------------------------------------------------------------------

    def _may_import(self, *, before_id: int | None, after: Team) -> bool:
        if self.author is None:  # manage.py import_plan run without a user: the operator's call
            return True
        before = self.teams_by_id.get(before_id) if before_id else None
        return permissions.can_import_objective(self.author, lead_before=before, lead_after=after)

    def _out_of_scope(self, *, before_id: int | None, after: Team, ref: str) -> tuple:
        """(column, value, expected) for the Problem: why this importer may not touch it."""
        scope = permissions.overseen_directorates(self.author)
        yours = sorted(self.directorate_names.get(pk, "") for pk in scope) if scope else []
        oversee = (" and ".join(yours) if len(yours) < 3 else ", ".join(yours)) or "none"
        rule = (
            f"you may import only objectives led by teams in the directorates you oversee "
            f"({oversee}), so this row is not imported"
        )
        before = self.teams_by_id.get(before_id) if before_id else None
        if before is not None and not self._may_import(before_id=None, after=before):
            where = self.directorate_names.get(before.directorate_id, "another directorate")
            return "ref", ref, f"is led by {before.name}, in {where}; {rule}"
        where = self.directorate_names.get(after.directorate_id, "another directorate")
        return "lead_team", after.name, f"is in {where}; {rule}"

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
            name=table.spec.name,
            title=table.name,
            ignored_columns=table.ignored_headers,
            notes=table.notes,
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
            row = Row(table, number, values, problems)
            ref = row.get("ref")
            if ref is not BAD:
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
                contributors = self._contributors(row, lead)
            if row.has("owner_email"):
                owner = row.get("owner_email", people.find)
                fields["owner_id"] = owner.pk if owner not in (None, BAD) else owner
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
            intent = ObjectiveIntent(
                row=number,
                ref=known or ref,
                existing=self.existing.get(known) if known else None,
                fields=fields,
                lead=lead,
                contributors=contributors,
                depends_on=depends_on,
                initial_rating=initial,
            )
            change = self._compare_objective(intent)
            if intent.changes_anything:
                before_id = intent.existing["lead_team_id"] if intent.existing else None
                if not self._may_import(before_id=before_id, after=lead):
                    row.problem(*self._out_of_scope(before_id=before_id, after=lead, ref=ref))
                    continue
                if intent.record_rating and not self._may_rate(row, intent):
                    continue
            self.file_leads[intent.ref] = lead
            self.work.objectives.append(intent)
            if intent.existing is None:
                result.created.append(change)
            elif change.changes:
                result.updated.append(change)
            else:
                result.unchanged.append(change)
        if any(i.record_rating for i in self.work.objectives) and self.author is None:
            first = next(i for i in self.work.objectives if i.record_rating)
            problems.append(
                Problem(
                    self.objectives_sheet,
                    first.row,
                    "initial_rating",
                    ratings.label(first.initial_rating),
                    "can't be recorded without a person to record it as; run import_plan with "
                    "--user",
                )
            )
        if self.lock_overrides:
            period = self.first_period.label
            count = self.lock_overrides
            self.preview.notes.append(
                f"{period} is locked: {count:,} initial rating{'s' if count != 1 else ''} will be "
                f"recorded there as lock overrides, each written to the audit log."
            )
            self.work.locked_first_period = self.first_period

    def _may_rate(self, row: Row, intent: ObjectiveIntent) -> bool:
        """A locked first month takes a rating only from someone who may override the lock."""
        if self.first_period is None or not self.first_period.locked or self.author is None:
            return True
        if permissions.can_override_lock(self.author, intent.lead):
            self.lock_overrides += 1
            return True
        where = self.directorate_names.get(intent.lead.directorate_id, "its directorate")
        row.problem(
            "initial_rating",
            ratings.label(intent.initial_rating),
            f"can't be recorded: {self.first_period.label} is locked, and only a director of "
            f"{where} or an administrator may change it; leave the cell empty",
        )
        return False

    def _team(self, value) -> Team:
        return self.teams.find(parsing.collapse_spaces(text_value(value)))

    def _contributors(self, row: Row, lead) -> dict[Team, str] | object:
        """'A: does x; B, C and D' -> {A: 'does x', B: '', C: '', D: ''}, with warnings for a
        team listed twice and for the lead team listed as a contributor."""
        entries = row.get("contributing_teams", parsing.parse_team_list)
        if entries is BAD:
            return BAD
        found: dict[Team, str] = {}
        for name, commitment in entries or []:
            try:
                teams = [self.teams.find(name)]
            except ValueProblem as problem:
                teams = self.teams.split(name)
                if teams is None:
                    unknown = self.teams.unknown_parts(name)
                    if unknown:
                        listed = ", ".join(f"'{part}'" for part in unknown)
                        expected = (
                            f"is not a team in this service, nor a list of its teams: {listed} "
                            f"{'is not a team' if len(unknown) == 1 else 'are not teams'}"
                            f"{TEAMS_HINT}"
                        )
                    else:
                        expected = problem.expected
                    row.problem("contributing_teams", name, expected)
                    continue
            for team in teams:
                self._add_contributor(row, found, team, commitment, lead)
        return found

    def _add_contributor(self, row: Row, found: dict, team: Team, commitment: str, lead) -> None:
        def warn(expected: str) -> None:
            self.preview.warnings.append(
                Problem(row.sheet, row.number, "contributing_teams", team.name, expected)
            )

        if team == lead:
            lost = ""
            if commitment:
                lost = f" and its commitment '{display(commitment)}' is not recorded"
            warn(f"is the lead team too, so it stays the lead team only{lost}")
            return
        if team not in found:
            found[team] = commitment
            return
        before = found[team]
        if commitment and before and commitment != before:
            found[team] = f"{before}; {commitment}"
            warn(f"is listed twice; both commitments are kept, as '{display(found[team])}'")
        else:
            found[team] = before or commitment
            warn("is listed twice; it is involved once")

    def _depends_on(self, row: Row, ref) -> list[str] | object:
        refs = row.get("depends_on", parsing.parse_ref_list)
        if refs is BAD:
            return BAD
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
            elif ref is not BAD and target.casefold() == ref.casefold():
                row.problem("depends_on", needed, "is this objective's own ref; leave it out")
            else:
                resolved.append(self.refs.find(target) or target)
        return resolved

    def _compare_objective(self, intent: ObjectiveIntent) -> RowChange:
        """Fill the intent's changes; the row's change for the preview."""
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
            return change
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
                        self.objectives_sheet,
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
                        self.objectives_sheet,
                        intent.row,
                        "initial_rating",
                        ratings.label(intent.initial_rating),
                        f"is not recorded: {lead_name} already reported "
                        f"{ratings.label(reported)} for {self.first_period.label}",
                    )
                )
        return change

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

    def _objective_ref(self, row: Row):
        ref = row.get("objective_ref")
        if ref is BAD:
            return BAD
        target = self.file_refs.find(ref) or self.refs.find(ref)
        if target is None:
            return row.problem(
                "objective_ref",
                ref,
                f"is not the ref of an objective in this file or in plan {self.preview.plan_label}",
            )
        return self.refs.find(target) or target

    def _milestone_fields(self, row: Row) -> dict:
        fields = {"due_date": row.get("due_date", parsing.parse_date)}
        if row.has("team"):
            team = row.get("team", self._team)
            fields["team_id"] = team.pk if isinstance(team, Team) else team
        if row.has("done_date"):
            fields["done_date"] = row.get("done_date", parsing.parse_date)
        return fields

    def _measure_fields(self, row: Row) -> dict:
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
            row = Row(table, number, values, problems)
            ref = self._objective_ref(row)
            name = row.get(name_key)
            if ref is not BAD and name is not BAD:
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
            intent = ChildIntent(
                row=number,
                ref=ref,
                key=name,
                fields=fields,
                existing_id=existing["id"] if existing else None,
            )
            change = RowChange(number, f"{ref} · {name}", name)
            if existing is not None:
                matched_ids.add(existing["id"])
                for key, value in fields.items():
                    before = existing[key]
                    if key == "unit":
                        before = _normalise_text(before)
                    if before != value:
                        intent.field_changes[key] = (existing[key], value)
                        shown = self._show_child(key, existing[key]), self._show_child(key, value)
                        change.changes.append((column_for_field(key), *shown))
            if intent.changes_anything and not self._child_in_scope(row, ref, existing_objective):
                continue
            intents.append(intent)
            if existing is None:
                result.created.append(change)
            else:
                (result.updated if change.changes else result.unchanged).append(change)
        kept = sum(1 for row in existing_rows.values() if row["id"] not in matched_ids)
        if noun == "milestone":
            self.preview.kept_milestones = kept
        else:
            self.preview.kept_measures = kept

    def _child_in_scope(self, row: Row, ref: str, existing_objective: dict | None) -> bool:
        before_id = existing_objective["lead_team_id"] if existing_objective else None
        after = self.file_leads.get(ref) or self.teams_by_id.get(before_id)
        if after is None or self._may_import(before_id=before_id, after=after):
            return True
        _, _, expected = self._out_of_scope(before_id=before_id, after=after, ref=ref)
        if expected.startswith("is in "):  # the file would move it out of scope
            where = self.directorate_names.get(after.directorate_id, "another directorate")
            expected = f"would be led by {after.name}, in {where}" + expected.split(";", 1)[1]
        row.problem("objective_ref", ref, expected)
        return False

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
