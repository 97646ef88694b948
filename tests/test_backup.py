"""backup_db and restore_db: a restored backup has exactly the rows it was taken with.

Runs against whichever database the suite uses: SQLite through its online backup API, PostgreSQL
through pg_dump/pg_restore (skipped when those tools are not installed).
"""

import io
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from objectives.models import Contribution, Objective, StatusUpdate
from tests.factories import UserFactory, add_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def backup_tools():
    if connection.vendor == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump and pg_restore are not on PATH (install postgresql-client)")


def snapshot():
    return {
        "objectives": list(Objective.objects.order_by("pk").values_list("pk", "ref", "title")),
        "contributions": list(
            Contribution.objects.order_by("pk").values_list("pk", "objective_id", "team_id")
        ),
        "updates": list(
            StatusUpdate.objects.order_by("pk").values_list("pk", "rating", "going_well")
        ),
        "users": list(get_user_model().objects.order_by("pk").values_list("pk", "username")),
    }


def run(*args, **kwargs):
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_a_restored_backup_has_the_same_rows_it_was_taken_with(cast, tmp_path):
    add_update(cast.objective_a, cast.team_a, 1, "amber")
    add_update(cast.objective_b, cast.team_b, 1, "green")
    before = snapshot()
    target = tmp_path / "objectives.backup"

    written = run("backup_db", str(target))
    Objective.objects.filter(pk=cast.objective_a.pk).update(title="Changed after the backup")
    StatusUpdate.objects.filter(contribution__objective=cast.objective_b).delete()
    UserFactory(username="joined_after_the_backup")
    changed = snapshot()
    restored = run("restore_db", str(target), "--noinput")

    assert changed != before
    assert snapshot() == before
    assert written.startswith(f"Backed up {connection.vendor} database ")
    assert restored == f"Restored database {connection.settings_dict['NAME']} from {target}.\n"


def test_the_restored_database_takes_new_writes(cast, tmp_path):
    target = tmp_path / "objectives.backup"
    run("backup_db", str(target))
    run("restore_db", str(target), "--noinput")

    add_update(cast.objective_a, cast.team_a, 2, "red", text="Still writable")

    assert StatusUpdate.objects.get().going_well == "Still writable"


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(cast, tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("shopping list")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("restore_db", str(not_a_backup), "--noinput")

    assert str(refused.value) in {
        f"{not_a_backup} is not a SQLite backup.",
        f"{not_a_backup} is not a PostgreSQL backup made by backup_db (pg_dump).",
    }
    assert snapshot() == before


def test_restore_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError) as refused:
        run("restore_db", str(tmp_path / "missing.backup"), "--noinput")

    assert str(refused.value) == f"No backup file at {tmp_path / 'missing.backup'}."


def test_restore_asks_first_and_stops_unless_told_yes(cast, tmp_path, monkeypatch):
    target = tmp_path / "objectives.backup"
    run("backup_db", str(target))
    Objective.objects.filter(pk=cast.objective_a.pk).update(title="Kept")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError) as cancelled:
        run("restore_db", str(target))

    assert str(cancelled.value) == "Restore cancelled; nothing was changed."
    assert Objective.objects.get(pk=cast.objective_a.pk).title == "Kept"


def test_a_backup_replaces_an_older_file_only_when_complete(cast, tmp_path):
    target = tmp_path / "objectives.backup"
    target.write_bytes(b"an older backup")

    run("backup_db", str(target))

    assert sorted(path.name for path in tmp_path.iterdir()) == ["objectives.backup"]
    assert target.read_bytes()[:5] in {b"SQLit", b"PGDMP"}
