"""The risk dashboard in a real browser: a director filters to high severity, acknowledges a flag
with a note and sees the objective move down; the same without JavaScript; axe on the page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from objectives import risk_cache
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MilestoneFactory, ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Discussed with both leads on 3 Oct; plan agreed"


@pytest.fixture
def risky(cast, settings):
    """DIG-02: Red and a milestone overdue (score 14); DIG-03: Red (score 10); OPS-02: Amber/Red
    (medium only, and in the other directorate); the cast's DIG-01 has never reported (10)."""
    settings.TODAY = dt.date(2024, 11, 15)
    cast.objective_a.owner = cast.lead_a  # DIG-01: silent (score 10)
    cast.objective_a.save()
    made = {}
    for ref, team, lead, rating in (
        ("DIG-02", cast.team_a, cast.lead_a, "red"),
        ("DIG-03", cast.team_a, cast.lead_a, "red"),
        ("OPS-02", cast.team_b, cast.lead_b, "amber_red"),
    ):
        objective = ObjectiveFactory(
            plan=cast.plan, ref=ref, lead_team=team, owner=lead, delivery_date=None
        )
        add_update(objective, team, 7, rating)
        made[ref] = objective
    MilestoneFactory(objective=made["DIG-02"], title="Beta live", due_date=dt.date(2024, 9, 30))
    cast.made = made
    return cast


def rows(page):
    return page.locator("#risk-results .app-risk-table tbody tr")


def acknowledge_button(row):
    return row.locator("form.app-risk-ack").get_by_role("button", name=re.compile("^Acknowledge"))


@pytest.fixture(autouse=True)
def fresh_risk_cache():
    # The live server runs in this process, so it shares the cached evaluations.
    risk_cache.clear()
    yield
    risk_cache.clear()


def test_a_director_filters_to_high_severity_and_acknowledges_a_flag(risky, live_server, page):
    first = risky.made["DIG-02"]
    sign_in(page, live_server, risky.director_a)
    page.goto(f"{live_server.url}/risks/")
    assert_accessible(page)

    page.select_option("#id_severity", "high")
    page.wait_for_url(re.compile(r"severity=high"))
    expect(rows(page)).to_have_count(3)  # DIG-02, DIG-03 and the cast's silent DIG-01
    expect(rows(page).first).to_have_attribute("id", f"risk-row-{first.pk}")

    row = page.locator(f"#risk-row-{first.pk}")
    row.locator("summary", has_text="Low confidence: NHS 111 online").click()
    expect(row.get_by_text("NHS 111 online reported Red on 31 October 2024.")).to_be_visible()
    # One acknowledge form per row, its most severe flag chosen first.
    row.locator("summary", has_text="Acknowledge a flag").click()
    expect(row.get_by_label("Flag", exact=True)).to_have_value("low_confidence|NHS 111 online")
    row.get_by_label("Acknowledge with a note").fill(NOTE)
    acknowledge_button(row).click()

    # The row comes back acknowledged, then the list reloads and DIG-02 drops to the bottom.
    expect(rows(page).nth(2)).to_have_attribute("id", f"risk-row-{first.pk}")
    expect(rows(page).nth(0)).to_have_attribute("id", f"risk-row-{risky.objective_a.pk}")
    moved = page.locator(f"#risk-row-{first.pk}")
    expect(moved).to_contain_text("(acknowledged)")
    expect(moved.locator(".app-risk-row__ack")).to_contain_text("1 of 2 flags")
    assert page.url.endswith("/risks/?severity=high")
    assert page.evaluate("document.activeElement.textContent.trim()") == "DIG-02"
    assert_accessible(page)


def test_a_missing_note_is_shown_next_to_the_field(risky, live_server, page):
    first = risky.made["DIG-02"]
    sign_in(page, live_server, risky.director_a)
    page.goto(f"{live_server.url}/risks/")
    row = page.locator(f"#risk-row-{first.pk}")
    row.locator("summary", has_text="Acknowledge a flag").click()
    # Unfiltered, DIG-02 has two flags to choose from, the most severe chosen first.
    options = row.get_by_label("Flag", exact=True).locator("option")
    expect(options).to_have_text(
        ["Low confidence: NHS 111 online (high)", "Overdue milestones (medium)"]
    )
    row.get_by_label("Flag", exact=True).select_option(label="Overdue milestones (medium)")
    acknowledge_button(row).click()
    error = page.locator(f"#risk-row-{first.pk} .nhsuk-error-message")
    expect(error).to_contain_text("Enter a note saying what was agreed")
    # The row came back with the form open on the same flag, focus in the note.
    row = page.locator(f"#risk-row-{first.pk}")
    expect(row.get_by_label("Flag", exact=True)).to_have_value("overdue_milestones|")
    expect(row.get_by_label("Acknowledge with a note")).to_be_focused()


def test_the_dashboard_works_without_javascript(risky, live_server, page_without_js):
    page = page_without_js
    first = risky.made["DIG-02"]
    sign_in(page, live_server, risky.director_a)
    page.goto(f"{live_server.url}/risks/")
    page.select_option("#id_severity", "high")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"severity=high"))
    expect(rows(page)).to_have_count(3)

    row = page.locator(f"#risk-row-{first.pk}")
    row.locator("summary", has_text="Low confidence: NHS 111 online").click()
    row.locator("summary", has_text="Acknowledge a flag").click()
    row.get_by_label("Acknowledge with a note").fill(NOTE)
    with page.expect_navigation():
        acknowledge_button(row).click()
    assert "severity=high" in page.url
    expect(page.locator(".app-messages")).to_contain_text(
        "Acknowledged “Low confidence: NHS 111 online” on DIG-02."
    )
    expect(rows(page).nth(2)).to_have_attribute("id", f"risk-row-{first.pk}")
