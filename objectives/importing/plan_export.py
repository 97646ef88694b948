"""A plan -> an XLSX in exactly the template's shape, so that importing it changes nothing.

Each value is written the way the importer reads it back: dates as date cells, choices by their
labels (High, In progress, Higher is better), contributing teams as 'Team: commitment; Team 2'
(a commitment holding ';' in double quotes), owners by email (or user name when an email is
missing or shared), `initial_rating` as the lead team's newest rating for the plan's first
month. Dependencies on objectives of other plans are left out (the importer only manages those
within the plan).

Only the objectives `user` may view are exported (permissions.can_view_objective), with their
milestones and measures.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from objectives import permissions, ratings
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
    Priority,
    State,
    StatusUpdate,
)

from .lookups import owner_identifier, shared_email_addresses
from .parsing import quote_commitment
from .template import write_workbook


def export_plan(plan: Plan, *, user=None) -> bytes:
    """The plan as template-shaped XLSX bytes. A fixed number of queries whatever the size."""
    objectives = list(
        Objective.objects.filter(plan=plan).select_related("lead_team", "owner").order_by("ref")
    )
    if user is not None:
        objectives = [o for o in objectives if permissions.can_view_objective(user, o)]
    ids = {objective.pk for objective in objectives}
    refs = {objective.pk: objective.ref for objective in objectives}

    contributors = defaultdict(list)
    for contribution in (
        Contribution.objects.filter(objective__plan=plan, role=ContributionRole.CONTRIBUTOR)
        .select_related("team")
        .order_by("team__name")
    ):
        contributors[contribution.objective_id].append(contribution)
    depends_on = defaultdict(list)
    for objective_id, ref in Dependency.objects.filter(
        objective__plan=plan, depends_on__plan=plan
    ).values_list("objective_id", "depends_on__ref"):
        depends_on[objective_id].append(ref)
    first_ratings = {}
    first_period = plan.periods.order_by("month").first()
    if first_period is not None:
        for objective_id, rating in (
            StatusUpdate.objects.filter(
                period=first_period,
                contribution__objective__plan=plan,
                contribution__role=ContributionRole.LEAD,
            )
            .order_by("created_at", "pk")
            .values_list("contribution__objective_id", "rating")
        ):
            first_ratings[objective_id] = rating
    shared = shared_email_addresses()

    objective_rows = [
        [
            o.ref,
            o.title,
            o.description,
            o.lead_team.name,
            "; ".join(
                f"{c.team.name}: {quote_commitment(c.commitment)}" if c.commitment else c.team.name
                for c in contributors[o.pk]
            ),
            owner_identifier(o.owner, shared),
            o.delivery_date,
            Priority(o.priority).label,
            State(o.state).label,
            o.stakeholders,
            o.expected_outcome,
            "; ".join(sorted(depends_on[o.pk])),
            ratings.label(first_ratings[o.pk]) if o.pk in first_ratings else "",
        ]
        for o in objectives
    ]
    milestone_rows = [
        [refs[m.objective_id], m.title, m.due_date, m.team.name if m.team else "", m.done_date]
        for m in Milestone.objects.filter(objective__plan=plan)
        .select_related("team")
        .order_by("objective__ref", "due_date", "pk")
        if m.objective_id in ids
    ]
    measure_rows = [
        [
            refs[m.objective_id],
            m.name,
            m.unit,
            Direction(m.direction).label,
            m.baseline_value,
            m.baseline_date,
            m.target_value,
            m.target_date,
            Frequency(m.frequency).label,
        ]
        for m in Measure.objects.filter(objective__plan=plan).order_by(
            "objective__ref", "name", "pk"
        )
        if m.objective_id in ids
    ]
    return write_workbook(
        {"Objectives": objective_rows, "Milestones": milestone_rows, "Measures": measure_rows},
        points=settings.RATING_SCALE,
    )


def export_filename(plan: Plan) -> str:
    return f"business-plan-{plan.label.replace('/', '-')}.xlsx"
