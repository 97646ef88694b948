"""Start next year: copy chosen unfinished objectives of one plan into another.

What is copied: ref, title, description, lead team and contributing teams with their commitments,
owner, stakeholders, expected outcome, priority, state, theme, the impact reflection, the actors,
measures (with the baseline kept and the target date moved on by the years between the plans),
and dependencies between objectives that are both copied. The delivery date moves on the same
way. What is not: status updates (the new year starts unreported), milestones, measure readings,
flags and their acknowledgements.

Unfinished means any state but Complete and Closed. The target plan is created (draft) when it
doesn't exist; an existing plan may be used unless it is closed or already holds one of the refs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from objectives import services
from objectives.models import (
    Actor,
    Contribution,
    ContributionRole,
    Dependency,
    Measure,
    Objective,
    Plan,
    PlanStatus,
    State,
)
from objectives.plans import create_plan

FINISHED = (State.COMPLETE, State.CLOSED)
COPIED_FIELDS = (
    "ref",
    "title",
    "description",
    "lead_team_id",
    "owner_id",
    "stakeholders",
    "expected_outcome",
    "priority",
    "state",
    "theme",
    "impact_enhance",
    "impact_restore",
    "impact_replace",
    "impact_mutate",
)


class CarryOverError(ValueError):
    """The copy can't be made; str() says why, for the person asking."""


@dataclass
class CarryOver:
    plan: Plan
    objectives: list[Objective] = field(default_factory=list)
    measures: int = 0
    dependencies: int = 0


def unfinished(plan: Plan):
    return (
        Objective.objects.filter(plan=plan)
        .exclude(state__in=FINISHED)
        .select_related("lead_team")
        .order_by("ref")
    )


def shift_years(day: dt.date | None, years: int) -> dt.date | None:
    """The same day `years` later; 29 February becomes 28 February."""
    if day is None or years == 0:
        return day
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_target(label: str, source: Plan, refs: list[str]) -> Plan | None:
    """The existing target plan (or None to create it); CarryOverError when it can't be used."""
    try:
        Plan.dates_for_label(label)
    except ValueError as error:
        raise CarryOverError(str(error)) from None
    if label == source.label:
        raise CarryOverError(f"Choose a plan other than {source.label} to copy into.")
    target = Plan.objects.filter(label=label).first()
    if target is None:
        return None
    if target.status == PlanStatus.CLOSED:
        raise CarryOverError(f"Plan {label} is closed; nothing can be added to it.")
    clashes = sorted(
        Objective.objects.filter(plan=target, ref__in=refs).values_list("ref", flat=True)
    )
    if clashes:
        raise CarryOverError(
            f"Plan {label} already has objectives with the refs {', '.join(clashes)}; untick them "
            "or choose another plan."
        )
    return target


def carry_over(*, source: Plan, label: str, objective_ids) -> CarryOver:
    """Copy the chosen unfinished objectives of `source` into plan `label`, in one transaction."""
    chosen = list(unfinished(source).filter(pk__in=objective_ids))
    if not chosen:
        raise CarryOverError("Choose at least one unfinished objective to carry over.")
    with transaction.atomic():
        target = check_target(label, source, [o.ref for o in chosen])
        if target is None:
            start, _ = Plan.dates_for_label(label)
            target = create_plan(start.year, status=PlanStatus.DRAFT)
        years = target.start_date.year - source.start_date.year
        result = CarryOver(plan=target)
        copies = {}
        for objective in chosen:
            copy = Objective(
                plan=target,
                delivery_date=shift_years(objective.delivery_date, years),
                **{name: getattr(objective, name) for name in COPIED_FIELDS},
            )
            copy.save()
            copies[objective.pk] = copy
            result.objectives.append(copy)
        contributors: dict[int, dict] = {pk: {} for pk in copies}
        for contribution in Contribution.objects.filter(
            objective_id__in=copies, role=ContributionRole.CONTRIBUTOR
        ).select_related("team"):
            contributors[contribution.objective_id][contribution.team] = contribution.commitment
        for original_id, copy in copies.items():
            services.set_teams(
                objective=copy, lead=copy.lead_team, contributors=contributors[original_id]
            )
        Actor.objects.bulk_create(
            Actor(objective=copies[a.objective_id], kind=a.kind, description=a.description)
            for a in Actor.objects.filter(objective_id__in=copies)
        )
        measures = [
            Measure(
                objective=copies[m.objective_id],
                name=m.name,
                unit=m.unit,
                direction=m.direction,
                baseline_value=m.baseline_value,
                baseline_date=m.baseline_date,
                target_value=m.target_value,
                target_date=shift_years(m.target_date, years),
                frequency=m.frequency,
                team_id=m.team_id,
                is_main=m.is_main,
            )
            for m in Measure.objects.filter(objective_id__in=copies)
        ]
        Measure.objects.bulk_create(measures)
        result.measures = len(measures)
        dependencies = [
            Dependency(
                objective=copies[d.objective_id], depends_on=copies[d.depends_on_id], need=d.need
            )
            for d in Dependency.objects.filter(objective_id__in=copies, depends_on_id__in=copies)
        ]
        Dependency.objects.bulk_create(dependencies)
        result.dependencies = len(dependencies)
    return result


def next_label(plan: Plan) -> str:
    return Plan.label_for_year(plan.start_date.year + 1)
