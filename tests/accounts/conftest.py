"""A live OpenID provider (tests/accounts/provider.py) the app is configured to use."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.urls import reverse

from tests.accounts.provider import CLIENT_ID, CLIENT_SECRET, PASSWORD, RunningProvider

TEST_CALLBACK = "http://testserver/accounts/oidc/callback/"


@pytest.fixture
def provider(settings):
    running = RunningProvider()
    settings.OIDC_ISSUER = running.provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    running.provider.redirect_uris.add(TEST_CALLBACK)
    yield running.provider
    running.stop()


def start_sign_in(client) -> str:
    """Press "Sign in with your organisation account": the provider's authorisation URL."""
    response = client.get(reverse("accounts:oidc_start"))
    assert response.status_code == 302
    return response["Location"]


def sign_in_at_provider(authorize_url: str, username: str, password: str = PASSWORD) -> str:
    """Fill in the provider's own sign-in form: the callback URL it sends the browser to."""
    url = urlparse(authorize_url)
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    response = requests.post(
        f"{url.scheme}://{url.netloc}{url.path}",
        data={**params, "username": username, "password": password},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def return_to_app(client, callback_url: str):
    url = urlparse(callback_url)
    return client.get(f"{url.path}?{url.query}")


def sign_in_with_provider(client, username: str):
    """The whole journey: app -> provider's form -> back to the app's callback."""
    return return_to_app(client, sign_in_at_provider(start_sign_in(client), username))


@pytest.fixture
def audit_lines():
    """The audit lines written during the test, as (event, outcome, user, details) tuples."""
    import io
    import json
    import logging

    from objectives.audit import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("audit")
    logger.addHandler(handler)

    def lines():
        parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [
            (line["event"], line["outcome"], line["user"], line.get("details")) for line in parsed
        ]

    yield lines
    logger.removeHandler(handler)


@pytest.fixture
def organisation(db):
    """Digital's NHS 111 online team: Priya leads it, Sam (who wrote an update) is a member."""
    from objectives.models import Role
    from tests.factories import (
        DirectorateFactory,
        MembershipFactory,
        ObjectiveFactory,
        TeamFactory,
        UserFactory,
        add_update,
    )

    digital = DirectorateFactory(name="Digital", code="DIG")
    team = TeamFactory(name="NHS 111 online", directorate=digital)
    priya = UserFactory(
        username="pshah", email="Priya.Shah@example.nhs.uk", first_name="Priya", last_name="Shah"
    )
    MembershipFactory(user=priya, team=team, role=Role.LEAD)
    sam = UserFactory(
        username="sold", email="sam.old@example.nhs.uk", first_name="Sam", last_name="Old"
    )
    MembershipFactory(user=sam, team=team, role=Role.MEMBER)
    admin = UserFactory(username="admin", email="", is_superuser=True, is_staff=True)
    objective = ObjectiveFactory(lead_team=team)
    add_update(objective, team, 6, "amber", author=sam, text="Sam's September view")
    return {"team": team, "priya": priya, "sam": sam, "admin": admin, "objective": objective}
