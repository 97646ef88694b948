"""Sign-in with the organisation's account, against a live OpenID provider (provider.py).

Every path runs the real library code: state and nonce kept in the session, the PKCE verifier
sent to the provider's token endpoint, the ID token's signature checked against its published
keys, then audience, issuer, expiry and nonce.
"""

import time
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse

from objectives.models import Membership
from tests.accounts.conftest import (
    TEST_CALLBACK,
    return_to_app,
    sign_in_at_provider,
    sign_in_with_provider,
    start_sign_in,
)
from tests.accounts.provider import OTHER_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"accounts:oidc_start", "accounts:oidc_callback"}
User = get_user_model()


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def refusal_heading(response):
    return response.content.decode().split("<h1>")[1].split("</h1>")[0]


def test_a_good_token_signs_in_the_user_with_that_email_whatever_its_case(
    provider, client, audit_lines
):
    priya = UserFactory(username="pshah", email="Priya.Shah@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@EXAMPLE.nhs.uk", name="Priya Shah")

    response = sign_in_with_provider(client, "priya")

    assert (response.status_code, response["Location"]) == (302, reverse("objectives:my_work"))
    assert signed_in_user_id(client) == str(priya.pk)
    assert audit_lines() == [("login", "success", "pshah", {"route": "organisation"})]


def test_the_request_to_the_provider_carries_state_nonce_and_an_s256_pkce_challenge(
    provider, client
):
    query = parse_qs(urlparse(start_sign_in(client)).query)

    assert sorted(query) == [
        "client_id",
        "code_challenge",
        "code_challenge_method",
        "nonce",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
    ]
    assert (query["scope"], query["code_challenge_method"], query["redirect_uri"]) == (
        ["openid email profile"],
        ["S256"],
        [TEST_CALLBACK],
    )
    assert len(query["state"][0]) == 32 and len(query["nonce"][0]) == 32


def test_the_pkce_verifier_goes_to_the_token_endpoint_and_matches_the_challenge(provider, client):
    UserFactory(username="pshah", email="priya.shah@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@example.nhs.uk")

    sign_in_with_provider(client, "priya")

    # The provider refuses a verifier that does not hash to the challenge (provider.token).
    assert [len(request["code_verifier"]) for request in provider.token_requests] == [64]
    assert signed_in_user_id(client) is not None


def test_entra_preferred_username_is_used_when_the_token_has_no_email(provider, client):
    priya = UserFactory(username="pshah", email="priya.shah@nhs.net")
    provider.add_person("priya", preferred_username="Priya.Shah@nhs.net")

    sign_in_with_provider(client, "priya")

    assert signed_in_user_id(client) == str(priya.pk)


def test_an_unknown_person_is_asked_to_get_an_administrator_to_add_them_and_nothing_is_made(
    provider, client, audit_lines
):
    UserFactory(username="someone-else")
    provider.add_person("newcomer", email="new.comer@example.nhs.uk")
    users_before = User.objects.count()

    response = sign_in_with_provider(client, "newcomer")

    assert response.status_code == 403
    assert refusal_heading(response) == "Ask an administrator to add you"
    assert "<strong>new.comer@example.nhs.uk</strong>. Nothing has been created." in (
        response.content.decode()
    )
    assert (User.objects.count(), signed_in_user_id(client)) == (users_before, None)
    assert audit_lines() == [
        (
            "login_failed",
            "refused",
            "new.comer@example.nhs.uk",
            {"route": "organisation", "reason": "unknown_person"},
        )
    ]


def test_with_oidc_create_users_an_unknown_person_gets_a_user_with_no_team(
    provider, client, settings
):
    settings.OIDC_CREATE_USERS = True
    provider.add_person(
        "newcomer", email="New.Comer@example.nhs.uk", given_name="New", family_name="Comer"
    )

    response = sign_in_with_provider(client, "newcomer")

    user = User.objects.get(email="New.Comer@example.nhs.uk")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    assert (user.username, user.get_full_name(), user.has_usable_password()) == (
        "new.comer@example.nhs.uk",
        "New Comer",
        False,
    )
    assert Membership.objects.filter(user=user).count() == 0


def test_a_switched_off_user_is_refused(provider, client):
    UserFactory(username="leaver", email="leaver@example.nhs.uk", is_active=False)
    provider.add_person("leaver", email="leaver@example.nhs.uk")

    response = sign_in_with_provider(client, "leaver")

    assert (response.status_code, signed_in_user_id(client)) == (403, None)
    assert "The account for leaver@example.nhs.uk has been switched off." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("tamper", "reason", "message"),
    [
        (
            {"signing_key": OTHER_KEY},
            "signature",
            "The sign-in answer was not signed by your organisation&#x27;s sign-in service.",
        ),
        ({"token_changes": {"nonce": "not-the-nonce"}}, "nonce", "was not the one this browser"),
        ({"token_changes": {"aud": "another-app"}}, "audience", "meant for another service"),
        (
            {"token_changes": {"iss": "https://login.example.com/other/v2.0"}},
            "issuer",
            "came from a different sign-in service",
        ),
        (
            {"token_changes": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}},
            "expired",
            "The sign-in answer had expired.",
        ),
        ({"token_changes": {"exp": None}}, "token", "The sign-in answer could not be checked."),
    ],
    ids=["wrong-signature", "wrong-nonce", "wrong-audience", "wrong-issuer", "expired", "no-exp"],
)
def test_a_bad_id_token_is_refused_with_a_page_and_an_audit_line(
    provider, client, audit_lines, tamper, reason, message
):
    UserFactory(username="pshah", email="priya.shah@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@example.nhs.uk")
    for name, value in tamper.items():
        setattr(provider, name, value)

    response = sign_in_with_provider(client, "priya")

    assert (response.status_code, signed_in_user_id(client)) == (403, None)
    assert refusal_heading(response) == "You could not be signed in"
    assert message in response.content.decode()
    assert [
        (event, outcome, details["reason"]) for event, outcome, _, details in audit_lines()
    ] == [("login_failed", "refused", reason)]


