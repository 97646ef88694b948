"""Cached whole-plan evaluations: every change that can change a flag changes what is served,
additions are patched in, anything else evaluates the plan again, and the result is always exactly
what a fresh evaluation gives."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from objectives import risk_cache, risk_loader
from objectives.models import (
    Dependency,
    FlagAcknowledgement,
    Membership,
    Milestone,
    Objective,
    Reading,
)
from tests.factories import (
    MeasureFactory,
    MilestoneFactory,
    ObjectiveFactory,
    ReadingFactory,
    TeamFactory,
    add_update,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 11, 15)
YESTERDAY = dt.datetime(2024, 11, 14, 12, 0, tzinfo=dt.UTC)  # a November update already made
HIT_QUERIES = 1  # plan, periods, fingerprint and what was added since, together
PATCH_QUERIES = 1 + 5  # and the changed objectives loaded with the plan's periods in hand
WHOLE_QUERIES = 1 + 5


@pytest.fixture(autouse=True)
def fresh_risk_cache():
    # Test databases roll back, so the next test may reuse the same ids with other data.
    risk_cache.clear()
    yield
    risk_cache.clear()


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2024, 11, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(cast):
    """DIG-01 (NHS 111 online) Amber, with a milestone due 30 September; OPS-01 (Ambulance flow)
    Amber/Green, depending on DIG-01; SHR-01 shared by both, each Green. Everything owned."""
    for objective, lead in ((cast.objective_a, cast.lead_a), (cast.objective_b, cast.lead_b)):
        objective.owner = lead
        objective.delivery_date = None
        objective.save()
    add_update(cast.objective_a, cast.team_a, 7, "amber")
    add_update(cast.objective_b, cast.team_b, 7, "amber_green")
    cast.shared = ObjectiveFactory(
        plan=cast.plan,
        ref="SHR-01",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        owner=cast.lead_a,
        delivery_date=None,
    )
    add_update(cast.shared, cast.team_a, 7, "green")
    add_update(cast.shared, cast.team_b, 7, "green")
    cast.milestone = MilestoneFactory(
        objective=cast.objective_a, title="Beta live", due_date=dt.date(2024, 9, 30)
    )
    Dependency.objects.create(objective=cast.objective_b, depends_on=cast.objective_a, need="Data")
    return cast


def cached():
    _, _, evaluation = risk_cache.latest_plan_evaluation(today=TODAY)
    return evaluation


def shown(items):
    """Everything a page shows of each flagged objective, in order."""
    return [
        (
            item.ref,
            item.score,
            item.total_score,
            [(f.label, f.severity, f.explanation, f.is_acknowledged, f.lapsed) for f in item.flags],
        )
        for item in items
        if item.flags
    ]


def changes(found):
    return [(c.item.ref, c.flag.label, c.flag.explanation) for c in found]


def assert_same_as_fresh(evaluation, plan):
    now, added, resolved, since = risk_loader.evaluate_with_changes(plan, today=TODAY)
    assert shown(evaluation.items) == shown(now)
    assert changes(evaluation.added) == changes(added)
    assert changes(evaluation.resolved) == changes(resolved)
    assert evaluation.since == since


def flags_of(evaluation, objective) -> list[str]:
    return [flag.label for flag in evaluation.by_id[objective.pk].flags]


# --- Served from the cache ------------------------------------------------------------------------


def test_the_first_read_evaluates_the_plan_and_the_next_is_one_query(
    world, django_assert_num_queries
):
    with django_assert_num_queries(WHOLE_QUERIES):
        first = cached()
    with django_assert_num_queries(HIT_QUERIES):
        second = cached()
    assert second is first
    assert flags_of(second, world.objective_a) == ["Overdue milestones"]
    assert flags_of(second, world.objective_b) == []
    assert_same_as_fresh(second, world.plan)


def test_a_plan_evaluation_for_a_given_plan_is_one_query_when_cached(
    world, django_assert_num_queries
):
    first = risk_cache.plan_evaluation(world.plan, today=TODAY)
    with django_assert_num_queries(1):
        again = risk_cache.plan_evaluation(world.plan, today=TODAY)
    assert again is first
    assert_same_as_fresh(again, world.plan)


def test_without_a_cached_evaluation_a_page_may_decline_the_whole_plan(
    world, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert risk_cache.plan_evaluation(world.plan, today=TODAY, whole=False) is None


# --- Additions are patched in ---------------------------------------------------------------------


def test_a_new_rating_is_patched_in_with_exactly_the_flags_of_a_fresh_evaluation(
    world, django_assert_num_queries
):
    cached()
    add_update(world.shared, world.team_b, 8, "red", when=YESTERDAY)

    with django_assert_num_queries(PATCH_QUERIES):
        evaluation = cached()

    assert flags_of(evaluation, world.shared) == [
        "Low confidence: Ambulance flow",
        "Divergence",
        "Deterioration: Ambulance flow",
    ]
    # SHR-01 and nothing else was evaluated again (nothing depends on it).
    assert evaluation.patched == 1
    assert_same_as_fresh(evaluation, world.plan)


def test_a_new_high_flag_reaches_the_objectives_that_depend_on_it(world):
    before = cached()
    assert "Dependency: DIG-01" not in flags_of(before, world.objective_b)

    add_update(world.objective_a, world.team_a, 8, "red", when=YESTERDAY)
    evaluation = cached()

    assert flags_of(evaluation, world.objective_b) == ["Dependency: DIG-01"]
    assert evaluation.patched == 2  # DIG-01 and OPS-01, which depends on it
    assert_same_as_fresh(evaluation, world.plan)


def test_an_acknowledgement_is_patched_in(world):
    cached()
    FlagAcknowledgement.objects.create(
        objective=world.objective_a,
        rule="overdue_milestones",
        subject="",
        note="Replanned",
        severity_score=1,
        acknowledged_by=world.director_a,
    )

    evaluation = cached()

    item = evaluation.by_id[world.objective_a.pk]
    assert [(f.label, f.is_acknowledged) for f in item.flags] == [("Overdue milestones", True)]
    assert (item.score, item.total_score) == (0, 4)
    assert_same_as_fresh(evaluation, world.plan)


def test_a_new_reading_is_patched_in(world):
    measure = MeasureFactory(
        objective=world.shared,
        name="Uptake",
        baseline_value=50.0,
        baseline_date=dt.date(2024, 4, 1),
        target_value=70.0,
        target_date=dt.date(2025, 3, 31),
    )
    ReadingFactory(measure=measure, date=dt.date(2024, 9, 1), value=58.0)
    assert "Off trajectory: Uptake" not in flags_of(cached(), world.shared)

    ReadingFactory(measure=measure, date=dt.date(2024, 11, 1), value=50.0)
    evaluation = cached()

    assert flags_of(evaluation, world.shared)[:1] == ["Off trajectory: Uptake"]
    assert evaluation.patched == 1
    assert_same_as_fresh(evaluation, world.plan)


# --- Anything else evaluates the plan again -------------------------------------------------------


def test_a_milestone_marked_done_in_place_is_seen(world, django_assert_num_queries):
    cached()
    # As the milestone view does it: an UPDATE, no signal, no timestamp.
    Milestone.objects.filter(pk=world.milestone.pk).update(done_date=dt.date(2024, 11, 14))

    with django_assert_num_queries(WHOLE_QUERIES):
        evaluation = cached()

    assert flags_of(evaluation, world.objective_a) == []
    assert evaluation.patched == 0
    assert_same_as_fresh(evaluation, world.plan)


def test_a_milestone_moved_to_a_later_date_in_place_is_seen(world):
    cached()
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=dt.date(2024, 12, 20))
    assert flags_of(cached(), world.objective_a) == []


def test_a_reading_corrected_in_place_is_seen(world):
    measure = MeasureFactory(
        objective=world.shared,
        name="Uptake",
        baseline_value=50.0,
        baseline_date=dt.date(2024, 4, 1),
        target_value=70.0,
        target_date=dt.date(2025, 3, 31),
    )
    reading = ReadingFactory(measure=measure, date=dt.date(2024, 11, 1), value=50.0)
    assert flags_of(cached(), world.shared)[:1] == ["Off trajectory: Uptake"]

    # As the readings form replaces a value: bulk_update, in place.
    reading.value = 65.0
    Reading.objects.bulk_update([reading], ["value"])
    evaluation = cached()

    assert "Off trajectory: Uptake" not in flags_of(evaluation, world.shared)
    assert_same_as_fresh(evaluation, world.plan)


def test_a_deleted_acknowledgement_is_seen(world):
    ack = FlagAcknowledgement.objects.create(
        objective=world.objective_a,
        rule="overdue_milestones",
        subject="",
        note="Replanned",
        severity_score=1,
        acknowledged_by=world.director_a,
    )
    assert cached().by_id[world.objective_a.pk].score == 0

    ack.delete()
    evaluation = cached()

    assert evaluation.by_id[world.objective_a.pk].score == 4
    assert_same_as_fresh(evaluation, world.plan)


def test_an_edit_of_the_objective_is_seen(world):
    cached()
    # As the edit form saves: an UPDATE with the next version and a new updated_at.
    Objective.objects.filter(pk=world.shared.pk).update(
        owner=None, version=world.shared.version + 1, updated_at=timezone.now()
    )
    assert flags_of(cached(), world.shared) == ["Ownership gap: no owner"]


def test_a_lead_team_losing_its_lead_is_seen(world):
    cached()
    Membership.objects.filter(user=world.lead_b, team=world.team_b).delete()
    assert flags_of(cached(), world.objective_b) == ["Ownership gap: Ambulance flow"]


def test_a_new_dependency_is_seen(world):
    add_update(world.shared, world.team_a, 8, "red", when=YESTERDAY)
    cached()
    Dependency.objects.create(objective=world.objective_a, depends_on=world.shared)
    evaluation = cached()
    assert "Dependency: SHR-01" in flags_of(evaluation, world.objective_a)
    assert_same_as_fresh(evaluation, world.plan)


def test_a_contributing_team_dropping_its_commitment_is_seen(world):
    cached()
    world.shared.contributions.filter(team=world.team_b).update(commitment="  ")
    assert flags_of(cached(), world.shared) == ["Ownership gap: Ambulance flow"]


def test_new_thresholds_are_evaluated_afresh(world, settings):
    assert flags_of(cached(), world.objective_a) == ["Overdue milestones"]
    settings.RISK_THRESHOLDS = {"overdue_milestones": 2}
    assert flags_of(cached(), world.objective_a) == []


def test_another_day_is_evaluated_afresh(world):
    assert cached().since == dt.date(2024, 10, 31)
    _, _, later = risk_cache.latest_plan_evaluation(today=dt.date(2024, 12, 2))
    assert later.since == dt.date(2024, 11, 30)


def test_an_evaluation_older_than_the_cache_timeout_is_made_afresh(
    world, django_assert_num_queries
):
    first = cached()
    later = dt.datetime(2024, 11, 15, 12, 16, tzinfo=dt.UTC)  # 16 minutes on; the timeout is 15
    with time_machine.travel(later, tick=False), django_assert_num_queries(WHOLE_QUERIES):
        again = cached()
    assert again is not first


# --- Shared between processes --------------------------------------------------------------------


def test_another_worker_reads_the_shared_copy_from_files(world, settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "risk": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
            "TIMEOUT": 900,
        },
    }
    first = cached()
    risk_cache._local.clear()  # as if another worker, with nothing in memory
    risk_cache._local_pointers.clear()

    again = cached()

    assert again is not first
    assert shown(again.items) == shown(first.items)
    assert again.by_id.keys() == first.by_id.keys()


def test_a_worker_whose_copy_is_out_of_date_takes_another_workers_evaluation(
    world, settings, tmp_path, django_assert_num_queries
):
    settings.CACHES = {
        **settings.CACHES,
        "risk": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
            "TIMEOUT": 900,
        },
    }
    stale = cached()
    Milestone.objects.filter(pk=world.milestone.pk).update(done_date=dt.date(2024, 11, 14))
    # Another worker evaluates the plan again and shares it...
    risk_cache._local.clear()
    fresh = cached()
    # ...while this one still holds the old evaluation.
    risk_cache._local[stale.key] = stale

    with django_assert_num_queries(HIT_QUERIES):
        taken = cached()

    assert taken.fingerprint == fresh.fingerprint
    assert flags_of(taken, world.objective_a) == []


def file_cache(settings, location):
    settings.CACHES = {
        **settings.CACHES,
        "risk": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(location),
            "TIMEOUT": 900,
        },
    }
    from django.core.cache import caches

    return caches["risk"]


def test_during_a_request_the_shared_copy_is_written_once_the_response_has_gone(
    world, settings, tmp_path
):
    shared = file_cache(settings, tmp_path)
    risk_cache._request_started()
    evaluation = cached()

    assert shared.get(evaluation.key) is None  # the person waiting is not made to wait for it
    risk_cache._request_finished()
    written = shared.get(evaluation.key)
    assert (written.fingerprint, shown(written.items)) == (
        evaluation.fingerprint,
        shown(evaluation.items),
    )


def test_the_dashboard_leaves_its_evaluation_in_the_shared_cache(
    world, settings, tmp_path, client_for
):
    shared = file_cache(settings, tmp_path)
    settings.TODAY = TODAY

    response = client_for(world.director_a).get(reverse("risks:dashboard"))

    assert response.status_code == 200
    key = shared.get(risk_cache._pointer_key(TODAY))
    assert key == cached().key
    assert shared.get(key).by_id.keys() == cached().by_id.keys()


def test_a_shared_cache_that_cannot_be_written_is_logged_not_raised(
    world, settings, tmp_path, caplog, monkeypatch
):
    shared = file_cache(settings, tmp_path)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shared, "set", disk_full)
    risk_cache._request_started()
    evaluation = cached()

    risk_cache._request_finished()

    assert evaluation.by_id.keys() == {world.objective_a.pk, world.objective_b.pk, world.shared.pk}
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "objectives.risk_cache",
            "ERROR",
            "Could not write a risk evaluation to the shared cache",
        )
    ]


def test_the_default_in_memory_cache_is_not_used_to_share(world):
    from django.core.cache import caches

    cached()
    assert caches["risk"].get(cached().key) is None  # kept as objects in the process only


def test_a_second_team_in_the_directorate_changes_nothing_it_should_not(world):
    # A new team with nothing to do with the plan: the plan is evaluated again (teams changed),
    # and its flags are what they were.
    before = shown(cached().items)
    TeamFactory(name="Brand new team", directorate=world.directorate_a)
    assert shown(cached().items) == before
