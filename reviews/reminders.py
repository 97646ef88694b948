"""Reminder emails for collaboration-day actions due within a week or overdue, joined to
``manage.py send_reminders``. Once a week per person (ReminderLog kind ``actions_due``, key the
ISO week), as the directors' digest is: a re-run in the same week sends nothing twice.

Who is reminded: the action's owner when they have an account here; otherwise the leads and
deputies of the action's team.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from objectives.models import Membership, Plan, Role
from objectives.reminders import Outcome, _send_once, _url

from .models import Action, ActionState

ACTIONS_DUE = "actions_due"
WITHIN = dt.timedelta(days=7)


def week_key(today: dt.date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def due_by_person(plan: Plan, today: dt.date) -> dict:
    """person -> open actions of ``plan``'s days due by a week from ``today`` (overdue ones
    included), soonest first."""
    actions = list(
        Action.objects.filter(day__plan=plan, state=ActionState.OPEN, due_date__lte=today + WITHIN)
        .filter(Q(owner__isnull=True) | Q(owner__is_active=True))
        .select_related("owner", "team", "day", "objective")
        .order_by("due_date", "pk")
    )
    leads = defaultdict(list)
    unowned_teams = {a.team_id for a in actions if a.owner_id is None and a.team_id}
    for membership in Membership.objects.filter(
        team_id__in=unowned_teams, role__in=(Role.LEAD, Role.DEPUTY), user__is_active=True
    ).select_related("user"):
        leads[membership.team_id].append(membership.user)
    people: dict = defaultdict(list)
    for action in actions:
        for person in [action.owner] if action.owner_id else leads.get(action.team_id, []):
            people[person].append(action)
    return people


def send_action_reminders(plan: Plan, today: dt.date) -> Outcome:
    outcome = Outcome()
    key = week_key(today)
    for person, actions in sorted(due_by_person(plan, today).items(), key=lambda i: i[0].pk):
        overdue = sum(1 for a in actions if a.due_date < today)
        subject = f"Actions from collaboration days: {len(actions)} due this week or overdue"
        body = render_to_string(
            "emails/actions_due.txt",
            {
                "person": person,
                "actions": actions,
                "overdue": overdue,
                "today": today,
                "url": _url(reverse("reviews:my_actions")),
            },
        )
        _send_once(
            kind=ACTIONS_DUE, key=key, user=person, subject=subject, body=body, outcome=outcome
        )
    return outcome
