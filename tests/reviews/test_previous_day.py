"""Earlier days on a day's page and pack: only days that have taken place, only days the viewer
may see, and every open action of the day's teams, overdue ones marked."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import ActionState

from .test_pack_pdf import read

NOV_15 = dt.date(2024, 11, 15)


@pytest.fixture(autouse=True)
def today_is_15_november(settings):
    settings.TODAY = NOV_15


def make_day(cast, title, date, teams):
    return services.create_day(
        title=title,
        date=date,
        plan=cast.plan,
        teams=teams,
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
    )


@pytest.fixture
def digital_only(world, cast):
    """A past day of team A alone: lead C (team C) is refused it, though it shares team A with
    lead C's day."""
    day = make_day(cast, "Digital only", dt.date(2024, 10, 10), [cast.team_a])
    services.record_action(
        day=day,
        what="Rotate the keys",
        created_by=cast.lead_a,
        owner_name="Sam",
        team=cast.team_a,
        due_date=dt.date(2024, 10, 20),
    )
    return day


def test_the_previous_day_is_the_latest_earlier_day_that_has_taken_place(world, cast):
    make_day(cast, "June", dt.date(2024, 6, 20), [cast.team_a])
    september = make_day(cast, "September", dt.date(2024, 9, 12), [world.team_c])
    make_day(cast, "Same day", world.day.date, [cast.team_a])
    make_day(cast, "Not yet", dt.date(2024, 11, 20), [cast.team_a])  # before the day, after today
    make_day(cast, "Other teams", dt.date(2024, 10, 1), [cast.team_b])

    previous = services.previous_day(world.day, viewer=cast.lead_a, today=NOV_15)

    assert previous == september


def test_a_day_the_viewer_is_refused_is_never_their_previous_day(world, cast, digital_only):
    september = make_day(cast, "September", dt.date(2024, 9, 12), [world.team_c])

    assert services.previous_day(world.day, viewer=world.lead_c, today=NOV_15) == september
    assert services.previous_day(world.day, viewer=cast.lead_a, today=NOV_15) == digital_only


def test_open_actions_from_every_earlier_day_show_overdue_first_with_their_day(
    world, cast, client_for
):
    september = make_day(cast, "September", dt.date(2024, 9, 12), [cast.team_a, world.team_c])
    for what, due in [("Fix the feed", dt.date(2024, 10, 1)), ("Agree terms", None)]:
        services.record_action(
            day=september, what=what, created_by=None, team=world.team_c, due_date=due
        )
    done = services.record_action(day=september, what="Closed item", created_by=None)
    services.update_action(action=done, state=ActionState.DONE)
    october = make_day(cast, "October", dt.date(2024, 10, 30), [cast.team_a])
    services.record_action(day=october, what="Write it up", created_by=None, team=cast.team_a)

    html = client_for(cast.lead_a).get(reverse("reviews:detail", args=[world.day.pk])).content
    section = html.decode().split('id="earlier-heading"')[1].split("</section>")[0]
    rows = [re.sub(r"<[^>]+>|\s+", " ", "<tr " + row).split() for row in section.split("<tr ")[2:]]

    assert [" ".join(row) for row in rows] == [
        "Fix the feed Owner – Directory of Services Due 1 Oct 2024 Status Overdue "
        "From September , 12 Sep 2024",
        "Agree terms Owner – Directory of Services Due – Status Open From September , 12 Sep 2024",
        "Write it up Owner – NHS 111 online Due – Status Open From October , 30 Oct 2024",
    ]
    assert "Every action from that day is done or dropped" not in html.decode()


def test_a_lead_cannot_read_a_refused_days_actions_through_their_own_day_page(
    world, cast, client_for, digital_only
):
    client = client_for(world.lead_c)

    refused = client.get(reverse("reviews:detail", args=[digital_only.pk]))
    own = client.get(reverse("reviews:detail", args=[world.day.pk])).content.decode()

    assert refused.status_code == 403
    assert "Rotate the keys" not in own
    assert "Digital only" not in own
    member_view = client_for(cast.member_a).get(reverse("reviews:detail", args=[world.day.pk]))
    assert "Rotate the keys" in member_view.content.decode()


def test_a_lead_cannot_read_a_refused_days_actions_through_their_own_days_html_pack(
    world, cast, client_for, digital_only
):
    url = reverse("reviews:pack_html", args=[world.day.pk])

    own = client_for(world.lead_c).get(url).content.decode()
    member = client_for(cast.member_a).get(url).content.decode()

    assert "Rotate the keys" not in own
    assert "Digital only" not in own
    assert "This is the first collaboration day for these teams." in own
    assert "Rotate the keys" in member
    assert "Since Digital only on 10 October 2024" in member


def test_a_lead_cannot_read_a_refused_days_actions_through_their_own_days_pdf_even_cached(
    world, cast, client_for, digital_only
):
    url = reverse("reviews:pack_pdf", args=[world.day.pk])

    member = client_for(cast.member_a).get(url).content  # built and cached first
    own = client_for(world.lead_c).get(url).content

    member_text = re.sub(r"\s+", " ", read(member)[2])
    own_text = re.sub(r"\s+", " ", read(own)[2])
    assert "Rotate the keys" in member_text
    assert "Rotate the keys" not in own_text
    assert "Digital only" not in own_text
    assert "This is the first collaboration day for these teams." in own_text


@pytest.mark.parametrize("name", ["detail", "edit", "pack_html", "pack_pdf"])
def test_a_day_whose_teams_share_no_objective_renders_with_an_empty_focus(cast, client_for, name):
    # The old risk loader raised EmptyResultSet here (a 500); the stored findings do not.
    make_day(cast, "Earlier", dt.date(2024, 10, 1), [cast.team_a, cast.team_b])
    day = make_day(cast, "Nothing shared", dt.date(2024, 11, 28), [cast.team_a, cast.team_b])

    response = client_for(cast.admin).get(reverse(f"reviews:{name}", args=[day.pk]))

    assert response.status_code == 200
    assert day.focus.count() == 0
    if name == "detail":
        assert "No objectives in focus yet." in response.content.decode()
