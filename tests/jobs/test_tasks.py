"""The daily jobs: queued by `--enqueue`, run by a worker, safe to run twice; stale jobs fail."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs import stale
from jobs.tasks import refresh_risks, send_reminders
from risks.models import Finding
from tests.factories import add_update
from tests.workers import run_worker

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2024, 11, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.SITE_URL = "https://objectives.example.nhs.uk"
    with time_machine.travel(NOW, tick=False):
        yield


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def red_objective(cast):
    add_update(cast.objective_a, cast.team_a, 6, "red")
    add_update(cast.objective_a, cast.team_a, 7, "red")
    return cast


def test_refresh_risks_enqueue_queues_a_job_and_runs_nothing_yet(red_objective):
    output = run("refresh_risks", "--enqueue")

    job = DBTaskResult.objects.get()
    assert output == f"Queued job {job.id}.\n"
    assert job.task_path == "jobs.tasks.refresh_risks"
    assert job.status == TaskResultStatus.READY
    assert Finding.objects.count() == 0


def test_a_worker_runs_the_queued_refresh_and_records_what_it_did(red_objective):
    result = refresh_risks.enqueue()

    run_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"2024/25": {"evaluated": 2, "raised": 4, "resolved": 0}}
    assert sorted(Finding.objects.values_list("objective__ref", "rule")) == [
        ("DIG-01", "low_confidence"),
        ("DIG-01", "ownership"),
        ("OPS-01", "ownership"),
        ("OPS-01", "silence"),
    ]


def test_running_the_refresh_job_twice_changes_nothing_more(red_objective):
    refresh_risks.enqueue()
    run_worker()
    before = list(Finding.objects.values("pk", "rule", "raised_at", "resolved_at"))

    second = refresh_risks.enqueue()
    run_worker()

    second.refresh()
    assert second.return_value == {"2024/25": {"evaluated": 2, "raised": 0, "resolved": 0}}
    assert list(Finding.objects.values("pk", "rule", "raised_at", "resolved_at")) == before


def test_refresh_risks_enqueue_refuses_an_unknown_plan_and_queues_nothing(cast):
    with pytest.raises(CommandError, match="There is no plan 1999/00"):
        run("refresh_risks", "--enqueue", "--plan", "1999/00")
    assert DBTaskResult.objects.count() == 0


def test_the_reminders_job_sends_each_reminder_once_however_often_it_runs(cast):
    run("send_reminders", "--enqueue")
    run_worker()
    sent = [message.to for message in mail.outbox]

    again = send_reminders.enqueue()
    run_worker()

    again.refresh()
    assert sent == [["lead_a@example.nhs.uk"], ["lead_b@example.nhs.uk"]]
    assert len(mail.outbox) == 2
    assert again.return_value.startswith(
        "Sent 0 status reminders, 0 director digests and 0 action reminders."
    )


def test_a_job_still_running_past_the_limit_is_marked_failed_with_a_reason(settings, cast):
    settings.JOB_STALE_MINUTES = 15
    lost = refresh_risks.enqueue()
    alive = refresh_risks.enqueue()
    DBTaskResult.objects.filter(pk=lost.id).update(
        status=TaskResultStatus.RUNNING, started_at=NOW - dt.timedelta(minutes=16)
    )
    DBTaskResult.objects.filter(pk=alive.id).update(
        status=TaskResultStatus.RUNNING, started_at=NOW - dt.timedelta(minutes=14)
    )

    output = run("fail_stale_jobs")

    lost.refresh()
    alive.refresh()
    assert output == "Marked 1 job failed (running more than 15 minutes).\n"
    assert lost.status == TaskResultStatus.FAILED
    assert lost.errors[0].exception_class_path == stale.WORKER_LOST
    assert alive.status == TaskResultStatus.RUNNING


def test_is_stale_holds_only_for_running_jobs_past_the_limit(settings, cast):
    settings.JOB_STALE_MINUTES = 15
    result = refresh_risks.enqueue()
    assert stale.is_stale(result) is False
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=NOW - dt.timedelta(minutes=16)
    )
    result.refresh()
    assert stale.is_stale(result) is True
