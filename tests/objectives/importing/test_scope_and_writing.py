"""What an importer may change (their directorates, locked months) and how the import writes:
in bulk, keeping the fields record_status keeps, announcing what changed, all or nothing."""

import datetime as dt
import json
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from objectives.importing import plan_import
from objectives.models import (
    Contribution,
    Milestone,
    Objective,
    Period,
    StatusUpdate,
)
from objectives.signals import objectives_changed
from tests.factories import ObjectiveFactory, TeamFactory, add_update
from tests.objectives.importing.helpers import xlsx

pytestmark = pytest.mark.django_db

HEADER = ["ref", "title", "lead_team"]


def run(rows, user, milestones=None, **kwargs):
    sheets = {"Objectives": rows}
    if milestones:
        sheets["Milestones"] = milestones
    return plan_import.import_plan(xlsx(sheets), plan_label="2024/25", user=user, **kwargs)


def messages(preview):
    return [problem.message for problem in preview.problems]


# --- Scope --------------------------------------------------------------------------------------


def test_a_director_cannot_change_an_objective_led_outside_their_directorates(cast):
    preview = run([HEADER, ["OPS-01", "Renamed by Digital", "Ambulance flow"]], cast.director_a)
    assert messages(preview) == [
        "Objectives row 2, ref: 'OPS-01' is led by Ambulance flow, in Operations; you may import "
        "only objectives led by teams in the directorates you oversee (Digital), so this row is "
        "not imported"
    ]
    cast.objective_b.refresh_from_db()
    assert cast.objective_b.title != "Renamed by Digital"


def test_a_director_cannot_move_an_outside_objective_into_their_scope(cast):
    preview = run([HEADER, ["OPS-01", cast.objective_b.title, "NHS 111 online"]], cast.director_a)
    assert messages(preview) == [
        "Objectives row 2, ref: 'OPS-01' is led by Ambulance flow, in Operations; you may import "
        "only objectives led by teams in the directorates you oversee (Digital), so this row is "
        "not imported"
    ]
    assert Objective.objects.get(pk=cast.objective_b.pk).lead_team == cast.team_b


def test_a_director_cannot_hand_their_objective_to_a_team_outside_their_scope(cast):
    preview = run([HEADER, ["DIG-01", cast.objective_a.title, "Ambulance flow"]], cast.director_a)
    assert messages(preview) == [
        "Objectives row 2, lead_team: 'Ambulance flow' is in Operations; you may import only "
        "objectives led by teams in the directorates you oversee (Digital), so this row is not "
        "imported"
    ]
    assert Objective.objects.get(pk=cast.objective_a.pk).lead_team == cast.team_a


def test_a_director_cannot_create_an_objective_for_another_directorate_nor_its_milestones(cast):
    rows = [HEADER, ["OPS-09", "New for Operations", "Ambulance flow"]]
    milestones = [["objective_ref", "title", "due_date"], ["OPS-01", "Hub open", "30/09/2024"]]
    preview = run(rows, cast.director_a, milestones)
    assert messages(preview) == [
        "Objectives row 2, lead_team: 'Ambulance flow' is in Operations; you may import only "
        "objectives led by teams in the directorates you oversee (Digital), so this row is not "
        "imported",
        "Milestones row 2, objective_ref: 'OPS-01' is led by Ambulance flow, in Operations; you "
        "may import only objectives led by teams in the directorates you oversee (Digital), so "
        "this row is not imported",
    ]
    assert not Objective.objects.filter(ref="OPS-09").exists()
    assert Milestone.objects.count() == 0


def test_an_unchanged_row_outside_scope_is_fine_so_a_whole_plan_file_imports(cast):
    rows = [
        HEADER,
        ["OPS-01", cast.objective_b.title, "Ambulance flow"],
        ["DIG-09", "New for Digital", "NHS 111 online"],
    ]
    preview = run(rows, cast.director_a)
    assert (preview.ok, preview.summary) == (True, "1 created, 0 updated, 1 unchanged")
    assert Objective.objects.get(ref="DIG-09").lead_team == cast.team_a


