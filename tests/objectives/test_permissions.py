"""objectives/permissions.py with the whole cast, and the pages it guards."""

import pytest
from django.urls import reverse

from objectives import permissions
from objectives.models import Milestone
from tests.factories import MeasureFactory, ObjectiveFactory

PERMISSION_COVERED_URLS = {
    "objectives:my_work",
    "objectives:list",
    "objectives:detail",
    "login",
    "logout",
    "healthz",
}

CAST = [
    "lead_a",
    "lead_b",
    "member_a",
    "director_a",
    "director_elsewhere",
    "org_director",
    "admin",
    "outsider",
    "anonymous",
]


def who(cast, check):
    return {name for name, user in cast.users().items() if check(user)}


def test_only_the_lead_of_a_team_its_director_and_admins_update_its_status(cast):
    assert who(cast, lambda u: permissions.can_update_team_status(u, cast.team_a)) == {
        "lead_a",
        "director_a",
        "org_director",
        "admin",
    }


def test_only_directors_over_the_team_and_admins_override_a_locked_period(cast):
    assert who(cast, lambda u: permissions.can_override_lock(u, cast.team_a)) == {
        "director_a",
        "org_director",
        "admin",
    }


def test_the_lead_teams_lead_directors_over_it_and_admins_edit_an_objective(cast):
    assert who(cast, lambda u: permissions.can_edit_objective(u, cast.objective_a)) == {
        "lead_a",
        "director_a",
        "org_director",
        "admin",
    }


def test_a_director_oversees_a_shared_objective_through_any_involved_team(cast):
    shared = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_b, contributors=[cast.team_a])
    assert who(cast, lambda u: permissions.can_acknowledge_flag(u, shared)) == {
        "director_a",
        "director_elsewhere",
        "org_director",
        "admin",
    }


def test_every_signed_in_person_reads_objectives(cast):
    assert who(cast, lambda u: permissions.can_view_objective(u, cast.objective_b)) == set(CAST) - {
        "anonymous"
    }


def test_only_directors_and_admins_see_risks_and_import_plans(cast):
    directors = {"director_a", "director_elsewhere", "org_director", "admin"}
    assert who(cast, permissions.can_view_risks) == directors
    assert who(cast, permissions.can_import_plan) == directors


def test_the_responsible_team_marks_a_milestone_done(cast):
    milestone = Milestone.objects.create(
        objective=cast.objective_b, title="Beta", due_date="2024-09-30", team=cast.team_a
    )
    assert who(cast, lambda u: permissions.can_mark_milestone(u, milestone)) == {
        "lead_a",
        "member_a",
        "lead_b",
        "director_elsewhere",
        "org_director",
        "admin",
    }


def test_the_responsible_team_enters_readings(cast):
    measure = MeasureFactory(objective=cast.objective_a)
    assert who(cast, lambda u: permissions.can_enter_readings(u, measure)) == {
        "lead_a",
        "member_a",
        "director_a",
        "org_director",
        "admin",
    }


@pytest.mark.parametrize("url_name", ["objectives:my_work", "objectives:list"])
def test_pages_need_sign_in(cast, client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_detail_page_needs_sign_in(cast, client):
    response = client.get(reverse("objectives:detail", args=[cast.objective_a.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/objectives/{cast.objective_a.pk}/"


def test_the_detail_page_is_404_for_a_missing_objective(cast, client_for):
    response = client_for(cast.lead_a).get(reverse("objectives:detail", args=[999999]))
    assert response.status_code == 404


def test_login_and_health_are_open_to_everyone(cast, client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).json() == {"status": "ok", "database": "ok"}


def test_logout_signs_the_user_out(cast, client_for):
    client = client_for(cast.lead_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("objectives:my_work")).status_code == 302


def test_the_admin_refuses_people_who_are_not_staff(cast, client_for):
    response = client_for(cast.director_a).get("/admin/objectives/objective/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_lists_objectives_for_staff(cast, client_for):
    response = client_for(cast.admin).get("/admin/objectives/objective/")
    assert response.status_code == 200
    assert "DIG-01" in response.content.decode()
