import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from objectives import ratings
from objectives.models import Contribution, Objective, Plan, StatusUpdate
from risks.models import Concern, ConcernChange, ObjectiveConcern

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    settings.TODAY = dt.date(2024, 11, 15)
    call_command("seed_demo", stdout=io.StringIO())
    return Plan.objects.get(label="2024/25")


def test_it_builds_the_2024_25_plan_with_thirty_objectives(seeded):
    assert seeded.agreed_on.isoformat() == "2024-03-27"
    assert seeded.objectives.count() == 30
    assert seeded.objectives.filter(is_shared=True).count() == 17


def test_it_creates_the_three_demo_users_with_password_demo(seeded, client):
    for username in ("lead", "director", "admin"):
        assert client.login(username=username, password="demo") is True


def test_it_includes_the_111_uptake_objective_with_24_or_more_monthly_readings(seeded):
    objective = Objective.objects.get(
        title__startswith="Increase the proportion of NHS 111 calls where the first recommended"
    )
    measure = objective.measures.get()
    assert measure.readings.count() == 31
    assert measure.unit == "%"


def test_it_has_a_divergent_shared_objective(seeded):
    divergent = []
    for objective in Objective.objects.filter(is_shared=True):
        views = [
            c.latest_update.rating
            for c in Contribution.objects.filter(objective=objective).select_related(
                "latest_update"
            )
            if c.latest_update
        ]
        steps = [ratings.step(v) for v in views]
        if max(steps) - min(steps) >= 2:
            divergent.append(objective.ref)
    assert "UEC-01" in divergent  # 111 online says Green, UEC operations Amber


def test_it_has_a_team_that_went_silent(seeded):
    silent = Contribution.objects.get(objective__ref="DIG-02", team__name="Regional performance")
    months = sorted(silent.updates.values_list("period__month", flat=True))
    assert months == [1, 2, 3, 4]


def test_updates_run_from_april_to_october(seeded):
    months = set(StatusUpdate.objects.values_list("period__month", flat=True))
    assert months == {1, 2, 3, 4, 5, 6, 7}


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")


def test_it_refuses_a_database_that_already_has_objectives(seeded):
    with pytest.raises(CommandError, match="only fills an empty database"):
        call_command("seed_demo")


def planner_row_estimate(table: str):
    """What the query planner believes ``table`` holds (ANALYZE's figure), or None."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            value = cursor.fetchone()[0]
            return None if value < 0 else int(value)
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else None


def test_it_leaves_the_query_planner_knowing_how_many_updates_were_loaded(seeded):
    assert planner_row_estimate("objectives_statusupdate") == StatusUpdate.objects.count()


def test_at_mid_year_a_few_shared_initiatives_are_in_danger_and_a_handful_to_watch(seeded):
    levels = dict(
        ObjectiveConcern.objects.filter(plan=seeded).values_list("objective__ref", "level")
    )
    in_danger = sorted(ref for ref, level in levels.items() if level == Concern.IN_DANGER)
    watch = sorted(ref for ref, level in levels.items() if level == Concern.WATCH)
    assert in_danger == ["DIG-02", "OPS-01", "UEC-01", "UEC-02"]
    assert watch == ["DIG-01", "DIG-03", "DIG-04", "DIG-05", "DIG-07", "DIG-09", "PC-01", "POL-01"]
    assert len(levels) == 30


def test_the_flag_history_is_replayed_month_by_month(seeded):
    # Regional performance said Amber while the others said Green (watch from June); it last
    # reported for July, and by the end of September it had been silent for two months.
    changes = list(
        ConcernChange.objects.filter(objective__ref="DIG-02").values_list("level", "changed_at")
    )
    assert [(level, at.date().isoformat()) for level, at in changes] == [
        (Concern.WATCH, "2024-06-30"),
        (Concern.IN_DANGER, "2024-09-30"),
    ]
