"""Running the background-job worker inside a test."""

import io
from unittest import mock

from django.core.management import call_command


def run_worker() -> None:
    """What `manage.py db_worker` does, until the queue is empty. The worker closes database
    connections between jobs; inside a test's transaction that would close the test's own, so
    that step alone is left out here."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker",
            batch=True,
            reload=False,
            startup_delay=False,
            interval=0,
            verbosity=0,
            stdout=io.StringIO(),
        )
