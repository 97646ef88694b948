"""Workbooks as people keep them: extra sheets, their own tab names, looser cells.

Each builds a small workbook with openpyxl and checks exactly what lands in the database (or
exactly what the preview says when nothing may land)."""

import pytest

from objectives import export
from objectives.importing import plan_import
from objectives.models import Contribution, Milestone, Objective, StatusUpdate
from tests.factories import TeamFactory
from tests.objectives.importing.helpers import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["Ref", "Title", "Lead team"]
PLAN = [HEADER, ["NEW-1", "Signage", "NHS 111 online"], ["NEW-2", "Handover", "Ambulance flow"]]


def imported(data, cast, plan="2024/25", **kwargs):
    return plan_import.import_plan(data, plan_label=plan, user=cast.admin, **kwargs)


def new_refs():
    return sorted(Objective.objects.filter(ref__startswith="NEW").values_list("ref", flat=True))


# --- Which sheet is read ------------------------------------------------------------------------


def test_a_copy_of_the_plan_sheet_is_not_read_as_milestones(cast):
    preview = imported(xlsx({"Objectives": PLAN, "Copy of Objectives": PLAN}), cast)
    assert preview.ok
    assert new_refs() == ["NEW-1", "NEW-2"]
    assert Milestone.objects.count() == 0
    assert preview.notes == [
        "Sheet 'Copy of Objectives' was not read: its name says it is a copy of another sheet; "
        "rename it if it is the one to import."
    ]


def test_a_second_plan_shaped_sheet_is_never_read_as_milestones(cast):
    preview = imported(xlsx({"Objectives": PLAN, "Sheet2": PLAN}), cast)
    assert preview.ok
    assert list(preview.sheets) == ["Objectives"]
    assert Milestone.objects.count() == 0
    assert preview.notes == [
        "Sheet 'Sheet2' was not read: another sheet was read as the Objectives sheet."
    ]


def test_a_hidden_drop_down_list_sheet_is_ignored(cast):
    lists = [["Team", "Status", "RAG"], ["NHS 111 online", "In progress", "Green"]]
    # Named and shaped like milestones, it would otherwise block the file with errors.
    stray = [["Ref", "Title", "Due date"], ["NEW-1", "Beta", "not a date"]]
    data = xlsx(
        {"Plan": PLAN, "Sheet3": stray, "Team lists": lists}, hidden=("Sheet3", "Team lists")
    )
    preview = imported(data, cast)
    assert preview.ok
    assert new_refs() == ["NEW-1", "NEW-2"]
    assert Milestone.objects.count() == 0
    assert preview.notes == [
        "Sheet 'Sheet3' is hidden, so it was not read.",
        "Sheet 'Team lists' is hidden, so it was not read.",
    ]


def test_a_summary_sheet_before_the_plan_is_skipped_and_errors_name_the_users_tab(cast):
    summary = [
        ["Ref", "Title", "Lead team", "RAG"],
        ["ALL", "Every objective", "Everyone", "Green"],
    ]
    bad = [HEADER + ["Delivery date"], ["NEW-1", "Signage", "NHS 111 online", "31/13/2025"]]
    preview = plan_import.build_preview(
        xlsx({"Summary": summary, "Plan 24-25": bad}), plan_label="2024/25", author=cast.admin
    )
    assert [problem.message for problem in preview.problems] == [
        "Plan 24-25 row 2, delivery_date: '31/13/2025' is not a date; use 31/03/2025 or 2025-03-31"
    ]
    assert preview.notes == [
        "Sheet 'Plan 24-25' was read as the Objectives sheet.",
        "Sheet 'Summary' was not read: its name says it is a summary or a list of choices, not "
        "the plan.",
    ]
    assert preview.sheets["Objectives"].shown_name == "Objectives (sheet ‘Plan 24-25’)"


