"""FlagAcknowledgement moved from the objectives app to risks without losing a row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("objectives", "0001_initial"), ("risks", None)]
AFTER = [("objectives", "0002_move_flagacknowledgement_to_risks"), ("risks", "0002_findings")]


def migrate(targets):
    """Migrate to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_acknowledgements_made_before_the_move_are_still_there_after_it():
    old = migrate(BEFORE)
    user = old.get_model("auth", "User").objects.create(username="director")
    directorate = old.get_model("objectives", "Directorate").objects.create(name="D", code="D")
    team = old.get_model("objectives", "Team").objects.create(name="T", directorate=directorate)
    plan = old.get_model("objectives", "Plan").objects.create(
        label="2024/25", start_date="2024-04-01", end_date="2025-03-31"
    )
    objective = old.get_model("objectives", "Objective").objects.create(
        plan=plan, ref="DIG-01", title="A title", lead_team=team
    )
    old.get_model("objectives", "FlagAcknowledgement").objects.create(
        objective=objective,
        rule="low_confidence",
        subject="T",
        note="Agreed on 3 Oct",
        severity_score=4,
        acknowledged_by=user,
    )

    new = migrate(AFTER)

    moved = new.get_model("risks", "FlagAcknowledgement").objects.get()
    assert (moved.objective_id, moved.rule, moved.subject, moved.note, moved.severity_score) == (
        objective.pk,
        "low_confidence",
        "T",
        "Agreed on 3 Oct",
        4.0,
    )
    assert moved.level == 1  # the level the old flags did not record: Watch
