"""factory_boy factories for the objectives domain. Shared by every test module."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from objectives import services
from objectives.models import (
    Contribution,
    ContributionRole,
    Directorate,
    Directorship,
    Measure,
    Membership,
    Milestone,
    Objective,
    Period,
    Plan,
    Reading,
    Role,
    StatusUpdate,
    Team,
)
from objectives.plans import create_plan


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    password = factory.django.Password("demo-password-123")


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate

    name = factory.Sequence(lambda n: f"Directorate {n}")
    code = factory.Sequence(lambda n: f"D{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    directorate = factory.SubFactory(DirectorateFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.MEMBER


class DirectorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorship

    user = factory.SubFactory(UserFactory)
    directorate = factory.SubFactory(DirectorateFactory)


def make_plan(start_year: int = 2024) -> Plan:
    """A plan with its twelve monthly periods (the plan label is unique, so reuse it)."""
    existing = Plan.objects.filter(label=Plan.label_for_year(start_year)).first()
    return existing or create_plan(start_year)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective
        skip_postgeneration_save = True

    plan = factory.LazyFunction(make_plan)
    ref = factory.Sequence(lambda n: f"OBJ-{n:03d}")
    title = factory.Sequence(lambda n: f"Objective number {n}")
    lead_team = factory.SubFactory(TeamFactory)
    delivery_date = dt.date(2025, 3, 31)

    @factory.post_generation
    def contributors(self, create, extracted, **kwargs):
        """ObjectiveFactory(contributors=[team_b, team_c]) makes a shared objective."""
        if not create:
            return
        services.set_teams(
            objective=self,
            lead=self.lead_team,
            contributors={team: f"{team.name} commitment" for team in (extracted or [])},
        )


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = dt.date(2024, 9, 30)
    team = factory.LazyAttribute(lambda m: m.objective.lead_team)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    objective = factory.SubFactory(ObjectiveFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "%"
    direction = "higher"
    target_value = 70.0


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    measure = factory.SubFactory(MeasureFactory)
    date = factory.Sequence(lambda n: dt.date(2022, 4, 1) + dt.timedelta(days=31 * n))
    value = 50.0


def period(plan: Plan, month: int) -> Period:
    return plan.periods.get(month=month)


def contribution(objective: Objective, team: Team) -> Contribution:
    return Contribution.objects.get(objective=objective, team=team)


def add_update(objective, team, month, rating, *, author=None, text="Narrative", when=None):
    """Record a status update through the real service (so denormalised fields stay right)."""
    author = author or UserFactory()
    plan_period = period(objective.plan, month)
    return services.record_status(
        contribution=contribution(objective, team),
        period=plan_period,
        rating=rating,
        author=author,
        going_well=text,
        not_going_well=text,
        lock_override=True,
        now=when or timezone.make_aware(dt.datetime.combine(plan_period.end_date, dt.time(12, 0))),
    )


def ask_in(update, to_team, text, **fields):
    """An ask raised in a status update, as the status form raises it."""
    from objectives.asks import raise_ask

    contribution = update.contribution
    return raise_ask(
        objective=contribution.objective,
        from_team=contribution.team,
        to_team=to_team,
        text=text,
        asked_by=update.author,
        status_update=update,
        now=update.created_at,
        **fields,
    )


__all__ = [
    "ContributionRole",
    "StatusUpdate",
    "UserFactory",
    "DirectorateFactory",
    "TeamFactory",
    "MembershipFactory",
    "DirectorshipFactory",
    "ObjectiveFactory",
    "MilestoneFactory",
    "MeasureFactory",
    "ReadingFactory",
    "make_plan",
    "period",
    "contribution",
    "add_update",
]
