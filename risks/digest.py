"""The directors' weekly digest: objectives that became In danger in the last seven days, read
from the stored findings. ``manage.py send_reminders`` sends it with the status reminders; each
email is logged (objectives.reminders), so a re-run in the same week sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse

from objectives.models import Contribution, Directorship, Plan
from objectives.reminders import Outcome, _send_once, _url

from .models import Concern, ConcernChange, ObjectiveConcern

RISK_DIGEST = "risk_digest"


def week_key(today: dt.date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def newly_in_danger(plan: Plan, today: dt.date) -> list[ObjectiveConcern]:
    """Objectives In danger now that reached In danger in the last seven days."""
    since = today - dt.timedelta(days=7)
    recent = ConcernChange.objects.filter(
        objective_id=OuterRef("objective_id"),
        level=Concern.IN_DANGER,
        changed_at__date__gt=since,
    )
    return list(
        ObjectiveConcern.objects.filter(plan=plan, level=Concern.IN_DANGER)
        .filter(Exists(recent))
        .select_related("objective")
        .order_by("objective__ref")
    )


def send_director_digests(plan: Plan, today: dt.date) -> Outcome:
    outcome = Outcome()
    concerns = newly_in_danger(plan, today)
    if not concerns:
        return outcome
    directorates = defaultdict(set)  # objective id -> directorate ids of its teams
    for objective_id, directorate_id in Contribution.objects.filter(
        objective_id__in=[c.objective_id for c in concerns]
    ).values_list("objective_id", "team__directorate_id"):
        directorates[objective_id].add(directorate_id)
    scopes: dict = defaultdict(set)
    for directorship in Directorship.objects.filter(user__is_active=True).select_related("user"):
        scopes[directorship.user].add(directorship.directorate_id)
    key = week_key(today)
    for director, scope in sorted(scopes.items(), key=lambda item: item[0].username):
        everything = None in scope
        theirs = [c for c in concerns if everything or directorates[c.objective_id] & scope]
        if not theirs:
            continue
        count = len(theirs)
        subject = f"Newly in danger this week: {count} objective{'s' if count != 1 else ''}"
        body = render_to_string(
            "emails/risk_digest.txt",
            {
                "director": director,
                "concerns": theirs,
                "since": today - dt.timedelta(days=7),
                "today": today,
                "plan": plan,
                "dashboard_url": _url(reverse("risks:dashboard") + "?concern=2"),
            },
        )
        _send_once(
            kind=RISK_DIGEST, key=key, user=director, subject=subject, body=body, outcome=outcome
        )
    return outcome
