"""A team lead records status from My work in a real browser: with htmx, without JavaScript, and
with the keyboard only; axe finds no WCAG 2.2 A/AA violations on My work or the open form."""

import datetime as dt

import pytest

from objectives.models import StatusUpdate
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import add_update, contribution

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def november(settings):
    # clock.today() reads settings.TODAY, in the live server's thread too.
    settings.TODAY = dt.date(2024, 11, 15)


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def ratings_saved():
    return list(
        StatusUpdate.objects.order_by("pk").values_list("period__month", "rating", "going_well")
    )


def test_a_lead_updates_a_rating_inline_and_it_persists(cast, live_server, page):
    add_update(cast.objective_a, cast.team_a, 7, "green", text="On plan")
    pk = contribution(cast.objective_a, cast.team_a).pk
    sign_in(page, live_server, cast.lead_a)
    row = page.locator(f"#status-c{pk}")
    assert " ".join(row.locator(".app-my-work__status").inner_text().split()) == (
        "Not yet reported for November 2024"
    )

    row.get_by_role("link", name="Update NHS 111 online status for DIG-01").click()
    page.wait_for_selector(f"#c{pk}-rating_0")
    assert page.url == f"{live_server.url}/"  # inline: no navigation
    assert focused_id(page) == f"c{pk}-rating_0"  # last time's Green, chosen and focused

    page.get_by_label("Amber", exact=True).check()
    page.get_by_role("button", name="Save update").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    assert "The rating changed from Green to Amber, so it needs a narrative" in summary.inner_text()
    assert ratings_saved() == [(7, "green", "On plan")]

    page.get_by_label("What is going well").fill("Design signed off")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_selector(".app-my-work__row--saved")
    status = row.locator(".app-my-work__status")
    assert status.locator(".app-rating").inner_text() == "Amber"
    assert "for November 2024" in status.inner_text()
    assert focused_id(page) == f"status-c{pk}-status"
    assert row.locator(".app-status-form").count() == 0

    page.reload()
    assert row.locator(".app-my-work__status .app-rating").inner_text() == "Amber"
    assert ratings_saved() == [(7, "green", "On plan"), (8, "amber", "Design signed off")]


def test_a_lead_updates_a_rating_without_javascript(cast, live_server, page_without_js):
    page = page_without_js
    pk = contribution(cast.objective_a, cast.team_a).pk
    sign_in(page, live_server, cast.lead_a)
    page.locator(f"#status-c{pk}").get_by_role("link", name="Update").click()
    assert page.url == (
        f"{live_server.url}/objectives/{cast.objective_a.pk}/teams/{cast.team_a.pk}/update/"
    )
    assert page.locator("h1").inner_text().startswith("Update DIG-01")

    page.get_by_label("Red", exact=True).check()
    page.get_by_role("button", name="Save update").click()
    assert "Red always needs a narrative" in page.locator(".nhsuk-error-summary").inner_text()
    assert ratings_saved() == []

    page.get_by_label("What is not going well").fill("Supplier has gone")
    page.get_by_role("button", name="Save update").click()
    assert page.url == f"{live_server.url}/#status-c{pk}"
    assert page.locator(".app-messages").inner_text() == (
        "Saved: NHS 111 online rated DIG-01 Red for November 2024."
    )
    page.reload()
    assert page.locator(f"#status-c{pk} .app-my-work__status .app-rating").inner_text() == "Red"
    assert ratings_saved() == [(8, "red", "")]


def test_a_lead_updates_a_rating_with_the_keyboard_only(cast, live_server, page):
    pk = contribution(cast.objective_a, cast.team_a).pk
    update_url = f"/objectives/{cast.objective_a.pk}/teams/{cast.team_a.pk}/update/"
    sign_in(page, live_server, cast.lead_a)

    for _ in range(40):  # Tab through the header and navigation to the row's Update button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == update_url:
            break
    else:
        pytest.fail("Tab never reached the Update button")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#c{pk}-rating_0")
    assert focused_id(page) == f"c{pk}-rating_0"  # nothing reported yet: the first rating

    page.keyboard.press("Space")  # chooses Green
    page.keyboard.press("Tab")
    assert focused_id(page) == f"c{pk}-going_well"
    page.keyboard.type("All milestones met")
    for _ in range(10):  # on past the other fields to Save update
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save update":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector(".app-my-work__row--saved")
    assert focused_id(page) == f"status-c{pk}-status"
    assert ratings_saved() == [(8, "green", "All milestones met")]


def test_cancel_closes_the_inline_form_and_returns_focus_to_update(cast, live_server, page):
    pk = contribution(cast.objective_a, cast.team_a).pk
    sign_in(page, live_server, cast.lead_a)
    row = page.locator(f"#status-c{pk}")
    row.get_by_role("link", name="Update").click()
    page.wait_for_selector(f"#c{pk}-rating_0")
    row.get_by_role("link", name="Cancel").click()
    page.wait_for_selector(f"#status-c{pk} .app-status-form", state="detached")
    assert page.evaluate("document.activeElement.textContent.trim()").startswith("Update")
    assert ratings_saved() == []


def test_my_work_and_the_open_form_have_no_accessibility_violations(cast, live_server, page):
    add_update(cast.objective_a, cast.team_a, 7, "amber")
    pk = contribution(cast.objective_a, cast.team_a).pk
    sign_in(page, live_server, cast.lead_a)
    assert_accessible(page)
    page.locator(f"#status-c{pk}").get_by_role("link", name="Update").click()
    page.wait_for_selector(f"#c{pk}-rating_0")
    assert_accessible(page)
    page.get_by_label("Red", exact=True).check()
    page.get_by_role("button", name="Save update").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert_accessible(page)


def test_the_update_page_without_javascript_has_no_accessibility_violations(
    cast, live_server, page
):
    sign_in(page, live_server, cast.lead_a)
    page.goto(f"{live_server.url}/objectives/{cast.objective_a.pk}/teams/{cast.team_a.pk}/update/")
    assert_accessible(page)
