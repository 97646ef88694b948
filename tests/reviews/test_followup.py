"""Actions follow their owners: My work's list of the team's actions, marking one done with a
note (htmx and without JavaScript), and an objective's actions and decisions."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Action

PERMISSION_COVERED_URLS = {"reviews:my_actions", "reviews:action_mark", "reviews:objective_record"}
MY_ACTIONS = reverse("reviews:my_actions")


@pytest.fixture(autouse=True)
def today_is_15_november(settings):
    settings.TODAY = dt.date(2024, 11, 15)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def day_on(cast, world, title, date):
    return services.create_day(
        title=title,
        date=date,
        plan=cast.plan,
        teams=[cast.team_a, world.team_c],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
    )


@pytest.fixture
def team_c_actions(cast, world):
    """Three actions for team C across two days; one done, one overdue, one due later."""
    september = day_on(cast, world, "September", dt.date(2024, 9, 12))
    later = services.record_action(
        day=world.day,
        what="Publish the profiles",
        created_by=cast.lead_a,
        team=world.team_c,
        owner_name="Sam",
        due_date=dt.date(2024, 12, 20),
        objective=world.shared,
    )
    overdue = services.record_action(
        day=september,
        what="Fix the feed",
        created_by=cast.lead_a,
        team=world.team_c,
        owner_name="Li",
        due_date=dt.date(2024, 10, 1),
        objective=world.shared,
    )
    done = services.record_action(
        day=september, what="Agree terms", created_by=cast.lead_a, team=world.team_c
    )
    services.update_action(action=done, state="done", note="Agreed")
    services.record_action(day=september, what="Team A's own", created_by=None, team=cast.team_a)
    return {"later": later, "overdue": overdue, "done": done}


def test_my_work_links_to_the_teams_actions_and_loads_them_with_htmx(world, client_for):
    html = client_for(world.lead_c).get(reverse("objectives:my_work")).content.decode()

    assert f'hx-get="{MY_ACTIONS}" hx-trigger="load"' in html
    assert f'<a href="{MY_ACTIONS}">See your team\'s actions from collaboration days</a>' in html


def test_the_teams_actions_list_open_first_overdue_marked_each_with_its_day(
    world, client_for, team_c_actions
):
    response = client_for(world.lead_c).get(MY_ACTIONS, HTTP_HX_REQUEST="true")
    items = [text_of_fragment(item) for item in response.content.decode().split("<li")[1:]]

    assert [item.split(" Status")[0] for item in items] == [
        "Fix the feed Li · Directory of Services · due 1 Oct 2024 · UEC-01 · from September , "
        "12 Sep 2024 · Overdue",
        "Publish the profiles Sam · Directory of Services · due 20 Dec 2024 · UEC-01 · from "
        "Winter readiness , 28 Nov 2024 · Open",
        "Agree terms No owner · Directory of Services · from September , 12 Sep 2024 · Done Agreed",
    ]
    assert "<html" not in response.content.decode()  # htmx gets the list alone


def text_of_fragment(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "<li" + html)).strip()


def test_the_owner_team_marks_an_action_done_in_place(world, client_for, team_c_actions):
    action = team_c_actions["overdue"]

    response = client_for(world.lead_c).post(
        reverse("reviews:action_mark", args=[action.pk]),
        {"state": "done", "note": "Feed fixed"},
        HTTP_HX_REQUEST="true",
    )

    action.refresh_from_db()
    assert (action.state, action.note) == ("done", "Feed fixed")
    assert text_of(response).startswith(
        "Fix the feed Li · Directory of Services · due 1 Oct 2024 · UEC-01 · from September , "
        "12 Sep 2024 · Done Feed fixed Action marked done."
    )


def test_without_javascript_marking_an_action_redirects_back_with_a_message(
    world, client_for, team_c_actions
):
    client = client_for(world.lead_c)
    action = team_c_actions["later"]

    response = client.post(
        reverse("reviews:action_mark", args=[action.pk]),
        {"state": "dropped", "note": "Superseded", "next": MY_ACTIONS},
    )

    assert response["Location"] == MY_ACTIONS
    assert "Action marked dropped." in text_of(client.get(MY_ACTIONS))
    action.refresh_from_db()
    assert (action.state, action.note) == ("dropped", "Superseded")


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead_c", 302), ("lead_a", 302), ("director_a", 302), ("member_a", 403), ("lead_b", 403)],
)
def test_who_may_mark_a_teams_action(who, status, world, cast, client_for, team_c_actions):
    users = cast.users() | {"lead_c": world.lead_c}
    action = team_c_actions["later"]

    response = client_for(users[who]).post(
        reverse("reviews:action_mark", args=[action.pk]), {"state": "done"}
    )

    assert response.status_code == status
    assert Action.objects.get(pk=action.pk).state == ("done" if status == 302 else "open")


def test_the_objective_lists_its_actions_and_decisions_newest_first_with_their_days(
    world, cast, client_for, team_c_actions
):
    september = Action.objects.get(what="Fix the feed").day
    services.record_decision(
        day=september,
        objective=world.shared,
        kind="rebaseline",
        why="Dates slipped",
        recorded_by=cast.lead_a,
    )
    services.record_decision(
        day=world.day,
        objective=world.shared,
        kind="carry_on",
        why="Back on track",
        recorded_by=cast.lead_a,
    )

    page = text_of(
        client_for(cast.member_a).get(reverse("reviews:objective_record", args=[world.shared.pk]))
    )
    decisions = page.split("Decisions")[1].split("Actions")[0]
    actions = page.split("Decisions")[1].split("Actions")[1]

    assert decisions.strip() == (
        "Carry on : Back on track Decided at Winter readiness , 28 Nov 2024 "
        "Rebaseline : Dates slipped Decided at September , 12 Sep 2024"
    )
    assert actions.index("Publish the profiles") < actions.index("Fix the feed")
    assert "Overdue" in actions


def test_an_objectives_record_leaves_out_days_the_reader_is_refused(
    world, cast, client_for, team_c_actions
):
    page = text_of(
        client_for(cast.lead_b).get(reverse("reviews:objective_record", args=[world.shared.pk]))
    )

    assert "No decision about this objective yet." in page
    assert "No action about this objective yet." in page
    assert "Fix the feed" not in page
