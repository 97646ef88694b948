"""The risk loader: a fixed number of queries, facts read right, acknowledgements applied."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from objectives import risk_loader
from objectives.models import Dependency, FlagAcknowledgement, Objective, Plan
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    MilestoneFactory,
    ObjectiveFactory,
    ReadingFactory,
    TeamFactory,
    UserFactory,
    add_update,
    make_plan,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 11, 15)
LOADER_QUERIES = 6


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def shared_objective(plan, n: int):
    lead = TeamFactory(name=f"Lead team {n}")
    other = TeamFactory(name=f"Other team {n}")
    MembershipFactory(team=lead, role="lead")
    objective = ObjectiveFactory(
        plan=plan, ref=f"OBJ-{n:02d}", lead_team=lead, contributors=[other], owner=UserFactory()
    )
    add_update(objective, lead, 7, "green")
    add_update(objective, other, 6, "amber")
    add_update(objective, other, 7, "red")
    MilestoneFactory(objective=objective, due_date=dt.date(2024, 9, 30))
    measure = MeasureFactory(
        objective=objective, name="Uptake", baseline_value=50.0, target_value=70.0
    )
    for month in range(3):
        ReadingFactory(measure=measure, date=dt.date(2024, 8 + month, 1), value=50.0 + month)
    return objective


def make_objectives(count: int):
    plan = make_plan(2024)
    objectives = [shared_objective(plan, n) for n in range(count)]
    for a, b in zip(objectives, objectives[1:], strict=False):
        Dependency.objects.create(objective=a, depends_on=b, need="Data")
    return plan, objectives


@pytest.mark.parametrize("count", [1, 40])
def test_the_whole_plan_loads_in_six_queries_however_many_objectives(
    count, django_assert_num_queries
):
    plan, _ = make_objectives(count)
    with django_assert_num_queries(LOADER_QUERIES):
        results = risk_loader.evaluate(plan, today=TODAY)
    assert len(results) == count
    assert {r.ref for r in results} == {f"OBJ-{n:02d}" for n in range(count)}


@pytest.mark.parametrize("count", [1, 40])
def test_a_filtered_evaluation_loads_in_the_same_six_queries(count, django_assert_num_queries):
    plan, objectives = make_objectives(count)
    chosen = Objective.objects.filter(pk__in=[o.pk for o in objectives])
    with django_assert_num_queries(LOADER_QUERIES):
        results = risk_loader.evaluate(plan, objectives=chosen, today=TODAY)
    assert len(results) == count


def test_the_loader_reads_views_milestones_measures_and_ownership():
    plan, [objective] = make_objectives(1)
    [result] = risk_loader.evaluate(plan, today=TODAY)
    assert result.team_ratings == [("Lead team 0", "green"), ("Other team 0", "red")]
    assert result.is_shared is True
    assert [(f.severity, f.label) for f in result.flags] == [
        ("high", "Low confidence: Other team 0"),
        ("high", "Divergence"),
        ("high", "Off trajectory: Uptake"),
        ("high", "Time pressure"),
        ("medium", "Deterioration: Other team 0"),
        ("medium", "Overdue milestones"),
        ("medium", "Optimism: Lead team 0"),
    ]
    assert result.score == 10 * 4 + 4 * 3
    by_label = {f.label: f.explanation for f in result.flags}
    assert by_label["Divergence"] == (
        "Lead team 0 says Green (31 October 2024), Other team 0 says Red (31 October 2024): "
        "4 steps apart."
    )
    # The loader draws the control chart: three readings rising from 50% to 52% leave a target
    # of 70% far above the process limits.
    assert by_label["Off trajectory: Uptake"] == (
        "Uptake was 52% on 1 October 2024; at this rate the target of 70% will consistently be "
        "missed."
    )


def test_a_dependency_outside_the_filter_still_passes_on_its_high_flags():
    plan, objectives = make_objectives(2)
    only_first = Objective.objects.filter(pk=objectives[0].pk)
    [result] = risk_loader.evaluate(plan, objectives=only_first, today=TODAY)
    assert result.ref == "OBJ-00"
    assert [f.label for f in result.flags if f.rule == "dependency"] == ["Dependency: OBJ-01"]


def test_updates_made_after_the_day_evaluated_do_not_count(settings):
    plan = make_plan(2024)
    team = TeamFactory(name="Digital")
    objective = ObjectiveFactory(plan=plan, lead_team=team, delivery_date=None)
    add_update(objective, team, 6, "green", when=at(dt.date(2024, 9, 30)))
    add_update(objective, team, 7, "red", when=at(dt.date(2024, 11, 2)))
    snapshot = risk_loader.load(plan, today=TODAY, earliest=dt.date(2024, 10, 31))

    [before] = risk_loader.evaluate_snapshot(snapshot, dt.date(2024, 10, 31))
    [now] = risk_loader.evaluate_snapshot(snapshot, TODAY)

    assert before.team_ratings == [("Digital", "green")]
    assert now.team_ratings == [("Digital", "red")]


def test_a_correction_replaces_the_period_it_corrects():
    plan = make_plan(2024)
    team = TeamFactory(name="Digital")
    objective = ObjectiveFactory(plan=plan, lead_team=team, delivery_date=None)
    add_update(objective, team, 6, "green")
    add_update(objective, team, 7, "amber_green")
    add_update(objective, team, 7, "red", when=at(dt.date(2024, 11, 1)))
    [result] = risk_loader.evaluate(plan, today=TODAY)
    assert [f.explanation for f in result.flags if f.rule == "deterioration"] == [
        "Digital's rating fell 4 steps, from Green in September 2024 to Red in October 2024."
    ]


def test_what_changed_lists_new_and_resolved_flags_since_the_last_period_end():
    plan = make_plan(2024)
    team = TeamFactory(name="Digital")
    MembershipFactory(team=team, role="lead")
    objective = ObjectiveFactory(plan=plan, lead_team=team, delivery_date=None, owner=UserFactory())
    add_update(objective, team, 6, "amber_red", when=at(dt.date(2024, 9, 30)))
    add_update(objective, team, 7, "red", when=at(dt.date(2024, 10, 31)))
    add_update(objective, team, 7, "amber", when=at(dt.date(2024, 11, 3)))

    now, added, resolved, since = risk_loader.evaluate_with_changes(plan, today=TODAY)

    assert since == dt.date(2024, 10, 31)
    assert [(c.item.ref, c.flag.label) for c in added] == []
    assert [(c.item.ref, c.flag.label, c.flag.explanation) for c in resolved] == [
        (objective.ref, "Low confidence: Digital", "Digital reported Red on 31 October 2024.")
    ]
    assert [f.label for f in now[0].flags] == []


def test_acknowledgements_apply_and_lapse_when_the_rating_gets_worse(cast):
    objective = ObjectiveFactory(
        plan=cast.plan, lead_team=cast.team_a, delivery_date=None, owner=cast.lead_a
    )
    add_update(objective, cast.team_a, 7, "amber_red")
    [flag] = risk_loader.flags_for_objective(objective, today=TODAY)
    FlagAcknowledgement.objects.create(
        objective=objective,
        rule=flag.rule,
        subject=flag.subject,
        note="Discussed with both leads on 3 Oct; plan agreed",
        evidence=flag.evidence,
        severity_score=flag.evidence_level,
        acknowledged_by=cast.director_a,
    )
    [acknowledged] = risk_loader.flags_for_objective(objective, today=TODAY)
    assert (acknowledged.is_acknowledged, acknowledged.lapsed) == (True, False)
    assert acknowledged.acknowledgement.note == "Discussed with both leads on 3 Oct; plan agreed"

    add_update(objective, cast.team_a, 7, "red", when=at(dt.date(2024, 11, 5)))
    [lapsed] = risk_loader.flags_for_objective(objective, today=TODAY)
    assert (lapsed.is_acknowledged, lapsed.lapsed) == (False, True)


def test_acknowledged_objectives_drop_down_the_list_but_stay_in_it(cast):
    first, second = (
        ObjectiveFactory(
            plan=cast.plan, ref=ref, lead_team=cast.team_a, delivery_date=None, owner=cast.lead_a
        )
        for ref in ("A-1", "B-1")
    )
    add_update(first, cast.team_a, 7, "red")
    add_update(second, cast.team_a, 7, "amber_red")
    flag = risk_loader.flags_for_objective(first, today=TODAY)[0]
    FlagAcknowledgement.objects.create(
        objective=first,
        rule=flag.rule,
        subject=flag.subject,
        note="Known",
        severity_score=flag.evidence_level,
        acknowledged_by=cast.director_a,
    )
    chosen = Objective.objects.filter(pk__in=[first.pk, second.pk])
    results = risk_loader.evaluate(cast.plan, objectives=chosen, today=TODAY)
    assert [(r.ref, r.score, r.total_score) for r in results] == [
        ("B-1", 4, 4),
        ("A-1", 0, 10),
    ]


def test_a_plan_with_no_periods_evaluates_without_error():
    plan = Plan.objects.create(
        label="2026/27", start_date=dt.date(2026, 4, 1), end_date=dt.date(2027, 3, 31)
    )
    team = TeamFactory(name="Digital")
    MembershipFactory(team=team, role="lead")
    ObjectiveFactory(
        plan=plan, ref="NEW-01", lead_team=team, delivery_date=None, owner=UserFactory()
    )
    [result] = risk_loader.evaluate(plan, today=dt.date(2026, 3, 1))
    assert (result.ref, result.flags) == ("NEW-01", ())


def test_the_small_demo_shows_every_rule_on_15_november_2024(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    plan = Plan.objects.get(label="2024/25")
    results = risk_loader.evaluate(plan, today=TODAY)
    rules = {flag.rule for result in results for flag in result.flags}
    assert rules == {
        "low_confidence",
        "divergence",
        "silence",
        "deterioration",
        "overdue_milestones",
        "off_trajectory",
        "optimism",
        "dependency",
        "time_pressure",
        "ownership",
    }


def test_flags_for_objectives_in_hand_costs_six_queries_per_plan(cast, django_assert_num_queries):
    add_update(cast.objective_a, cast.team_a, 7, "red")
    objectives = list(Objective.objects.select_related("plan"))
    with django_assert_num_queries(LOADER_QUERIES):
        flags = risk_loader.flags_for_objectives(objectives, today=TODAY)
    assert set(flags) == {cast.objective_a.pk, cast.objective_b.pk}
    assert [f.label for f in flags[cast.objective_a.pk]][:1] == ["Low confidence: NHS 111 online"]


@pytest.mark.parametrize("count", [1, 40])
def test_objectives_given_by_id_load_in_the_same_queries_with_the_same_flags(
    count, django_assert_num_queries
):
    plan, objectives = make_objectives(count)
    asked = {o.pk for o in objectives[::2]}
    # Each asked objective depends on the next one, which must be loaded for its flags.
    loaded = asked | {o.pk for o in objectives[1::2]}
    by_query = risk_loader.evaluate_with_changes(
        plan, objectives=Objective.objects.filter(pk__in=asked), today=TODAY
    )
    with django_assert_num_queries(LOADER_QUERIES):
        by_id = risk_loader.evaluate_with_changes(plan, ids=loaded, asked=asked, today=TODAY)
    assert [r.objective_id for r in by_id[0]] == [r.objective_id for r in by_query[0]]
    assert [r.flags for r in by_id[0]] == [r.flags for r in by_query[0]]
    assert by_id[1:] == by_query[1:]
