"""Findings on My work in a real browser: they arrive in each row once the page is in, follow
a saved update, and without JavaScript a link opens them as a page; axe finds nothing on My work
with its findings or on that page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import add_update, contribution

RED_IN_OCTOBER = "NHS 111 online says Red for October 2024 (31 October 2024)."

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def november(settings):
    # clock.today() reads settings.TODAY, in the live server's thread too.
    settings.TODAY = dt.date(2024, 11, 15)


@pytest.fixture
def red(cast):
    """DIG-01, owned, no delivery date: NHS 111 online said Red for October (stored findings
    follow on commit: these tests run in real transactions)."""
    cast.objective_a.owner = cast.lead_a
    cast.objective_a.delivery_date = None
    cast.objective_a.save()
    add_update(cast.objective_a, cast.team_a, 7, "red", text="Supplier late")
    return cast


def test_a_lead_sees_the_flags_in_the_row_and_they_follow_a_save(red, live_server, page):
    pk = contribution(red.objective_a, red.team_a).pk
    sign_in(page, live_server, red.lead_a)

    summary = page.locator("#my-work-flags")
    expect(summary).to_have_text(
        "Of your teams' 1 objective, 0 are in danger and 1 to watch. See them all on one page"
    )
    cell = page.locator(f"#flags-status-c{pk}")
    flags = cell.locator("summary")
    expect(flags).to_have_text("Watch Low confidence: NHS 111 online on DIG-01")
    flags.click()
    expect(cell.get_by_text(RED_IN_OCTOBER)).to_be_visible()
    assert_accessible(page)

    # Green for November, inline: the row swaps, then its flags are asked for again.
    row = page.locator(f"#status-c{pk}")
    row.get_by_role("link", name="Update NHS 111 online status for DIG-01").click()
    page.get_by_label("Green", exact=True).check()
    page.get_by_label("What is going well").fill("Supplier back on track")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_selector(".app-my-work__row--saved")
    expect(summary).to_have_text("None of your teams' 1 objective is of concern today.")
    expect(page.locator(f"#flags-status-c{pk}")).to_be_empty()
    assert page.evaluate("document.activeElement.id") == f"status-c{pk}-status"


def test_without_javascript_a_link_opens_the_flags_as_a_page(red, live_server, page_without_js):
    page = page_without_js
    sign_in(page, live_server, red.lead_a)
    page.get_by_role("link", name="See the risk flags on your teams' objectives").click()
    assert page.url == f"{live_server.url}/risks/my-work/"
    expect(page.locator("h1")).to_have_text("Findings on your teams' objectives")
    expect(page.get_by_text(RED_IN_OCTOBER)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("DIG-01"))).to_be_visible()


def test_the_flags_page_is_accessible(red, live_server, page):
    # axe runs in the page, so with JavaScript on; the page itself needs none.
    sign_in(page, live_server, red.lead_a)
    page.goto(f"{live_server.url}/risks/my-work/")
    expect(page.get_by_text(RED_IN_OCTOBER)).to_be_visible()
    assert_accessible(page)
