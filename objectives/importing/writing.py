"""Writing a validated preview: the part of plan_import.apply that touches the database.

New rows go in with bulk_create (objectives, then their contributions, dependencies, milestones
and measures); changed rows with bulk_update, each objective's changed fields also recorded as an
ObjectiveRevision. New objectives get their contributions written directly — one lead row, the
contributors without the lead, `is_shared` set — which is what services.set_teams produces for a
new objective; objectives whose teams change go through services.set_teams, so a team that has
already reported keeps its contribution. Initial ratings go through services.record_status.

Callers run these inside one transaction (plan_import.apply does).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from objectives import services
from objectives.models import (
    Contribution,
    ContributionRole,
    Dependency,
    Milestone,
    Objective,
    ObjectiveRevision,
    Plan,
    StatusUpdate,
)

from .columns import column_for_field

if TYPE_CHECKING:
    from .plan_import import _ChildIntent, _Work

INITIAL_RATING_NOTE = "Initial rating from the business plan import."


def write_objectives(plan: Plan, work: _Work, author) -> dict[str, int]:
    """Create and update objectives and their teams; returns ref -> id for the whole plan."""
    ids = dict(Objective.objects.filter(plan=plan).values_list("ref", "id"))
    new = [i for i in work.objectives if i.existing is None]
    created = Objective.objects.bulk_create(
        [
            Objective(
                plan_id=plan.pk,
                ref=intent.ref,
                lead_team_id=intent.lead.pk,
                is_shared=bool(intent.contributors),
                **{
                    key: value
                    for key, value in intent.fields.items()
                    if not (key in ("priority", "state") and value is None)
                },
            )
            for intent in new
        ],
        batch_size=500,
    )
    for intent, objective in zip(new, created, strict=True):
        ids[intent.ref] = objective.pk
    Contribution.objects.bulk_create(
        [
            contribution
            for intent in new
            for contribution in [
                Contribution(
                    objective_id=ids[intent.ref],
                    team_id=intent.lead.pk,
                    role=ContributionRole.LEAD,
                ),
                *(
                    Contribution(
                        objective_id=ids[intent.ref],
                        team_id=team.pk,
                        role=ContributionRole.CONTRIBUTOR,
                        commitment=commitment,
                    )
                    for team, commitment in (intent.contributors or {}).items()
                ),
            ]
        ],
        batch_size=1000,
    )

    changed = [i for i in work.objectives if i.existing is not None and i.field_changes]
    if changed:
        now = timezone.now()
        rows = []
        for intent in changed:
            bump = {"version": intent.existing["version"] + 1, "updated_at": now}
            rows.append((intent.existing["id"], _afters(intent) | bump))
        _bulk_update(Objective, rows)
        ObjectiveRevision.objects.bulk_create(
            [
                ObjectiveRevision(
                    objective_id=intent.existing["id"],
                    user=author,
                    changes={
                        column_for_field(key): [_json(before), _json(after)]
                        for key, (before, after) in intent.field_changes.items()
                    },
                )
                for intent in changed
            ]
        )
    for intent in work.objectives:
        if intent.existing is not None and intent.teams_changed:
            objective = Objective.objects.get(pk=intent.existing["id"])
            if intent.contributors is None:
                contributors = {
                    c.team: c.commitment
                    for c in objective.contributions.select_related("team")
                    if c.role != ContributionRole.LEAD
                }
            else:
                contributors = intent.contributors
            services.set_teams(objective=objective, lead=intent.lead, contributors=contributors)
    return ids


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_dependencies(work: _Work, ids: dict[str, int]) -> None:
    to_create = []
    for intent in work.objectives:
        if intent.depends_on is None or not (intent.existing is None or intent.deps_changed):
            continue
        objective_id = ids[intent.ref]
        wanted = {ids[ref] for ref in intent.depends_on}
        if intent.existing is not None:
            current = set(
                Dependency.objects.filter(objective_id=objective_id).values_list(
                    "depends_on_id", flat=True
                )
            )
            plan_ids = set(ids.values())
            Dependency.objects.filter(
                objective_id=objective_id,
                depends_on_id__in=(current - wanted) & plan_ids,
            ).delete()
            wanted -= current
        to_create += [
            Dependency(objective_id=objective_id, depends_on_id=target) for target in wanted
        ]
    Dependency.objects.bulk_create(to_create, batch_size=1000)


def write_children(intents: list[_ChildIntent], model, ids: dict[str, int]) -> None:
    name_field = "title" if model is Milestone else "name"
    new = []
    for intent in intents:
        if intent.existing_id is not None:
            continue
        values = {k: v for k, v in intent.fields.items() if v is not None or _nullable(model, k)}
        new.append(model(objective_id=ids[intent.ref], **{name_field: intent.key}, **values))
    model.objects.bulk_create(new, batch_size=1000)
    changed = [i for i in intents if i.existing_id is not None and i.field_changes]
    _bulk_update(model, [(intent.existing_id, _afters(intent)) for intent in changed])


def _afters(intent) -> dict:
    return {key: after for key, (_, after) in intent.field_changes.items()}


def _bulk_update(model, changes: list[tuple[int, dict]]) -> None:
    """bulk_update, one call per set of changed fields: each row gets exactly its own changes.

    (One call with the union of fields would write every other field of a row from an empty
    instance, blanking values that did not change.)"""
    groups: dict[tuple[str, ...], list] = {}
    for pk, values in changes:
        row = model(pk=pk)
        for key, value in values.items():
            setattr(row, key, value)
        groups.setdefault(tuple(sorted(values)), []).append(row)
    for fields, rows in groups.items():
        model.objects.bulk_update(rows, list(fields), batch_size=500)


def _nullable(model, name: str) -> bool:
    return model._meta.get_field(name).null


def record_initial_ratings(plan: Plan, work: _Work, ids: dict[str, int], author) -> None:
    wanted = {ids[i.ref]: i.initial_rating for i in work.objectives if i.record_rating}
    if not wanted:
        return
    period = plan.periods.order_by("month").first()
    leads = Contribution.objects.filter(
        objective_id__in=wanted, role=ContributionRole.LEAD
    ).select_related("objective__plan")
    for contribution in leads:
        if StatusUpdate.objects.filter(contribution=contribution, period=period).exists():
            continue
        services.record_status(
            contribution=contribution,
            period=period,
            rating=wanted[contribution.objective_id],
            author=author,
            going_well=INITIAL_RATING_NOTE,
            lock_override=True,
        )
