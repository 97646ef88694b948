"""What a plan already holds, loaded in one query per kind, for matching a file against it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from objectives.models import (
    Contribution,
    Dependency,
    Measure,
    Milestone,
    Objective,
    Period,
    Plan,
    StatusUpdate,
)


@dataclass
class PlanContents:
    existing: dict = field(default_factory=dict)  # ref -> objective row
    # objective id -> team id -> (role, commitment, has it reported?)
    contributions: dict = field(default_factory=lambda: defaultdict(dict))
    dependencies: dict = field(default_factory=lambda: defaultdict(set))  # id -> refs needed
    first_updates: dict = field(default_factory=dict)  # (objective id, team id) -> newest rating
    milestones: dict = field(default_factory=dict)  # (objective id, title) -> row
    measures: dict = field(default_factory=dict)  # (objective id, name) -> row
    owners: dict = field(default_factory=dict)  # user id -> user
    first_period: Period | None = None


def load(plan: Plan | None) -> PlanContents:
    contents = PlanContents()
    if plan is None:
        return contents
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
    for row in Objective.objects.filter(plan=plan).values(*fields):
        contents.existing[row["ref"]] = row
    for objective_id, team_id, role, commitment, latest in Contribution.objects.filter(
        objective__plan=plan
    ).values_list("objective_id", "team_id", "role", "commitment", "latest_update_id"):
        contents.contributions[objective_id][team_id] = (role, commitment, latest is not None)
    for objective_id, ref in Dependency.objects.filter(
        objective__plan=plan, depends_on__plan=plan
    ).values_list("objective_id", "depends_on__ref"):
        contents.dependencies[objective_id].add(ref)
    contents.first_period = plan.periods.order_by("month").first()
    if contents.first_period is not None:
        for objective_id, team_id, rating in (
            StatusUpdate.objects.filter(
                period=contents.first_period, contribution__objective__plan=plan
            )
            .order_by("created_at", "pk")
            .values_list("contribution__objective_id", "contribution__team_id", "rating")
        ):
            contents.first_updates[(objective_id, team_id)] = rating
    for row in (
        Milestone.objects.filter(objective__plan=plan)
        .order_by("pk")
        .values("id", "objective_id", "title", "due_date", "done_date", "team_id")
    ):
        contents.milestones.setdefault((row["objective_id"], row["title"]), row)
    for row in (
        Measure.objects.filter(objective__plan=plan)
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
        contents.measures.setdefault((row["objective_id"], row["name"]), row)
    owner_ids = {row["owner_id"] for row in contents.existing.values() if row["owner_id"]}
    contents.owners = {user.pk: user for user in get_user_model().objects.filter(pk__in=owner_ids)}

    return contents
