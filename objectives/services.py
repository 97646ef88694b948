"""Functions that change objectives data. Views, commands and the importer call these.

Each keeps the denormalised helpers (`Objective.is_shared`, `Objective.worst_rating`,
`Contribution.latest_update`) in step inside the same transaction as the change itself.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import ratings
from .models import (
    Ask,
    Contribution,
    ContributionRole,
    Objective,
    Period,
    StatusUpdate,
    Team,
)
from .signals import announce_change


def set_teams(*, objective: Objective, lead: Team, contributors: dict[Team, str]) -> None:
    """Make `lead` the lead team and exactly `contributors` (team -> commitment) the others."""
    contributors = {team: text for team, text in contributors.items() if team != lead}
    with transaction.atomic():
        existing = {c.team_id: c for c in objective.contributions.all()}
        wanted = {lead.pk, *(team.pk for team in contributors)}
        # Teams that already reported keep their contribution (updates must never be lost); teams
        # without updates are removed.
        for team_id, contribution in list(existing.items()):
            if team_id not in wanted and not contribution.updates.exists():
                contribution.delete()
                del existing[team_id]
        old_lead = existing.get(objective.lead_team_id) if objective.lead_team_id else None
        if old_lead and old_lead.team_id != lead.pk:
            old_lead.role = ContributionRole.CONTRIBUTOR
            old_lead.save(update_fields=["role"])
        lead_row = existing.get(lead.pk)
        if lead_row is None:
            Contribution.objects.create(objective=objective, team=lead, role=ContributionRole.LEAD)
        elif lead_row.role != ContributionRole.LEAD:
            lead_row.role = ContributionRole.LEAD
            lead_row.save(update_fields=["role"])
        for team, commitment in contributors.items():
            row = existing.get(team.pk)
            if row is None:
                Contribution.objects.create(
                    objective=objective,
                    team=team,
                    role=ContributionRole.CONTRIBUTOR,
                    commitment=commitment,
                )
            elif row.commitment != commitment or row.role != ContributionRole.CONTRIBUTOR:
                row.commitment = commitment
                row.role = ContributionRole.CONTRIBUTOR
                row.save(update_fields=["commitment", "role"])
        objective.lead_team = lead
        objective.is_shared = objective.contributions.count() > 1
        Objective.objects.filter(pk=objective.pk).update(
            lead_team=lead, is_shared=objective.is_shared
        )
        announce_change([objective.pk])


def narrative_required(*, previous_rating: str | None, rating: str) -> bool:
    """Amber/Red and Red always need a narrative; so does any change of rating."""
    if ratings.is_low_confidence(rating):
        return True
    return previous_rating is not None and previous_rating != rating


def refresh_worst_rating(objective_id: int) -> str:
    current = Contribution.objects.filter(
        objective_id=objective_id, latest_update__isnull=False
    ).values_list("latest_update__rating", flat=True)
    worst = ratings.worst(current) or ""
    Objective.objects.filter(pk=objective_id).update(worst_rating=worst)
    return worst


def record_status(
    *,
    contribution: Contribution,
    period: Period,
    rating: str,
    author,
    going_well: str = "",
    not_going_well: str = "",
    risks: str = "",
    asks: list[tuple[Team, str]] | tuple = (),
    lock_override: bool = False,
    now=None,
) -> StatusUpdate:
    """Append a team's view for a period. A second update for the same period corrects the first.

    Raises ValidationError naming the field for anything the caller should have refused: a period
    of another plan, a locked period without override, a missing narrative.
    """
    now = now or timezone.now()
    if rating not in ratings.Rating.values:
        raise ValidationError({"rating": f"'{rating}' is not a rating on the scale."})
    objective = contribution.objective
    if period.plan_id != objective.plan_id:
        raise ValidationError(
            {"period": f"{period.label} is not a period of plan {objective.plan.label}."}
        )
    if period.locked and not lock_override:
        raise ValidationError({"period": f"{period.label} is locked; updates are closed."})
    with transaction.atomic():
        # Lock the objective, then the contribution: saves for any of the objective's teams queue,
        # so each one's worst-rating refresh sees the others' committed updates.
        list(Objective.objects.select_for_update().filter(pk=objective.pk).values_list("pk"))
        locked = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("latest_update__period")
            .get(pk=contribution.pk)
        )
        current_view = locked.latest_update
        previous = (
            StatusUpdate.objects.filter(contribution=locked).order_by("-created_at", "-pk").first()
        )
        if narrative_required(
            previous_rating=previous.rating if previous else None, rating=rating
        ) and not (going_well.strip() or not_going_well.strip()):
            raise ValidationError(
                {
                    "not_going_well": (
                        "Say what is going well or what is not: a narrative is required for "
                        "Amber/Red and Red and whenever the rating changes."
                    )
                }
            )
        same_period = (
            StatusUpdate.objects.filter(contribution=locked, period=period)
            .exclude(corrected_by__isnull=False)
            .order_by("-created_at", "-pk")
            .first()
        )
        update = StatusUpdate.objects.create(
            contribution=locked,
            period=period,
            rating=rating,
            going_well=going_well,
            not_going_well=not_going_well,
            risks=risks,
            author=author,
            created_at=now,
            corrects=same_period,
            lock_override=lock_override and period.locked,
        )
        Ask.objects.bulk_create(
            [
                Ask(
                    objective=objective,
                    from_team_id=locked.team_id,
                    to_team=team,
                    text=text,
                    asked_by=author,
                    status_update=update,
                    created_at=now,
                )
                for team, text in asks
                if text
            ]
        )
        # The team's current view is its update for the newest period it reported on (that
        # period's latest correction): a backfilled earlier month does not replace it.
        if current_view is None or period.month >= current_view.period.month:
            current_view = update
        Contribution.objects.filter(pk=locked.pk).update(latest_update=current_view)
        refresh_worst_rating(objective.pk)
        announce_change([objective.pk])
    return update
