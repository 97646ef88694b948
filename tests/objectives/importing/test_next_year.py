"""objectives/importing/next_year.py: carry unfinished objectives into a new plan."""

import datetime as dt

import pytest

from objectives.importing import next_year
from objectives.models import Dependency, Measure, Objective, Plan, StatusUpdate
from tests.factories import ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(cast):
    shared = ObjectiveFactory(
        plan=cast.plan,
        ref="SH-01",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        delivery_date=dt.date(2025, 3, 31),
        state="in_progress",
    )
    done = ObjectiveFactory(plan=cast.plan, ref="DONE-1", lead_team=cast.team_a, state="complete")
    Dependency.objects.create(objective=shared, depends_on=cast.objective_a, need="Profiles")
    Dependency.objects.create(objective=shared, depends_on=cast.objective_b)
    Measure.objects.create(
        objective=shared,
        name="Calls",
        baseline_value=10,
        baseline_date=dt.date(2024, 4, 30),
        target_value=20,
        target_date=dt.date(2025, 3, 31),
    )
    add_update(shared, cast.team_a, 3, "amber")
    return shared, done


def test_chosen_unfinished_objectives_are_copied_with_teams_measures_and_dependencies(cast, year):
    shared, _ = year
    result = next_year.carry_over(
        source=cast.plan, label="2025/26", objective_ids=[shared.pk, cast.objective_a.pk]
    )
    plan = Plan.objects.get(label="2025/26")
    assert (result.plan, plan.status, plan.periods.count()) == (plan, "draft", 12)
    copy = Objective.objects.get(plan=plan, ref="SH-01")
    assert (copy.title, copy.lead_team, copy.delivery_date, copy.state, copy.is_shared) == (
        shared.title,
        cast.team_a,
        dt.date(2026, 3, 31),
        "in_progress",
        True,
    )
    assert copy.contributions.get(team=cast.team_b).commitment == "Ambulance flow commitment"
    measure = copy.measures.get()
    assert (measure.baseline_date, measure.target_date, measure.target_value) == (
        dt.date(2024, 4, 30),
        dt.date(2026, 3, 31),
        20.0,
    )
    # Only the dependency between two copied objectives comes along.
    assert list(copy.dependencies.values_list("depends_on__ref", "need")) == [
        ("DIG-01", "Profiles")
    ]
    assert StatusUpdate.objects.filter(contribution__objective__plan=plan).count() == 0
    assert (result.measures, result.dependencies) == (1, 1)


def test_finished_objectives_are_never_offered_or_copied(cast, year):
    _, done = year
    assert done not in next_year.unfinished(cast.plan)
    with pytest.raises(next_year.CarryOverError) as raised:
        next_year.carry_over(source=cast.plan, label="2025/26", objective_ids=[done.pk])
    assert str(raised.value) == "Choose at least one unfinished objective to carry over."
    assert not Plan.objects.filter(label="2025/26").exists()


def test_a_plan_that_already_holds_a_ref_is_refused(cast, year):
    shared, _ = year
    next_year.carry_over(source=cast.plan, label="2025/26", objective_ids=[shared.pk])
    with pytest.raises(next_year.CarryOverError) as raised:
        next_year.carry_over(source=cast.plan, label="2025/26", objective_ids=[shared.pk])
    assert str(raised.value) == (
        "Plan 2025/26 already has objectives with the refs SH-01; untick them or choose another "
        "plan."
    )


@pytest.mark.parametrize(
    "day, years, moved",
    [
        (dt.date(2024, 2, 29), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 31), 2, dt.date(2027, 3, 31)),
        (None, 1, None),
    ],
)
def test_dates_move_on_by_whole_years(day, years, moved):
    assert next_year.shift_years(day, years) == moved
