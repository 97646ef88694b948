"""The base layout in a real browser: sign in, the NHS.UK header, skip link and marking."""

import pytest

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_signs_in_and_lands_on_my_work(cast, live_server, page):
    sign_in(page, live_server, cast.lead_a)
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "My work"
    assert page.locator("footer .app-protective-marking").inner_text() == "OFFICIAL"
    assert page.locator(".nhsuk-header__service-name").inner_text() == "Shared objectives"


def test_a_wrong_password_is_refused_on_the_page(cast, live_server, page):
    sign_in(page, live_server, cast.lead_a, password="wrong")
    assert page.url == f"{live_server.url}/accounts/login/"
    assert (
        "Please enter a correct username and password"
        in page.locator(".nhsuk-error-summary").inner_text()
    )


def test_the_skip_link_is_the_first_thing_a_keyboard_reaches(cast, live_server, page):
    sign_in(page, live_server, cast.lead_a)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def test_login_and_my_work_have_no_accessibility_violations(cast, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    sign_in(page, live_server, cast.lead_a)
    assert_accessible(page)
