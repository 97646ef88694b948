"""Signing in with the organisation's account in a real browser, through the provider's own form
(tests/accounts/provider.py, served on 127.0.0.1), and signing out of both."""

import pytest

from tests.accounts.provider import CLIENT_ID, CLIENT_SECRET, PASSWORD, RunningProvider
from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(settings, live_server):
    running = RunningProvider()
    issuer = running.provider.issuer
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    # As config/settings.py does for OIDC_ISSUER: signing out posts here, then goes there.
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": directives | {"form-action": ["'self'", issuer]}
    }
    running.provider.redirect_uris.add(f"{live_server.url}/accounts/oidc/callback/")
    yield running.provider
    running.stop()


def test_a_person_signs_in_through_the_providers_form_and_signs_out_of_both(
    live_server, page, provider
):
    UserFactory(
        username="pshah", email="priya.shah@example.nhs.uk", first_name="Priya", last_name="Shah"
    )
    provider.add_person("priya.shah@example.nhs.uk", email="priya.shah@example.nhs.uk")

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Sign in with your organisation account")
    page.wait_for_selector("text=Organisation sign-in")
    on_provider = page.url.startswith(f"{provider.issuer}/authorize?")
    page.fill("#username", "priya.shah@example.nhs.uk")
    page.fill("#password", PASSWORD)
    page.click("text=Sign in to the organisation")
    page.wait_for_selector("h1:has-text('My work')")
    signed_in_as = page.locator(".app-header__user span").inner_text()
    page.click("text=Sign out")
    page.wait_for_selector("h1:has-text('Sign in')")

    assert on_provider
    assert signed_in_as == "Priya Shah"
    assert page.url == f"{live_server.url}/accounts/login/"
    assert [sorted(sign_out) for sign_out in provider.sign_outs] == [
        ["client_id", "id_token_hint", "post_logout_redirect_uri"]
    ]


def test_an_unknown_person_sees_the_ask_an_administrator_page(live_server, page, provider):
    provider.add_person("stranger@example.nhs.uk", email="stranger@example.nhs.uk")

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Sign in with your organisation account")
    page.fill("#username", "stranger@example.nhs.uk")
    page.fill("#password", PASSWORD)
    page.click("text=Sign in to the organisation")
    page.wait_for_selector("h1")

    assert page.locator("h1").inner_text() == "Ask an administrator to add you"
    assert_accessible(page)


@pytest.mark.parametrize("local_login", [True, False])
def test_the_sign_in_page_fits_a_phone_and_passes_axe(
    live_server, browser, provider, settings, local_login
):
    settings.LOCAL_LOGIN = local_login
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    button = page.locator("text=Sign in with your organisation account").bounding_box()

    assert overflow == 0
    assert button["x"] >= 0 and button["x"] + button["width"] <= 390
    assert_accessible(page)
    context.close()