def test_of_two_years_the_sheet_naming_the_plans_year_is_read(cast):
    last_year = [HEADER, ["OLD-1", "Last year", "NHS 111 online"]]
    this_year = [HEADER, ["NEW-1", "This year", "NHS 111 online"]]
    preview = imported(xlsx({"Plan 23-24": last_year, "Plan 24-25": this_year}), cast)
    assert preview.ok
    assert new_refs() == ["NEW-1"]
    assert not Objective.objects.filter(ref="OLD-1").exists()
    assert preview.sheet_choices == {"Objectives": ["Plan 23-24", "Plan 24-25"]}
    assert preview.sheets_read == {"Objectives": "Plan 24-25"}


def test_two_sheets_that_could_be_the_plan_wait_for_the_person_to_choose(cast):
    data = xlsx({"Team A": [HEADER, ["NEW-1", "A", "NHS 111 online"]], "Team B": PLAN})
    blocked = imported(data, cast)
    assert [problem.message for problem in blocked.problems] == [
        "The file has 2 sheets that could be the Objectives sheet ('Team A', 'Team B'); choose "
        "the one to read below, or rename or hide the others"
    ]
    assert blocked.headline == "Nothing will be imported until the problem below is fixed."
    assert new_refs() == []
    chosen = imported(data, cast, chosen={"Objectives": "Team B"})
    assert chosen.ok
    assert new_refs() == ["NEW-1", "NEW-2"]
    assert Objective.objects.get(ref="NEW-1").title == "Signage"


def test_the_objectives_list_export_is_refused_with_one_message_saying_what_to_use(cast):
    data = export.xlsx_bytes(export.export_queryset())
    preview = plan_import.build_preview(data, plan_label="2024/25", name="objectives.xlsx")
    assert preview.problems == []
    assert preview.refusal == (
        "objectives.xlsx is the objectives list export (the download on the Objectives page): a "
        "summary for reading, with each team's current view, not the plan's columns. To change a "
        "plan in a spreadsheet, download the plan from Import a business plan, under Export a "
        "plan, edit that copy and import it."
    )
    assert preview.headline == "Nothing will be imported: the file can't be read."


def test_the_objectives_list_export_as_csv_is_refused_too(cast):
    data = "".join(export.csv_stream(export.export_queryset())).encode()
    preview = plan_import.build_preview(data, plan_label="2024/25", name="objectives.csv")
    assert preview.refusal.startswith("objectives.csv is the objectives list export")


# --- Forgiving where people are consistent ------------------------------------------------------


@pytest.mark.parametrize("label", ["2024/25", "2024-25", "24/25", "2024 to 2025", " 2024/2025 "])
def test_each_way_of_writing_the_financial_year_finds_the_plan(cast, label):
    preview = imported(xlsx({"Objectives": PLAN}), cast, plan=label)
    assert (preview.ok, preview.plan_label, preview.plan) == (True, "2024/25", cast.plan)
    assert Objective.objects.get(ref="NEW-1").plan == cast.plan


@pytest.mark.parametrize(
    "cell",
    [
        "Ambulance flow, Urgent and emergency care / Data and analytics",
        "Ambulance flow and Urgent and emergency care and Data and analytics",
        "Ambulance flow; Urgent and emergency care, Data and analytics",
    ],
)
def test_contributing_teams_separated_by_commas_slashes_or_and_are_each_found(cast, cell):
    TeamFactory(name="Urgent and emergency care", directorate=cast.directorate_b)
    TeamFactory(name="Data and analytics", directorate=cast.directorate_a)
    rows = [HEADER + ["Contributing teams"], ["NEW-1", "Signage", "NHS 111 online", cell]]
    assert imported(xlsx({"Objectives": rows}), cast).ok
    teams = Contribution.objects.filter(objective__ref="NEW-1", role="contributor")
    assert sorted(teams.values_list("team__name", flat=True)) == [
        "Ambulance flow",
        "Data and analytics",
        "Urgent and emergency care",
    ]


