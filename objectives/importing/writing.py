"""Writing a validated preview: the part of plan_import.apply that touches the database.

Everything goes in bulk, so the number of queries does not grow with the file: objectives
(bulk_create, and bulk_update per set of changed fields, each edit also recorded as an
ObjectiveRevision), their teams, dependencies, milestones, measures and initial ratings.

Teams follow the rules of services.set_teams: one lead row; a team that has already reported keeps
its contribution (its updates must never be lost) and an old lead team that has reported stays as
a contributor; other teams left out are removed; `is_shared` is set from what remains.

Initial ratings are the lead team's status update for the plan's first month, as
services.record_status writes them (author, time, the note below as the narrative), and keep the
same derived fields: the contribution's `latest_update` when it had no current view yet (an
earlier month never replaces a later one) and the objective's `worst_rating`. Written into a
locked month, they are marked as lock overrides; plan_import audits each one.

Callers run `write` inside one transaction (plan_import.apply does).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from objectives import ratings
from objectives.models import (
    Contribution,
    ContributionRole,
    Dependency,
    Measure,
    Milestone,
    Objective,
    ObjectiveRevision,
    Plan,
    StatusUpdate,
)

from .columns import column_for_field
from .intents import ChildIntent, ObjectiveIntent, Work

INITIAL_RATING_NOTE = "Initial rating from the business plan import."
BATCH = 1000


@dataclass
class Written:
    changed_objective_ids: set[int] = field(default_factory=set)
    lock_overrides: list[tuple[StatusUpdate, str]] = field(default_factory=list)  # (update, team)


def write(plan: Plan, work: Work, author) -> Written:
    """Everything the work says, in a fixed number of queries; what changed, for the caller."""
    ids = write_objectives(plan, work, author)
    write_teams(work, ids)
    write_dependencies(work, ids)
    write_children(work.milestones, Milestone, ids)
    write_children(work.measures, Measure, ids)
    written = Written()
    written.lock_overrides = write_initial_ratings(plan, work, ids, author)
    written.changed_objective_ids = {
        ids[intent.ref] for intent in work.objectives if intent.changes_anything
    } | {
        ids[intent.ref] for intent in (*work.milestones, *work.measures) if intent.changes_anything
    }
    return written


def write_objectives(plan: Plan, work: Work, author) -> dict[str, int]:
    """Create and update objectives' own fields; returns ref -> id for the whole plan."""
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
            ],
            batch_size=BATCH,
        )
    return ids


def write_teams(work: Work, ids: dict[str, int]) -> None:
    """Lead and contributing teams of new objectives, and of existing ones whose teams change."""
    new = [i for i in work.objectives if i.existing is None]
    changing = [i for i in work.objectives if i.existing is not None and i.teams_changed]
    to_create = [
        contribution
        for intent in new
        for contribution in _contributions(ids[intent.ref], intent, existing={})
    ]
    if changing:
        current = _current_contributions([ids[i.ref] for i in changing])
        to_delete, demote, promote = [], [], []
        shared = []
        for intent in changing:
            objective_id = ids[intent.ref]
            rows = current[objective_id]
            contributors = _wanted_contributors(intent, rows)
            kept = 0
            for row in rows.values():
                wanted = row.team_id == intent.lead.pk or row.team_id in contributors
                if not wanted and not row.reported:
                    to_delete.append(row.pk)
                    continue
                kept += 1
                if row.team_id == intent.lead.pk:
                    if row.role != ContributionRole.LEAD:
                        row.role = ContributionRole.LEAD
                        promote.append(row)
                elif row.role == ContributionRole.LEAD or (
                    row.team_id in contributors and row.commitment != contributors[row.team_id]
                ):
                    row.role = ContributionRole.CONTRIBUTOR
                    row.commitment = contributors.get(row.team_id, row.commitment)
                    demote.append(row)
            created = _contributions(objective_id, intent, existing=rows, contributors=contributors)
            to_create += created
            shared.append(
                Objective(
                    pk=objective_id, lead_team_id=intent.lead.pk, is_shared=kept + len(created) > 1
                )
            )
        Contribution.objects.filter(pk__in=to_delete).delete()
        # Demote before promoting: the database allows one lead row per objective at any moment.
        Contribution.objects.bulk_update(demote, ["role", "commitment"], batch_size=BATCH)
        Contribution.objects.bulk_update(promote, ["role"], batch_size=BATCH)
        Objective.objects.bulk_update(shared, ["lead_team_id", "is_shared"], batch_size=BATCH)
    Contribution.objects.bulk_create(to_create, batch_size=BATCH)


def _current_contributions(objective_ids: list[int]) -> dict[int, dict[int, Contribution]]:
    """objective id -> team id -> contribution, each with `reported` (has it any update?)."""
    reported = StatusUpdate.objects.filter(contribution=OuterRef("pk"))
    found: dict[int, dict[int, Contribution]] = defaultdict(dict)
    for row in Contribution.objects.filter(objective_id__in=objective_ids).annotate(
        reported=Exists(reported)
    ):
        found[row.objective_id][row.team_id] = row
    return found


