"""manage.py evaluate_risks (text and JSON), refresh_risks, and send_reminders (once per
period or week)."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from objectives.models import Plan, PlanStatus, ReminderLog
from risks import services
from risks.models import Finding
from tests.factories import ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db
REFRESHED = dt.datetime(2024, 11, 1, 9, 0, tzinfo=dt.UTC)  # before this week's digest


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.SITE_URL = "https://objectives.example.nhs.uk"
    with time_machine.travel(dt.datetime(2024, 11, 15, 12, 0), tick=False):
        yield


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def plan_with_flags(cast):
    """DIG-01: NHS 111 online Red, Ambulance flow Green (shared). OPS-01: quiet, owned, reported."""
    cast.objective_a.delete()
    shared = ObjectiveFactory(
        plan=cast.plan,
        ref="DIG-01",
        title="Make profiles self-maintainable",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        owner=cast.lead_a,
        delivery_date=None,
    )
    add_update(shared, cast.team_a, 6, "red")
    add_update(shared, cast.team_a, 7, "red")
    add_update(shared, cast.team_b, 7, "green")
    cast.objective_b.owner = cast.lead_b
    cast.objective_b.delivery_date = None
    cast.objective_b.save()
    add_update(cast.objective_b, cast.team_b, 7, "amber_green")
    cast.shared = shared
    services.refresh_plan(cast.plan, today=REFRESHED.date(), now=REFRESHED)
    return cast


# --- evaluate_risks ------------------------------------------------------------------------------


def test_evaluate_risks_prints_objectives_of_concern_from_the_stored_findings(plan_with_flags):
    assert run("evaluate_risks") == (
        "Plan 2024/25, findings last refreshed 01 November 2024 09:00: 1 objectives of concern, "
        "most concerning first.\n"
        "\n"
        "In danger  DIG-01  Make profiles self-maintainable\n"
        "           Led by NHS 111 online, shared. NHS 111 online: Red; Ambulance flow: Green.\n"
        "           In danger  Low confidence: NHS 111 online — NHS 111 online says Red for "
        "October 2024 (31 October 2024), Red for 2 months running.\n"
    )


def test_evaluate_risks_marks_acknowledged_findings(plan_with_flags):
    finding = Finding.objects.get()
    services.acknowledge(finding=finding, note="Agreed", user=plan_with_flags.director_a)
    services.refresh_plan(plan_with_flags.plan, today=REFRESHED.date(), now=REFRESHED)
    assert (
        run("evaluate_risks")
        .splitlines()[-1]
        .startswith(
            "           In danger  Low confidence: NHS 111 online (acknowledged) — NHS 111 online"
        )
    )


def test_evaluate_risks_as_json(plan_with_flags):
    assert json.loads(run("evaluate_risks", "--plan", "2024/25", "--json")) == [
        {
            "ref": "DIG-01",
            "title": "Make profiles self-maintainable",
            "lead_team": "NHS 111 online",
            "is_shared": True,
            "concern": "In danger",
            "headline": "NHS 111 online says Red for October 2024 (31 October 2024), Red for 2 "
            "months running.",
            "acknowledged": False,
            "worsened_on": "2024-11-01",
            "team_views": [
                {"team": "NHS 111 online", "rating": "red", "period": "October 2024", "lead": True},
                {
                    "team": "Ambulance flow",
                    "rating": "green",
                    "period": "October 2024",
                    "lead": False,
                },
            ],
            "findings": [
                {
                    "rule": "low_confidence",
                    "label": "Low confidence: NHS 111 online",
                    "level": "In danger",
                    "explanation": "NHS 111 online says Red for October 2024 (31 October 2024), "
                    "Red for 2 months running.",
                    "evidence": {"team": "NHS 111 online", "rating": "red", "months_red": 2},
                    "raised_at": "2024-11-01T09:00:00+00:00",
                    "acknowledged": False,
                    "lapsed": False,
                }
            ],
        }
    ]


def test_refresh_risks_twice_changes_nothing(plan_with_flags):
    assert run("refresh_risks") == (
        "Plan 2024/25: 2 objectives evaluated, 0 findings raised, 0 resolved, "
        "0 concern levels changed.\n"
    )
    add_update(plan_with_flags.objective_b, plan_with_flags.team_b, 7, "amber_red")
    assert run("refresh_risks", "--plan", "2024/25") == (
        "Plan 2024/25: 2 objectives evaluated, 1 findings raised, 0 resolved, "
        "1 concern levels changed.\n"
    )
    assert run("refresh_risks").startswith("Plan 2024/25: 2 objectives evaluated, 0 findings")


def test_evaluate_risks_names_the_plans_there_are_when_the_plan_is_unknown(plan_with_flags):
    with pytest.raises(CommandError, match=r"There is no plan 2019/20; plans: 2024/25\."):
        run("evaluate_risks", "--plan", "2019/20")


def test_evaluate_risks_needs_an_agreed_plan(plan_with_flags):
    Plan.objects.update(status=PlanStatus.DRAFT, agreed_on=None)
    with pytest.raises(CommandError, match="There is no agreed plan"):
        run("evaluate_risks")


# --- send_reminders ------------------------------------------------------------------------------


def test_send_reminders_emails_each_lead_whose_team_has_not_reported_this_period(plan_with_flags):
    output = run("send_reminders")

    assert output == "Sent 2 status reminders, 0 director digests and 0 action reminders.\n"
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("lead_a@example.nhs.uk", "Status updates due for November 2024: 1 objective"),
        ("lead_b@example.nhs.uk", "Status updates due for November 2024: 2 objectives"),
    ]
    [to_b] = [m for m in mail.outbox if m.to == ["lead_b@example.nhs.uk"]]
    assert "Ambulance flow:\n- DIG-01 Make profiles self-maintainable\n- OPS-01 " in to_b.body
    assert "by 30 November 2024" in to_b.body
    assert "Record them on My work: https://objectives.example.nhs.uk/" in to_b.body


def test_send_reminders_sends_nothing_twice_in_a_period(plan_with_flags):
    run("send_reminders")
    assert len(mail.outbox) == 2

    output = run("send_reminders")

    assert len(mail.outbox) == 2
    assert output == (
        "Sent 0 status reminders, 0 director digests and 0 action reminders.\n"
        "2 had already been sent for this period or week.\n"
    )
    assert ReminderLog.objects.filter(kind="status_due", key="2024/25 2024-11").count() == 2


def test_teams_that_reported_this_period_and_finished_objectives_are_not_reminded(
    plan_with_flags,
):
    cast = plan_with_flags
    add_update(cast.shared, cast.team_a, 8, "red", when=dt.datetime(2024, 11, 14, tzinfo=dt.UTC))
    cast.shared.state = "complete"
    cast.shared.save()
    run("send_reminders")
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        ("lead_b@example.nhs.uk", "Status updates due for November 2024: 1 objective")
    ]


def test_a_lead_without_an_email_address_is_named_not_emailed(plan_with_flags):
    plan_with_flags.lead_a.email = ""
    plan_with_flags.lead_a.save()
    output = run("send_reminders")
    assert output.splitlines()[-1] == "No email address for: lead_a."
    assert [m.to[0] for m in mail.outbox] == ["lead_b@example.nhs.uk"]


def test_directors_get_a_weekly_digest_of_objectives_newly_in_danger_once(plan_with_flags):
    cast = plan_with_flags
    # OPS-01 (Ambulance flow, Operations): Red in October and again on 12 November.
    cast.objective_b.owner = cast.lead_b
    cast.objective_b.save()
    add_update(cast.objective_b, cast.team_b, 7, "red")
    add_update(
        cast.objective_b, cast.team_b, 8, "red", when=dt.datetime(2024, 11, 12, tzinfo=dt.UTC)
    )
    services.refresh([cast.objective_b.pk], now=dt.datetime(2024, 11, 12, 9, tzinfo=dt.UTC))

    output = run("send_reminders")

    digests = sorted(
        (m.to[0], m.subject) for m in mail.outbox if m.subject.startswith("Newly in danger")
    )
    assert digests == [
        ("director_b@example.nhs.uk", "Newly in danger this week: 1 objective"),
        ("org_director@example.nhs.uk", "Newly in danger this week: 1 objective"),
    ]
    [digest] = [m for m in mail.outbox if m.to == ["director_b@example.nhs.uk"]]
    assert "- OPS-01 " in digest.body
    assert "  Ambulance flow says Red for November 2024 (12 November 2024), Red for 2 months " in (
        digest.body
    )
    assert "https://objectives.example.nhs.uk/risks/?concern=2" in digest.body
    assert output == "Sent 2 status reminders, 2 director digests and 0 action reminders.\n"

    run("send_reminders")
    assert len([m for m in mail.outbox if m.subject.startswith("Newly in danger")]) == 2
    assert ReminderLog.objects.filter(kind="risk_digest", key="2024-W46").count() == 2
