"""Two app servers and a job worker on one PostgreSQL database (and Redis when it runs), for real.

Two gunicorn instances, each with its own temporary folder and process memory, and one
`manage.py db_worker`: an admin signs in on server A and carries on on server B; asks A to build
a big review pack, follows the job's progress on B while the worker builds it, and downloads the
same PDF from both servers. Skipped without PostgreSQL's server programs, except in CI (see
tests/test_database_restart.py, whose private PostgreSQL and gunicorn helpers this reuses).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tests.test_caches import redis_running
from tests.test_database_restart import (
    DATABASE,
    ROOT,
    App,
    PrivatePostgres,
    load_test,
    manage,
    wait_for,
)


@pytest.fixture
def cluster():
    postgres = PrivatePostgres()
    apps, worker = [], None
    try:
        postgres.start()
        with postgres.connect("postgres") as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SQLITE_TEST_NAME", "REDIS_URL"}
        }
        environment.update(
            DATABASE_URL=postgres.url,
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_MANIFEST="false",
            TODAY="2024-11-15",
            LOG_LEVEL="CRITICAL",
            AUDIT_LOG_FILE=os.devnull,
            PACK_JOB_THRESHOLD="0",  # every pack is built by the worker
        )
        if redis_running():
            environment["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        manage(environment, "migrate", "--noinput")
        manage(environment, "seed_demo", "--force")
        for _ in range(2):
            app = App(dict(environment, TMPDIR=tempfile.mkdtemp(prefix="objectives-app-")))
            app.start()
            apps.append(app)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        yield postgres, apps
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        for app in apps:
            app.kill()
        postgres.remove()


def test_two_servers_and_a_worker_share_sessions_jobs_and_packs(cluster):
    postgres, (a, b) = cluster
    with postgres.connect() as connection:
        (day,) = connection.execute(
            "SELECT id FROM reviews_collaborationday ORDER BY date DESC LIMIT 1"
        ).fetchone()

    # Signed in on A, carries on on B with the same cookie.
    on_a = load_test.Browser(a.base)
    on_a.sign_in("admin", "demo")
    on_b = load_test.Browser(b.base)
    on_b.cookies = on_a.cookies
    assert on_b.get(f"/reviews/{day}/")[0] == 200

    # Asks A for the pack; the PDF link on B already knows it is being built.
    status, page, _ = on_a.get(f"/reviews/{day}/pack/build/")
    assert status == 200
    token = load_test.input_value(page, "csrfmiddlewaretoken")
    status, _, progress = on_a.post(f"/reviews/{day}/pack/build/", {"csrfmiddlewaretoken": token})
    assert status == 302
    assert progress.startswith(f"/reviews/{day}/pack/build/")

    # Follows it on B until the worker has built it.
    started = time.monotonic()
    wait_for(lambda: "The pack is ready." in on_b.get(progress)[1], 120, "the pack was not built")
    print(f"pack built by the worker in {time.monotonic() - started:.1f} s")

    # Both servers serve the same stored PDF.
    from_a = on_a.get(f"/reviews/{day}/pack.pdf")
    from_b = on_b.get(f"/reviews/{day}/pack.pdf")
    assert (from_a[0], from_b[0]) == (200, 200)
    assert from_a[1].startswith("%PDF-")
    assert from_a[1] == from_b[1]
    with postgres.connect() as connection:
        (builds,) = connection.execute(
            "SELECT count(*) FROM reviews_packbuild WHERE built_at IS NOT NULL"
        ).fetchone()
    assert builds == 1
