"""The shape of a business-plan spreadsheet: its sheets, their columns and what people call them.

One column spec per sheet drives everything: reading (which header means which column), the
template and the export (column order, Read me text, examples) and the preview's messages (columns
are named by their canonical key, e.g. `delivery_date`).

Headers are matched after normalising: case is ignored, runs of spaces, underscores, hyphens and
full stops count as one separator, and a few words people add for no reason ("(optional)", a
trailing "*") are dropped. Each column also has aliases (`Lead` and `Lead team` both mean
`lead_team`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    description: str
    example: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 18  # characters, for the template and the export


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    intro: str
    aliases: tuple[str, ...] = field(default=())

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns if column.required)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


DATE_HELP = "31/03/2025, 31 March 2025, 2025-03-31 or a date cell"

OBJECTIVES = SheetSpec(
    name="Objectives",
    intro="One row per objective. An objective already in the plan is matched by its ref and "
    "updated; a new ref creates a new objective.",
    aliases=("objective", "plan", "business plan", "objectives list"),
    columns=(
        Column(
            "ref",
            "Unique within the plan; how the importer recognises the objective next time.",
            "DIG-07",
            required=True,
            aliases=("reference", "objective ref", "objective reference", "id", "objective id"),
            width=10,
        ),
        Column(
            "title",
            "What the objective is, in a line (at most 250 characters).",
            "Put the Directory of Services on a national footing",
            required=True,
            aliases=("objective", "objective title", "name"),
            width=40,
        ),
        Column(
            "description",
            "More detail: scope, approach, what is out of scope.",
            "Move every region to one directory with named profile owners.",
            aliases=("detail", "details", "summary"),
            width=50,
        ),
        Column(
            "lead_team",
            "The one team that leads; its name exactly as in this service.",
            "Directory of Services",
            required=True,
            aliases=("lead", "lead team name", "leading team", "owning team", "team"),
            width=28,
        ),
        Column(
            "contributing_teams",
            "Other teams involved, separated by ';'. Add what a team commits to after a colon: "
            "'Team name: commitment'. Put a commitment that contains ';' in double quotes.",
            "NHS 111 online: route callers using live profiles; Ambulance flow",
            aliases=(
                "contributors",
                "contributing team",
                "contributing teams and commitments",
                "supporting teams",
                "other teams",
            ),
            width=40,
        ),
        Column(
            "owner_email",
            "Email address (or user name) of the person accountable; they must already use "
            "this service.",
            "priya.shah@example.nhs.uk",
            aliases=("owner", "owner e mail", "owner email address", "accountable owner", "sro"),
            width=28,
        ),
        Column(
            "delivery_date",
            f"When it will be delivered, as {DATE_HELP}.",
            "31/03/2025",
            aliases=("due date", "due", "delivery", "deadline", "date due", "target date"),
            width=14,
        ),
        Column(
            "priority",
            "High, Medium or Low (or 1, 2, 3). Empty means Medium.",
            "High",
            aliases=("prio", "priority level"),
            width=10,
        ),
        Column(
            "state",
            "Not started, In progress, Complete, Paused or Closed. Empty means Not started.",
            "In progress",
            aliases=("status", "lifecycle state", "stage", "progress"),
            width=14,
        ),
        Column(
            "stakeholders",
            "Who has a stake in it.",
            "Integrated care boards; 111 providers",
            aliases=("stakeholder", "key stakeholders"),
            width=30,
        ),
        Column(
            "expected_outcome",
            "What the stakeholders expect to be different when it is done.",
            "Callers reach the right service first time",
            aliases=("expected outcomes", "outcome", "outcomes", "what stakeholders expect"),
            width=30,
        ),
        Column(
            "depends_on",
            "Refs of the objectives in the same plan this one needs, separated by ';'.",
            "UEC-01; OPS-03",
            aliases=("dependencies", "depends", "dependency", "dependent on"),
            width=16,
        ),
        Column(
            "initial_rating",
            "Optional starting delivery confidence for the lead team: Green, Amber/Green, Amber, "
            "Amber/Red or Red (G, AG, A, AR, R also work). Recorded for the plan's first month "
            "only when the lead team has not reported for it yet.",
            "Amber/Green",
            aliases=("rating", "initial rag", "rag", "rag rating", "rag status", "confidence"),
            width=14,
        ),
    ),
)

MILESTONES = SheetSpec(
    name="Milestones",
    intro="One row per milestone. A milestone is matched by its objective's ref and its title.",
    aliases=("milestone",),
    columns=(
        Column(
            "objective_ref",
            "Ref of the objective, on the Objectives sheet or already in the plan.",
            "DIG-07",
            required=True,
            aliases=("ref", "objective", "objective reference", "reference"),
            width=14,
        ),
        Column(
            "title",
            "What will be true when the milestone is reached; unique within the objective.",
            "Beta live in two regions",
            required=True,
            aliases=("milestone", "milestone title", "name"),
            width=40,
        ),
        Column(
            "due_date",
            f"When it is due, as {DATE_HELP}.",
            "30/09/2024",
            required=True,
            aliases=("due", "date due", "deadline", "target date", "delivery date"),
            width=14,
        ),
        Column(
            "team",
            "The team responsible; empty means nobody in particular.",
            "Directory of Services",
            aliases=("responsible team", "owner team", "lead team"),
            width=28,
        ),
        Column(
            "done_date",
            f"When it was reached, if it has been, as {DATE_HELP}.",
            "",
            aliases=("done", "completed", "completed date", "date done", "date completed"),
            width=14,
        ),
    ),
)

MEASURES = SheetSpec(
    name="Measures",
    intro="One row per measure. A measure is matched by its objective's ref and its name.",
    aliases=("measure", "metrics", "metric", "kpis", "kpi"),
    columns=(
        Column(
            "objective_ref",
            "Ref of the objective, on the Objectives sheet or already in the plan.",
            "DIG-07",
            required=True,
            aliases=("ref", "objective", "objective reference", "reference"),
            width=14,
        ),
        Column(
            "name",
            "What is measured; unique within the objective.",
            "Profiles reviewed in the last 90 days",
            required=True,
            aliases=("measure", "measure name", "metric", "title"),
            width=40,
        ),
        Column("unit", "The unit, e.g. %, days, calls.", "%", aliases=("units",), width=8),
        Column(
            "direction",
            "Higher is better, Lower is better or Neither. Empty means Higher is better.",
            "Higher is better",
            aliases=("polarity", "better is"),
            width=18,
        ),
        Column(
            "baseline",
            "The starting value, a number.",
            "62",
            aliases=("baseline value",),
            width=10,
        ),
        Column(
            "baseline_date",
            f"When the baseline was measured, as {DATE_HELP}.",
            "30/04/2024",
            aliases=("baseline as at", "baseline at"),
            width=14,
        ),
        Column(
            "target", "The value to reach, a number.", "90", aliases=("target value",), width=10
        ),
        Column(
            "target_date",
            f"When the target should be reached, as {DATE_HELP}.",
            "31/03/2025",
            aliases=("target by", "target as at"),
            width=14,
        ),
        Column(
            "frequency",
            "Weekly, Monthly or Quarterly. Empty means Monthly.",
            "Monthly",
            aliases=("reporting frequency", "how often"),
            width=12,
        ),
    ),
)

SHEETS: tuple[SheetSpec, ...] = (OBJECTIVES, MILESTONES, MEASURES)
README_SHEET = "Read me"

_SEPARATORS = re.compile(r"[\s_\-./]+")
_DECORATION = re.compile(r"\((optional|required|mandatory)\)|\*", re.IGNORECASE)


def normalise_header(text) -> str:
    """'  Lead Team* ' -> 'lead_team'; 'Due-date (optional)' -> 'due_date'."""
    if text is None:
        return ""
    cleaned = _DECORATION.sub(" ", str(text)).strip().lower()
    return _SEPARATORS.sub("_", cleaned).strip("_")


def _header_map(spec: SheetSpec) -> dict[str, str]:
    mapping = {}
    for column in spec.columns:
        for name in (column.key, *column.aliases):
            mapping.setdefault(normalise_header(name), column.key)
    # A column's own key always wins over another column's alias ("title" on Measures).
    for column in spec.columns:
        mapping[normalise_header(column.key)] = column.key
    return mapping


HEADER_MAPS = {spec.name: _header_map(spec) for spec in SHEETS}


def column_for_header(spec: SheetSpec, header) -> str | None:
    """The canonical key a header names on this sheet, or None when it names none."""
    return HEADER_MAPS[spec.name].get(normalise_header(header))


def sheet_for_name(name: str) -> SheetSpec | None:
    wanted = normalise_header(name)
    for spec in SHEETS:
        if wanted in {normalise_header(spec.name), *(normalise_header(a) for a in spec.aliases)}:
            return spec
    return None


def column_for_field(model_field: str) -> str:
    """The column a model field comes from, for messages and revisions."""
    return {
        "owner_id": "owner_email",
        "team_id": "team",
        "baseline_value": "baseline",
        "target_value": "target",
    }.get(model_field, model_field)
