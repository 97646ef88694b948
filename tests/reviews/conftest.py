"""A collaboration day around the cast: team A, a second team in its directorate, shared work."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.utils import timezone

from objectives.models import Role
from reviews import services
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    MilestoneFactory,
    ObjectiveFactory,
    ReadingFactory,
    TeamFactory,
    UserFactory,
    add_update,
)

AS_AT = timezone.make_aware(dt.datetime(2024, 11, 15, 9, 0))


@dataclass
class DayWorld:
    day: object
    team_c: object
    lead_c: object
    shared: object  # shared by team A and team C, with updates, a milestone and a measure
    bare: object  # shared by team A and team C, nothing reported, no measure


@pytest.fixture(autouse=True)
def fresh_pack_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "packs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    caches["packs"].clear()
    yield
    caches["packs"].clear()


@pytest.fixture
def world(cast):
    team_c = TeamFactory(name="Directory of Services", directorate=cast.directorate_a)
    lead_c = MembershipFactory(
        user=UserFactory(username="lead_c"), team=team_c, role=Role.LEAD
    ).user
    shared = ObjectiveFactory(
        plan=cast.plan,
        ref="UEC-01",
        title="Increase first-time uptake of NHS 111 recommendations",
        lead_team=cast.team_a,
        contributors=[team_c],
    )
    bare = ObjectiveFactory(
        plan=cast.plan,
        ref="UEC-02",
        title="Reduce handover delays",
        lead_team=team_c,
        contributors=[cast.team_a],
    )
    for month, (rating_a, rating_c) in enumerate(
        [("green", "amber"), ("green", "amber"), ("amber_green", "amber_red")], start=4
    ):
        add_update(shared, cast.team_a, month, rating_a, author=cast.lead_a, text=f"A{month}")
        add_update(shared, team_c, month, rating_c, author=lead_c, text=f"C{month}")
    MilestoneFactory(objective=shared, title="Beta live", due_date=dt.date(2024, 9, 30))
    measure = MeasureFactory(objective=shared, name="Uptake", unit="%", is_main=True)
    for n in range(14):
        ReadingFactory(
            measure=measure,
            date=dt.date(2023, 9, 1) + dt.timedelta(days=31 * n),
            value=60.0 + (n % 3),
        )
    day = services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a, team_c],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
        venue="Leeds",
    )
    return DayWorld(day=day, team_c=team_c, lead_c=lead_c, shared=shared, bare=bare)
