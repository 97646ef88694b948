import pytest
from django.core.exceptions import ValidationError

from objectives import services
from objectives.models import Ask, StatusUpdate
from tests.factories import ObjectiveFactory, TeamFactory, UserFactory, add_update, contribution

pytestmark = pytest.mark.django_db


def test_a_second_update_in_a_period_corrects_the_first_and_keeps_it():
    objective = ObjectiveFactory()
    first = add_update(objective, objective.lead_team, 2, "green")
    second = add_update(objective, objective.lead_team, 2, "amber")
    third = add_update(objective, objective.lead_team, 2, "amber_red")
    assert second.corrects_id == first.pk
    assert third.corrects_id == second.pk
    assert StatusUpdate.objects.filter(contribution=first.contribution).count() == 3
    row = contribution(objective, objective.lead_team)
    assert row.latest_update_id == third.pk


def test_the_worst_current_view_is_kept_on_the_objective():
    team_b = TeamFactory()
    objective = ObjectiveFactory(contributors=[team_b])
    add_update(objective, objective.lead_team, 1, "green")
    add_update(objective, team_b, 1, "amber_red")
    objective.refresh_from_db()
    assert objective.worst_rating == "amber_red"
    assert objective.is_shared is True


def test_a_changed_rating_without_narrative_is_refused_and_nothing_saved():
    objective = ObjectiveFactory()
    first = add_update(objective, objective.lead_team, 1, "green")
    with pytest.raises(ValidationError) as error:
        services.record_status(
            contribution=first.contribution,
            period=objective.plan.periods.get(month=2),
            rating="amber",
            author=UserFactory(),
        )
    assert "narrative is required" in error.value.message_dict["not_going_well"][0]
    assert StatusUpdate.objects.count() == 1


def test_a_locked_period_is_refused_without_override():
    objective = ObjectiveFactory()
    period = objective.plan.periods.get(month=1)
    period.locked = True
    period.save()
    with pytest.raises(ValidationError) as error:
        services.record_status(
            contribution=contribution(objective, objective.lead_team),
            period=period,
            rating="green",
            author=UserFactory(),
        )
    assert error.value.message_dict == {"period": ["April 2024 is locked; updates are closed."]}


def test_asks_of_a_named_team_are_saved_with_the_update():
    team_b = TeamFactory(name="Directory of Services")
    objective = ObjectiveFactory(contributors=[team_b])
    update = services.record_status(
        contribution=contribution(objective, objective.lead_team),
        period=objective.plan.periods.get(month=1),
        rating="amber",
        author=UserFactory(),
        going_well="Some",
        asks=[(team_b, "Fix the profiles by June")],
    )
    assert list(Ask.objects.values_list("status_update", "to_team__name", "text")) == [
        (update.pk, "Directory of Services", "Fix the profiles by June")
    ]
    ask = Ask.objects.get()
    assert (ask.objective, ask.from_team, ask.asked_by, ask.created_at, ask.state) == (
        objective,
        objective.lead_team,
        update.author,
        update.created_at,
        "open",
    )


def test_set_teams_replaces_a_lead_team_that_never_reported():
    old_lead, new_lead = TeamFactory(), TeamFactory()
    objective = ObjectiveFactory(lead_team=old_lead)
    services.set_teams(objective=objective, lead=new_lead, contributors={})
    assert list(objective.contributions.values_list("team__name", "role")) == [
        (new_lead.name, "lead")
    ]
    objective.refresh_from_db()
    assert objective.lead_team == new_lead
    assert objective.is_shared is False


def test_a_former_lead_that_reported_stays_as_a_contributor():
    old_lead, new_lead = TeamFactory(name="Old lead"), TeamFactory(name="New lead")
    objective = ObjectiveFactory(lead_team=old_lead)
    add_update(objective, old_lead, 1, "green")
    services.set_teams(objective=objective, lead=new_lead, contributors={})
    assert sorted(objective.contributions.values_list("team__name", "role")) == [
        ("New lead", "lead"),
        ("Old lead", "contributor"),
    ]


def test_set_teams_keeps_a_team_that_has_reported_even_when_dropped():
    team_b, team_c = TeamFactory(), TeamFactory()
    objective = ObjectiveFactory(contributors=[team_b, team_c])
    add_update(objective, team_b, 1, "green")
    services.set_teams(objective=objective, lead=objective.lead_team, contributors={})
    assert sorted(objective.contributions.values_list("team__name", flat=True)) == sorted(
        [objective.lead_team.name, team_b.name]
    )
