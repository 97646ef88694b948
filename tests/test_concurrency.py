"""Many people at once: nothing lost, nothing half-saved, no "database is locked".

Two ways in:
- against the suite's own database (PostgreSQL in CI): real threads, each with its own connection,
  posting through the real views. SQLite's in-memory test database cannot take writers from
  several threads, so there these run only when the suite uses a file (SQLITE_TEST_NAME).
- against a fresh SQLite *file* in a child process (`python tests/test_concurrency.py SCENARIO
  DB`), whatever the suite's database: the embedded default must cope with concurrent writers too,
  and a process killed mid-write must lose nothing it had committed.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
TODAY = "2024-11-15"  # month 8 (November) of plan 2024/25 is the current period
NOVEMBER = 8


# --- Scenarios: shared by the in-suite tests and the child process ------------------------------


def make_shared_objective(teams: int):
    """One objective shared by `teams` teams, each with its own lead."""
    from objectives import services
    from objectives.models import Role
    from tests.factories import MembershipFactory, ObjectiveFactory, TeamFactory, make_plan

    plan = make_plan(2024)
    all_teams = [TeamFactory(name=f"Team {n:02}") for n in range(teams)]
    objective = ObjectiveFactory(plan=plan, ref="SHR-01", lead_team=all_teams[0])
    services.set_teams(
        objective=objective,
        lead=all_teams[0],
        contributors={team: f"Commitment of {team.name}" for team in all_teams[1:]},
    )
    leads = [MembershipFactory(team=team, role=Role.LEAD).user for team in all_teams]
    return objective, all_teams, leads


def run_at_once(jobs) -> list:
    """Run each job in its own thread, all released together; results (or exceptions) in order."""
    from django.db import connection

    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported to the test, not swallowed
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def signed_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def post_status(client, objective, team, rating="amber", text="Going well"):
    from django.urls import reverse

    from tests.factories import period

    return client.post(
        reverse("objectives:update_status", args=[objective.pk, team.pk]),
        {
            "period": period(objective.plan, NOVEMBER).pk,
            "rating": rating,
            "going_well": text,
        },
    )


def twenty_leads_post_at_once() -> dict:
    from objectives.models import Contribution, Objective, StatusUpdate

    objective, teams, leads = make_shared_objective(20)
    clients = [signed_in_client(lead) for lead in leads]
    ratings = ["green", "amber_green", "amber", "amber_red", "red"]
    jobs = [
        (
            lambda c=client, t=team, r=ratings[n % 5]: (
                post_status(c, objective, t, r, f"{t.name} says {r}").status_code
            )
        )
        for n, (client, team) in enumerate(zip(clients, teams, strict=True))
    ]
    statuses = run_at_once(jobs)
    latest = dict(
        Contribution.objects.filter(objective=objective).values_list(
            "team__name", "latest_update__going_well"
        )
    )
    return {
        "statuses": [str(status) for status in statuses],
        "rows": StatusUpdate.objects.filter(contribution__objective=objective).count(),
        "latest": latest,
        "worst": Objective.objects.get(pk=objective.pk).worst_rating,
    }


def ten_writers_on_sqlite(updates_each: int) -> dict:
    """Ten leads each saving `updates_each` updates (each save also writes their session)."""
    from objectives.models import StatusUpdate

    objective, teams, leads = make_shared_objective(10)
    clients = [signed_in_client(lead) for lead in leads]

    def writer(client, team):
        codes = []
        for n in range(updates_each):
            rating = "amber" if n % 2 else "amber_green"
            codes.append(post_status(client, objective, team, rating, f"Save {n}").status_code)
        return codes

    results = run_at_once(
        [lambda c=c, t=t: writer(c, t) for c, t in zip(clients, teams, strict=True)]
    )
    errors = [repr(result) for result in results if isinstance(result, Exception)]
    codes = sorted({code for result in results if isinstance(result, list) for code in result})
    return {"errors": errors, "codes": codes, "rows": StatusUpdate.objects.count()}


def write_until_killed() -> None:
    """Save updates one at a time, printing each id once committed, until the parent kills us."""
    from objectives import services
    from objectives.models import Contribution
    from tests.factories import UserFactory, period

    objective, teams, leads = make_shared_objective(2)
    contribution = Contribution.objects.get(objective=objective, team=teams[0])
    november = period(objective.plan, NOVEMBER)
    author = UserFactory(username="writer")
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        update = services.record_status(
            contribution=contribution,
            period=november,
            rating="amber" if n % 2 else "green",
            author=author,
            going_well=f"Save {n}",
        )
        print(update.pk, flush=True)


def edit_data(objective, **changes) -> dict:
    """What the edit form would send back unchanged, with `changes` typed in."""
    from objectives.forms.objective import ObjectiveForm

    form = ObjectiveForm(instance=objective)
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    return data | changes


def same_version_at_once() -> dict:
    from objectives.models import Role
    from tests.factories import DirectorshipFactory, MembershipFactory, ObjectiveFactory

    objective = ObjectiveFactory(ref="SHR-02")
    lead = MembershipFactory(team=objective.lead_team, role=Role.LEAD).user
    director = DirectorshipFactory(directorate=objective.lead_team.directorate).user
    return two_people_save_the_same_version_at_once(objective, lead, director)


EXPECTED_SAME_VERSION = {
    "statuses": [302, 409],
    "title is one of theirs": True,
    "version": 2,
    "revisions": 1,
    "loser was shown their own title": True,
}


def two_people_save_the_same_version_at_once(objective, first, second) -> dict:
    from django.urls import reverse

    from objectives.models import Objective, ObjectiveRevision

    url = reverse("objectives:edit", args=[objective.pk])
    clients = [signed_in_client(first), signed_in_client(second)]
    titles = ["Title saved by the first person", "Title saved by the second person"]
    forms = [edit_data(objective, title=title) for title in titles]  # both from version 1
    responses = run_at_once(
        [
            lambda c=client, f=form: c.post(url, f)
            for client, form in zip(clients, forms, strict=True)
        ]
    )
    saved = Objective.objects.get(pk=objective.pk)
    return {
        "statuses": sorted(response.status_code for response in responses),
        "title is one of theirs": saved.title in titles,
        "version": saved.version,
        "revisions": ObjectiveRevision.objects.filter(objective=objective).count(),
        "loser was shown their own title": any(
            response.status_code == 409
            and titles[index] in response.content.decode()
            and "Someone else saved this objective while you were editing it"
            in response.content.decode()
            for index, response in enumerate(responses)
        ),
    }


# --- Child process: a fresh SQLite file -----------------------------------------------------------


def child(scenario: str, database: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["TODAY"] = TODAY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    if scenario == "twenty":
        print(json.dumps(twenty_leads_post_at_once()))
    elif scenario == "same-version":
        print(json.dumps(same_version_at_once()))
    elif scenario == "writers":
        print(json.dumps(ten_writers_on_sqlite(updates_each=15)))
    elif scenario == "crash":
        write_until_killed()


def run_child(scenario: str, database: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, scenario, str(database)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def expected_twenty() -> dict:
    ratings = ["green", "amber_green", "amber", "amber_red", "red"]
    return {
        "statuses": ["302"] * 20,
        "rows": 20,
        "latest": {f"Team {n:02}": f"Team {n:02} says {ratings[n % 5]}" for n in range(20)},
        "worst": "red",
    }


# --- On the suite's database ----------------------------------------------------------------------


@pytest.fixture
def threaded_db(transactional_db, settings):
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "SQLite's in-memory test database cannot take writers from several threads; set "
            "SQLITE_TEST_NAME=/tmp/objectives-test.sqlite3 to run this against a file (the "
            "SQLite-file variants below run regardless)"
        )
    settings.TODAY = __import__("datetime").date.fromisoformat(TODAY)


def test_twenty_leads_posting_at_once_lose_no_update(threaded_db):
    assert twenty_leads_post_at_once() == expected_twenty()


def test_two_people_saving_the_same_version_at_once_one_wins_and_one_is_told(threaded_db):
    assert same_version_at_once() == EXPECTED_SAME_VERSION


# --- Optimistic locking, one after the other (any database) --------------------------------------


def test_the_second_save_from_a_stale_version_is_told_and_keeps_what_they_typed(cast, client_for):
    from django.test import Client
    from django.urls import reverse

    from objectives.models import Objective, ObjectiveRevision

    url = reverse("objectives:edit", args=[cast.objective_a.pk])
    lead, director = Client(), Client()
    lead.force_login(cast.lead_a)
    director.force_login(cast.director_a)
    lead_form = edit_data(cast.objective_a, title="The lead's title")
    director_form = edit_data(cast.objective_a, title="The director's title")

    first = lead.post(url, lead_form)
    second = director.post(url, director_form)
    after_conflict = Objective.objects.get(pk=cast.objective_a.pk)
    # The conflict page carries the newer version, so saving again is a deliberate overwrite.
    retry = director.post(url, director_form | {"version": after_conflict.version})

    assert (first.status_code, second.status_code, retry.status_code) == (302, 409, 302)
    assert (after_conflict.title, after_conflict.version) == ("The lead's title", 2)
    html = second.content.decode()
    assert "Someone else saved this objective while you were editing it" in html
    assert 'value="The director&#x27;s title"' in html
    assert Objective.objects.get(pk=cast.objective_a.pk).title == "The director's title"
    assert ObjectiveRevision.objects.filter(objective=cast.objective_a).count() == 2


# --- On a fresh SQLite file, in a child process ---------------------------------------------------


def test_twenty_leads_posting_at_once_on_sqlite_lose_no_update(tmp_path):
    assert run_child("twenty", tmp_path / "twenty.sqlite3") == expected_twenty()


def test_two_people_saving_the_same_version_at_once_on_sqlite_one_wins_and_one_is_told(tmp_path):
    assert run_child("same-version", tmp_path / "edit.sqlite3") == EXPECTED_SAME_VERSION


def test_ten_concurrent_writers_on_sqlite_never_see_database_is_locked(tmp_path):
    outcome = run_child("writers", tmp_path / "writers.sqlite3")

    assert outcome == {"errors": [], "codes": [302], "rows": 150}


def test_a_process_killed_mid_write_loses_nothing_it_had_committed(tmp_path):
    database = tmp_path / "crash.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, __file__, "crash", str(database)],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        committed = [int(writer.stdout.readline()) for _ in range(40)]
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)

    with sqlite3.connect(database) as reopened:
        (integrity,) = reopened.execute("PRAGMA integrity_check").fetchone()
        stored = {pk for (pk,) in reopened.execute("SELECT id FROM objectives_statusupdate")}

    assert integrity == "ok"
    assert set(committed) <= stored
    assert len(committed) == 40


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
