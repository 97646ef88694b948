"""`fingerprint(day, today=…)`: a hash of everything a pack shows, far cheaper than loading it,
so a download can be served from the cache until something it shows has changed."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum

from objectives.models import (
    Ask,
    Contribution,
    Dependency,
    Measure,
    Milestone,
    Objective,
    Reading,
    StatusUpdate,
)
from risks.models import ObjectiveConcern

from .. import services
from ..models import Action, ActionState, CollaborationDay, Decision, FocusObjective

# Bump when the pack's layout changes, so cached packs are rebuilt.
PACK_VERSION = "2"


def fingerprint(day: CollaborationDay, *, today: dt.date, viewer=None) -> str:
    """A hash of everything the pack shows, cheap to compute: ids, timestamps and ratings.

    Status updates are append-only and pointed at by Contribution.latest_update, so the ids of the
    current views and the newest update cover every rating and narrative shown.
    """
    focus = FocusObjective.objects.filter(day=day).values("objective_id")
    team_ids = day.teams.values("pk")
    parts: list = [
        PACK_VERSION,
        settings.PROTECTIVE_MARKING,
        settings.SITE_URL,
        settings.RATING_SCALE,
        today.isoformat(),
    ]
    parts.append(
        CollaborationDay.objects.filter(pk=day.pk).values_list("updated_at", "plan_id").first()
    )
    parts.append(
        list(FocusObjective.objects.filter(day=day).values_list("objective_id", "position"))
    )
    parts.append(list(day.teams.values_list("pk", flat=True).order_by("pk")))
    parts.append(
        Objective.objects.filter(
            plan_id=day.plan_id, contributions__team_id__in=team_ids
        ).aggregate(n=Count("pk"), ids=Sum("pk"), changed=Max("updated_at"))
    )
    parts.append(
        Contribution.objects.filter(
            Q(objective_id__in=focus) | Q(team_id__in=team_ids, objective__plan_id=day.plan_id)
        ).aggregate(n=Count("pk"), latest=Sum("latest_update_id"), newest=Max("latest_update_id"))
    )
    parts.append(
        StatusUpdate.objects.filter(contribution__objective_id__in=focus).aggregate(
            n=Count("pk"), newest=Max("pk")
        )
    )
    parts.append(
        Milestone.objects.filter(objective_id__in=focus).aggregate(
            n=Count("pk"),
            ids=Sum("pk"),
            done=Count("done_date"),
            due=Max("due_date"),
            first_due=Min("due_date"),
        )
    )
    parts.append(
        Reading.objects.filter(measure__objective_id__in=focus).aggregate(
            n=Count("pk"), ids=Sum("pk"), newest=Max("created_at")
        )
    )
    parts.append(
        Measure.objects.filter(objective_id__in=focus).aggregate(n=Count("pk"), ids=Sum("pk"))
    )
    parts.append(
        Dependency.objects.filter(Q(objective_id__in=focus) | Q(depends_on_id__in=focus)).aggregate(
            n=Count("pk"), ids=Sum("pk")
        )
    )
    parts.append(
        Ask.objects.filter(objective_id__in=focus).aggregate(
            n=Count("pk"), changed=Max("updated_at")
        )
    )
    parts.append(
        # The stored findings: re-evaluated (and acknowledged) objectives have a newer time.
        ObjectiveConcern.objects.filter(objective_id__in=focus).aggregate(
            n=Count("pk"), newest=Max("evaluated_at")
        )
    )
    # Which previous day a pack shows depends on who reads it, so its id is part of the hash.
    previous = services.previous_day(day, viewer=viewer, today=today)
    parts.append(previous.pk if previous else None)
    parts.append(
        Action.objects.filter(day_id__in=[day.pk, previous.pk if previous else 0]).aggregate(
            n=Count("pk"),
            changed=Max("updated_at"),
            open=Count("pk", filter=Q(state=ActionState.OPEN)),
        )
    )
    parts.append(Decision.objects.filter(day=day).aggregate(n=Count("pk"), newest=Max("pk")))
    parts.append(list(day.sessions.values_list("pk", "starts_at", "title")))
    return hashlib.sha256(repr(parts).encode()).hexdigest()
