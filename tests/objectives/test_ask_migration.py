"""Asks raised before they were first-class keep every row, filled from their status update."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("objectives", "0004_membership_role_deputy")]
AFTER = [("objectives", "0007_ask_fields_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_asks_take_their_teams_author_and_time_from_their_status_update():
    old = migrate(BEFORE)
    author = old.get_model("auth", "User").objects.create(username="lead")
    directorate = old.get_model("objectives", "Directorate").objects.create(name="D", code="D")
    Team = old.get_model("objectives", "Team")
    asking = Team.objects.create(name="Asking", directorate=directorate)
    asked = Team.objects.create(name="Asked", directorate=directorate)
    plan = old.get_model("objectives", "Plan").objects.create(
        label="2024/25", start_date="2024-04-01", end_date="2025-03-31"
    )
    period = old.get_model("objectives", "Period").objects.create(
        plan=plan, month=7, start_date="2024-10-01", end_date="2024-10-31"
    )
    objective = old.get_model("objectives", "Objective").objects.create(
        plan=plan, ref="DIG-01", title="A title", lead_team=asking
    )
    contribution = old.get_model("objectives", "Contribution").objects.create(
        objective=objective, team=asking, role="lead"
    )
    when = timezone.make_aware(dt.datetime(2024, 10, 20, 12, 0))
    update = old.get_model("objectives", "StatusUpdate").objects.create(
        contribution=contribution, period=period, rating="amber", author=author, created_at=when
    )
    OldAsk = old.get_model("objectives", "Ask")
    OldAsk.objects.create(status_update=update, to_team=asked, text="Open one")
    OldAsk.objects.create(status_update=update, to_team=asked, text="Closed one", resolved=True)

    new = migrate(AFTER)

    rows = new.get_model("objectives", "Ask").objects.order_by("pk")
    assert [
        (
            a.text,
            a.objective_id,
            a.from_team_id,
            a.to_team_id,
            a.asked_by_id,
            a.created_at,
            a.state,
            a.status_update_id,
        )
        for a in rows
    ] == [
        ("Open one", objective.pk, asking.pk, asked.pk, author.pk, when, "open", update.pk),
        ("Closed one", objective.pk, asking.pk, asked.pk, author.pk, when, "done", update.pk),
    ]