@pytest.mark.parametrize("who", ["org_director", "admin"])
def test_organisation_wide_directors_and_admins_may_change_any_objective(cast, who):
    user = cast.users()[who]
    preview = run([HEADER, ["OPS-01", "Renamed", "NHS 111 online"]], user)
    assert preview.ok
    objective = Objective.objects.get(pk=cast.objective_b.pk)
    assert (objective.title, objective.lead_team) == ("Renamed", cast.team_a)


def test_through_the_web_a_refused_row_blocks_the_confirm_and_writes_nothing(cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(cast.director_a)
    file = SimpleUploadedFile(
        "plan.xlsx", xlsx({"Objectives": [HEADER, ["OPS-01", "Renamed", "Ambulance flow"]]})
    )
    response = client.post(reverse("imports:start"), {"plan": "2024/25", "file": file})
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    refused = client.post(reverse("imports:confirm", args=[token]))
    assert "Nothing was imported: the file has 1 problem to fix" in refused.content.decode()
    assert Objective.objects.get(pk=cast.objective_b.pk).title != "Renamed"


# --- Locked first month -------------------------------------------------------------------------


def test_a_rating_into_a_locked_first_month_is_recorded_as_a_lock_override(cast):
    Period.objects.filter(plan=cast.plan, month=1).update(locked=True)
    rows = [HEADER + ["initial_rating"], ["DIG-09", "New", "NHS 111 online", "Amber"]]
    preview = run(rows, cast.director_a)
    assert preview.ok
    assert preview.notes == [
        "April 2024 is locked: 1 initial rating will be recorded there as lock overrides, each "
        "written to the audit log."
    ]
    update = StatusUpdate.objects.get(contribution__objective__ref="DIG-09")
    assert (update.rating, update.lock_override, update.author) == ("amber", True, cast.director_a)


def test_the_lock_override_audit_line_is_written_when_the_import_commits(
    cast, caplog, django_capture_on_commit_callbacks
):
    Period.objects.filter(plan=cast.plan, month=1).update(locked=True)
    rows = [HEADER + ["initial_rating"], ["DIG-09", "New", "NHS 111 online", "Red"]]
    with (
        caplog.at_level(logging.INFO, logger="audit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run(rows, cast.director_a)
    lines = [
        r.audit for r in caplog.records if getattr(r, "audit", {}).get("event") == "lock_override"
    ]
    update = StatusUpdate.objects.get(contribution__objective__ref="DIG-09")
    assert [(line["user"], line["object"]["id"], line["details"]) for line in lines] == [
        ("director_a", update.pk, {"source": "plan_import", "team": "NHS 111 online"})
    ]
    json.dumps(lines)  # the lines are JSON-ready


def test_without_a_person_to_record_it_as_a_rating_is_refused(cast):
    rows = [HEADER + ["initial_rating"], ["DIG-09", "New", "NHS 111 online", "Amber"]]
    preview = run(rows, None)
    assert messages(preview) == [
        "Objectives row 2, initial_rating: 'Amber' can't be recorded without a person to record "
        "it as; run import_plan with --user"
    ]
    assert not Objective.objects.filter(ref="DIG-09").exists()


# --- Writing ------------------------------------------------------------------------------------


def test_initial_ratings_keep_the_current_view_and_worst_rating_as_record_status_does(cast):
    shared = ObjectiveFactory(plan=cast.plan, ref="SHR-01", lead_team=cast.team_a)
    Contribution.objects.create(objective=shared, team=cast.team_b, role="contributor")
    add_update(shared, cast.team_b, 1, "red")
    rows = [
        HEADER + ["contributing_teams", "initial_rating"],
        ["SHR-01", shared.title, "NHS 111 online", "Ambulance flow", "Amber/Green"],
        ["NEW-1", "New", "NHS 111 online", "", "Amber/Red"],
    ]
    assert run(rows, cast.admin).ok
    lead = Contribution.objects.get(objective=shared, team=cast.team_a)
    new_lead = Contribution.objects.get(objective__ref="NEW-1", role="lead")
    assert (lead.latest_update.rating, lead.latest_update.going_well) == (
        "amber_green",
        "Initial rating from the business plan import.",
    )
    assert (new_lead.latest_update.rating, new_lead.latest_update.author) == (
        "amber_red",
        cast.admin,
    )
    assert Objective.objects.get(pk=shared.pk).worst_rating == "red"
    assert Objective.objects.get(ref="NEW-1").worst_rating == "amber_red"


def test_a_first_month_rating_never_replaces_a_later_current_view(cast):
    later = add_update(cast.objective_a, cast.team_a, 3, "green")
    rows = [
        HEADER + ["initial_rating"],
        ["DIG-01", cast.objective_a.title, "NHS 111 online", "Red"],
    ]
    assert run(rows, cast.admin).ok
    lead = Contribution.objects.get(objective=cast.objective_a, team=cast.team_a)
    assert lead.latest_update == later
    assert sorted(lead.updates.values_list("period__month", "rating")) == [(1, "red"), (3, "green")]
    assert Objective.objects.get(pk=cast.objective_a.pk).worst_rating == "green"


def plan_rows(count: int):
    TeamFactory(name="Data", directorate=cast_directorate())
    rows = [HEADER + ["contributing_teams", "owner_email", "initial_rating", "depends_on"]]
    milestones = [["objective_ref", "title", "due_date"]]
    for n in range(count):
        rows.append(
            [
                f"NEW-{n}",
                f"Objective {n}",
                "NHS 111 online",
                "Ambulance flow: help; Data",
                "lead_a@example.nhs.uk",
                "Amber",
                "NEW-0" if n else "",
            ]
        )
        milestones.append([f"NEW-{n}", "Beta", "30/09/2024"])
    return {"Objectives": rows, "Milestones": milestones}


def cast_directorate():
    from objectives.models import Directorate

    return Directorate.objects.get(code="DIG")


def queries_to_import(sheets, user, label) -> int:
    with CaptureQueriesContext(connection) as captured:
        preview = plan_import.import_plan(xlsx(sheets), plan_label=label, user=user)
    assert preview.ok, preview.problems[:3]
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_file(cast):
    sheets = plan_rows(40)
    small = {name: rows[:6] for name, rows in sheets.items()}
    assert queries_to_import(small, cast.admin, "2025/26") == queries_to_import(
        sheets, cast.admin, "2026/27"
    )
    assert StatusUpdate.objects.filter(period__plan__label="2026/27").count() == 40


def test_every_created_or_changed_objective_is_announced_once_on_commit(
    cast, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, objective_ids, **kwargs):
        heard.append(objective_ids)

    objectives_changed.connect(listener)
    try:
        rows = [
            HEADER,
            ["DIG-01", "Renamed", "NHS 111 online"],
            ["OPS-01", cast.objective_b.title, "Ambulance flow"],
            ["NEW-1", "New", "NHS 111 online"],
        ]
        with django_capture_on_commit_callbacks(execute=True):
            assert run(rows, cast.admin).ok
    finally:
        objectives_changed.disconnect(listener)
    new = Objective.objects.get(ref="NEW-1")
    assert heard == [frozenset({cast.objective_a.pk, new.pk})]


def test_a_milestone_change_announces_its_objective(cast, django_capture_on_commit_callbacks):
    heard = []
    objectives_changed.connect(
        lambda sender, objective_ids, **kw: heard.append(objective_ids),
        weak=False,
        dispatch_uid="t",
    )
    try:
        milestones = [
            ["objective_ref", "title", "due_date"],
            ["OPS-01", "Hub open", dt.date(2024, 9, 30)],
        ]
        with django_capture_on_commit_callbacks(execute=True):
            assert plan_import.import_plan(
                xlsx({"Milestones": milestones}), plan_label="2024/25", user=cast.admin
            ).ok
    finally:
        objectives_changed.disconnect(dispatch_uid="t")
    assert heard == [frozenset({cast.objective_b.pk})]
