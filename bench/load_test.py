"""Load test: simulated people against gunicorn, on loopback only, for a bounded time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/objectives_load \
        .venv/bin/python bench/load_test.py [--prepare] [--users 20] [--seconds 60] [--think 1.0]
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:8000   # a server you started

Without --url the script starts gunicorn itself (config/gunicorn.conf.py, DEBUG off, the
production settings, WEB_CONCURRENCY workers) on a free loopback port against DATABASE_URL, and
stops it afterwards (collecting static files first). --prepare also migrates and, when the
database holds no objectives, loads the benchmark-scale organisation (`seed_demo --size large`:
5,000 objectives, 500 teams, a year of updates). The date is pinned to 15 November 2024 so the
plan is live.

The people (default 20): 70% team leads (lead000, lead001, …) who read My work, open an update
form and save a status update; 30% directors who read the risk dashboard, the objectives list
(pages and filters) and objective pages. Each waits a random think time (uniform, 0 to 2×--think
seconds) between requests, like a person reading. Requests carry X-Forwarded-Proto: https and an
Origin, as from the load balancer, so HTTPS-only settings and CSRF checks apply as in production.

Printed: requests per second; per page the count, p50/p95/p99/max in milliseconds and errors (any
unexpected status or failed connection); then the floor measured in the same run — /healthz, one
`SELECT 1` through the same gunicorn, connection set-up and database, answered ahead of the
session middleware — and each read page's p95 against
the floor's p95. Goal: 0 errors and p95 under 300 ms for every read page.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TODAY = "2024-11-15"
READ_GOAL_MS = 300
LEAD_SHARE = 0.7
WITHOUT_DASHBOARD = False  # --without-dashboard: directors read lists and objectives only

UPDATE_LINK = re.compile(r'href="(/objectives/\d+/teams/\d+/update/)[^"]*"')
OBJECTIVE_LINK = re.compile(r'href="/objectives/(\d+)/"')
INPUT = re.compile(r"<input\b[^>]*>")
VALUE = re.compile(r'\bvalue="([^"]*)"')


def input_value(html: str, name: str) -> str | None:
    for tag in INPUT.findall(html):
        if f'name="{name}"' in tag and (value := VALUE.search(tag)):
            return value.group(1)
    return None


# --- The server ---------------------------------------------------------------------------------


def server_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        TODAY=TODAY,
        LOG_LEVEL="ERROR",
        AUDIT_LOG_FILE=env.get("AUDIT_LOG_FILE") or "/dev/null",
    )
    # Caches shared by the workers on this machine, as production should run them.
    cache_root = Path(tempfile.gettempdir()) / "shared-objectives-load-test"
    env.setdefault("RISK_CACHE_DIR", str(cache_root / "risk"))
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def prepare(env: dict) -> None:
    manage(env, "migrate", "--noinput")
    count = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from objectives.models import Objective; print(Objective.objects.count())",
    )
    if int(count.strip().splitlines()[-1]) == 0:
        print("Loading the benchmark-scale organisation (seed_demo --size large)…", flush=True)
        manage(env, "seed_demo", "--size", "large", "--force")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(env, WEB_CONCURRENCY=str(workers), BIND=f"127.0.0.1:{port}")
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Browser(base).get("/healthz")[0] == 200:
                return server, base
        except OSError:
            pass
        time.sleep(0.25)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 seconds")


# --- A browser, of sorts ------------------------------------------------------------------------


class Browser:
    """Cookies, CSRF and one new connection per request (gunicorn's sync workers close them)."""

    def __init__(self, base: str):
        parsed = urllib.parse.urlsplit(base)
        if parsed.hostname not in {"127.0.0.1", "localhost", "::1"}:
            sys.exit("The load test runs on loopback only.")
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.origin = f"https://{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
            "User-Agent": "shared-objectives-load-test",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return response.status, text, response.headers.get("Location", "")
        finally:
            connection.close()

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def sign_in(self, username: str, password: str) -> None:
        status, html, _ = self.get("/accounts/login/")
        token = input_value(html, "csrfmiddlewaretoken")
        if status != 200 or not token:
            raise RuntimeError(f"login page answered {status}")
        status, _, location = self.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if status != 302:
            raise RuntimeError(f"signing in as {username} answered {status}")


# --- People -------------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def timed(self, page: str, call, expected: int):
        started = time.perf_counter()
        try:
            status, html, location = call()
        except (OSError, http.client.HTTPException) as error:
            with self.lock:
                self.errors[page].append(type(error).__name__)
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[page].append(elapsed)
            if status != expected:
                self.errors[page].append(str(status))
        return html if status == expected else None


class Clock:
    """Started once everyone has signed in and opened a first page, so the (deliberately slow)
    password hashing of 20 sign-ins at once, and filling empty caches, are not counted."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.started = self.stop = 0.0

    def start(self):
        self.started = time.monotonic()
        self.stop = self.started + self.seconds


def think(mean: float, clock: Clock) -> bool:
    time.sleep(random.uniform(0, 2 * mean))
    return time.monotonic() < clock.stop


def team_lead(browser: Browser, username: str, recorder: Recorder, stop: Clock, mean: float):
    saves = 0
    while think(mean, stop):
        html = recorder.timed("my work", lambda: browser.get("/"), 200)
        links = UPDATE_LINK.findall(html or "")
        if not links or not think(mean, stop):
            continue
        link = random.choice(links)
        form = recorder.timed("update form", lambda link=link: browser.get(link), 200)
        if not form or not think(mean, stop):
            continue
        token, period = input_value(form, "csrfmiddlewaretoken"), input_value(form, "period")
        if not (token and period):
            with recorder.lock:
                recorder.errors["update form"].append("no form")
            continue
        saves += 1
        data = {
            "csrfmiddlewaretoken": token,
            "period": period,
            "rating": random.choice(["green", "amber_green", "amber", "amber_red", "red"]),
            "going_well": f"Load test save {saves} by {username}: steady progress.",
            "not_going_well": "Waiting on a supplier.",
        }
        recorder.timed("save update", lambda link=link, data=data: browser.post(link, data), 302)


def director(browser: Browser, username: str, recorder: Recorder, stop: Clock, mean: float):
    objective_ids: list[str] = []
    pages = [
        *([] if WITHOUT_DASHBOARD else [("risk dashboard", lambda: "/risks/")]),
        ("objective list", lambda: f"/objectives/?page={random.randint(1, 20)}"),
        ("objective list", lambda: f"/objectives/?q={random.choice(['data', 'care', 'access'])}"),
        ("objective detail", lambda: f"/objectives/{random.choice(objective_ids)}/"),
    ]
    while think(mean, stop):
        page, path = random.choice(pages)
        if page == "objective detail" and not objective_ids:
            page, path = pages[-3]
        url = path()
        html = recorder.timed(page, lambda url=url: browser.get(url), 200)
        if html and page != "objective detail":
            objective_ids = OBJECTIVE_LINK.findall(html) or objective_ids


def person(role, base, username, recorder: Recorder, clock: Clock, mean, ready: threading.Barrier):
    browser = Browser(base)
    try:
        browser.sign_in(username, "demo")
        # Warm up, unmeasured: a running service has its caches filled (the risk evaluation).
        browser.get("/" if role is team_lead or WITHOUT_DASHBOARD else "/risks/")
    except (RuntimeError, OSError, http.client.HTTPException) as error:
        with recorder.lock:
            recorder.errors["sign in"].append(str(error))
        ready.wait()
        return
    ready.wait()
    role(browser, username, recorder, clock, mean)


def floor(base: str, recorder: Recorder, clock: Clock, ready: threading.Barrier) -> None:
    browser = Browser(base)
    ready.wait()
    while think(0.25, clock):
        recorder.timed("floor: /healthz", lambda: browser.get("/healthz"), 200)


# --- Report -------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(recorder: Recorder, seconds: float, users: int, workers: int, mean: float) -> bool:
    total = sum(len(v) for v in recorder.times.values())
    errors = sum(len(v) for v in recorder.errors.values())
    floor_times = recorder.times.get("floor: /healthz", [0.0])
    floor_p95 = percentile(floor_times, 0.95) or 1e-9
    print(
        f"\n{users} people, think time {mean:.1f} s mean, {workers} gunicorn workers, "
        f"{seconds:.0f} s: {total:,} requests, {total / seconds:.1f} requests/s, {errors} errors"
    )
    print(
        f"{'page':<18}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'errors':>8}{'p95/floor':>11}"
    )
    ok = errors == 0
    order = ["my work", "update form", "save update", "risk dashboard", "objective list"]
    order += ["objective detail", "sign in", "floor: /healthz"]
    for page in sorted(recorder.times.keys() | recorder.errors.keys(), key=order.index):
        times = recorder.times.get(page) or [0.0]
        p95 = percentile(times, 0.95)
        ratio = "" if page.startswith("floor") else f"{p95 / floor_p95:.1f}×"
        print(
            f"{page:<18}{len(recorder.times.get(page, [])):>7}"
            f"{percentile(times, 0.5):>9.0f}{p95:>9.0f}{percentile(times, 0.99):>9.0f}"
            f"{max(times):>9.0f}{len(recorder.errors.get(page, [])):>8}{ratio:>11}"
        )
        if page != "save update" and not page.startswith("floor") and p95 >= READ_GOAL_MS:
            ok = False
    for page, kinds in recorder.errors.items():
        counted = {kind: kinds.count(kind) for kind in sorted(set(kinds))}
        print(f"errors on {page}: {counted}")
    print(
        f"floor: /healthz p50 {statistics.median(floor_times):.0f} ms, p95 {floor_p95:.0f} ms. "
        f"Goal: 0 errors and p95 < {READ_GOAL_MS} ms for reads: {'met' if ok else 'NOT met'}."
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running server on loopback")
    parser.add_argument("--prepare", action="store_true", help="migrate, collectstatic, seed")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    # 3 sync workers gave the best tail latency on 2 cores shared with PostgreSQL (README).
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    parser.add_argument("--director", default="director", help="username for the directors")
    parser.add_argument(
        "--without-dashboard",
        action="store_true",
        help="directors skip the risk dashboard (to see the other pages without its load)",
    )
    args = parser.parse_args()
    global WITHOUT_DASHBOARD
    WITHOUT_DASHBOARD = args.without_dashboard

    server = None
    base = args.url
    if base is None:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            sys.exit("Set DATABASE_URL (PostgreSQL for the real figures) or pass --url.")
        env = server_env(database_url)
        if args.prepare:
            prepare(env)
        manage(env, "collectstatic", "--noinput")  # the production settings need the manifest
        server, base = start_gunicorn(env, args.workers)
    try:
        recorder = Recorder()
        clock = Clock(args.seconds)
        leads = round(args.users * LEAD_SHARE)
        cast = [(team_lead, f"lead{n:03d}") for n in range(leads)]
        cast += [(director, args.director)] * (args.users - leads)
        ready = threading.Barrier(len(cast) + 1, action=clock.start)
        people = [
            threading.Thread(
                target=person, args=(role, base, name, recorder, clock, args.think, ready)
            )
            for role, name in cast
        ]
        people.append(threading.Thread(target=floor, args=(base, recorder, clock, ready)))
        for thread in people:
            thread.start()
        for thread in people:
            thread.join()
        elapsed = time.monotonic() - clock.started
        ok = report(recorder, elapsed, args.users, args.workers, args.think)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
