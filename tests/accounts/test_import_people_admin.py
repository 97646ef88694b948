"""The admin page for the staff directory: upload, preview, confirm; admins only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import DirectoryUpload
from objectives.models import Membership
from tests.accounts.test_import_people import DIRECTORY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def upload(client, text=DIRECTORY, full=False):
    data = {"file": SimpleUploadedFile("directory.csv", text.encode(), "text/csv")}
    if full:
        data["full"] = "on"
    return client.post(reverse("admin:accounts_people_import"), data)


def test_an_admin_uploads_previews_and_confirms(organisation, client):
    client.force_login(organisation["admin"])

    uploaded = upload(client, full=True)
    preview = client.get(uploaded["Location"])
    confirmed = client.post(uploaded["Location"])

    html = preview.content.decode()
    assert "<h3>People leaving (1)</h3>" in html
    assert "<li>Sam Old (sam.old@example.nhs.uk): switched off, history kept</li>" in html
    assert 'value="Confirm and import"' in html
    assert confirmed["Location"] == reverse("admin:accounts_people_import")
    assert Membership.objects.filter(user__email="tom.deputy@example.nhs.uk").count() == 1
    assert DirectoryUpload.objects.count() == 0


def test_a_file_with_problems_shows_them_and_cannot_be_confirmed(organisation, client):
    client.force_login(organisation["admin"])

    uploaded = upload(client, "Name,Email\nNo Email,\n")
    preview = client.get(uploaded["Location"]).content.decode()
    confirmed = client.post(uploaded["Location"])

    assert "<li>People row 2, email: is empty; give their work email</li>" in preview
    assert "Confirm and import" not in preview
    assert confirmed.status_code == 200
    assert DirectoryUpload.objects.count() == 1


def test_only_admins_may_import_people(organisation, client):
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)

    assert client.get(reverse("admin:accounts_people_import")).status_code == 403


def test_another_admins_upload_is_not_found(organisation, client):
    client.force_login(organisation["admin"])
    uploaded = upload(client)
    client.force_login(UserFactory(username="admin2", is_superuser=True, is_staff=True))

    assert client.get(uploaded["Location"]).status_code == 404
    assert client.post(uploaded["Location"]).status_code == 404
