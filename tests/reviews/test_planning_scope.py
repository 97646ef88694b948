"""Who may put which teams on a collaboration day (permissions.can_plan_for_team)."""

import pytest
from django.urls import reverse

from objectives import permissions
from reviews.models import CollaborationDay


def new_day(client, cast, teams, title="Crafted"):
    return client.post(
        reverse("reviews:create"),
        {"title": title, "date": "2024-10-01", "plan": cast.plan.pk, "teams": teams},
    )


@pytest.mark.parametrize(
    ("who", "team", "allowed"),
    [
        ("admin", "team_b", True),
        ("org_director", "team_b", True),
        ("director_a", "team_a", True),
        ("director_a", "team_b", False),
        ("lead_a", "team_a", True),
        ("lead_a", "team_c", True),  # same directorate as the lead's own team
        ("lead_a", "team_b", False),
        ("member_a", "team_a", False),
        ("outsider", "team_a", False),
    ],
)
def test_who_may_plan_a_day_for_which_team(who, team, allowed, world, cast):
    users = cast.users() | {"lead_c": world.lead_c}
    teams = {"team_a": cast.team_a, "team_b": cast.team_b, "team_c": world.team_c}

    assert permissions.can_plan_for_team(users[who], teams[team]) is allowed


def test_a_lead_cannot_create_a_day_with_a_team_of_another_directorate(world, cast, client_for):
    response = new_day(client_for(cast.lead_b), cast, [cast.team_a.pk, cast.team_b.pk])

    assert response.status_code == 200
    assert (
        "You cannot plan a day for NHS 111 online: choose teams of your own directorate, or "
        "ask their director" in response.content.decode()
    )
    assert CollaborationDay.objects.filter(title="Crafted").count() == 0


def test_a_lead_can_create_a_day_for_teams_of_their_own_directorate(world, cast, client_for):
    response = new_day(client_for(cast.lead_a), cast, [cast.team_a.pk, world.team_c.pk])

    day = CollaborationDay.objects.get(title="Crafted")
    assert response["Location"] == reverse("reviews:edit", args=[day.pk])
    assert sorted(t.name for t in day.teams.all()) == ["Directory of Services", "NHS 111 online"]


def test_editing_a_day_keeps_its_teams_but_cannot_add_one_from_elsewhere(world, cast, client_for):
    url = reverse("reviews:edit", args=[world.day.pk])
    data = {"title": "Winter readiness", "date": "2024-11-28", "plan": cast.plan.pk}
    data["facilitator"] = cast.lead_a.pk
    client = client_for(cast.lead_a)  # the facilitator

    kept = client.post(url, data | {"teams": [cast.team_a.pk, world.team_c.pk]})
    added = client.post(url, data | {"teams": [cast.team_a.pk, world.team_c.pk, cast.team_b.pk]})

    assert kept.status_code == 302
    assert "You cannot plan a day for Ambulance flow" in added.content.decode()
    assert world.day.teams.count() == 2