def test_a_tampered_state_is_refused(provider, client, audit_lines):
    UserFactory(username="pshah", email="priya.shah@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@example.nhs.uk")
    callback = urlparse(sign_in_at_provider(start_sign_in(client), "priya"))
    query = parse_qs(callback.query)

    response = client.get(
        f"{callback.path}?{urlencode({'code': query['code'][0], 'state': 'forged-state'})}"
    )

    assert (response.status_code, signed_in_user_id(client)) == (403, None)
    assert "did not start in this browser, or it was already used" in response.content.decode()
    assert audit_lines()[-1][3]["reason"] == "state"


def test_a_replayed_callback_is_refused(provider, client, audit_lines):
    UserFactory(username="pshah", email="priya.shah@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@example.nhs.uk")
    callback = sign_in_at_provider(start_sign_in(client), "priya")
    return_to_app(client, callback)
    client.post(reverse("logout"))

    replayed = return_to_app(client, callback)

    assert (replayed.status_code, signed_in_user_id(client)) == (403, None)
    assert audit_lines()[-1][3] == {"route": "organisation", "reason": "state"}


def test_a_replayed_code_under_a_fresh_state_is_refused_by_the_provider(
    provider, client, audit_lines
):
    UserFactory(username="pshah", email="priya.shah@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@example.nhs.uk")
    callback = sign_in_at_provider(start_sign_in(client), "priya")
    first = parse_qs(urlparse(callback).query)
    assert return_to_app(client, callback).status_code == 302
    client.post(reverse("logout"))
    fresh_state = parse_qs(urlparse(start_sign_in(client)).query)["state"][0]

    replayed = client.get(
        reverse("accounts:oidc_callback"), {"code": first["code"][0], "state": fresh_state}
    )

    assert (replayed.status_code, signed_in_user_id(client)) == (403, None)
    assert audit_lines()[-1][3]["reason"] == "provider"
    assert "code already used" in audit_lines()[-1][3]["detail"]


def test_a_sign_in_the_person_cancelled_at_the_provider_is_refused(provider, client):
    state = parse_qs(urlparse(start_sign_in(client)).query)["state"][0]

    response = client.get(
        reverse("accounts:oidc_callback"),
        {"error": "access_denied", "error_description": "User cancelled", "state": state},
    )

    assert response.status_code == 403
    assert "cancelled or refused by your organisation" in response.content.decode()


def test_refused_organisation_sign_ins_never_count_towards_a_password_lock_out(
    provider, client, settings
):
    UserFactory(username="pshah", email="priya.shah@example.nhs.uk")
    provider.add_person("stranger", email="stranger@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@example.nhs.uk")

    refusals = [sign_in_with_provider(client, "stranger").status_code for _ in range(6)]
    accepted = sign_in_with_provider(client, "priya")

    assert refusals == [403] * 6
    assert (accepted.status_code, AccessAttempt.objects.count()) == (302, 0)


def test_an_unreachable_provider_shows_a_page_not_an_error(settings, client, audit_lines):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # the discard port: nothing answers
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "id", "secret"

    response = client.get(reverse("accounts:oidc_start"))

    assert response.status_code == 403
    assert "refused or did not answer" in response.content.decode()
    assert audit_lines()[-1][3]["reason"] == "provider"


def test_without_an_issuer_the_organisation_sign_in_does_not_exist(client):
    assert [
        client.get(reverse("accounts:oidc_start")).status_code,
        client.get(reverse("accounts:oidc_callback"), {"code": "x", "state": "y"}).status_code,
    ] == [404, 404]


def test_signing_out_ends_the_provider_session_too(provider, client, audit_lines):
    UserFactory(username="pshah", email="priya.shah@example.nhs.uk")
    provider.add_person("priya", email="priya.shah@example.nhs.uk")
    sign_in_with_provider(client, "priya")
    id_token = client.session["oidc_id_token"]

    response = client.post(reverse("logout"))

    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/logout"
    assert parse_qs(location.query) == {
        "client_id": ["shared-objectives-test"],
        "post_logout_redirect_uri": ["http://testserver/accounts/login/"],
        "id_token_hint": [id_token],
    }
    assert signed_in_user_id(client) is None
    assert audit_lines()[-1] == ("logout", "success", "pshah", {"route": "organisation"})


def test_signing_out_after_a_password_sign_in_stays_in_the_app(provider, client, audit_lines):
    user = UserFactory(username="pshah")
    client.post(reverse("login"), {"username": "pshah", "password": "demo-password-123"})

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert audit_lines() == [
        ("login", "success", "pshah", {"route": "password"}),
        ("logout", "success", user.username, {"route": "password"}),
    ]


def test_the_sign_in_page_offers_the_organisation_account_only_when_configured(client, settings):
    without = client.get(reverse("login")).content.decode()
    settings.OIDC_ISSUER = "https://login.microsoftonline.com/tenant-id/v2.0"
    with_issuer = client.get(reverse("login")).content.decode()

    button = "Sign in with your organisation account"
    assert (button in without, button in with_issuer) == (False, True)
    assert f'href="{reverse("accounts:oidc_start")}"' in with_issuer
