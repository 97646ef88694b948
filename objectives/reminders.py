"""Reminder emails: status updates due this period (to team leads). ``manage.py send_reminders``
sends these and the directors' weekly digest of new findings (risks/digest.py).

Each email is logged in ReminderLog (kind, key, user) inside the same transaction as the send, so
a re-run in the same period (or week) sends nothing twice, and a failed send is not logged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .models import (
    Contribution,
    Membership,
    Period,
    Plan,
    ReminderLog,
    Role,
    State,
)

STATUS_DUE = "status_due"
FINISHED = (State.COMPLETE, State.CLOSED)


@dataclass
class Outcome:
    sent: int = 0
    already_sent: int = 0
    no_email: list[str] = field(default_factory=list)


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send_once(*, kind: str, key: str, user, subject: str, body: str, outcome: Outcome) -> None:
    if not user.email:
        outcome.no_email.append(user.get_username())
        return
    try:
        with transaction.atomic():
            _, created = ReminderLog.objects.get_or_create(kind=kind, key=key, user=user)
            if not created:
                outcome.already_sent += 1
                return
            # Sent inside the transaction: if sending fails the log row is rolled back.
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
    except IntegrityError:  # another run logged it between our read and write
        outcome.already_sent += 1
        return
    outcome.sent += 1


# --- Status updates due ---------------------------------------------------------------------------


def current_period(plan: Plan, today: dt.date) -> Period | None:
    return plan.periods.filter(start_date__lte=today, end_date__gte=today).first()


def due_by_lead(plan: Plan, period: Period) -> dict:
    """lead -> {team: [objectives without that team's update for ``period``]} for objectives
    still in play."""
    missing = (
        Contribution.objects.filter(objective__plan=plan)
        .exclude(objective__state__in=FINISHED)
        .exclude(updates__period=period)
        .select_related("team", "objective")
        .order_by("team__name", "objective__ref")
    )
    by_team: dict = defaultdict(list)
    for contribution in missing:
        by_team[contribution.team].append(contribution.objective)
    leads: dict = defaultdict(dict)
    for membership in Membership.objects.filter(
        team__in=list(by_team), role=Role.LEAD, user__is_active=True
    ).select_related("user", "team"):
        leads[membership.user][membership.team] = by_team[membership.team]
    return leads


def send_status_reminders(plan: Plan, today: dt.date) -> Outcome:
    outcome = Outcome()
    period = current_period(plan, today)
    if period is None:
        return outcome
    key = f"{plan.label} {period.start_date:%Y-%m}"
    for lead, teams in sorted(due_by_lead(plan, period).items(), key=lambda i: i[0].username):
        count = sum(len(objectives) for objectives in teams.values())
        subject = (
            f"Status updates due for {period.label}: {count} objective{'s' if count != 1 else ''}"
        )
        body = render_to_string(
            "emails/status_due.txt",
            {
                "lead": lead,
                "teams": sorted(teams.items(), key=lambda item: item[0].name),
                "period": period,
                "count": count,
                "my_work_url": _url(reverse("objectives:my_work")),
            },
        )
        _send_once(kind=STATUS_DUE, key=key, user=lead, subject=subject, body=body, outcome=outcome)
    return outcome
