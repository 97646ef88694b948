"""What a validated file will write: one intent per row, built by matching.py and written by
writing.py.

Both of those modules import this one and neither imports the other, so the import arrows point
one way: plan_import -> matching -> intents <- writing <- plan_import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from objectives.models import Period, Team


@dataclass
class ObjectiveIntent:
    row: int
    ref: str
    existing: dict | None  # the objective's row as loaded, None for a new objective
    fields: dict  # model field -> value, only the columns the file has
    lead: Team
    contributors: dict[Team, str] | None  # team -> commitment; None: the column is absent
    depends_on: list[str] | None
    initial_rating: str | None
    record_rating: bool = False
    field_changes: dict = field(default_factory=dict)  # model field -> (before, after)
    teams_changed: bool = False
    deps_changed: bool = False

    @property
    def changes_anything(self) -> bool:
        return (
            self.existing is None
            or bool(self.field_changes)
            or self.teams_changed
            or self.deps_changed
            or self.record_rating
        )


@dataclass
class ChildIntent:
    """A milestone (key = its title) or a measure (key = its name) of the objective `ref`."""

    row: int
    ref: str
    key: str
    fields: dict
    existing_id: int | None
    field_changes: dict = field(default_factory=dict)

    @property
    def changes_anything(self) -> bool:
        return self.existing_id is None or bool(self.field_changes)


@dataclass
class Work:
    objectives: list[ObjectiveIntent] = field(default_factory=list)
    milestones: list[ChildIntent] = field(default_factory=list)
    measures: list[ChildIntent] = field(default_factory=list)
    author: object = None
    # The plan's first month when it is locked and the importer may override the lock: initial
    # ratings written there are marked as lock overrides and audited.
    locked_first_period: Period | None = None
