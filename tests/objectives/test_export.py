"""Exporting the filtered objectives list as CSV and XLSX: contents, neutralised cells."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from objectives.export import HEADER, neutralise
from objectives.models import Actor, Priority, State
from tests.factories import ObjectiveFactory, TeamFactory, UserFactory, add_update

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"objectives:export"}

EXPORT = "/objectives/export/"


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def shared(cast):
    owner = UserFactory(username="owner", first_name="Olu", last_name="Owens")
    objective = ObjectiveFactory(
        plan=cast.plan,
        ref="DIG-02",
        title="Shared records",
        description="Records that follow the patient",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        owner=owner,
        state=State.IN_PROGRESS,
        priority=Priority.HIGH,
        delivery_date=dt.date(2025, 3, 31),
    )
    add_update(objective, cast.team_a, 1, "green")
    add_update(objective, cast.team_b, 1, "amber_red")
    return objective


# --- Contents -----------------------------------------------------------------------------------


def test_the_csv_holds_the_filtered_objectives_with_every_teams_view(cast, client_for, shared):
    response = client_for(cast.outsider).get(EXPORT, {"format": "csv", "shared": "on"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="objectives-2024-25.csv"'
    assert csv_rows(response) == [
        HEADER,
        [
            "DIG-02",
            "Shared records",
            "2024/25",
            "NHS 111 online",
            "Digital",
            "Ambulance flow",
            "Olu Owens",
            "In progress",
            "High",
            "2025-03-31",
            "Yes",
            "Amber/Red",
            "NHS 111 online: Green; Ambulance flow: Amber/Red",
            "Records that follow the patient",
        ],
    ]


def test_the_xlsx_holds_the_same_rows_with_real_dates(cast, client_for, shared):
    response = client_for(cast.outsider).get(EXPORT, {"format": "xlsx", "shared": "on"})

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="objectives-2024-25.xlsx"'
    assert xlsx_rows(response) == [
        HEADER,
        [
            "DIG-02",
            "Shared records",
            "2024/25",
            "NHS 111 online",
            "Digital",
            "Ambulance flow",
            "Olu Owens",
            "In progress",
            "High",
            dt.datetime(2025, 3, 31),
            "Yes",
            "Amber/Red",
            "NHS 111 online: Green; Ambulance flow: Amber/Red",
            "Records that follow the patient",
        ],
    ]


def test_without_filters_the_export_holds_the_default_plan_in_ref_order(cast, client_for, shared):
    rows = csv_rows(client_for(cast.outsider).get(EXPORT, {"format": "csv"}))

    assert [row[0] for row in rows] == ["Ref", "DIG-01", "DIG-02", "OPS-01"]
    assert rows[1][11] == "Not reported"
    assert rows[1][6] == ""  # no owner


def test_csv_is_the_default_format(cast, client_for):
    response = client_for(cast.outsider).get(EXPORT)

    assert [row[0] for row in csv_rows(response)] == ["Ref", "DIG-01", "OPS-01"]


# --- Formula injection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("Plain text", "Plain text"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (3, 3),
        (dt.date(2025, 3, 31), dt.date(2025, 3, 31)),
    ],
)
def test_neutralise_prefixes_anything_a_spreadsheet_would_run(value, expected):
    assert neutralise(value) == expected


@pytest.fixture
def hostile(cast):
    team = TeamFactory(name="-Team minus", directorate=cast.directorate_a)
    objective = ObjectiveFactory(
        plan=cast.plan,
        ref="EVIL-01",
        title='=HYPERLINK("http://example.com","click")',
        description="@SUM(1+1)",
        lead_team=team,
    )
    Actor.objects.create(objective=objective, kind="other", description="=not exported")
    return objective


def test_csv_cells_that_look_like_formulas_are_neutralised(cast, client_for, hostile):
    rows = csv_rows(client_for(cast.outsider).get(EXPORT, {"format": "csv", "q": "EVIL"}))

    assert rows[1][1] == '\'=HYPERLINK("http://example.com","click")'
    assert rows[1][3] == "'-Team minus"
    assert rows[1][12] == "'-Team minus: Not reported"
    assert rows[1][13] == "'@SUM(1+1)"


def test_xlsx_cells_that_look_like_formulas_are_text_not_formulas(cast, client_for, hostile):
    response = client_for(cast.outsider).get(EXPORT, {"format": "xlsx", "q": "EVIL"})
    sheet = load_workbook(io.BytesIO(response.content)).active

    row = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert [cell.data_type for cell in row if cell.data_type == "f"] == []
    assert row[1].value == '\'=HYPERLINK("http://example.com","click")'
    assert row[3].value == "'-Team minus"
    assert row[13].value == "'@SUM(1+1)"


# --- Bad input ----------------------------------------------------------------------------------


def test_an_unknown_format_is_refused_with_a_clear_message(cast, client_for):
    response = client_for(cast.outsider).get(EXPORT, {"format": "pdf"})

    assert response.status_code == 400
    assert response.content.decode() == "Unknown export format 'pdf': use csv or xlsx."


def test_unknown_filter_values_send_the_user_to_the_list_that_explains_them(cast, client_for):
    response = client_for(cast.outsider).get(EXPORT, {"format": "csv", "team": "999999"})

    assert response.status_code == 302
    assert response["Location"] == "/objectives/?team=999999"


# --- Permissions and query counts ---------------------------------------------------------------


def test_signing_in_is_required(cast, client):
    response = client.get(EXPORT, {"format": "csv"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/objectives/export/%3Fformat%3Dcsv"


@pytest.mark.parametrize(
    "name",
    ["lead_a", "member_a", "director_a", "director_elsewhere", "org_director", "admin", "outsider"],
)
def test_every_signed_in_person_may_export(cast, client_for, name):
    response = client_for(cast.users()[name]).get(EXPORT, {"format": "csv"})

    assert [row[0] for row in csv_rows(response)] == ["Ref", "DIG-01", "OPS-01"]


@pytest.mark.parametrize("count", [1, 30])
def test_the_export_reads_the_objectives_in_one_query_plus_one_for_their_teams(
    cast, client_for, django_assert_max_num_queries, count
):
    for n in range(count):
        teams = [TeamFactory() for _ in range(n % 3)]
        objective = ObjectiveFactory(
            plan=cast.plan, ref=f"Q-{n:02d}", lead_team=cast.team_a, contributors=teams
        )
        add_update(objective, cast.team_a, 1, "amber")
    client = client_for(cast.outsider)

    # 2 for the filter's choices (plans, teams), 1 for the objectives, 1 for their teams and
    # current views, and 5 for the session and the user.
    with django_assert_max_num_queries(9):
        rows = csv_rows(client.get(EXPORT, {"format": "csv"}))
    with django_assert_max_num_queries(9):
        client.get(EXPORT, {"format": "xlsx"})

    assert len(rows) == count + 3