def test_a_list_with_an_unknown_team_is_refused_with_a_hint_on_separators(cast):
    rows = [
        HEADER + ["Contributing teams"],
        ["NEW-1", "Signage", "NHS 111 online", "Ambulance flow, Finance"],
    ]
    preview = imported(xlsx({"Objectives": rows}), cast)
    assert [problem.message for problem in preview.problems] == [
        "Objectives row 2, contributing_teams: 'Ambulance flow, Finance' is not a team in this "
        "service, nor a list of its teams: 'Finance' is not a team; separate teams with ';', ',', "
        "'/' or 'and'"
    ]
    assert new_refs() == []


def test_a_status_column_of_rag_words_is_read_as_the_initial_rating(cast):
    rows = [
        HEADER + ["Status"],
        ["NEW-1", "Signage", "NHS 111 online", "Amber"],
        ["NEW-2", "Handover", "Ambulance flow", "AR"],
    ]
    preview = imported(xlsx({"Objectives": rows}), cast)
    assert preview.ok
    assert preview.notes == [
        "Objectives: the column 'Status' holds ratings (such as 'Amber'), so it was read as "
        "initial_rating, not as the objective's state."
    ]
    ratings = StatusUpdate.objects.filter(contribution__objective__ref__startswith="NEW")
    assert sorted(
        ratings.values_list("contribution__objective__ref", "rating", "period__month")
    ) == [
        ("NEW-1", "amber", 1),
        ("NEW-2", "amber_red", 1),
    ]
    assert set(Objective.objects.filter(ref__startswith="NEW").values_list("state", flat=True)) == {
        "not_started"
    }


def test_a_status_column_of_lifecycle_words_stays_the_state(cast):
    rows = [HEADER + ["Status"], ["NEW-1", "Signage", "NHS 111 online", "In progress"]]
    assert imported(xlsx({"Objectives": rows}), cast).ok
    assert Objective.objects.get(ref="NEW-1").state == "in_progress"
    assert StatusUpdate.objects.filter(contribution__objective__ref="NEW-1").count() == 0


def test_a_unicode_text_file_from_excel_is_read(cast):
    data = csv_bytes(PLAN, encoding="utf-16", delimiter="\t")
    assert imported(data, cast, name="plan.txt").ok
    assert new_refs() == ["NEW-1", "NEW-2"]


# --- Nothing lost silently ----------------------------------------------------------------------


def test_the_lead_team_listed_as_a_contributor_stays_lead_and_the_person_is_told(cast):
    cell = "NHS 111 online: run the pilot; Ambulance flow: share handover data"
    rows = [HEADER + ["Contributing teams"], ["NEW-1", "Signage", "NHS 111 online", cell]]
    preview = imported(xlsx({"Objectives": rows}), cast)
    assert preview.ok
    assert preview.notices == [
        "Objectives row 2, contributing_teams: 'NHS 111 online' is the lead team too, so it stays "
        "the lead team only and its commitment 'run the pilot' is not recorded"
    ]
    rows = Contribution.objects.filter(objective__ref="NEW-1").order_by("role")
    assert list(rows.values_list("team__name", "role", "commitment")) == [
        ("Ambulance flow", "contributor", "share handover data"),
        ("NHS 111 online", "lead", ""),
    ]


def test_a_team_listed_twice_keeps_both_commitments_and_the_person_is_told(cast):
    cell = "Ambulance flow: share handover data; Ambulance flow: staff the hub; Ambulance flow"
    rows = [HEADER + ["Contributing teams"], ["NEW-1", "Signage", "NHS 111 online", cell]]
    preview = imported(xlsx({"Objectives": rows}), cast)
    assert preview.ok
    assert preview.notices == [
        "Objectives row 2, contributing_teams: 'Ambulance flow' is listed twice; both commitments "
        "are kept, as 'share handover data; staff the hub'",
        "Objectives row 2, contributing_teams: 'Ambulance flow' is listed twice; it is involved "
        "once",
    ]
    contribution = Contribution.objects.get(objective__ref="NEW-1", team=cast.team_b)
    assert contribution.commitment == "share handover data; staff the hub"
