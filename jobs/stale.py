"""Jobs whose worker died: found by age, since the database queue has no heartbeat.

A worker marks a job "running" when it claims it and "successful" or "failed" when it ends. If the
worker is killed in between (machine restarted, out of memory, SIGKILL), the row stays "running".
Every job here finishes in minutes, so one still running JOB_STALE_MINUTES after it started has
lost its worker: pages show it as failed with "Run again" (`is_stale`), and
`manage.py fail_stale_jobs` (cron, every few minutes) marks it failed for good. Running it again is
safe because every job is idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

WORKER_LOST = "jobs.stale.WorkerLost"


class WorkerLost(Exception):
    """The worker running this job stopped before it finished."""


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(minutes=settings.JOB_STALE_MINUTES)


def is_stale(result, *, now: dt.datetime | None = None) -> bool:
    """True for a job shown as running whose worker must have died."""
    return (
        result.status == TaskResultStatus.RUNNING
        and result.started_at is not None
        and result.started_at < stale_before(now)
    )


def fail_stale(*, now: dt.datetime | None = None) -> int:
    """Mark every stale running job failed; returns how many."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=stale_before(now)
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now or timezone.now(),
        exception_class_path=WORKER_LOST,
        traceback=(
            f"{WORKER_LOST}: still running {settings.JOB_STALE_MINUTES} minutes after it started; "
            "its worker stopped. Run it again: the job is safe to repeat.\n"
        ),
    )
