"""Email reminders for collaboration-day actions due within a week or overdue."""

import datetime as dt

import pytest
from django.core import mail

from objectives.models import ReminderLog
from reviews import services
from reviews.reminders import send_action_reminders

NOV_15 = dt.date(2024, 11, 15)


@pytest.fixture
def due_actions(world, cast):
    def action(what, due, **fields):
        return services.record_action(
            day=world.day, what=what, created_by=cast.lead_a, due_date=due, **fields
        )

    action("Fix the feed", dt.date(2024, 11, 10), owner=cast.lead_a, team=cast.team_a)
    action("Publish profiles", dt.date(2024, 11, 20), team=world.team_c, owner_name="Sam")
    action("Later", dt.date(2024, 11, 30), team=world.team_c)
    action("Undated", None, team=world.team_c)
    done = action("Done already", dt.date(2024, 11, 1), team=world.team_c)
    services.update_action(action=done, state="done")


def test_owners_and_team_leads_are_reminded_of_actions_due_this_week_or_overdue(
    world, cast, due_actions
):
    outcome = send_action_reminders(cast.plan, NOV_15)

    assert (outcome.sent, outcome.already_sent) == (2, 0)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (
            cast.lead_a.email,
            "Actions from collaboration days: 1 due this week or overdue",
        ),
        (
            world.lead_c.email,
            "Actions from collaboration days: 1 due this week or overdue",
        ),
    ]
    [to_a] = [m for m in mail.outbox if m.to == [cast.lead_a.email]]
    assert (
        "- Fix the feed (NHS 111 online): due 10 November 2024, OVERDUE. From Winter readiness, "
        "28 November 2024." in to_a.body
    )
    [to_c] = [m for m in mail.outbox if m.to == [world.lead_c.email]]
    assert "- Publish profiles (Directory of Services): due 20 November 2024. From" in to_c.body
    assert "Later" not in to_c.body and "Done already" not in to_c.body


def test_action_reminders_are_sent_once_a_week(world, cast, due_actions):
    send_action_reminders(cast.plan, NOV_15)

    again = send_action_reminders(cast.plan, NOV_15 + dt.timedelta(days=1))
    next_week = send_action_reminders(cast.plan, NOV_15 + dt.timedelta(days=7))

    assert (again.sent, again.already_sent) == (0, 2)
    assert (next_week.sent, next_week.already_sent) == (2, 0)
    assert sorted(ReminderLog.objects.values_list("kind", "key")) == [
        ("actions_due", "2024-W46"),
        ("actions_due", "2024-W46"),
        ("actions_due", "2024-W47"),
        ("actions_due", "2024-W47"),
    ]
