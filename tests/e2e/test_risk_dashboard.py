"""The directors' dashboard in a real browser: a director lands on it, filters to In danger, opens
a reason, acknowledges it and sees the objective move below the others; axe finds nothing; at
every width from 390 px every control is on screen."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from risks import services
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Discussed with both leads on 3 Oct; plan agreed"


@pytest.fixture
def risky(cast, settings):
    """DIG-02 and DIG-03: Red two months running (in danger); OPS-02: Amber/Red (watch)."""
    settings.TODAY = dt.date(2024, 11, 15)
    cast.objective_a.delete()
    cast.objective_b.delete()
    made = {}
    for ref, team, lead, ratings in (
        ("DIG-02", cast.team_a, cast.lead_a, ("red", "red")),
        ("DIG-03", cast.team_a, cast.lead_a, ("red", "red")),
        ("OPS-02", cast.team_b, cast.lead_b, ("amber", "amber_red")),
    ):
        objective = ObjectiveFactory(
            plan=cast.plan, ref=ref, lead_team=team, owner=lead, delivery_date=None
        )
        for month, rating in zip((6, 7), ratings, strict=True):
            add_update(objective, team, month, rating)
        made[ref] = objective
    services.refresh_plan(cast.plan)
    cast.made = made
    return cast


def rows(page):
    return page.locator(".app-concern-table tbody tr")


def test_a_director_lands_on_the_dashboard_filters_and_acknowledges(risky, live_server, page):
    first = risky.made["DIG-02"]
    sign_in(page, live_server, risky.org_director)
    expect(page).to_have_url(f"{live_server.url}/risks/")
    assert_accessible(page)
    expect(rows(page)).to_have_count(3)

    page.select_option("#id_concern", "2")
    page.wait_for_url(re.compile(r"concern=2"))
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_have_attribute("id", f"concern-{first.pk}")

    row = page.locator(f"#concern-{first.pk}")
    expect(row.locator(".app-concern-row__headline")).to_contain_text(
        "NHS 111 online says Red for October 2024"
    )
    row.locator("summary").click()
    row.get_by_label("Acknowledge with a note").fill(NOTE)
    row.get_by_role("button", name=re.compile("^Acknowledge")).click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Acknowledged “Low confidence: NHS 111 online” on DIG-02."
    )
    expect(rows(page).nth(1)).to_have_attribute("id", f"concern-{first.pk}")
    expect(page.locator(f"#concern-{first.pk}")).to_contain_text("Acknowledged")
    assert_accessible(page)


def test_without_javascript_acknowledging_redirects_back_with_a_message(
    risky, live_server, page_without_js
):
    page = page_without_js
    first = risky.made["DIG-03"]
    sign_in(page, live_server, risky.org_director)
    page.goto(f"{live_server.url}/risks/?concern=2")
    row = page.locator(f"#concern-{first.pk}")
    row.locator("summary").click()
    row.get_by_label("Acknowledge with a note").fill(NOTE)
    row.get_by_role("button", name=re.compile("^Acknowledge")).click()

    expect(page).to_have_url(f"{live_server.url}/risks/?concern=2")
    expect(page.locator(".nhsuk-inset-text, .app-messages").first).to_contain_text(
        "Acknowledged “Low confidence: NHS 111 online” on DIG-03."
    )


@pytest.mark.parametrize("width", [390, 768, 1024, 1366])
def test_every_control_is_on_screen_at_every_width(risky, live_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, risky.org_director)
    page.goto(f"{live_server.url}/risks/")
    for summary in page.locator(".app-concern-table summary").all():
        summary.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    controls = page.locator(
        "main a:visible, main button:visible, main select:visible, main textarea:visible,"
        " main input:visible, main summary:visible"
    )
    for index in range(controls.count()):
        control = controls.nth(index)
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            control.evaluate("e => e.outerHTML.slice(0, 120)"),
            box,
        )
        control.click(trial=True)
    context.close()
