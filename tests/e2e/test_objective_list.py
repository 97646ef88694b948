"""The objectives list and detail page in a real browser: htmx filtering, sorting, axe."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from objectives.models import Dependency
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MeasureFactory, MilestoneFactory, ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def objectives(cast):
    """Shared and single-team objectives with a spread of worst ratings."""
    made = {}
    for ref, shared, ratings in [
        ("SH-RED", True, ["green", "red"]),
        ("SH-AR", True, ["amber_red", "amber"]),
        ("SH-GREEN", True, ["green", "amber_green"]),
        ("SOLO-RED", False, ["red"]),
    ]:
        objective = ObjectiveFactory(
            plan=cast.plan,
            ref=ref,
            lead_team=cast.team_a,
            contributors=[cast.team_b] if shared else [],
        )
        for team, rating in zip([cast.team_a, cast.team_b], ratings, strict=False):
            add_update(objective, team, 1, rating)
        made[ref] = objective
    return made


def table_refs(page) -> list[str]:
    return page.locator("#objective-results td.app-ref").all_inner_texts()


def test_a_director_filters_to_shared_amber_red_or_worse_without_a_reload(
    cast, live_server, page, objectives
):
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/objectives/")
    assert table_refs(page) == ["DIG-01", "OPS-01", "SH-AR", "SH-GREEN", "SH-RED", "SOLO-RED"]
    page.evaluate("window.__stillTheSamePage = true")

    with page.expect_response(lambda r: "shared=on" in r.url):
        page.get_by_label("Shared only").check()
    with page.expect_response(lambda r: "rating=amber_red_or_worse" in r.url):
        page.get_by_label("Current rating (worst of the teams' views)").select_option(
            label="Amber/Red or worse"
        )
    expect(page.locator("#objective-results td.app-ref")).to_have_count(2)

    expect(page).to_have_url(re.compile(r"rating=amber_red_or_worse"))
    assert table_refs(page) == ["SH-AR", "SH-RED"]
    assert page.evaluate("window.__stillTheSamePage") is True  # htmx swapped only the table
    query = parse_qs(urlsplit(page.url).query)
    assert query == {
        "plan": [str(cast.plan.pk)],
        "shared": ["on"],
        "rating": ["amber_red_or_worse"],
    }
    expect(page.locator("#results-status")).to_have_text("Showing 1 to 2 of 2 objectives")

    # The URL can be shared: opening it afresh shows the same filtered list and form.
    page.goto(page.url)
    assert table_refs(page) == ["SH-AR", "SH-RED"]
    assert page.get_by_label("Shared only").is_checked()
    assert page.locator("#id_rating").input_value() == "amber_red_or_worse"


def test_sorting_swaps_the_table_and_keeps_the_filter(cast, live_server, page, objectives):
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/objectives/?shared=on")
    page.evaluate("window.__stillTheSamePage = true")

    sort_link = page.get_by_role("link", name=re.compile(r"^Worst current rating"))
    with page.expect_response(lambda r: "sort=worst_rating" in r.url):
        sort_link.click()
    expect(page.locator("#objective-results td.app-ref").first).to_have_text("SH-GREEN")
    with page.expect_response(lambda r: "sort=-worst_rating" in r.url):
        sort_link.click()
    expect(page.locator("#objective-results td.app-ref").first).to_have_text("SH-RED")

    expect(page).to_have_url(re.compile(r"sort=-worst_rating"))
    assert table_refs(page) == ["SH-RED", "SH-AR", "SH-GREEN"]
    assert page.evaluate("window.__stillTheSamePage") is True
    assert parse_qs(urlsplit(page.url).query) == {"shared": ["on"], "sort": ["-worst_rating"]}

    # Filtering now keeps the sort the table shows.
    with page.expect_response(lambda r: "state=not_started" in r.url):
        page.locator("#id_state").select_option("not_started")
    expect(page).to_have_url(re.compile(r"state=not_started"))
    assert parse_qs(urlsplit(page.url).query)["sort"] == ["-worst_rating"]
    assert table_refs(page) == ["SH-RED", "SH-AR", "SH-GREEN"]


def test_the_filter_form_works_without_javascript(cast, live_server, page_without_js, objectives):
    page = page_without_js
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/objectives/")

    page.get_by_label("Shared only").check()
    page.locator("#id_rating").select_option("amber_red_or_worse")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()

    assert table_refs(page) == ["SH-AR", "SH-RED"]
    query = parse_qs(urlsplit(page.url).query)
    assert query["shared"] == ["on"]
    assert query["rating"] == ["amber_red_or_worse"]


def test_the_list_has_no_accessibility_violations(cast, live_server, page, objectives):
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/objectives/?team=999999")  # with an error shown, too
    assert_accessible(page)
    page.goto(f"{live_server.url}/objectives/")
    assert_accessible(page)


def test_a_detail_page_has_no_accessibility_violations(cast, live_server, page, objectives):
    objective = objectives["SH-RED"]
    MilestoneFactory(objective=objective, title="Beta live")
    MeasureFactory(objective=objective, name="Calls answered")
    Dependency.objects.create(objective=objective, depends_on=objectives["SH-AR"], need="Data")
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/objectives/{objective.pk}/")

    assert page.locator("h1").inner_text() == objective.title
    assert_accessible(page)


def test_marking_a_milestone_done_swaps_its_row(cast, live_server, page, objectives):
    objective = objectives["SH-RED"]
    milestone = MilestoneFactory(objective=objective, title="Beta live")
    sign_in(page, live_server, cast.lead_a)
    page.goto(f"{live_server.url}/objectives/{objective.pk}/")
    page.evaluate("window.__stillTheSamePage = true")

    page.get_by_role("button", name="Mark done: Beta live").click()
    row = page.locator(f"#milestone-{milestone.pk}")
    row.locator(".nhsuk-tag--green").wait_for()

    assert row.locator(".nhsuk-tag").inner_text() == "Done"
    assert page.evaluate("window.__stillTheSamePage") is True
    assert page.get_by_role("button", name="Mark done: Beta live").count() == 0
