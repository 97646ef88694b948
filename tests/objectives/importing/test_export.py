"""objectives/importing/plan_export.py and template.py: the template's shape, and round trips."""

import datetime as dt
import io

import openpyxl
import pytest

from objectives.importing import columns, plan_export, plan_import, template
from objectives.models import Dependency, Measure, Objective, Plan
from tests.factories import (
    MilestoneFactory,
    ObjectiveFactory,
    TeamFactory,
    UserFactory,
    add_update,
)

pytestmark = pytest.mark.django_db


def load(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_template_has_the_three_sheets_with_their_columns_and_a_read_me(cast):
    book = load(template.build_template())
    assert book.sheetnames == ["Objectives", "Milestones", "Measures", "Read me"]
    for spec in columns.SHEETS:
        sheet = book[spec.name]
        assert [cell.value for cell in sheet[1]] == list(spec.keys)
        assert sheet.max_row == 1
        assert sheet.freeze_panes == "A2"
    readme = [row[0] for row in book["Read me"].iter_rows(values_only=True) if row]
    for spec in columns.SHEETS:
        assert f"{spec.name} sheet" in readme
        assert set(spec.keys) <= set(readme)
    assert readme[-2:] == ["Ambulance flow", "NHS 111 online"]


def test_the_template_offers_drop_down_lists_for_fixed_words(cast):
    sheet = load(template.build_template())["Objectives"]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["H2:H5000"] == '"High,Medium,Low"'
    assert lists["M2:M5000"] == '"Green,Amber/Green,Amber,Amber/Red,Red"'


def test_an_empty_template_imports_as_nothing(cast):
    preview = plan_import.build_preview(template.build_template(), plan_label="2024/25")
    assert (preview.ok, preview.summary) == (True, "0 created, 0 updated, 0 unchanged")


@pytest.fixture
def rich_plan(cast):
    """Every kind of value the export writes, including the awkward ones."""
    team_c = TeamFactory(name="Directory of Services", directorate=cast.directorate_a)
    no_email = UserFactory(username="noemail", email="")
    twin_a = UserFactory(username="twin_a", email="twin@example.nhs.uk")
    UserFactory(username="twin_b", email="TWIN@example.nhs.uk")
    shared = ObjectiveFactory(
        plan=cast.plan,
        ref="SH-01",
        title="=SUM(A1:A3) is a title, not a formula",
        lead_team=cast.team_a,
        contributors=[cast.team_b, team_c],
        owner=cast.lead_a,
        description="Line one\nLine two; with a semicolon",
        stakeholders="ICBs",
        expected_outcome="Faster handovers",
        priority=1,
        state="in_progress",
    )
    shared.contributions.filter(team=cast.team_b).update(
        commitment='Pilot two sites; report "early"'
    )
    Objective.objects.filter(pk=cast.objective_a.pk).update(owner=no_email, delivery_date=None)
    Objective.objects.filter(pk=cast.objective_b.pk).update(owner=twin_a, state="paused")
    left = UserFactory(username="left", email="left@example.nhs.uk", is_active=False)
    ObjectiveFactory(plan=cast.plan, ref="OLD-1", lead_team=cast.team_b, owner=left)
    Dependency.objects.create(objective=shared, depends_on=cast.objective_a, need="Data")
    Dependency.objects.create(objective=shared, depends_on=cast.objective_b)
    MilestoneFactory(
        objective=shared,
        title="Beta",
        due_date=dt.date(2024, 9, 30),
        done_date=dt.date(2024, 9, 27),
    )
    MilestoneFactory(objective=shared, title="Live", due_date=dt.date(2025, 3, 31), team=None)
    Measure.objects.create(
        objective=shared,
        name="Handover time",
        unit="minutes",
        direction="lower",
        baseline_value=42.5,
        baseline_date=dt.date(2024, 4, 30),
        target_value=30,
        target_date=dt.date(2025, 3, 31),
        frequency="weekly",
    )
    Measure.objects.create(objective=cast.objective_a, name="Calls", direction="neither")
    add_update(shared, cast.team_a, 1, "amber_green")
    add_update(shared, cast.team_a, 1, "amber")  # a correction: the newest counts
    add_update(cast.objective_b, cast.team_b, 2, "red")  # not the first month: not exported
    return cast.plan


def test_exporting_and_importing_into_the_same_plan_changes_nothing(rich_plan, cast):
    data = plan_export.export_plan(rich_plan, user=cast.lead_a)
    preview = plan_import.build_preview(data, plan_label=rich_plan.label, author=cast.admin)
    assert preview.problems == []
    assert preview.warnings == []
    assert preview.summary == "0 created, 0 updated, 8 unchanged"
    assert preview.missing == []


def test_the_export_writes_values_the_way_people_read_them(rich_plan, cast):
    book = load(plan_export.export_plan(rich_plan))
    header, *rows = book["Objectives"].iter_rows(values_only=True)
    shared = dict(zip(header, next(row for row in rows if row[0] == "SH-01"), strict=True))
    assert shared["title"] == "=SUM(A1:A3) is a title, not a formula"
    assert book["Objectives"]["B4"].data_type == "s"
    assert shared["contributing_teams"] == (
        'Ambulance flow: "Pilot two sites; report ""early"""; Directory of Services: '
        "Directory of Services commitment"
    )
    assert (shared["priority"], shared["state"], shared["initial_rating"]) == (
        "High",
        "In progress",
        "Amber",
    )
    assert shared["depends_on"] == "DIG-01; OPS-01"
    assert shared["delivery_date"] == dt.datetime(2025, 3, 31)
    owners = {row[0]: row[5] for row in rows}
    assert owners == {
        "DIG-01": "noemail",
        "OLD-1": "left@example.nhs.uk",
        "OPS-01": "twin_a",
        "SH-01": "lead_a@example.nhs.uk",
    }
    measures = list(book["Measures"].iter_rows(values_only=True))
    assert measures[1] == ("DIG-01", "Calls", None, "Neither", None, None, None, None, "Monthly")


def test_an_export_imported_into_a_new_plan_creates_everything(rich_plan, cast):
    data = plan_export.export_plan(rich_plan)
    preview = plan_import.import_plan(data, plan_label="2025/26", user=cast.admin)
    assert preview.summary == "8 created, 0 updated, 0 unchanged"
    copy = Objective.objects.get(plan__label="2025/26", ref="SH-01")
    assert copy.contributions.get(team=cast.team_b).commitment == 'Pilot two sites; report "early"'
    assert copy.description == "Line one\nLine two; with a semicolon"
    assert Plan.objects.get(label="2025/26").status == "draft"


def test_control_characters_a_worksheet_cannot_hold_are_dropped_from_the_export(cast):
    Objective.objects.filter(pk=cast.objective_a.pk).update(title="Bell\x07 and\ttab\x1f")
    sheet = load(plan_export.export_plan(cast.plan))["Objectives"]
    assert sheet["B2"].value == "Bell and\ttab"
