"""Sign-in: lock-out per username and address (django-axes), one message for any wrong
credentials, and Django's password validators."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from objectives.security import client_ip

PERMISSION_COVERED_URLS = {"login", "logout"}

PASSWORD = "demo-password-123"
WRONG_CREDENTIALS_MESSAGE = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail_to_sign_in(client, username, times, ip="10.0.0.1"):
    return [sign_in(client, username, "wrong", ip).status_code for _ in range(times)]


def test_the_lock_out_is_five_failures_for_fifteen_minutes_per_username_and_address():
    assert (5, dt.timedelta(minutes=15), [["username", "ip_address"]]) == (
        settings.AXES_FAILURE_LIMIT,
        settings.AXES_COOLOFF_TIME,
        settings.AXES_LOCKOUT_PARAMETERS,
    )


def test_five_wrong_passwords_lock_that_username_out_from_that_address(cast, client):
    attempts = fail_to_sign_in(client, "lead_a", 5)
    locked = sign_in(client, "lead_a", PASSWORD)

    assert attempts == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [template.name for template in locked.templates]
    html = locked.content.decode()
    assert "<h1>Too many attempts to sign in</h1>" in html
    assert "you cannot sign in as lead_a from here for 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_anyone_out(cast, client):
    fail_to_sign_in(client, "lead_a", 4)

    response = sign_in(client, "lead_a", PASSWORD)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == cast.lead_a.pk


def test_a_colleague_typing_your_name_from_another_desk_cannot_lock_you_out(cast, client):
    fail_to_sign_in(client, "lead_a", 5, ip="10.0.0.66")

    response = sign_in(client, "lead_a", PASSWORD, ip="10.0.0.1")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == cast.lead_a.pk


def test_a_locked_out_address_can_still_sign_in_as_someone_else(cast, client):
    fail_to_sign_in(client, "lead_a", 5)

    response = sign_in(client, "lead_b", PASSWORD)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == cast.lead_b.pk


def test_the_lock_out_ends_after_fifteen_minutes(cast, client):
    start = dt.datetime(2024, 11, 15, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        fail_to_sign_in(client, "lead_a", 5)
        clock.move_to(start + dt.timedelta(minutes=14, seconds=59))
        still_locked = sign_in(client, "lead_a", PASSWORD).status_code
        # The attempt while locked restarts the cool-off.
        clock.move_to(start + dt.timedelta(minutes=30))
        unlocked = sign_in(client, "lead_a", PASSWORD).status_code

    assert (still_locked, unlocked) == (429, 302)


def test_a_successful_sign_in_clears_earlier_failures(cast, client):
    fail_to_sign_in(client, "lead_a", 4)
    sign_in(client, "lead_a", PASSWORD)
    client.logout()

    attempts = fail_to_sign_in(client, "lead_a", 4)

    assert attempts == [200, 200, 200, 200]
    assert sign_in(client, "lead_a", PASSWORD).status_code == 302


def test_the_lock_out_counts_the_browser_address_behind_trusted_proxies(cast, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "lead_a", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR="192.0.2.10",
        )

    from_another_browser = client.post(
        reverse("login"),
        {"username": "lead_a", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="192.0.2.20",
    )

    assert from_another_browser.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", "", "192.0.2.1"),
        (0, "192.0.2.1", "198.51.100.7", "192.0.2.1"),  # no proxy trusted: the header is ignored
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # left part is forgeable
        (2, "10.0.0.2", "203.0.113.9, 198.51.100.7", "203.0.113.9"),
        (2, "10.0.0.2", "198.51.100.7", "10.0.0.2"),  # fewer hops than proxies: not trusted
        (1, "10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_client_ip_reads_only_what_trusted_proxies_wrote(
    settings, proxies, remote_addr, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


# --- One message for any wrong credentials ------------------------------------------------------


def login_errors(response):
    return list(response.context["form"].non_field_errors())


def test_a_wrong_username_and_a_wrong_password_get_the_same_message(cast, client):
    no_such_user = sign_in(client, "nobody-by-this-name", PASSWORD)
    wrong_password = sign_in(client, "lead_a", "not-the-password")

    assert login_errors(no_such_user) == login_errors(wrong_password) == [WRONG_CREDENTIALS_MESSAGE]
    assert no_such_user.status_code == wrong_password.status_code == 200


def test_an_inactive_users_right_password_gets_the_same_message_as_a_wrong_one(cast, client):
    cast.lead_a.is_active = False
    cast.lead_a.save()

    response = sign_in(client, "lead_a", PASSWORD)

    assert login_errors(response) == [WRONG_CREDENTIALS_MESSAGE]


def test_unknown_usernames_are_locked_out_just_like_real_ones(db, client):
    attempts = fail_to_sign_in(client, "nobody-by-this-name", 5)

    assert attempts == [200, 200, 200, 200, 429]


# --- Password rules ------------------------------------------------------------------------------


def test_a_weak_password_is_refused_with_reasons(cast):
    form = SetPasswordForm(cast.lead_a, {"new_password1": "password", "new_password2": "password"})

    assert form.is_valid() is False
    assert form.errors["new_password2"] == ["This password is too common."]


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("zq7#Kw", ["This password is too short. It must contain at least 8 characters."]),
        ("password1", ["This password is too common."]),
        ("83749201938", ["This password is entirely numeric."]),
        ("lead_a_lead", ["The password is too similar to the username."]),
    ],
)
def test_validate_password_refuses_short_common_numeric_and_personal_passwords(
    cast, password, messages
):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=cast.lead_a)

    assert refused.value.messages == messages


def test_a_long_uncommon_password_is_accepted(cast):
    assert validate_password("violet-harbour-tractor-91", user=cast.lead_a) is None
