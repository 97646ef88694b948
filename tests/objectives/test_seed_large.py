"""The benchmark-scale builder, shrunk by its module constants so the test stays quick."""

import pytest
from django.contrib.auth import get_user_model

from objectives import demo_large
from objectives.models import (
    Contribution,
    Directorate,
    Objective,
    Plan,
    Reading,
    StatusUpdate,
    Team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_scale(monkeypatch):
    monkeypatch.setattr(demo_large, "DIRECTORATES", 3)
    monkeypatch.setattr(demo_large, "TEAMS_PER_DIRECTORATE", 4)
    monkeypatch.setattr(demo_large, "OBJECTIVES", 50)


def snapshot():
    return (
        list(Objective.objects.order_by("ref").values_list("ref", "title", "worst_rating")),
        list(
            StatusUpdate.objects.order_by("contribution__objective__ref", "created_at").values_list(
                "contribution__objective__ref", "contribution__team__name", "rating"
            )
        ),
    )


def test_it_builds_the_promised_shape(small_scale):
    counts = demo_large.build_large(seed=7)
    assert counts["teams"] == 12
    assert counts["objectives"] == 50
    assert counts["shared"] == 20  # 2 in every 5
    assert counts["milestones"] == 150
    assert counts["measures"] == 50
    assert counts["readings"] == 600
    assert Reading.objects.count() == 600
    assert counts["status_updates"] == StatusUpdate.objects.count()
    # Every contribution with updates points at its newest one.
    for contribution in Contribution.objects.exclude(latest_update=None)[:20]:
        newest = contribution.updates.order_by("-created_at", "-id").first()
        assert contribution.latest_update_id == newest.pk


def test_the_same_seed_builds_the_same_organisation(small_scale):
    demo_large.build_large(seed=7)
    first = snapshot()
    StatusUpdate.objects.all().delete()
    Objective.objects.all().delete()
    Team.objects.all().delete()
    Directorate.objects.all().delete()
    Plan.objects.all().delete()
    get_user_model().objects.all().delete()
    demo_large.build_large(seed=7)
    assert snapshot() == first