def _wanted_contributors(intent: ObjectiveIntent, rows: dict[int, Contribution]) -> dict[int, str]:
    """team id -> commitment; without the column, the contributors the objective has now."""
    if intent.contributors is not None:
        return {team.pk: commitment for team, commitment in intent.contributors.items()}
    return {
        team_id: row.commitment
        for team_id, row in rows.items()
        if row.role != ContributionRole.LEAD and team_id != intent.lead.pk
    }


def _contributions(objective_id, intent, *, existing, contributors=None) -> list[Contribution]:
    """The contribution rows to create: the lead's and each contributor's not there yet."""
    if contributors is None:
        contributors = {team.pk: text for team, text in (intent.contributors or {}).items()}
    rows = []
    if intent.lead.pk not in existing:
        rows.append(
            Contribution(
                objective_id=objective_id, team_id=intent.lead.pk, role=ContributionRole.LEAD
            )
        )
    rows += [
        Contribution(
            objective_id=objective_id,
            team_id=team_id,
            role=ContributionRole.CONTRIBUTOR,
            commitment=commitment,
        )
        for team_id, commitment in contributors.items()
        if team_id not in existing and team_id != intent.lead.pk
    ]
    return rows


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_dependencies(work: Work, ids: dict[str, int]) -> None:
    new = [i for i in work.objectives if i.depends_on is not None and i.existing is None]
    changing = [i for i in work.objectives if i.depends_on is not None and i.deps_changed]
    current: dict[int, dict[int, int]] = defaultdict(dict)  # objective -> target -> row id
    if changing:
        for pk, objective_id, target in Dependency.objects.filter(
            objective_id__in=[ids[i.ref] for i in changing]
        ).values_list("pk", "objective_id", "depends_on_id"):
            current[objective_id][target] = pk
    plan_ids = set(ids.values())
    to_delete, to_create = [], []
    for intent in (*new, *changing):
        objective_id = ids[intent.ref]
        wanted = {ids[ref] for ref in intent.depends_on}
        have = current[objective_id]
        # Only dependencies within this plan are the file's to change.
        to_delete += [
            pk for target, pk in have.items() if target not in wanted and target in plan_ids
        ]
        to_create += [
            Dependency(objective_id=objective_id, depends_on_id=target)
            for target in wanted
            if target not in have
        ]
    Dependency.objects.filter(pk__in=to_delete).delete()
    Dependency.objects.bulk_create(to_create, batch_size=BATCH)


def write_children(intents: list[ChildIntent], model, ids: dict[str, int]) -> None:
    name_field = "title" if model is Milestone else "name"
    new = []
    for intent in intents:
        if intent.existing_id is not None:
            continue
        values = {k: v for k, v in intent.fields.items() if v is not None or _nullable(model, k)}
        new.append(model(objective_id=ids[intent.ref], **{name_field: intent.key}, **values))
    model.objects.bulk_create(new, batch_size=BATCH)
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


def write_initial_ratings(
    plan: Plan, work: Work, ids: dict[str, int], author
) -> list[tuple[StatusUpdate, str]]:
    """The lead teams' first-month ratings; returns the lock overrides among them, with teams."""
    wanted = {ids[i.ref]: i for i in work.objectives if i.record_rating}
    if not wanted:
        return []
    period = plan.periods.order_by("month").first()
    leads = list(
        Contribution.objects.filter(
            objective_id__in=wanted, role=ContributionRole.LEAD
        ).select_related("team")
    )
    already = set(
        StatusUpdate.objects.filter(period=period, contribution__in=leads).values_list(
            "contribution_id", flat=True
        )
    )
    now = timezone.now()
    leads = [lead for lead in leads if lead.pk not in already]
    updates = StatusUpdate.objects.bulk_create(
        [
            StatusUpdate(
                contribution_id=lead.pk,
                period=period,
                rating=wanted[lead.objective_id].initial_rating,
                going_well=INITIAL_RATING_NOTE,
                author=author,
                created_at=now,
                lock_override=period.locked,
            )
            for lead in leads
        ],
        batch_size=BATCH,
    )
    # A contribution with no current view yet gets this one (one UPDATE with a subquery; an
    # earlier month never replaces a later view).
    newest = StatusUpdate.objects.filter(contribution=OuterRef("pk")).order_by("-created_at", "-pk")
    Contribution.objects.filter(
        pk__in=[lead.pk for lead in leads], latest_update__isnull=True
    ).update(latest_update=Subquery(newest.values("pk")[:1]))
    _refresh_worst_ratings(wanted)
    if not period.locked:
        return []
    return [(update, lead.team.name) for lead, update in zip(leads, updates, strict=True)]


def _refresh_worst_ratings(objective_ids) -> None:
    """Objective.worst_rating from its teams' current views, as services.refresh_worst_rating
    does for one: one UPDATE per distinct worst rating (six at most), not one per objective."""
    current = defaultdict(list)
    for objective_id, rating in Contribution.objects.filter(
        objective_id__in=objective_ids, latest_update__isnull=False
    ).values_list("objective_id", "latest_update__rating"):
        current[objective_id].append(rating)
    by_rating = defaultdict(list)
    for objective_id in objective_ids:
        by_rating[ratings.worst(current[objective_id]) or ""].append(objective_id)
    for rating, ids in by_rating.items():
        Objective.objects.filter(pk__in=ids).update(worst_rating=rating)
