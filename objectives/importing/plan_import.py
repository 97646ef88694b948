"""A business-plan spreadsheet -> a preview of what would change -> (with no errors) the change.

`build_preview(data, plan_label=…, author=…)` reads the file (reading.py, choosing sheets by
sheets.py), matches every row against what the plan already holds (matching.py) and returns a
`Preview` (preview.py): per sheet, the rows that would be created, updated (with each field's
before and after) and left unchanged; every problem as (sheet, row, column, value found, what was
expected), naming the sheet as the file names it; warnings that don't block; and the plan's
objectives that the file leaves out (listed, never deleted).

`apply(preview)` writes a preview with no problems (writing.py) in one transaction: every row or
none. `import_plan(...)` does both inside one transaction, so what is applied is exactly what was
validated a moment before (the confirm step and the management command use it). After the write
it announces every objective it created or changed (objectives.signals), on commit.

Matching: objectives by `ref` (exactly, else ignoring case), milestones by (objective ref, title),
measures by (objective ref, name). A column absent from the file leaves that field as it is; a
column present with an empty cell empties the field (or sets its default: Medium priority, Not
started). `initial_rating` records a status update for the lead team in the plan's first period,
only when that team has none there yet.

Speed: the plan's objectives, contributions, milestones, measures, dependencies, first-period
updates, teams (lookups.py) and the owners named are each loaded in one query; writing.py writes
in bulk, so a 5,000-row file costs a bounded number of queries, ratings included.
"""

from __future__ import annotations

from django.db import transaction

from objectives.audit import audit
from objectives.models import Plan, PlanStatus
from objectives.plans import create_plan, normalise_label
from objectives.signals import announce_change

from . import columns, reading, writing
from .matching import Matcher
from .preview import Preview, RowChange, SheetResult
from .problems import Problem


def build_preview(
    data: bytes,
    *,
    plan_label: str,
    name: str = "The file",
    author=None,
    chosen: dict[str, str] | None = None,
) -> Preview:
    """Read, parse and match. Never writes. `author` is who imports: initial ratings are recorded
    as them and their directorates limit what they may change. `chosen`: sheet kind -> the sheet
    the person chose to read as it (see sheets.py)."""
    preview = Preview(plan_label=plan_label.strip())
    try:
        preview.plan_label = normalise_label(preview.plan_label)
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
        book = reading.read_book(data, name=name, plan_label=preview.plan_label, chosen=chosen)
    except reading.UnreadableFile as error:
        preview.refusal = str(error)
        return preview
    preview.file_kind = book.kind
    preview.sheet_choices = book.choices
    preview.sheets_read = book.read_as
    preview.notes.extend(book.notes)
    preview.problems.extend(book.problems)
    for table in book.tables.values():
        preview.problems.extend(table.problems)
        preview.notes.extend(table.read_as)
    Matcher(preview, book, author).run()
    # As a person reads the file: sheet by sheet, row by row, left to right.
    order = [book.tables[spec.name].name for spec in columns.SHEETS if spec.name in book.tables]
    positions = {
        (table.name, key): position
        for table in book.tables.values()
        for key, position in table.columns.items()
    }
    preview.problems.sort(
        key=lambda p: (
            order.index(p.sheet) if p.sheet in order else -1,
            p.row or 0,
            positions.get((p.sheet, p.column), -1),
        )
    )
    return preview


class NotConfirmable(Exception):
    """apply() was given a preview with problems."""


def import_plan(
    data: bytes,
    *,
    plan_label: str,
    user=None,
    name: str = "The file",
    dry_run: bool = False,
    chosen: dict[str, str] | None = None,
) -> Preview:
    """Validate and, when there are no problems and not dry_run, apply: all in one transaction."""
    with transaction.atomic():
        preview = build_preview(data, plan_label=plan_label, name=name, author=user, chosen=chosen)
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
        written = writing.write(plan, work, author)
        announce_change(written.changed_objective_ids)
        overrides = written.lock_overrides
        if overrides:
            transaction.on_commit(lambda: _audit_overrides(overrides, author))
    return preview


def _audit_overrides(updates, author) -> None:
    """One audit line per rating written into a locked month, as the status form writes."""
    for update, team_name in updates:
        audit(
            "lock_override",
            user=author,
            obj=update,
            outcome="saved",
            source="plan_import",
            team=team_name,
        )


# Used by views and tests to show a count line per sheet.
def sheet_line(result: SheetResult) -> str:
    return (
        f"{result.shown_name}: {len(result.created):,} to create, "
        f"{len(result.updated):,} to update, {len(result.unchanged):,} unchanged"
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
