"""Editing an objective: who may, what is saved and recorded, bad input, and two people at once."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from objectives.forms.objective import sign_loaded
from objectives.models import Objective, ObjectiveRevision, Priority, State
from tests.factories import ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"objectives:edit"}


@pytest.fixture
def objective(cast):
    return ObjectiveFactory(
        plan=cast.plan,
        ref="DIG-02",
        title="Shared records",
        description="Records that follow the patient.",
        lead_team=cast.team_a,
        delivery_date=dt.date(2025, 3, 31),
        priority=Priority.MEDIUM,
        state=State.IN_PROGRESS,
    )


def url(objective):
    return reverse("objectives:edit", args=[objective.pk])


def form_data(objective, **changes) -> dict:
    """What the edit form posts when loaded for `objective`, with `changes` typed in."""
    data = {
        "title": objective.title,
        "description": objective.description,
        "owner": objective.owner_id or "",
        "stakeholders": objective.stakeholders,
        "expected_outcome": objective.expected_outcome,
        "delivery_date": objective.delivery_date.isoformat() if objective.delivery_date else "",
        "priority": objective.priority,
        "state": objective.state,
        "theme": objective.theme,
        "impact_enhance": objective.impact_enhance,
        "impact_restore": objective.impact_restore,
        "impact_replace": objective.impact_replace,
        "impact_mutate": objective.impact_mutate,
        "version": objective.version,
        "loaded": sign_loaded(objective),
    }
    data.update(changes)
    return data


def squash(html: str) -> str:
    """Whitespace collapsed; without the column names a phone shows in each cell, <bdi> around
    user text and ARIA table roles (see tests/objectives/test_objective_detail.py)."""
    html = re.sub(r'<span class="app-stack__heading" aria-hidden="true">[^<]*</span>', "", html)
    html = re.sub(r' role="(table|rowgroup|row|columnheader|rowheader|cell)"', "", html)
    html = html.replace("<bdi>", "").replace("</bdi>", "")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


# --- Who may edit -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lead_a", "director_a", "org_director", "admin"])
def test_the_lead_teams_lead_directors_over_it_and_admins_may_edit(
    cast, client_for, objective, name
):
    response = client_for(cast.users()[name]).get(url(objective))

    assert response.status_code == 200
    assert '<input type="hidden" name="version" value="1" id="id_version">' in (
        response.content.decode()
    )


@pytest.mark.parametrize("name", ["lead_b", "member_a", "director_elsewhere", "outsider"])
def test_everyone_else_is_refused(cast, client_for, objective, name):
    client = client_for(cast.users()[name])

    assert client.get(url(objective)).status_code == 403
    assert client.post(url(objective), form_data(objective, title="Hijacked")).status_code == 403
    assert Objective.objects.get(pk=objective.pk).title == "Shared records"


def test_signing_in_is_required(cast, client, objective):
    response = client.get(url(objective))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/objectives/{objective.pk}/edit/"


def test_a_missing_objective_is_404_and_other_methods_are_refused(cast, client_for, objective):
    client = client_for(cast.admin)

    assert client.get(reverse("objectives:edit", args=[999999])).status_code == 404
    assert client.put(url(objective)).status_code == 405


# --- Saving -------------------------------------------------------------------------------------


def test_a_save_changes_the_fields_bumps_the_version_and_records_a_revision(
    cast, client_for, objective
):
    owner = UserFactory(username="owner", first_name="Olu", last_name="Owens")
    client = client_for(cast.lead_a)

    response = client.post(
        url(objective),
        form_data(
            objective,
            title="Shared care records",
            owner=owner.pk,
            delivery_date="2025-06-30",
            state=State.COMPLETE,
            priority=Priority.HIGH,
            impact_mutate="A national record",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{objective.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved your changes to DIG-02."
    ]
    saved = Objective.objects.get(pk=objective.pk)
    assert (saved.title, saved.owner, saved.delivery_date, saved.state, saved.priority) == (
        "Shared care records",
        owner,
        dt.date(2025, 6, 30),
        State.COMPLETE,
        Priority.HIGH,
    )
    assert saved.version == 2
    revision = ObjectiveRevision.objects.get(objective=objective)
    assert revision.user == cast.lead_a
    assert revision.changes == {
        "title": ["Shared records", "Shared care records"],
        "owner": ["", "Olu Owens"],
        "delivery_date": ["31 March 2025", "30 June 2025"],
        "priority": ["Medium", "High"],
        "state": ["In progress", "Complete"],
        "impact_mutate": ["", "A national record"],
    }


def test_the_revision_shows_on_the_detail_page(cast, client_for, objective):
    client = client_for(cast.director_a)
    client.post(url(objective), form_data(objective, theme="Urgent care"))

    html = squash(client.get(reverse("objectives:detail", args=[objective.pk])).content.decode())

    assert (
        '<th scope="row" class="nhsuk-table__header app-revision__field">Theme (optional)</th>'
        '<td class="nhsuk-table__cell app-prewrap"><span class="app-muted">(empty)</span></td>'
        '<td class="nhsuk-table__cell app-prewrap">Urgent care</td>'
    ) in html


def test_saving_without_changes_records_nothing(cast, client_for, objective):
    response = client_for(cast.lead_a).post(url(objective), form_data(objective))

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You did not change anything, so nothing was saved."
    ]
    assert Objective.objects.get(pk=objective.pk).version == 1
    assert ObjectiveRevision.objects.count() == 0


def test_fields_that_are_not_the_objectives_own_cannot_be_changed(cast, client_for, objective):
    client_for(cast.lead_a).post(
        url(objective),
        form_data(objective, ref="HACK-01", lead_team=cast.team_b.pk, worst_rating="green"),
    )

    saved = Objective.objects.get(pk=objective.pk)
    assert (saved.ref, saved.lead_team, saved.worst_rating) == ("DIG-02", cast.team_a, "")


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "   "}, "title", "Enter a title for the objective."),
        ({"delivery_date": "31/02/2025"}, "delivery_date", "Enter the delivery date as a real "),
        ({"owner": "999999"}, "owner", "Choose the owner from the list of people."),
        ({"state": "finished"}, "state", "Choose a state from the list."),
        ({"priority": "9"}, "priority", "Choose a priority: High, Medium or Low."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    cast, client_for, objective, changes, field, message
):
    response = client_for(cast.lead_a).post(url(objective), form_data(objective, **changes))

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert f'<span class="nhsuk-error-message" id="{field}-error">' in html
    assert message in html
    assert Objective.objects.get(pk=objective.pk).version == 1
    assert ObjectiveRevision.objects.count() == 0


def test_a_missing_or_forged_version_is_refused(cast, client_for, objective):
    client = client_for(cast.lead_a)

    missing = client.post(url(objective), form_data(objective, title="New", version=""))
    forged = client.post(url(objective), form_data(objective, title="New", version="abc"))

    assert (missing.status_code, forged.status_code) == (400, 400)
    assert Objective.objects.get(pk=objective.pk).title == "Shared records"


# --- Two people at once -------------------------------------------------------------------------


@pytest.fixture
def someone_else_saved(cast, client_for, objective):
    """Director A loads the form, then the lead saves a new title and theme first."""
    loaded = form_data(objective)  # what the director's form holds: version 1
    client_for(cast.lead_a).post(
        url(objective), form_data(objective, title="Lead's title", theme="Urgent care")
    )
    return loaded


def conflict_rows(html: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__header">([^<]+)</th>'
        r'<td class="nhsuk-table__cell app-prewrap">(.*?)</td>'
        r'<td class="nhsuk-table__cell app-prewrap">(.*?)</td></tr>',
        html,
    )


def test_the_second_save_is_refused_with_what_changed_and_nothing_lost(
    cast, client_for, objective, someone_else_saved
):
    client = client_for(cast.director_a)

    response = client.post(
        url(objective),
        {**someone_else_saved, "title": "Director's title", "description": "Rewritten"},
    )

    html = squash(response.content.decode())
    assert response.status_code == 409
    assert "Someone else saved this objective while you were editing it" in html
    assert "Your changes have <strong>not</strong> been saved yet." in html
    assert conflict_rows(html) == [
        (
            "Title",
            "Lead&#x27;s title",
            "<strong>Director&#x27;s title</strong>"
            '<span class="app-muted">(kept in the form: you changed this too)</span>',
        ),
        (
            "Theme (optional)",
            "Urgent care",
            '<span class="app-muted">You did not change this; the form now holds the saved '
            "value.</span>",
        ),
    ]
    # The form holds the director's changes and the lead's, and the version now seen.
    assert 'name="title" value="Director&#x27;s title"' in html
    assert "> Rewritten</textarea>" in html
    assert 'name="theme" value="Urgent care"' in html
    assert '<input type="hidden" name="version" value="2" id="id_version">' in html
    saved = Objective.objects.get(pk=objective.pk)
    assert (saved.title, saved.description, saved.theme, saved.version) == (
        "Lead's title",
        "Records that follow the patient.",
        "Urgent care",
        2,
    )
    assert ObjectiveRevision.objects.count() == 1


def test_saving_the_merged_form_keeps_both_peoples_changes(
    cast, client_for, objective, someone_else_saved
):
    client = client_for(cast.director_a)
    refused = client.post(
        url(objective), {**someone_else_saved, "title": "Director's title", "description": "New"}
    )

    response = client.post(url(objective), refused.context["form"].data)

    assert response.status_code == 302
    saved = Objective.objects.get(pk=objective.pk)
    assert (saved.title, saved.description, saved.theme, saved.version) == (
        "Director's title",
        "New",
        "Urgent care",
        3,
    )
    latest = ObjectiveRevision.objects.filter(objective=objective).order_by("-pk").first()
    assert latest.user == cast.director_a
    assert latest.changes == {
        "title": ["Lead's title", "Director's title"],
        "description": ["Records that follow the patient.", "New"],
    }


def test_both_making_the_same_change_is_not_a_choice(
    cast, client_for, objective, someone_else_saved
):
    response = client_for(cast.director_a).post(
        url(objective), {**someone_else_saved, "theme": "Urgent care"}
    )

    rows = conflict_rows(squash(response.content.decode()))
    assert [(label, theirs) for label, theirs, _ in rows] == [
        ("Title", "Lead&#x27;s title"),
        ("Theme (optional)", "Urgent care"),
    ]
    assert "You did not change this" in rows[1][2]


def test_without_the_loaded_values_every_difference_is_listed_and_all_input_kept(
    cast, client_for, objective, someone_else_saved
):
    response = client_for(cast.director_a).post(
        url(objective), {**someone_else_saved, "loaded": "forged", "description": "Rewritten"}
    )

    html = squash(response.content.decode())
    assert [row[0] for row in conflict_rows(html)] == ["Title", "Description", "Theme (optional)"]
    assert 'name="title" value="Shared records"' in html
    assert "> Rewritten</textarea>" in html


def test_the_conflict_names_who_saved_last(cast, client_for, objective, someone_else_saved):
    cast.lead_a.first_name, cast.lead_a.last_name = "Priya", "Shah"
    cast.lead_a.save()

    response = client_for(cast.director_a).post(url(objective), someone_else_saved)

    assert "Priya Shah saved it on" in response.content.decode()


def test_a_save_that_loses_the_race_in_the_update_itself_is_refused(
    cast, client_for, objective, monkeypatch
):
    """The version is checked again in the UPDATE: if another save lands between reading the
    objective and writing it, no row matches and nothing is saved."""
    from django.db.models.query import QuerySet

    real_update = QuerySet.update
    raced = []

    def racing_update(self, **kwargs):
        if self.model is Objective and "version" in kwargs and not raced:
            raced.append(True)
            real_update(Objective.objects.filter(pk=objective.pk), version=5, title="Raced")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", racing_update)

    response = client_for(cast.lead_a).post(url(objective), form_data(objective, title="Mine"))

    assert response.status_code == 409
    assert Objective.objects.get(pk=objective.pk).title == "Raced"
    assert ObjectiveRevision.objects.count() == 0
    html = squash(response.content.decode())
    assert '<input type="hidden" name="version" value="5" id="id_version">' in html
    assert [row[:2] for row in conflict_rows(html)] == [("Title", "Raced")]
    assert 'name="title" value="Mine"' in html
