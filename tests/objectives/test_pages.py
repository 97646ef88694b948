import pytest
from django.db import DatabaseError
from django.urls import reverse

from tests.factories import add_update

pytestmark = pytest.mark.django_db


def test_my_work_lists_the_objectives_of_the_users_teams(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 1, "amber")
    html = client_for(cast.lead_a).get(reverse("objectives:my_work")).content.decode()
    assert "DIG-01" in html
    assert "OPS-01" not in html
    assert "Amber" in html


def test_pages_show_the_protective_marking(cast, client_for, settings):
    settings.PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
    html = client_for(cast.lead_a).get(reverse("objectives:list")).content.decode()
    assert "<strong>OFFICIAL-SENSITIVE</strong>" in html


def test_health_reports_a_database_that_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
