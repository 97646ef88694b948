"""Each database constraint violated once, and each refused by the database itself."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from objectives.models import (
    Contribution,
    ContributionRole,
    Dependency,
    Membership,
    Objective,
    Period,
    Plan,
    Reading,
    StatusUpdate,
)
from tests.factories import (
    ObjectiveFactory,
    ReadingFactory,
    TeamFactory,
    UserFactory,
    add_update,
    make_plan,
)

pytestmark = pytest.mark.django_db


def violates(callable_):
    # Foreign keys are checked at commit; check_constraints() makes the database check them now.
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()
        connection.check_constraints()


def test_a_ref_is_unique_within_its_plan():
    objective = ObjectiveFactory(ref="DIG-07")
    violates(
        lambda: Objective.objects.create(
            plan=objective.plan, ref="DIG-07", title="Another", lead_team=objective.lead_team
        )
    )


def test_the_same_ref_may_be_used_in_another_plan():
    objective = ObjectiveFactory(ref="DIG-07")
    other = Objective.objects.create(
        plan=make_plan(2025), ref="DIG-07", title="Next year", lead_team=objective.lead_team
    )
    assert Objective.objects.filter(ref="DIG-07").count() == 2
    assert other.plan.label == "2025/26"


def test_an_objective_has_one_lead_team_only():
    objective = ObjectiveFactory()
    violates(
        lambda: Contribution.objects.create(
            objective=objective, team=TeamFactory(), role=ContributionRole.LEAD
        )
    )


def test_a_team_is_involved_in_an_objective_once():
    objective = ObjectiveFactory()
    violates(lambda: Contribution.objects.create(objective=objective, team=objective.lead_team))


def test_a_status_update_must_belong_to_an_involved_team():
    # The update points at a Contribution, so a team with no contribution cannot be recorded.
    objective = ObjectiveFactory()
    period = objective.plan.periods.get(month=1)
    violates(
        lambda: StatusUpdate.objects.create(
            contribution_id=999_999,
            period=period,
            rating="green",
            author=UserFactory(),
            created_at=timezone.now(),
        )
    )


def test_one_update_per_team_per_period_unless_it_corrects_one():
    objective = ObjectiveFactory()
    first = add_update(objective, objective.lead_team, 1, "green")
    violates(
        lambda: StatusUpdate.objects.create(
            contribution=first.contribution,
            period=first.period,
            rating="amber",
            author=first.author,
            created_at=timezone.now(),
        )
    )
    correction = StatusUpdate.objects.create(
        contribution=first.contribution,
        period=first.period,
        rating="amber",
        author=first.author,
        created_at=timezone.now(),
        corrects=first,
    )
    assert correction.corrects_id == first.pk


def test_an_update_is_corrected_once_only():
    objective = ObjectiveFactory()
    first = add_update(objective, objective.lead_team, 1, "green")
    StatusUpdate.objects.create(
        contribution=first.contribution,
        period=first.period,
        rating="amber",
        author=first.author,
        created_at=timezone.now(),
        corrects=first,
    )
    violates(
        lambda: StatusUpdate.objects.create(
            contribution=first.contribution,
            period=first.period,
            rating="red",
            author=first.author,
            created_at=timezone.now(),
            corrects=first,
        )
    )


def test_a_rating_off_the_scale_is_refused():
    objective = ObjectiveFactory()
    first = add_update(objective, objective.lead_team, 1, "green")
    violates(lambda: StatusUpdate.objects.filter(pk=first.pk).update(rating="purple"))


def test_an_objective_cannot_depend_on_itself():
    objective = ObjectiveFactory()
    violates(lambda: Dependency.objects.create(objective=objective, depends_on=objective))


def test_a_dependency_is_recorded_once():
    a, b = ObjectiveFactory(), ObjectiveFactory()
    Dependency.objects.create(objective=a, depends_on=b)
    violates(lambda: Dependency.objects.create(objective=a, depends_on=b))


def test_one_reading_per_measure_per_date():
    reading = ReadingFactory(date=dt.date(2024, 4, 30))
    violates(
        lambda: Reading.objects.create(
            measure=reading.measure, date=dt.date(2024, 4, 30), value=1.0
        )
    )


def test_a_person_has_one_membership_per_team():
    team = TeamFactory()
    user = UserFactory()
    Membership.objects.create(user=user, team=team)
    violates(lambda: Membership.objects.create(user=user, team=team, role="lead"))


def test_a_period_month_runs_from_1_to_12_once_per_plan():
    plan = make_plan(2024)
    violates(
        lambda: Period.objects.create(
            plan=plan, month=13, start_date=dt.date(2025, 4, 1), end_date=dt.date(2025, 4, 30)
        )
    )
    violates(
        lambda: Period.objects.create(
            plan=plan, month=1, start_date=dt.date(2024, 4, 1), end_date=dt.date(2024, 4, 30)
        )
    )


def test_an_agreed_plan_records_when_it_was_agreed():
    violates(
        lambda: Plan.objects.create(
            label="2030/31",
            start_date=dt.date(2030, 4, 1),
            end_date=dt.date(2031, 3, 31),
            status="agreed",
        )
    )


def test_plan_periods_are_the_twelve_months_april_to_march():
    plan = make_plan(2024)
    periods = list(plan.periods.order_by("month"))
    assert [p.label for p in (periods[0], periods[5], periods[11])] == [
        "April 2024",
        "September 2024",
        "March 2025",
    ]
    assert (periods[11].start_date, periods[11].end_date) == (
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
    )
    assert [p.quarter for p in periods] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert [p.month for p in periods if p.is_mid_year] == [6]


@pytest.mark.parametrize("label", ["2024", "2024/26", "24/25", "abcd/ef"])
def test_a_plan_label_must_be_a_financial_year(label):
    with pytest.raises(
        ValueError, match=f"'{label}' is not a financial year; use the form 2024/25"
    ):
        Plan.dates_for_label(label)
