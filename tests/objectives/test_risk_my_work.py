"""Flags on My work (issue 5): My work asks for them once it is in; the answer is a summary and each
row's flags swapped in out of band; without JavaScript the same address is a page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from objectives import risk_cache
from objectives.models import Role
from tests.factories import (
    MembershipFactory,
    MilestoneFactory,
    ObjectiveFactory,
    TeamFactory,
    add_update,
    contribution,
    period,
)

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"risks:my_work_flags"}
FLAGS = "/risks/my-work/"
LONDON = ZoneInfo("Europe/London")
# Session and user, the user's rows, the plan's periods with the fingerprint; the session save
# on every request (SESSION_SAVE_EVERY_REQUEST) is three more in tests.
CACHED_QUERIES = 4 + 3
UNCACHED_QUERIES = CACHED_QUERIES + 5  # the user's objectives evaluated, periods in hand


@pytest.fixture(autouse=True)
def today(time_machine, settings):
    settings.TODAY = None
    time_machine.move_to(dt.datetime(2024, 11, 15, 10, 30, tzinfo=LONDON), tick=False)


@pytest.fixture(autouse=True)
def fresh_risk_cache():
    # Test databases roll back, so the next test may reuse the same ids with other data.
    risk_cache.clear()
    yield
    risk_cache.clear()


@pytest.fixture
def world(cast):
    """Team A's lead leads DIG-01 (Red in October) and SHR-01 (shared with team B: A says Green,
    B Amber/Red); OPS-01 is team B's alone (Amber, a milestone overdue). All owned, no delivery
    dates."""
    for objective, lead in ((cast.objective_a, cast.lead_a), (cast.objective_b, cast.lead_b)):
        objective.owner = lead
        objective.delivery_date = None
        objective.save()
    add_update(cast.objective_a, cast.team_a, 7, "red")
    add_update(cast.objective_b, cast.team_b, 7, "amber")
    MilestoneFactory(objective=cast.objective_b, title="Beta live", due_date=dt.date(2024, 9, 30))
    cast.shared = ObjectiveFactory(
        plan=cast.plan,
        ref="SHR-01",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        owner=cast.lead_a,
        delivery_date=None,
    )
    add_update(cast.shared, cast.team_a, 7, "green")
    add_update(cast.shared, cast.team_b, 7, "amber_red")
    return cast


def rows_of(response):
    return [
        (row.objective.ref, row.contribution.team.name, [flag.label for flag in row.flags])
        for row in response.context["rows"]
    ]


def oob_cells(html) -> dict[str, str]:
    """id -> inner HTML of each out-of-band cell in an htmx answer."""
    return dict(
        re.findall(
            r'<div class="app-my-work__flags" id="([^"]+)" hx-swap-oob="true">(.*?)</div>\n',
            html,
            re.S,
        )
    )


def cell_id(objective, team) -> str:
    return f"flags-status-c{contribution(objective, team).pk}"


# --- My work asks for them ----------------------------------------------------------------------


def test_my_work_asks_for_the_flags_once_in_and_links_to_them_without_javascript(world, client_for):
    html = client_for(world.lead_a).get("/").content.decode()
    assert (
        '<div class="app-my-work-flags" id="my-work-flags" aria-live="polite" '
        'hx-get="/risks/my-work/" hx-trigger="load, statusSaved from:body" hx-swap="innerHTML">'
    ) in html
    assert '<a href="/risks/my-work/">See the risk flags on your teams\' objectives</a>' in html
    # Each row has an empty place for its flags, with the id the answer swaps into.
    for objective in (world.objective_a, world.shared):
        assert (
            f'<div class="app-my-work__flags" id="{cell_id(objective, world.team_a)}"></div>'
            in (html)
        )


def test_saving_a_status_with_htmx_asks_my_work_for_its_flags_again(world, client_for):
    response = client_for(world.lead_a).post(
        reverse("objectives:update_status", args=[world.objective_a.pk, world.team_a.pk]),
        {"period": period(world.plan, 8).pk, "rating": "red", "not_going_well": "Still late"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Trigger-After-Settle"] == "statusSaved"


# --- The answer -----------------------------------------------------------------------------------


def test_each_row_gets_exactly_its_objectives_flags(world, client_for):
    response = client_for(world.lead_a).get(FLAGS, HTTP_HX_REQUEST="true")
    assert rows_of(response) == [
        ("DIG-01", "NHS 111 online", ["Low confidence: NHS 111 online"]),
        (
            "SHR-01",
            "NHS 111 online",
            ["Divergence", "Low confidence: Ambulance flow"],
        ),
    ]


def test_with_htmx_the_answer_is_a_summary_and_each_rows_flags_out_of_band(world, client_for):
    response = client_for(world.lead_a).get(FLAGS, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    assert html.lstrip().startswith(
        '<p class="app-my-work-flags__summary"><strong>2 of your 2 objectives</strong> have '
        "high-severity flags; 2 have flags of any kind.</p>"
    )
    cells = oob_cells(html)
    assert set(cells) == {
        cell_id(world.objective_a, world.team_a),
        cell_id(world.shared, world.team_a),
    }
    dig = cells[cell_id(world.objective_a, world.team_a)]
    assert "1 risk flag, the worst high: Low confidence: NHS 111 online" in dig
    assert "NHS 111 online reported Red on 31 October 2024." in dig
    shared = cells[cell_id(world.shared, world.team_a)]
    assert "2 risk flags, the worst high: Divergence" in shared
    assert (
        "NHS 111 online says Green (31 October 2024), Ambulance flow says Amber/Red "
        "(31 October 2024): 3 steps apart."
    ) in shared


def test_a_row_without_flags_is_emptied_out_of_band(world, client_for):
    quiet = ObjectiveFactory(
        plan=world.plan,
        ref="DIG-02",
        lead_team=world.team_a,
        owner=world.lead_a,
        delivery_date=None,
    )
    add_update(quiet, world.team_a, 7, "green")
    html = client_for(world.lead_a).get(FLAGS, HTTP_HX_REQUEST="true").content.decode()
    assert oob_cells(html)[cell_id(quiet, world.team_a)] == ""


def test_a_lead_of_two_teams_gets_a_cell_for_each_row(world, client_for):
    MembershipFactory(user=world.lead_a, team=world.team_b, role=Role.LEAD)
    response = client_for(world.lead_a).get(FLAGS, HTTP_HX_REQUEST="true")
    assert [(ref, team) for ref, team, _ in rows_of(response)] == [
        ("OPS-01", "Ambulance flow"),
        ("SHR-01", "Ambulance flow"),
        ("DIG-01", "NHS 111 online"),
        ("SHR-01", "NHS 111 online"),
    ]
    assert len(oob_cells(response.content.decode())) == 4
    assert "<strong>2 of your 3 objectives</strong>" in response.content.decode()


def test_without_javascript_the_flags_are_a_page_of_their_own(world, client_for):
    response = client_for(world.lead_a).get(FLAGS)
    html = response.content.decode()
    assert "<h1>Risk flags on your teams' objectives</h1>" in html
    assert '<a class="nhsuk-back-link__link" href="/">Back to My work</a>' in html
    assert '<h2 id="flags-team-' in html and ">NHS 111 online</h2>" in html
    assert "NHS 111 online reported Red on 31 October 2024." in html
    assert "hx-swap-oob" not in html


def test_a_person_in_no_team_is_told_there_is_nothing_to_show(world, client_for):
    html = client_for(world.outsider).get(FLAGS, HTTP_HX_REQUEST="true").content.decode()
    assert "None of your teams has an objective in a current plan" in html
    assert oob_cells(html) == {}


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 200),
        ("member_a", 200),
        ("lead_a", 200),
        ("lead_b", 200),
        ("director_a", 200),
        ("admin", 200),
    ],
)
def test_anyone_signed_in_may_ask(world, client_for, who, status):
    response = client_for(world.users()[who]).get(FLAGS)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == "/accounts/login/?next=/risks/my-work/"


def test_only_the_users_own_teams_objectives_are_shown(world, client_for):
    response = client_for(world.lead_b).get(FLAGS, HTTP_HX_REQUEST="true")
    assert rows_of(response) == [
        ("OPS-01", "Ambulance flow", ["Overdue milestones"]),
        ("SHR-01", "Ambulance flow", ["Divergence", "Low confidence: Ambulance flow"]),
    ]
    assert "DIG-01" not in response.content.decode()


def test_a_member_sees_their_teams_flags_and_a_director_only_their_own_teams(world, client_for):
    assert [r[0] for r in rows_of(client_for(world.member_a).get(FLAGS))] == ["DIG-01", "SHR-01"]
    # Directors oversee objectives on the risk dashboard; My work is about their own teams.
    assert rows_of(client_for(world.director_a).get(FLAGS)) == []


def test_posting_is_not_allowed(world, client_for):
    assert client_for(world.lead_a).post(FLAGS).status_code == 405


# --- Queries ----------------------------------------------------------------------------------


def many(world, count):
    team_c = TeamFactory()
    MembershipFactory(user=world.lead_a, team=team_c, role=Role.LEAD)
    for index in range(count):
        lead = world.team_a if index % 2 else team_c
        objective = ObjectiveFactory(plan=world.plan, lead_team=lead, contributors=[world.team_b])
        add_update(objective, lead, 7, "amber")
        add_update(objective, world.team_b, 7, "red")
        MilestoneFactory(objective=objective)


@pytest.mark.parametrize("count", [1, 30])
def test_the_flags_cost_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries, count
):
    many(world, count)
    client = client_for(world.lead_a)
    with django_assert_max_num_queries(UNCACHED_QUERIES):
        response = client.get(FLAGS, HTTP_HX_REQUEST="true")
    assert len(response.context["rows"]) == count + 2  # and DIG-01, SHR-01


@pytest.mark.parametrize("count", [1, 30])
def test_the_plans_cached_evaluation_is_used_when_present(
    world, client_for, django_assert_max_num_queries, count
):
    many(world, count)
    client = client_for(world.lead_a)
    uncached = rows_of(client.get(FLAGS, HTTP_HX_REQUEST="true"))
    risk_cache.plan_evaluation(world.plan)  # as the dashboard leaves it

    with django_assert_max_num_queries(CACHED_QUERIES):
        response = client.get(FLAGS, HTTP_HX_REQUEST="true")

    assert rows_of(response) == uncached


def test_a_new_rating_shows_at_once_in_the_cached_flags(world, client_for):
    risk_cache.plan_evaluation(world.plan)
    client = client_for(world.lead_a)
    add_update(
        world.shared,
        world.team_a,
        8,
        "amber_red",
        when=dt.datetime(2024, 11, 14, 12, 0, tzinfo=LONDON),
    )
    response = client.get(FLAGS, HTTP_HX_REQUEST="true")
    assert rows_of(response)[1] == (
        "SHR-01",
        "NHS 111 online",
        [
            "Deterioration: NHS 111 online",
            "Low confidence: Ambulance flow",
            "Low confidence: NHS 111 online",
        ],
    )
