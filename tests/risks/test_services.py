"""risks/services.py: stored findings are upserted with their history and kept current."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from objectives import measures
from objectives.forms.readings import Row
from objectives.models import Contribution, Dependency, Milestone
from risks import services
from risks.models import Concern, ConcernChange, Finding, FlagAcknowledgement, ObjectiveConcern
from tests.factories import MeasureFactory, MilestoneFactory, ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 11, 15)
NOW = timezone.make_aware(dt.datetime(2024, 11, 15, 9, 0))
LATER = NOW + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2024, 11, 15, 12, 0), tick=False):
        yield


@pytest.fixture
def shared(cast):
    """DIG-05: NHS 111 online (lead) and Ambulance flow, both Green in October."""
    objective = ObjectiveFactory(
        plan=cast.plan,
        ref="DIG-05",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        owner=cast.lead_a,
    )
    add_update(objective, cast.team_a, 7, "green")
    add_update(objective, cast.team_b, 7, "green")
    return objective


def open_findings(objective):
    return list(
        Finding.objects.filter(objective=objective, resolved_at__isnull=True).values_list(
            "rule", "subject", "level"
        )
    )


def test_refresh_stores_each_finding_and_the_objectives_concern(shared, cast):
    add_update(shared, cast.team_b, 7, "red")

    outcome = services.refresh([shared.pk], now=NOW)

    assert outcome == services.Outcome(evaluated=1, raised=1, resolved=0, level_changes=1)
    assert open_findings(shared) == [("low_confidence", "Ambulance flow", Concern.WATCH)]
    concern = ObjectiveConcern.objects.get(objective=shared)
    assert (concern.level, concern.headline, concern.worsened_on) == (
        Concern.WATCH,
        "Ambulance flow says Red for October 2024 (31 October 2024).",
        TODAY,
    )
    assert concern.views == [
        {"team": "NHS 111 online", "rating": "green", "period": "October 2024", "lead": True},
        {"team": "Ambulance flow", "rating": "red", "period": "October 2024", "lead": False},
    ]


def test_an_unchanged_finding_keeps_its_row_and_raised_at(shared, cast):
    add_update(shared, cast.team_b, 7, "red")
    services.refresh([shared.pk], now=NOW)
    first = Finding.objects.get(objective=shared)

    outcome = services.refresh([shared.pk], now=LATER)

    again = Finding.objects.get(objective=shared)
    assert (again.pk, again.raised_at, again.confirmed_at) == (first.pk, NOW, LATER)
    assert outcome == services.Outcome(evaluated=1, raised=0, resolved=0, level_changes=0)


def test_a_finding_that_no_longer_holds_is_resolved_and_kept(shared, cast):
    add_update(shared, cast.team_b, 7, "red")
    services.refresh([shared.pk], now=NOW)
    add_update(shared, cast.team_b, 7, "green")  # a correction of October

    outcome = services.refresh([shared.pk], now=LATER)

    assert open_findings(shared) == []
    resolved = Finding.objects.get(objective=shared)
    assert (resolved.raised_at, resolved.resolved_at) == (NOW, LATER)
    assert outcome.resolved == 1
    assert list(
        ConcernChange.objects.filter(objective=shared).values_list("level", "changed_at")
    ) == [(Concern.WATCH, NOW), (Concern.NONE, LATER)]
    assert ObjectiveConcern.objects.get(objective=shared).worsened_on is None


def test_refreshing_twice_changes_nothing(shared, cast):
    add_update(shared, cast.team_b, 7, "amber_red")
    services.refresh([shared.pk], now=NOW)
    before = list(Finding.objects.values_list("pk", "rule", "level", "explanation", "raised_at"))

    outcome = services.refresh([shared.pk], now=NOW)

    assert outcome == services.Outcome(evaluated=1)
    after = list(Finding.objects.values_list("pk", "rule", "level", "explanation", "raised_at"))
    assert after == before
    assert ConcernChange.objects.count() == 1


def test_backfilling_an_earlier_month_never_changes_a_teams_current_view(shared, cast):
    october = Contribution.objects.get(objective=shared, team=cast.team_b).latest_update
    add_update(shared, cast.team_b, 6, "red")  # September, entered after October

    contribution = Contribution.objects.get(objective=shared, team=cast.team_b)
    assert contribution.latest_update == october
    services.refresh([shared.pk], now=NOW)
    assert open_findings(shared) == []


def test_a_status_update_refreshes_the_objective_and_its_dependents_on_commit(
    shared, cast, django_capture_on_commit_callbacks
):
    dependent = ObjectiveFactory(
        plan=cast.plan, ref="PC-02", lead_team=cast.team_a, owner=cast.lead_a
    )
    add_update(dependent, cast.team_a, 7, "green")
    Dependency.objects.create(objective=dependent, depends_on=shared, need="routing")
    services.refresh([shared.pk, dependent.pk], now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        add_update(shared, cast.team_b, 7, "red")
    with django_capture_on_commit_callbacks(execute=True):
        add_update(shared, cast.team_a, 7, "amber_red")

    assert ObjectiveConcern.objects.get(objective=shared).level == Concern.IN_DANGER
    assert open_findings(dependent) == [("dependency", "DIG-05", Concern.WATCH)]


def test_a_reading_refreshes_the_objective_on_commit(
    shared, cast, django_capture_on_commit_callbacks
):
    measure = MeasureFactory(
        objective=shared,
        name="Dispositions",
        direction="lower",
        unit="%",
        baseline_value=11.5,
        baseline_date=dt.date(2024, 3, 31),
        target_value=9.0,
        target_date=dt.date(2025, 3, 31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        measures.save_readings(
            measure=measure,
            rows=[Row(1, dt.date(2024, 10, 31), 11.6)],
            user=cast.lead_a,
            replace=False,
        )

    assert ("off_trajectory", "Dispositions", Concern.WATCH) in open_findings(shared)
    # Both teams say Green while the data say otherwise.
    assert ObjectiveConcern.objects.get(objective=shared).headline_rule == "optimism"


def test_marking_a_milestone_done_resolves_its_finding(
    shared, cast, client, django_capture_on_commit_callbacks
):
    milestone = MilestoneFactory(objective=shared, title="Beta live", due_date=dt.date(2024, 11, 1))
    services.refresh([shared.pk], now=NOW)
    assert open_findings(shared) == [("overdue_milestones", "", Concern.WATCH)]
    client.force_login(cast.lead_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("objectives:milestone_done", args=[milestone.pk]))

    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).done_date == TODAY
    assert open_findings(shared) == []


def test_an_admin_edit_refreshes_the_objective(
    shared, cast, client, django_capture_on_commit_callbacks
):
    services.refresh([shared.pk], now=NOW)
    client.force_login(cast.admin)
    url = reverse("admin:objectives_objective_change", args=[shared.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        owner="",
        delivery_date="2024-11-01",
        plan=shared.plan_id,
        lead_team=cast.team_a.pk,
        priority=2,
        state="in_progress",
        ref="DIG-05",
        title=shared.title,
    )
    for prefix in ("contributions", "milestones", "measures", "dependencies", "actors"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)

    assert open_findings(shared) == [
        ("time_pressure", "", Concern.IN_DANGER),
        ("ownership", "", Concern.WATCH),
    ]


def test_an_interrupted_refresh_leaves_no_objective_half_written(shared, cast):
    add_update(shared, cast.team_b, 7, "red")
    other = ObjectiveFactory(plan=cast.plan, ref="OPS-09", lead_team=cast.team_b)
    add_update(other, cast.team_b, 7, "red")
    real_store = services._store

    def fail_on_the_second(item, *args):
        if item.pk == other.pk:
            Finding.objects.create(
                objective_id=other.pk,
                rule="silence",
                level=1,
                explanation="half",
                raised_at=NOW,
                confirmed_at=NOW,
            )
            raise RuntimeError("worker stopped")
        return real_store(item, *args)

    with mock.patch.object(services, "_store", fail_on_the_second), pytest.raises(RuntimeError):
        services.refresh([shared.pk, other.pk], now=NOW)

    assert open_findings(shared) == [("low_confidence", "Ambulance flow", Concern.WATCH)]
    assert open_findings(other) == []
    assert not ObjectiveConcern.objects.filter(objective=other).exists()


def test_an_acknowledgement_lapses_when_the_evidence_gets_worse(shared, cast):
    add_update(shared, cast.team_b, 7, "amber_red")
    services.refresh([shared.pk], now=NOW)
    finding = Finding.objects.get(objective=shared)
    services.acknowledge(finding=finding, note="Agreed a recovery plan", user=cast.director_a)
    services.refresh([shared.pk], now=NOW)

    acknowledged = Finding.objects.get(objective=shared)
    assert (acknowledged.is_acknowledged, acknowledged.lapsed) == (True, False)
    assert ObjectiveConcern.objects.get(objective=shared).acknowledged is True

    add_update(shared, cast.team_b, 7, "red")
    services.refresh([shared.pk], now=LATER)

    worse = Finding.objects.get(objective=shared, resolved_at__isnull=True)
    assert (worse.pk, worse.is_acknowledged, worse.lapsed) == (finding.pk, False, True)
    assert ObjectiveConcern.objects.get(objective=shared).acknowledged is False
    assert FlagAcknowledgement.objects.get().note == "Agreed a recovery plan"


def test_circular_dependencies_do_not_loop(cast):
    first = ObjectiveFactory(plan=cast.plan, ref="A-1", lead_team=cast.team_a, owner=cast.lead_a)
    second = ObjectiveFactory(plan=cast.plan, ref="A-2", lead_team=cast.team_a, owner=cast.lead_a)
    Dependency.objects.create(objective=first, depends_on=second)
    Dependency.objects.create(objective=second, depends_on=first)
    add_update(first, cast.team_a, 7, "red")
    add_update(first, cast.team_a, 6, "red")
    add_update(second, cast.team_a, 7, "green")

    outcome = services.refresh([first.pk, second.pk], now=NOW)

    assert outcome.evaluated == 2
    assert open_findings(first) == [("low_confidence", "NHS 111 online", Concern.IN_DANGER)]
    assert open_findings(second) == [("dependency", "A-1", Concern.WATCH)]


def test_replay_builds_a_history_month_by_month(shared, cast):
    add_update(
        shared,
        cast.team_b,
        6,
        "red",
        when=timezone.make_aware(dt.datetime(2024, 9, 28, 12)),
    )
    add_update(
        shared,
        cast.team_b,
        7,
        "green",
        when=timezone.make_aware(dt.datetime(2024, 10, 29, 12)),
    )

    assert services.replay(cast.plan, today=TODAY) == 7

    finding = Finding.objects.get(objective=shared, rule="low_confidence")
    assert (finding.raised_at.date(), finding.resolved_at.date()) == (
        dt.date(2024, 9, 30),
        dt.date(2024, 10, 31),
    )
