"""The database and the app restarted for real, not simulated.

A private PostgreSQL server (initdb in a temporary folder, on a free loopback port) and gunicorn
with the production settings, `CONN_MAX_AGE=60` as the README advises: a lead saves updates
through the web form; the database then stops as if the machine lost power (`pg_ctl stop -m
immediate`: no checkpoint); pages and /healthz answer 503; the database comes back and the same
workers serve pages again by themselves; then the app is killed (SIGKILL) and started again. Every
update that was saved before is still there, once.

Needs PostgreSQL's server programs (Debian's postgresql package: initdb, pg_ctl); as root they
run as the postgres user. Without them the test is skipped, except in CI, where it fails.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "objectives_restart"
SAVED = 3


def _load_test_module():
    # The load test's small browser (cookies, CSRF, X-Forwarded-Proto: https), reused here.
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "bench" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


load_test = _load_test_module()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds:.0f} seconds")


class PrivatePostgres:
    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            message = "PostgreSQL's server programs (initdb) are not installed"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        self.bin = Path(found[-1]).parent
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.folder = Path(tempfile.mkdtemp(prefix="objectives-pg-"))
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = free_port()
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [*self.as_user, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{program} failed: {result.stderr[-1500:]}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "server.log")
        self.run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def connect(self, database: str = DATABASE):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def remove(self) -> None:
        subprocess.run(  # whether or not it is running
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


class App:
    """gunicorn with the production settings, in its own process group so it can be killed
    whole, workers and all, as a crash would."""

    def __init__(self, env: dict):
        self.env = env
        self.process = None
        self.base = ""

    def start(self) -> None:
        port = free_port()
        env = dict(self.env, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "-c",
                "config/gunicorn.conf.py",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{port}"
        wait_for(lambda: self.status("/healthz") == 200, 60, "gunicorn did not answer /healthz")

    def status(self, path: str) -> int:
        return load_test.Browser(self.base).get(path)[0]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed: {result.stderr[-1500:]}"


@pytest.fixture
def server():
    postgres = PrivatePostgres()
    app = None
    try:
        postgres.start()
        with postgres.connect("postgres") as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SQLITE_TEST_NAME"}
        }
        environment.update(
            DATABASE_URL=postgres.url,
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_MANIFEST="false",
            TODAY="2024-11-15",
            CONN_MAX_AGE="60",
            LOG_LEVEL="CRITICAL",
            AUDIT_LOG_FILE=os.devnull,
            RISK_CACHE_DIR=str(postgres.folder / "risk-cache"),
        )
        manage(environment, "migrate", "--noinput")
        manage(environment, "seed_demo", "--force")
        app = App(environment)
        app.start()
        yield postgres, app
    finally:
        if app is not None:
            app.kill()
        postgres.remove()


def saved_texts(postgres) -> list[str]:
    with postgres.connect() as connection:
        rows = connection.execute(
            "SELECT going_well FROM objectives_statusupdate WHERE going_well LIKE 'Saved %' "
            "ORDER BY going_well"
        ).fetchall()
    return [text for (text,) in rows]


def save_updates(browser, first: int, count: int) -> None:
    status, html, _ = browser.get("/")
    assert status == 200
    links = list(dict.fromkeys(load_test.UPDATE_LINK.findall(html)))
    assert len(links) >= count
    for number, link in enumerate(links[:count], start=first):
        status, form, _ = browser.get(link)
        assert status == 200
        data = {
            "csrfmiddlewaretoken": load_test.input_value(form, "csrfmiddlewaretoken"),
            "period": load_test.input_value(form, "period"),
            "rating": "amber",
            "going_well": f"Saved {number} before the restarts",
        }
        assert browser.post(link, data)[0] == 302


def test_a_database_crash_and_an_app_crash_lose_nothing_committed(server):
    postgres, app = server
    lead = load_test.Browser(app.base)
    lead.sign_in("lead", "demo")
    save_updates(lead, 1, SAVED)
    expected = [f"Saved {n} before the restarts" for n in range(1, SAVED + 1)]
    assert saved_texts(postgres) == expected

    # The database goes away, as in a power cut: the same pages answer 503, in the NHS.UK look.
    postgres.stop("immediate")
    down_page = lead.get("/")
    down_health = lead.get("/healthz")
    assert down_page[0] == 503
    assert "Sorry, the service is unavailable" in down_page[1]
    assert "Traceback" not in down_page[1]
    assert (down_health[0], down_health[1]) == (
        503,
        '{"status": "error", "database": "unavailable"}',
    )

    # It comes back (pg_ctl waits until it takes connections): the same workers serve the same
    # person again at once, each checking its kept connection before using it.
    postgres.start()
    pages = [lead.get("/")[0] for _ in range(4)]
    assert pages == [200, 200, 200, 200]
    assert app.status("/healthz") == 200
    assert saved_texts(postgres) == expected

    # A restart between two requests (a database upgrade, say): no one sees an error, although
    # every worker's kept connection died with the old server.
    postgres.stop("fast")
    postgres.start()
    assert [lead.get("/")[0] for _ in range(4)] == [200, 200, 200, 200]

    # The app is killed mid-flight and started again: the session and every update are there.
    app.kill()
    app.start()
    cookies = lead.cookies
    lead = load_test.Browser(app.base)
    lead.cookies = cookies
    assert lead.get("/")[0] == 200
    save_updates(lead, SAVED + 1, 1)
    assert saved_texts(postgres) == [*expected, f"Saved {SAVED + 1} before the restarts"]
