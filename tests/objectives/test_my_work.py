"""My work: a team's objectives, grouped by team, with what is due this period."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from objectives.asks import raise_ask
from objectives.models import Period, PlanStatus, Role
from tests.factories import (
    DirectorshipFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
    add_update,
    contribution,
    make_plan,
)

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"objectives:my_work", "objectives:update_status"}

LONDON = ZoneInfo("Europe/London")
MY_WORK = "/"


@pytest.fixture(autouse=True)
def today(time_machine, settings):
    # The current period is November 2024 (month 8 of plan 2024/25).
    settings.TODAY = None
    time_machine.move_to(dt.datetime(2024, 11, 15, 10, 30, tzinfo=LONDON), tick=False)


def page(client):
    response = client.get(reverse("objectives:my_work"))
    assert response.status_code == 200
    return response


def grouped(response):
    return [
        (group.team.name, [row.objective.ref for row in group.rows])
        for group in response.context["groups"]
    ]


def update_links(html):
    return re.findall(r'href="(/objectives/\d+/teams/\d+/update/)"', html)


def row_html(html, objective, team):
    pk = contribution(objective, team).pk
    return html.split(f'id="status-c{pk}"')[1].split("</tbody>")[0]


# --- Permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["lead_a", "lead_b", "member_a", "outsider"],
)
def test_every_signed_in_person_in_a_team_or_none_has_a_my_work_page(cast, client_for, who):
    assert client_for(getattr(cast, who)).get(MY_WORK).status_code == 200


@pytest.mark.parametrize("who", ["director_a", "director_elsewhere", "org_director", "admin"])
def test_directors_and_admins_in_no_team_land_on_the_risks_dashboard(cast, client_for, who):
    response = client_for(getattr(cast, who)).get(MY_WORK)
    assert (response.status_code, response["Location"]) == (302, "/risks/")


def test_a_lead_who_is_also_a_director_gets_my_work_and_the_risks_link(cast, client_for):
    DirectorshipFactory(user=cast.lead_a, directorate=cast.directorate_a)
    html = client_for(cast.lead_a).get(MY_WORK).content.decode()
    assert (
        '<a href="/risks/">See at-risk shared initiatives in the directorates you oversee</a>'
        in html
    )


def test_an_anonymous_visitor_is_sent_to_sign_in(cast, client_for):
    response = client_for(cast.anonymous).get(MY_WORK)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")


def test_only_the_teams_lead_gets_update_buttons(cast, client_for):
    lead = page(client_for(cast.lead_a)).content.decode()
    member = page(client_for(cast.member_a)).content.decode()
    target = reverse("objectives:update_status", args=[cast.objective_a.pk, cast.team_a.pk])
    assert update_links(lead) == [target]
    assert update_links(member) == []


# --- What a lead sees ---------------------------------------------------------------------------


def test_a_lead_sees_every_objective_their_teams_lead_or_contribute_to_grouped_by_team(
    cast, client_for
):
    team_c = TeamFactory(name="Directory of Services")
    MembershipFactory(user=cast.lead_a, team=team_c, role=Role.LEAD)
    ObjectiveFactory(plan=cast.plan, ref="OPS-02", lead_team=cast.team_b, contributors=[team_c])
    ObjectiveFactory(plan=cast.plan, ref="DIG-03", lead_team=team_c)
    ObjectiveFactory(plan=cast.plan, ref="OPS-03", lead_team=cast.team_b)
    response = page(client_for(cast.lead_a))
    assert grouped(response) == [
        ("Directory of Services", ["DIG-03", "OPS-02"]),
        ("NHS 111 online", ["DIG-01"]),
    ]
    html = response.content.decode()
    assert html.count("you lead this team") == 2
    assert "Contributing team · shared · plan 2024/25" in html


def test_an_objective_not_yet_reported_this_period_says_so(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 7, "amber")
    html = page(client_for(cast.lead_a)).content.decode()
    row = row_html(html, cast.objective_a, cast.team_a)
    assert '<span class="app-due">Not yet reported for November 2024</span>' in row
    assert "<strong>1 of 1</strong> not yet reported for November 2024." in html


def test_the_rating_given_this_period_replaces_the_due_note(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 7, "green")
    add_update(
        cast.objective_a, cast.team_a, 8, "amber", when=dt.datetime(2024, 11, 12, tzinfo=LONDON)
    )
    html = page(client_for(cast.lead_a)).content.decode()
    row = row_html(html, cast.objective_a, cast.team_a)
    now_cell = row.split('class="app-my-work__status"')[1].split("</div>")[0]
    assert '<strong class="app-rating rating--amber">Amber</strong>' in now_cell
    assert "for November 2024" in now_cell
    assert "Not yet reported" not in row
    assert "Everything is reported for November 2024." in html


def test_a_correction_this_period_shows_the_corrected_rating(cast, client_for):
    add_update(
        cast.objective_a, cast.team_a, 8, "green", when=dt.datetime(2024, 11, 4, tzinfo=LONDON)
    )
    add_update(
        cast.objective_a, cast.team_a, 8, "red", when=dt.datetime(2024, 11, 5, tzinfo=LONDON)
    )
    response = page(client_for(cast.lead_a))
    (row,) = response.context["groups"][0].rows
    assert row.this_period_rating == "red"
    html = row_html(response.content.decode(), cast.objective_a, cast.team_a)
    assert '<span class="app-my-work__note">Correction</span>' in html


def test_the_last_rating_and_when_it_was_reported_are_shown(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 6, "green")
    add_update(cast.objective_a, cast.team_a, 7, "amber_red")
    html = row_html(page(client_for(cast.lead_a)).content.decode(), cast.objective_a, cast.team_a)
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*" role="cell">(.*?)</td>', html, re.S)
    last_rating, last_reported = (" ".join(cell.split()) for cell in cells[2:4])
    assert last_rating == (
        '<span class="app-stack__heading" aria-hidden="true">Last rating</span> '
        '<strong class="app-rating rating--amber_red">Amber/Red</strong> '
        '<span class="app-my-work__note">for October 2024</span>'
    )
    assert last_reported == (
        '<span class="app-stack__heading" aria-hidden="true">Last reported</span> '
        '<span class="app-nowrap">31 Oct 2024</span>'
    )


def test_a_team_that_never_reported_shows_not_reported_and_never(cast, client_for):
    html = row_html(page(client_for(cast.lead_a)).content.decode(), cast.objective_a, cast.team_a)
    assert '<strong class="app-rating rating--none">Not reported</strong>' in html
    assert '<span class="app-secondary">Never</span>' in html


def test_the_update_button_names_the_team_and_objective_for_screen_readers(cast, client_for):
    html = page(client_for(cast.lead_a)).content.decode()
    target = reverse("objectives:update_status", args=[cast.objective_a.pk, cast.team_a.pk])
    pk = contribution(cast.objective_a, cast.team_a).pk
    assert (
        f'<a class="nhsuk-button nhsuk-button--secondary app-button--small" href="{target}" '
        f'hx-get="{target}" hx-target="#status-c{pk}" hx-swap="innerHTML">Update'
        '<span class="nhsuk-u-visually-hidden"> NHS 111 online status for DIG-01</span></a>'
    ) in html


def test_a_member_sees_their_teams_objectives_read_only(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 7, "amber")
    response = page(client_for(cast.member_a))
    html = response.content.decode()
    assert grouped(response) == [("NHS 111 online", ["DIG-01"])]
    assert "you are a member of this team; its lead records its status" in html
    assert update_links(html) == []
    assert "not yet reported for" not in html  # the due count is for those who report
    assert '<span class="nhsuk-u-visually-hidden">Action</span>' not in html


def test_someone_in_no_team_gets_a_helpful_empty_state(cast, client_for):
    html = page(client_for(cast.outsider)).content.decode()
    assert "You are not in a team yet, so there is nothing for you to update." in html
    assert '<a href="/objectives/">Browse all objectives</a>' in html
    assert "/risks/" not in html.split("<main")[1]


def test_a_team_with_no_objectives_says_so(cast, client_for):
    team_c = TeamFactory(name="Maternity digital")
    MembershipFactory(user=cast.lead_a, team=team_c, role=Role.LEAD)
    response = page(client_for(cast.lead_a))
    assert grouped(response) == [("Maternity digital", []), ("NHS 111 online", ["DIG-01"])]
    assert "No objectives in a current plan involve Maternity digital yet." in (
        response.content.decode()
    )


def test_objectives_in_closed_plans_are_left_out(cast, client_for):
    old_plan = make_plan(2023)
    old_plan.status = PlanStatus.CLOSED
    old_plan.save()
    ObjectiveFactory(plan=old_plan, ref="DIG-99", lead_team=cast.team_a)
    assert grouped(page(client_for(cast.lead_a))) == [("NHS 111 online", ["DIG-01"])]


def test_today_outside_the_plan_says_there_is_no_open_period_and_offers_no_update(
    cast, client_for, time_machine
):
    time_machine.move_to(dt.datetime(2025, 5, 1, 9, 0, tzinfo=LONDON), tick=False)
    html = page(client_for(cast.lead_a)).content.decode()
    row = row_html(html, cast.objective_a, cast.team_a)
    assert '<span class="app-secondary">This plan has no open reporting period</span>' in row
    assert update_links(html) == []


def test_a_locked_period_offers_a_lead_no_update_button(cast, client_for):
    Period.objects.filter(plan=cast.plan, month=8).update(locked=True)
    html = page(client_for(cast.lead_a)).content.decode()
    row = row_html(html, cast.objective_a, cast.team_a)
    assert '<span class="app-my-work__note">November 2024 is locked</span>' in row
    assert '<span class="app-secondary">Locked</span>' in row
    assert update_links(html) == []


def test_a_director_who_leads_the_team_may_update_a_locked_period(cast, client_for):
    Period.objects.filter(plan=cast.plan, month=8).update(locked=True)
    MembershipFactory(user=cast.director_a, team=cast.team_a, role=Role.LEAD)
    html = page(client_for(cast.director_a)).content.decode()
    assert len(update_links(html)) == 1


def test_an_update_recorded_after_the_period_was_locked_says_so(cast, client_for):
    Period.objects.filter(plan=cast.plan, month=7).update(locked=True)
    add_update(cast.objective_a, cast.team_a, 7, "amber")  # add_update overrides the lock
    html = row_html(page(client_for(cast.lead_a)).content.decode(), cast.objective_a, cast.team_a)
    assert "Recorded after the period was locked" in html


def test_each_row_has_an_empty_place_for_flags(cast, client_for):
    # The risk rules fill row.flags; until then the row renders without the flags include.
    (row,) = page(client_for(cast.lead_a)).context["groups"][0].rows
    assert row.flags == []


def test_my_work_varies_on_hx_request(cast, client_for):
    response = page(client_for(cast.lead_a))
    assert "HX-Request" in [header.strip() for header in response["Vary"].split(",")]


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_my_work_loads_in_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries, count
):
    # The session save on every request (SESSION_SAVE_EVERY_REQUEST) is 3 of the 10 in tests;
    # the asks of and by the user's teams are 2.
    team_c = TeamFactory()
    MembershipFactory(user=cast.lead_a, team=team_c, role=Role.LEAD)
    for index in range(count):
        lead = cast.team_a if index % 2 else team_c
        objective = ObjectiveFactory(plan=cast.plan, lead_team=lead, contributors=[cast.team_b])
        add_update(objective, lead, 7, "amber")
        add_update(objective, lead, 8, "amber")
        add_update(objective, cast.team_b, 7, "red")
        for asker, asked in [(cast.team_b, lead), (lead, cast.team_b)]:
            raise_ask(
                objective=objective, from_team=asker, to_team=asked, text="Data", asked_by=None
            )
    client = client_for(cast.lead_a)
    with django_assert_max_num_queries(10):
        response = client.get(MY_WORK)
    rows = sum(len(group.rows) for group in response.context["groups"])
    assert rows == count + 1  # plus the cast's DIG-01
    assert len(response.context["asked_of_you"]) == count
    assert len(response.context["asked_by_you"]) == count
