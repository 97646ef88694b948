"""Local passwords: LOCAL_LOGIN, changing a password, and reset by email when email goes out."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.forms import PASSWORDS_OFF
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
PASSWORD = "demo-password-123"
NEW_PASSWORD = "a-much-longer-new-passphrase-42"


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_with_local_login_off_a_password_is_refused_for_everyone_but_superusers(client, settings):
    settings.LOCAL_LOGIN = False
    UserFactory(username="lead")
    UserFactory(username="breakglass", is_superuser=True, is_staff=True)

    refused = sign_in(client, "lead")
    refused_session = client.session.get("_auth_user_id")
    allowed = sign_in(client, "breakglass")

    assert (refused.status_code, refused_session) == (200, None)
    assert refused.context["form"].non_field_errors() == [PASSWORDS_OFF]
    assert allowed.status_code == 302
    assert client.session["_auth_user_id"] is not None


def test_switching_local_login_off_ends_password_sessions_already_open(client, settings):
    UserFactory(username="lead")
    sign_in(client, "lead")
    settings.LOCAL_LOGIN = False

    response = client.get(reverse("objectives:my_work"))

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")


def test_with_local_login_off_the_password_form_is_tucked_away_for_administrators(client, settings):
    settings.LOCAL_LOGIN = False
    settings.OIDC_ISSUER = "https://login.microsoftonline.com/tenant-id/v2.0"

    html = client.get(reverse("login")).content.decode()

    assert "Administrator sign-in with a password</span></summary>" in html
    assert "Forgotten your password?" not in html


def test_a_person_changes_their_password(client):
    user = UserFactory(username="lead")
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    user.refresh_from_db()
    assert response["Location"] == reverse("accounts:password_change_done")
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_someone_without_a_password_here_cannot_set_one(client):
    user = UserFactory(username="entra-only")
    user.set_unusable_password()
    user.save()
    client.force_login(user, backend="accounts.oidc.OrganisationBackend")

    assert client.get(reverse("accounts:password_change")).status_code == 403


def test_password_reset_is_not_offered_when_email_goes_nowhere(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    assert "Forgotten your password?" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("accounts:password_reset")).status_code == 404


def test_a_reset_link_by_email_sets_a_new_password(client):
    user = UserFactory(username="lead", email="lead@example.nhs.uk")
    assert "Forgotten your password?" in client.get(reverse("login")).content.decode()

    sent = client.post(reverse("accounts:password_reset"), {"email": "LEAD@example.nhs.uk"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link)  # Django swaps the token for a session key and redirects
    done = client.post(
        form_page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    user.refresh_from_db()
    assert sent["Location"] == reverse("accounts:password_reset_done")
    assert (mail.outbox[0].to, mail.outbox[0].subject) == (
        ["lead@example.nhs.uk"],
        "Reset your password for Shared objectives",
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert user.check_password(NEW_PASSWORD)


def test_no_reset_email_goes_to_someone_who_may_not_use_a_password(client, settings):
    settings.LOCAL_LOGIN = True
    user = UserFactory(username="entra-only", email="entra@example.nhs.uk")
    user.set_unusable_password()
    user.save()

    client.post(reverse("accounts:password_reset"), {"email": "entra@example.nhs.uk"})

    assert mail.outbox == []


def test_the_other_reset_pages_answer_and_a_forged_link_sets_nothing(client):
    lead = UserFactory(username="lead")
    forged = reverse("accounts:password_reset_confirm", args=["MQ", "forged-token"])

    answers = [
        client.get(reverse("accounts:password_reset_done")).status_code,
        client.get(reverse("accounts:password_reset_complete")).status_code,
        client.get(forged).status_code,
        client.post(forged, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}),
    ]

    lead.refresh_from_db()
    assert answers[:3] == [200, 200, 404]
    assert "<h1>This link does not work</h1>" in answers[3].content.decode()
    assert lead.check_password(PASSWORD)
