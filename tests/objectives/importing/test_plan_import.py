"""objectives/importing/plan_import.py: preview, problems by sheet/row/column, all-or-nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from objectives.importing import plan_import, writing
from objectives.models import (
    Contribution,
    Dependency,
    Measure,
    Milestone,
    Objective,
    ObjectiveRevision,
    Plan,
    PlanStatus,
    StatusUpdate,
)
from tests.factories import MilestoneFactory, ObjectiveFactory, TeamFactory, add_update
from tests.objectives.importing.helpers import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["ref", "title", "lead_team"]


def preview_of(rows, plan="2024/25", **kwargs):
    return plan_import.build_preview(xlsx({"Objectives": rows}), plan_label=plan, **kwargs)


def messages(preview):
    return [problem.message for problem in preview.problems]


def test_a_csv_with_aliases_and_uk_dates_creates_objectives_with_everything(cast):
    data = csv_bytes(
        [
            [
                "Ref",
                "Title",
                "Lead",
                "Contributing teams",
                "Owner",
                "Due date",
                "Priority",
                "Status",
                "Stakeholders",
                "Expected outcome",
                "Depends on",
                "RAG",
            ],
            [
                "DIG-02",
                " Signage ",
                "nhs 111 ONLINE",
                "Ambulance flow: share handover data",
                "LEAD_A@example.nhs.uk",
                "31 March 2025",
                "H",
                "In progress",
                "ICBs",
                "Less waiting",
                "DIG-01",
                "A/G",
            ],
        ],
        encoding="utf-8-sig",
    )
    preview = plan_import.import_plan(data, plan_label="2024/25", user=cast.admin)
    assert preview.ok
    assert preview.summary == "1 created, 0 updated, 0 unchanged"
    objective = Objective.objects.get(plan=cast.plan, ref="DIG-02")
    assert (objective.title, objective.lead_team, objective.owner) == (
        "Signage",
        cast.team_a,
        cast.lead_a,
    )
    assert (objective.delivery_date, objective.priority, objective.state) == (
        dt.date(2025, 3, 31),
        1,
        "in_progress",
    )
    assert (objective.stakeholders, objective.expected_outcome, objective.is_shared) == (
        "ICBs",
        "Less waiting",
        True,
    )
    assert list(
        Contribution.objects.filter(objective=objective)
        .order_by("role")
        .values_list("team__name", "role", "commitment")
    ) == [
        ("Ambulance flow", "contributor", "share handover data"),
        ("NHS 111 online", "lead", ""),
    ]
    assert list(objective.dependencies.values_list("depends_on__ref", flat=True)) == ["DIG-01"]
    update = StatusUpdate.objects.get(contribution__objective=objective)
    assert (update.rating, update.period.month, update.author) == ("amber_green", 1, cast.admin)


def test_the_issues_example_names_sheet_row_column_value_and_what_is_expected(cast):
    rows = [HEADER + ["delivery_date"]]
    rows += [
        [f"DIG-{n:02d}", f"Objective {n}", "NHS 111 online", "31/03/2025"] for n in range(2, 14)
    ]
    rows.append(["DIG-14", "Objective 14", "NHS 111 online", "31/13/2025"])
    assert messages(preview_of(rows)) == [
        "Objectives row 14, delivery_date: '31/13/2025' is not a date; use 31/03/2025 or 2025-03-31"
    ]


def test_a_near_miss_team_name_gets_a_suggestion(cast):
    TeamFactory(name="Directory of Services", directorate=cast.directorate_a)
    rows = [
        HEADER + ["contributing_teams"],
        ["DIG-02", "Profiles", "Directory of Service", "Ambulance flw: x"],
    ]
    assert messages(preview_of(rows)) == [
        "Objectives row 2, lead_team: 'Directory of Service' — did you mean 'Directory of "
        "Services'?",
        "Objectives row 2, contributing_teams: 'Ambulance flw' — did you mean 'Ambulance flow'?",
    ]


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("ref", "", "Objectives row 2, ref: is empty; every objective needs a ref, e.g. DIG-07"),
        (
            "ref",
            "X" * 21,
            "Objectives row 2, ref: '" + "X" * 21 + "' is too long (21 characters); use at most 20",
        ),
        ("title", "  ", "Objectives row 2, title: is empty; every objective needs a title"),
        (
            "lead_team",
            "Finance",
            "Objectives row 2, lead_team: 'Finance' is not a team in this "
            "service; use a team name as listed on the template's Read me sheet",
        ),
        (
            "priority",
            "Urgent",
            "Objectives row 2, priority: 'Urgent' is not a priority; use High, "
            "Medium or Low (or 1, 2, 3)",
        ),
        (
            "state",
            "Nearly",
            "Objectives row 2, state: 'Nearly' is not a state; use Not started, "
            "In progress, Complete, Paused or Closed",
        ),
        (
            "initial_rating",
            "Purple",
            "Objectives row 2, initial_rating: 'Purple' is not a rating; "
            "use Green, Amber/Green, Amber, Amber/Red or Red (or G, AG, A, AR, R)",
        ),
        (
            "owner_email",
            "nobody@example.nhs.uk",
            "Objectives row 2, owner_email: "
            "'nobody@example.nhs.uk' is not the email address of anyone who uses this service; "
            "check the spelling or leave it empty",
        ),
        (
            "depends_on",
            "XYZ-01",
            "Objectives row 2, depends_on: 'XYZ-01' is not the ref of an "
            "objective in this file or in plan 2024/25",
        ),
        (
            "depends_on",
            "dig-02",
            "Objectives row 2, depends_on: 'dig-02' is this objective's own ref; leave it out",
        ),
        (
            "delivery_date",
            "soon",
            "Objectives row 2, delivery_date: 'soon' is not a date; use 31/03/2025 or 2025-03-31",
        ),
        (
            "contributing_teams",
            ": help",
            "Objectives row 2, contributing_teams: ': help' has a "
            "commitment with no team before the ':'; use 'Team name: commitment'",
        ),
    ],
)
def test_each_kind_of_bad_objective_value_is_refused_by_name(cast, column, value, message):
    row = {"ref": "DIG-02", "title": "Signage", "lead_team": "NHS 111 online", column: value}
    preview = preview_of([list(row), list(row.values())])
    assert messages(preview) == [message]
    assert preview.ok is False


@pytest.mark.parametrize(
    "sheet, header, values, message",
    [
        (
            "Milestones",
            ["objective_ref", "title", "due_date"],
            ["DIG-01", "Beta", "31/02/2025"],
            "Milestones row 2, due_date: '31/02/2025' is not a date; use 31/03/2025 or 2025-03-31",
        ),
        (
            "Milestones",
            ["objective_ref", "title", "due_date"],
            ["DIG-01", "Beta", ""],
            "Milestones row 2, due_date: is empty; every milestone needs a due date, e.g. "
            "30/09/2024",
        ),
        (
            "Milestones",
            ["objective_ref", "title", "due_date"],
            ["NOPE-1", "Beta", "30/09/2024"],
            "Milestones row 2, objective_ref: 'NOPE-1' is not the ref of an objective in this file "
            "or in plan 2024/25",
        ),
        (
            "Milestones",
            ["objective_ref", "title", "due_date", "team"],
            ["DIG-01", "Beta", "30/09/2024", "Finance"],
            "Milestones row 2, team: 'Finance' is not a team in this service; use a team name as "
            "listed on the template's Read me sheet",
        ),
        (
            "Measures",
            ["objective_ref", "name", "baseline"],
            ["DIG-01", "Calls", "lots"],
            "Measures row 2, baseline: 'lots' is not a number; use digits, e.g. 75 or 1250.5",
        ),
        (
            "Measures",
            ["objective_ref", "name", "direction"],
            ["DIG-01", "Calls", "sideways"],
            "Measures row 2, direction: 'sideways' is not a direction; use Higher is better, Lower "
            "is better or Neither",
        ),
        (
            "Measures",
            ["objective_ref", "name", "frequency"],
            ["DIG-01", "Calls", "daily"],
            "Measures row 2, frequency: 'daily' is not a frequency; use Weekly, Monthly or "
            "Quarterly",
        ),
        (
            "Measures",
            ["objective_ref", "name", "target_date"],
            ["DIG-01", "Calls", "Q4"],
            "Measures row 2, target_date: 'Q4' is not a date; use 31/03/2025 or 2025-03-31",
        ),
    ],
)
def test_each_kind_of_bad_milestone_or_measure_value_is_refused_by_name(
    cast, sheet, header, values, message
):
    preview = plan_import.build_preview(xlsx({sheet: [header, values]}), plan_label="2024/25")
    assert messages(preview) == [message]


def test_repeated_refs_and_milestone_titles_name_the_row_they_repeat(cast):
    data = xlsx(
        {
            "Objectives": [
                HEADER,
                ["DIG-05", "A", "NHS 111 online"],
                ["dig-05", "B", "NHS 111 online"],
            ],
            "Milestones": [
                ["objective_ref", "title", "due_date"],
                ["DIG-05", "Beta", "30/09/2024"],
                ["DIG-05", "Beta", "31/10/2024"],
            ],
        }
    )
    assert messages(plan_import.build_preview(data, plan_label="2024/25")) == [
        "Objectives row 3, ref: 'dig-05' is also used on row 2; each objective needs its own ref",
        "Milestones row 3, title: 'Beta' is also on row 2 for DIG-05; give each milestone of an "
        "objective its own title",
    ]


def test_a_formula_with_no_saved_result_is_a_problem_in_its_cell(cast):
    preview = preview_of([HEADER, ["DIG-02", "=A1&A2", "NHS 111 online"]])
    assert messages(preview) == [
        "Objectives row 2, title: '=A1&A2' is a formula with no saved result; open the file in "
        "Excel, save it and upload it again, or paste the values in place of the formulas"
    ]


def test_an_excel_error_value_is_a_problem(cast):
    preview = preview_of([HEADER, ["DIG-02", "#REF!", "NHS 111 online"]])
    assert messages(preview) == [
        "Objectives row 2, title: '#REF!' is an Excel error value; correct the formula or type "
        "the value"
    ]


def test_an_error_in_the_last_row_leaves_the_database_unchanged(cast):
    rows = [HEADER] + [[f"NEW-{n}", f"New {n}", "NHS 111 online"] for n in range(50)]
    rows.append(["NEW-50", "New 50", "Nobody at all"])
    before = (Objective.objects.count(), Contribution.objects.count(), Plan.objects.count())
    preview = plan_import.import_plan(xlsx({"Objectives": rows}), plan_label="2025/26")
    assert preview.ok is False
    assert len(preview.sheets["Objectives"].created) == 50
    assert (Objective.objects.count(), Contribution.objects.count(), Plan.objects.count()) == before
    with pytest.raises(plan_import.NotConfirmable):
        plan_import.apply(preview)
    assert Objective.objects.count() == before[0]


def test_a_database_error_part_way_through_leaves_nothing_behind(cast, monkeypatch):
    data = xlsx(
        {
            "Objectives": [HEADER, ["NEW-1", "New", "NHS 111 online"]],
            "Milestones": [["objective_ref", "title", "due_date"], ["NEW-1", "Beta", "30/09/2025"]],
        }
    )
    real = Milestone.objects.bulk_create

    def failing_bulk_create(objs, *args, **kwargs):
        raise IntegrityError("disk full")

    monkeypatch.setattr(Milestone.objects, "bulk_create", failing_bulk_create)
    before = (Objective.objects.count(), Contribution.objects.count(), Plan.objects.count())
    with pytest.raises(IntegrityError):
        plan_import.import_plan(data, plan_label="2025/26")
    assert (Objective.objects.count(), Contribution.objects.count(), Plan.objects.count()) == before
    assert real is not None


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cast):
    data = xlsx(
        {
            "Objectives": [
                HEADER + ["contributing_teams", "owner_email", "delivery_date", "depends_on"],
                [
                    "NEW-1",
                    "New",
                    "NHS 111 online",
                    "Ambulance flow: help",
                    "lead_a@example.nhs.uk",
                    "31/03/2025",
                    "DIG-01",
                ],
                ["DIG-01", "Renamed", "NHS 111 online", "", "", "", ""],
            ],
            "Milestones": [["objective_ref", "title", "due_date"], ["NEW-1", "Beta", "30/09/2024"]],
            "Measures": [["objective_ref", "name", "target"], ["NEW-1", "Calls", "75%"]],
        }
    )
    first = plan_import.import_plan(data, plan_label="2024/25")
    second = plan_import.import_plan(data, plan_label="2024/25")
    assert first.summary == "3 created, 1 updated, 0 unchanged"
    assert second.summary == "0 created, 0 updated, 4 unchanged"
    assert Objective.objects.filter(ref="NEW-1").count() == 1
    assert Milestone.objects.filter(objective__ref="NEW-1").count() == 1


def test_an_edited_file_updates_the_objective_matched_by_ref_and_records_the_change(cast):
    preview = plan_import.import_plan(
        xlsx(
            {
                "Objectives": [
                    HEADER + ["priority"],
                    ["DIG-01", "New title", "Ambulance flow", "Low"],
                ]
            }
        ),
        plan_label="2024/25",
        user=cast.admin,
    )
    change = preview.sheets["Objectives"].updated[0]
    assert change.changes == [
        ("title", cast.objective_a.title, "New title"),
        ("priority", "Medium", "Low"),
        ("lead_team", "NHS 111 online", "Ambulance flow"),
    ]
    objective = Objective.objects.get(pk=cast.objective_a.pk)
    assert (objective.title, objective.lead_team, objective.priority, objective.version) == (
        "New title",
        cast.team_b,
        3,
        2,
    )
    revision = ObjectiveRevision.objects.get(objective=objective)
    assert revision.changes == {
        "title": [cast.objective_a.title, "New title"],
        "priority": [2, 3],
    }
    assert revision.user == cast.admin


def test_objectives_missing_from_the_file_are_listed_and_kept(cast):
    preview = plan_import.import_plan(
        xlsx({"Objectives": [HEADER, ["DIG-01", cast.objective_a.title, "NHS 111 online"]]}),
        plan_label="2024/25",
    )
    assert preview.missing == [("OPS-01", cast.objective_b.title)]
    assert Objective.objects.filter(pk=cast.objective_b.pk).exists()


def test_a_column_left_out_keeps_what_the_plan_holds(cast):
    Objective.objects.filter(pk=cast.objective_a.pk).update(description="Kept", state="paused")
    preview = plan_import.import_plan(
        xlsx({"Objectives": [HEADER, ["DIG-01", cast.objective_a.title, "NHS 111 online"]]}),
        plan_label="2024/25",
    )
    assert preview.summary == "0 created, 0 updated, 1 unchanged"
    objective = Objective.objects.get(pk=cast.objective_a.pk)
    assert (objective.description, objective.state) == ("Kept", "paused")


def test_milestones_and_measures_are_matched_by_ref_and_title_or_name(cast):
    MilestoneFactory(objective=cast.objective_a, title="Beta", due_date=dt.date(2024, 9, 30))
    Measure.objects.create(objective=cast.objective_a, name="Calls", target_value=70)
    data = xlsx(
        {
            "Milestones": [
                ["objective_ref", "title", "due_date", "done_date"],
                ["DIG-01", "Beta", "30/09/2024", "28/09/2024"],
                ["DIG-01", "Live", "31/03/2025", ""],
            ],
            "Measures": [["objective_ref", "name", "target"], ["dig-01", "Calls", "80"]],
        }
    )
    preview = plan_import.import_plan(data, plan_label="2024/25")
    assert preview.summary == "1 created, 2 updated, 0 unchanged"
    assert preview.sheets["Milestones"].updated[0].changes == [
        ("done_date", "(empty)", "28/09/2024")
    ]
    assert sorted(
        Milestone.objects.filter(objective=cast.objective_a).values_list("title", "done_date")
    ) == [("Beta", dt.date(2024, 9, 28)), ("Live", None)]
    assert Measure.objects.get(objective=cast.objective_a).target_value == 80.0


def test_an_initial_rating_is_recorded_only_when_the_lead_team_has_none_for_the_first_month(cast):
    add_update(cast.objective_b, cast.team_b, 1, "amber")
    data = xlsx(
        {
            "Objectives": [
                HEADER + ["initial_rating"],
                ["DIG-01", cast.objective_a.title, "NHS 111 online", "Red"],
                ["OPS-01", cast.objective_b.title, "Ambulance flow", "Green"],
            ]
        }
    )
    preview = plan_import.import_plan(data, plan_label="2024/25", user=cast.director_a)
    assert preview.summary == "0 created, 1 updated, 1 unchanged"
    assert [w.message for w in preview.warnings] == [
        "Objectives row 3, initial_rating: 'Green' is not recorded: Ambulance flow already "
        "reported Amber for April 2024"
    ]
    update = StatusUpdate.objects.get(contribution__objective=cast.objective_a)
    assert (update.rating, update.period.month, update.author, update.going_well) == (
        "red",
        1,
        cast.director_a,
        writing.INITIAL_RATING_NOTE,
    )
    again = plan_import.import_plan(data, plan_label="2024/25", user=cast.director_a)
    assert again.summary == "0 created, 0 updated, 2 unchanged"
    assert StatusUpdate.objects.filter(contribution__objective=cast.objective_a).count() == 1


def test_an_initial_rating_needs_someone_to_record_it_as(cast):
    data = xlsx(
        {"Objectives": [HEADER + ["initial_rating"], ["NEW-1", "New", "NHS 111 online", "G"]]}
    )
    assert messages(plan_import.build_preview(data, plan_label="2024/25")) == [
        "Objectives row 2, initial_rating: 'Green' can't be recorded without a person to record "
        "it as; run import_plan with --user"
    ]


def test_dependencies_follow_the_file(cast):
    Dependency.objects.create(objective=cast.objective_a, depends_on=cast.objective_b)
    data = xlsx(
        {
            "Objectives": [
                HEADER + ["depends_on"],
                ["DIG-01", cast.objective_a.title, "NHS 111 online", "NEW-1"],
                ["NEW-1", "New", "Ambulance flow", "OPS-01"],
            ]
        }
    )
    plan_import.import_plan(data, plan_label="2024/25")
    assert sorted(Dependency.objects.values_list("objective__ref", "depends_on__ref")) == [
        ("DIG-01", "NEW-1"),
        ("NEW-1", "OPS-01"),
    ]


def test_a_new_plan_is_created_as_a_draft_with_its_twelve_months(cast):
    preview = plan_import.import_plan(
        xlsx({"Objectives": [HEADER, ["NEW-1", "New", "NHS 111 online"]]}), plan_label="2026/27"
    )
    plan = Plan.objects.get(label="2026/27")
    assert (plan.status, plan.start_date, plan.periods.count()) == (
        PlanStatus.DRAFT,
        dt.date(2026, 4, 1),
        12,
    )
    assert preview.plan == plan


@pytest.mark.parametrize(
    "label, refusal",
    [
        (
            "2024-26",
            "Plan: '2024-26' is not a financial year; use the form 2024/25 (2024-25, 24/25 and "
            "2024 to 2025 work too).",
        ),
        (
            "closed",
            "Plan 2023/24 is closed; nothing can be imported into it. An administrator "
            "can reopen it first.",
        ),
    ],
)
def test_a_bad_or_closed_plan_is_refused(cast, label, refusal):
    if label == "closed":
        Plan.objects.create(
            label="2023/24",
            start_date=dt.date(2023, 4, 1),
            end_date=dt.date(2024, 3, 31),
            status=PlanStatus.CLOSED,
        )
        label = "2023/24"
    preview = preview_of([HEADER, ["NEW-1", "New", "NHS 111 online"]], plan=label)
    assert (preview.ok, preview.refusal) == (False, refusal)


def test_the_preview_loads_a_fixed_number_of_queries_however_many_rows(cast):
    def queries(count):
        rows = [HEADER + ["owner_email", "contributing_teams"]]
        rows += [
            [f"N-{n}", f"New {n}", "NHS 111 online", "lead_a@example.nhs.uk", "Ambulance flow"]
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            plan_import.build_preview(xlsx({"Objectives": rows}), plan_label="2024/25")
        return len(captured)

    assert queries(1) == queries(40)


def test_models_are_not_saved_one_by_one_when_creating(cast, monkeypatch):
    saves = []
    real_save = Model.save

    def counting_save(self, *args, **kwargs):
        saves.append(type(self).__name__)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Model, "save", counting_save)
    rows = [HEADER] + [[f"N-{n}", f"New {n}", "NHS 111 online"] for n in range(30)]
    plan_import.import_plan(xlsx({"Objectives": rows}), plan_label="2024/25")
    assert saves == []


def test_rows_changing_different_columns_each_keep_their_other_values(cast):
    Objective.objects.filter(pk=cast.objective_a.pk).update(description="Keep A", priority=1)
    Objective.objects.filter(pk=cast.objective_b.pk).update(description="Keep B", priority=3)
    MilestoneFactory(objective=cast.objective_a, title="Beta", due_date=dt.date(2024, 9, 30))
    MilestoneFactory(objective=cast.objective_b, title="Beta", due_date=dt.date(2024, 9, 30))
    data = xlsx(
        {
            "Objectives": [
                HEADER + ["description", "priority"],
                ["DIG-01", "Changed title", "NHS 111 online", "Keep A", "High"],
                ["OPS-01", cast.objective_b.title, "Ambulance flow", "Keep B", "Medium"],
            ],
            "Milestones": [
                ["objective_ref", "title", "due_date", "done_date"],
                ["DIG-01", "Beta", "31/10/2024", ""],
                ["OPS-01", "Beta", "30/09/2024", "29/09/2024"],
            ],
        }
    )
    assert plan_import.import_plan(data, plan_label="2024/25").summary == (
        "0 created, 4 updated, 0 unchanged"
    )
    assert sorted(Objective.objects.values_list("ref", "title", "description", "priority")) == [
        ("DIG-01", "Changed title", "Keep A", 1),
        ("OPS-01", cast.objective_b.title, "Keep B", 2),
    ]
    assert sorted(Milestone.objects.values_list("objective__ref", "due_date", "done_date")) == [
        ("DIG-01", dt.date(2024, 10, 31), None),
        ("OPS-01", dt.date(2024, 9, 30), dt.date(2024, 9, 29)),
    ]


def test_a_team_that_reported_stays_involved_and_the_next_import_is_unchanged(cast):
    shared = ObjectiveFactory(
        plan=cast.plan, ref="SH-01", lead_team=cast.team_a, contributors=[cast.team_b]
    )
    add_update(shared, cast.team_b, 2, "green")
    data = xlsx(
        {"Objectives": [HEADER + ["contributing_teams"], ["SH-01", shared.title, "NHS 111 online"]]}
    )
    first = plan_import.import_plan(data, plan_label="2024/25")
    assert first.summary == "0 created, 0 updated, 1 unchanged"
    assert [w.message for w in first.warnings] == [
        "Objectives row 2, contributing_teams: 'Ambulance flow' is left out but stays involved: "
        "it has reported on this objective, and its updates are kept"
    ]
    assert Contribution.objects.filter(objective=shared, team=cast.team_b).exists()


def test_a_new_lead_team_gets_the_initial_rating_in_the_same_import(cast):
    data = xlsx(
        {
            "Objectives": [
                HEADER + ["initial_rating"],
                ["DIG-01", cast.objective_a.title, "Ambulance flow", "G"],
            ]
        }
    )
    first = plan_import.import_plan(data, plan_label="2024/25", user=cast.admin)
    again = plan_import.import_plan(data, plan_label="2024/25", user=cast.admin)
    assert first.sheets["Objectives"].updated[0].changes == [
        ("lead_team", "NHS 111 online", "Ambulance flow"),
        ("initial_rating", "Not reported", "Green"),
    ]
    assert again.summary == "0 created, 0 updated, 1 unchanged"
    update = StatusUpdate.objects.get(contribution__objective=cast.objective_a)
    assert (update.contribution.team, update.rating) == (cast.team_b, "green")
