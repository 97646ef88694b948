"""manage.py evaluate_risks (text and JSON) and manage.py send_reminders (once per period/week)."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from objectives.models import Plan, PlanStatus, ReminderLog
from tests.factories import ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db


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
    add_update(shared, cast.team_a, 7, "red")
    add_update(shared, cast.team_b, 7, "green")
    cast.objective_b.owner = cast.lead_b
    cast.objective_b.delivery_date = None
    cast.objective_b.save()
    add_update(cast.objective_b, cast.team_b, 7, "amber_green")
    cast.shared = shared
    return cast


# --- evaluate_risks ------------------------------------------------------------------------------


def test_evaluate_risks_prints_flagged_objectives_most_severe_first(plan_with_flags):
    assert run("evaluate_risks") == (
        "Plan 2024/25 on 15 November 2024: 1 of 2 objectives flagged, most severe first.\n"
        "\n"
        " 20  DIG-01  Make profiles self-maintainable\n"
        "     Led by NHS 111 online, shared. NHS 111 online: Red; Ambulance flow: Green.\n"
        "     high    Low confidence: NHS 111 online — NHS 111 online reported Red on "
        "31 October 2024.\n"
        "     high    Divergence — Ambulance flow says Green (31 October 2024), NHS 111 online "
        "says Red (31 October 2024): 4 steps apart.\n"
    )


def test_evaluate_risks_marks_acknowledged_flags(plan_with_flags):
    from objectives.models import FlagAcknowledgement

    FlagAcknowledgement.objects.create(
        objective=plan_with_flags.shared,
        rule="divergence",
        subject="",
        note="Agreed",
        severity_score=4,
        acknowledged_by=plan_with_flags.director_a,
    )
    lines = run("evaluate_risks").splitlines()
    assert lines[2] == " 10  DIG-01  Make profiles self-maintainable"
    assert lines[5].startswith("     high    Divergence (acknowledged) — Ambulance flow says")


def test_evaluate_risks_as_json(plan_with_flags):
    assert json.loads(run("evaluate_risks", "--plan", "2024/25", "--json")) == [
        {
            "ref": "DIG-01",
            "title": "Make profiles self-maintainable",
            "lead_team": "NHS 111 online",
            "is_shared": True,
            "score": 20,
            "team_ratings": [
                {"team": "NHS 111 online", "rating": "red"},
                {"team": "Ambulance flow", "rating": "green"},
            ],
            "flags": [
                {
                    "rule": "low_confidence",
                    "label": "Low confidence: NHS 111 online",
                    "severity": "high",
                    "score": 10,
                    "subject": "NHS 111 online",
                    "explanation": "NHS 111 online reported Red on 31 October 2024.",
                    "evidence": {
                        "team": "NHS 111 online",
                        "rating": "red",
                        "reported_on": "2024-10-31",
                        "period": "October 2024",
                    },
                    "evidence_level": 4,
                    "acknowledged": False,
                    "lapsed": False,
                },
                {
                    "rule": "divergence",
                    "label": "Divergence",
                    "severity": "high",
                    "score": 10,
                    "subject": "",
                    "explanation": "Ambulance flow says Green (31 October 2024), NHS 111 online "
                    "says Red (31 October 2024): 4 steps apart.",
                    "evidence": {
                        "best": {"team": "Ambulance flow", "rating": "green"},
                        "worst": {"team": "NHS 111 online", "rating": "red"},
                        "steps": 4,
                    },
                    "evidence_level": 4,
                    "acknowledged": False,
                    "lapsed": False,
                },
            ],
        }
    ]


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

    assert output == "Sent 2 status reminders and 0 director digests.\n"
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
        "Sent 0 status reminders and 0 director digests.\n"
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


def test_directors_get_a_weekly_digest_of_new_high_severity_flags_once(plan_with_flags):
    cast = plan_with_flags
    # OPS-01 (Ambulance flow, Operations) turned Red on 12 November: new this week.
    add_update(
        cast.objective_b, cast.team_b, 8, "red", when=dt.datetime(2024, 11, 12, tzinfo=dt.UTC)
    )

    output = run("send_reminders")

    digests = sorted(
        (m.to[0], m.subject) for m in mail.outbox if m.subject.startswith("New high-severity")
    )
    assert digests == [
        ("director_b@example.nhs.uk", "New high-severity risk flags this week: 1 objective"),
        ("org_director@example.nhs.uk", "New high-severity risk flags this week: 1 objective"),
    ]
    [digest] = [m for m in mail.outbox if m.to == ["director_b@example.nhs.uk"]]
    assert (
        "- OPS-01 " in digest.body
        and "Low confidence: Ambulance flow: Ambulance flow reported Red on 12 November 2024."
        in digest.body
    )
    assert "https://objectives.example.nhs.uk/risks/?severity=high" in digest.body
    assert output == "Sent 2 status reminders and 2 director digests.\n"

    run("send_reminders")
    assert len([m for m in mail.outbox if m.subject.startswith("New high-severity")]) == 2
    assert ReminderLog.objects.filter(kind="risk_digest", key="2024-W46").count() == 2
