"""Entering readings (one, pasted, CSV), every bad-row message, rebasing, and who may do it."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from objectives.forms.readings import parse_date, parse_table, parse_value
from objectives.models import Reading
from tests.factories import MeasureFactory, ReadingFactory

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {
    "objectives:measure",
    "objectives:add_readings",
    "objectives:measure_rebase",
}

TODAY = dt.date(2024, 11, 15)


@pytest.fixture(autouse=True)
def today(settings):
    settings.TODAY = TODAY  # objectives.clock reads it
    return TODAY


@pytest.fixture
def measure(cast):
    return MeasureFactory(
        objective=cast.objective_a, name="Callers taking up the first service", unit="%"
    )


def url(name, measure):
    return reverse(f"objectives:{name}", args=[measure.pk])


def readings(measure):
    return [(r.date, r.value, r.note) for r in measure.readings.order_by("date")]


def paste(client, measure, text, **extra):
    data = {"mode": "paste", "paste-text": text, **extra}
    return client.post(url("add_readings", measure), data)


def field_errors(response, form="paste", field="text"):
    return response.context["panel"].forms[form].errors.get(field, [])


# --- One at a time ------------------------------------------------------------------------------


def test_a_team_member_enters_one_reading_and_goes_back_to_the_objective(cast, client_for, measure):
    client = client_for(cast.member_a)
    response = client.post(
        url("add_readings", measure),
        {
            "mode": "single",
            "single-date": "30/06/2024",
            "single-value": "61.5",
            "single-note": "New triage script",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("objectives:detail", args=[cast.objective_a.pk]) + f"#measure-{measure.pk}"
    )
    assert readings(measure) == [(dt.date(2024, 6, 30), 61.5, "New triage script")]
    assert measure.readings.get().entered_by == cast.member_a
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Callers taking up the first service: Saved 1 reading."
    ]


def test_a_reading_entered_on_the_measure_page_goes_back_to_the_measure_page(
    cast, client_for, measure
):
    response = client_for(cast.lead_a).post(
        url("add_readings", measure),
        {
            "mode": "single",
            "single-date": "2024-06-30",
            "single-value": "61",
            "return_to": "measure",
        },
    )
    assert response["Location"] == url("measure", measure)


@pytest.mark.parametrize(
    ("date", "value", "field", "message"),
    [
        (
            "",
            "61",
            "date",
            "Enter the date of the reading – use day/month/year, like 30/06/2024, or 2024-06-30.",
        ),
        ("30/06/2024", "", "value", "Enter the value of the reading, like 61.5."),
        (
            "31/06/2024",
            "61",
            "date",
            "'31/06/2024' is not a date – use day/month/year, like 30/06/2024, or 2024-06-30.",
        ),
        (
            "30/06/2024",
            "12,5x",
            "value",
            "'12,5x' is not a number – use digits with a decimal point, like 61.5.",
        ),
        (
            "30/06/2024",
            "inf",
            "value",
            "'inf' is not a number – use digits with a decimal point, like 61.5.",
        ),
        (
            "16/11/2024",
            "61",
            "date",
            "2024-11-16 is in the future – readings can be entered up to today, 15 November 2024.",
        ),
    ],
)
def test_one_reading_with_a_problem_is_refused_next_to_its_field(
    cast, client_for, measure, date, value, field, message
):
    response = client_for(cast.lead_a).post(
        url("add_readings", measure),
        {"mode": "single", "single-date": date, "single-value": value},
    )
    assert response.status_code == 200
    assert field_errors(response, "single", field) == [message]
    assert readings(measure) == []
    html = response.content.decode()
    assert "There is a problem: nothing was saved" in html
    assert f'href="#m{measure.pk}-single-{field}"' in html


def test_a_date_already_recorded_is_refused_unless_replace_is_ticked(cast, client_for, measure):
    ReadingFactory(measure=measure, date=dt.date(2024, 6, 30), value=58.0, note="old")
    client = client_for(cast.lead_a)
    data = {"mode": "single", "single-date": "30/06/2024", "single-value": "61.5"}

    refused = client.post(url("add_readings", measure), data)
    assert field_errors(refused, "single", "date") == [
        "2024-06-30 is already recorded as 58% – tick ‘Replace existing readings’ to change it."
    ]

    replaced = client.post(url("add_readings", measure), {**data, "single-replace": "on"})
    assert replaced.status_code == 302
    assert readings(measure) == [(dt.date(2024, 6, 30), 61.5, "")]
    assert measure.readings.get().entered_by == cast.lead_a


# --- Pasted -------------------------------------------------------------------------------------


def test_pasted_tab_separated_readings_with_a_header_row_are_all_saved(cast, client_for, measure):
    text = (
        "Month end\tUptake %\n30/04/2024\t61.2\n31/05/2024\t62.0\t new script \n\n2024-06-30\t63%\n"
    )
    response = paste(client_for(cast.lead_a), measure, text)
    assert response.status_code == 302
    assert readings(measure) == [
        (dt.date(2024, 4, 30), 61.2, ""),
        (dt.date(2024, 5, 31), 62.0, "new script"),
        (dt.date(2024, 6, 30), 63.0, ""),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2024-04-30,61.2\n2024-05-31,62",
        "30/04/2024;61.2\r\n31/05/2024;62",
        "30-04-24, 61.2\n31 May 2024, 62",
        "date,value\n30 Apr 2024,61.2\n31.05.2024,+62.0",
    ],
)
def test_pasted_readings_may_use_commas_semicolons_and_uk_or_iso_dates(
    cast, client_for, measure, text
):
    paste(client_for(cast.lead_a), measure, text)
    assert readings(measure) == [(dt.date(2024, 4, 30), 61.2, ""), (dt.date(2024, 5, 31), 62.0, "")]


def test_readings_may_predate_the_plan_as_baselines(cast, client_for, measure):
    paste(client_for(cast.lead_a), measure, "2019-04-30\t55")
    assert readings(measure) == [(dt.date(2019, 4, 30), 55.0, "")]


BAD_PASTES = [
    (
        "30/04/2024\t61\n31/05/2024\t62\n30/06/2024\t63\n31/07/2024\t12,5x",
        ["Line 4: '12,5x' is not a number – use digits with a decimal point, like 61.5."],
    ),
    (
        "2024-06-30\t61\n2024-07-31\t62\n30/06/2024\t63",
        ["Line 3: 2024-06-30 is also on line 1; enter each date once."],
    ),
    (
        "06/30/2024\t61",
        [
            "Line 1: '06/30/2024' is not a date – use day/month/year, like 30/06/2024, or "
            "2024-06-30."
        ],
    ),
    (
        "30/06/2024\tnan\n31/07/2024\t-inf\n31/08/2024\t1e999",
        [
            "Line 1: 'nan' is not a number – use digits with a decimal point, like 61.5.",
            "Line 2: '-inf' is not a number – use digits with a decimal point, like 61.5.",
            "Line 3: '1e999' is too large to be a reading.",
        ],
    ),
    (
        "30/06/2024\t\n\t61",
        [
            "Line 1: expected a date and a value separated by a tab, comma or semicolon; "
            "found only '30/06/2024'.",
            "Line 2: there is no date – use day/month/year, like 30/06/2024, or 2024-06-30.",
        ],
    ),
    (
        "30/06/2024\t61\ta note\textra",
        ["Line 1: expected 2 columns (date, value) or 3 (date, value, note); found 4."],
    ),
    (
        "2024-06-30,1,234",
        [
            "Line 1: is '1,234' one number? Write it without the comma (1234), or separate "
            "the columns with tabs."
        ],
    ),
    (
        "30/11/2024\t61\n2013-06-30\t50",
        [
            "Line 1: 2024-11-30 is in the future – readings can be entered up to today, "
            "15 November 2024.",
            "Line 2: 2013-06-30 is more than 10 years before the plan starts (1 April 2024) – "
            "check the year.",
        ],
    ),
    (
        "Date\tValue\n",
        [
            "Line 1: this looks like column names, and there are no readings after it – enter "
            "a date, then a value."
        ],
    ),
    (
        f"30/06/2024\t61\t{'x' * 251}",
        ["Line 1: the note is 251 characters; keep it to 250."],
    ),
    ("30/06/2024\t50%", []),  # a per cent sign is fine for a measure in %
]


@pytest.mark.parametrize(("text", "messages"), BAD_PASTES)
def test_every_bad_pasted_line_is_reported_by_number_and_nothing_is_saved(
    cast, client_for, measure, text, messages
):
    response = paste(client_for(cast.lead_a), measure, text)
    if not messages:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert field_errors(response) == messages
    assert readings(measure) == []


def test_a_line_already_recorded_is_named_with_its_value_and_nothing_is_saved(
    cast, client_for, measure
):
    ReadingFactory(measure=measure, date=dt.date(2024, 6, 30), value=61.25)
    text = "\n".join(
        ["date,value", "2024-03-31,60", "2024-04-30,61", "2024-05-31,62", "2024-06-01,60"]
        + ["2024-06-02,60", "2024-06-30,63"]
    )
    response = paste(client_for(cast.lead_a), measure, text)
    assert field_errors(response) == [
        "Line 7: 2024-06-30 is already recorded as 61.2% – tick ‘Replace existing readings’ "
        "to change it."
    ]
    assert Reading.objects.filter(measure=measure).count() == 1


def test_replacing_pasted_readings_updates_those_recorded_and_adds_the_rest(
    cast, client_for, measure
):
    ReadingFactory(measure=measure, date=dt.date(2024, 6, 30), value=58.0, note="typo")
    client = client_for(cast.director_a)
    response = paste(
        client,
        measure,
        "2024-06-30\t61\tcorrected\n2024-07-31\t62",
        **{"paste-replace": "on"},
    )
    assert response.status_code == 302
    assert readings(measure) == [
        (dt.date(2024, 6, 30), 61.0, "corrected"),
        (dt.date(2024, 7, 31), 62.0, ""),
    ]
    assert {r.entered_by for r in measure.readings.all()} == {cast.director_a}
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Callers taking up the first service: Saved 1 reading and replaced 1 reading."
    ]


def test_the_bad_paste_is_shown_again_so_it_can_be_corrected(cast, client_for, measure):
    text = "30/06/2024\t61\n31/07/2024\t6x"
    html = paste(client_for(cast.lead_a), measure, text).content.decode()
    assert "30/06/2024\t61\n31/07/2024\t6x</textarea>" in html
    assert "<title>Error: Callers taking up the first service" in html


# --- CSV ----------------------------------------------------------------------------------------


def upload(client, measure, content: bytes, name="readings.csv", **extra):
    return client.post(
        url("add_readings", measure),
        {"mode": "csv", "csv-file": SimpleUploadedFile(name, content), **extra},
    )


def test_a_csv_file_from_excel_is_saved_with_its_notes(cast, client_for, measure):
    content = '\ufeffDate,Value,Note\r\n30/04/2024,61.2,\r\n31/05/2024,"1,062","Big, odd"\r\n'
    response = upload(client_for(cast.lead_a), measure, content.encode("utf-8"))
    assert response.status_code == 302
    assert readings(measure) == [
        (dt.date(2024, 4, 30), 61.2, ""),
        (dt.date(2024, 5, 31), 1062.0, "Big, odd"),
    ]


def test_a_windows_csv_file_is_read(cast, client_for, measure):
    content = "30/04/2024;61,2\n".replace(",2", ".2") + "31/05/2024;62;caf\xe9 closed\n"
    upload(client_for(cast.lead_a), measure, content.encode("cp1252"))
    assert readings(measure) == [
        (dt.date(2024, 4, 30), 61.2, ""),
        (dt.date(2024, 5, 31), 62.0, "café closed"),
    ]


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        (
            b"date,value\n2024-04-30,61\n2024-05-31,abc\n",
            ["Line 3: 'abc' is not a number – use digits with a decimal point, like 61.5."],
        ),
        (
            b"PK\x03\x04rest-of-a-workbook",
            [
                "This is an Excel workbook, not a CSV file: in Excel choose File, Save a copy, "
                "CSV UTF-8, and upload that."
            ],
        ),
        (
            b"",
            ["The file is empty: choose a CSV file with a date and a value on each line."],
        ),
        (
            b"2024-04-30,61\n" * 1 + b"x" * 1_000_001,
            ["The file is 1.0 MB; upload at most 1 MB."],
        ),
    ],
)
def test_a_bad_csv_file_is_refused_saying_why(cast, client_for, measure, content, messages):
    response = upload(client_for(cast.lead_a), measure, content)
    assert response.status_code == 200
    assert field_errors(response, "csv", "file") == messages
    assert readings(measure) == []


def test_no_file_is_refused(cast, client_for, measure):
    response = client_for(cast.lead_a).post(url("add_readings", measure), {"mode": "csv"})
    assert field_errors(response, "csv", "file") == ["Choose a CSV file to upload."]


# --- htmx ---------------------------------------------------------------------------------------


def test_with_htmx_the_panel_swaps_in_place_with_what_was_saved(cast, client_for, measure):
    response = client_for(cast.lead_a).post(
        url("add_readings", measure),
        {"mode": "paste", "paste-text": "2024-05-31\t60\n2024-06-30\t61", "return_to": "detail"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["Vary"] == "HX-Request, Cookie"
    html = response.content.decode()
    assert "<html" not in html
    assert "Saved 2 readings." in html
    assert 'value="detail"' in html  # the panel stays the objective page's panel
    assert response.context["panel"].summary.reading_count == 2


def test_with_htmx_problems_come_back_in_the_panel(cast, client_for, measure):
    response = client_for(cast.lead_a).post(
        url("add_readings", measure),
        {"mode": "paste", "paste-text": "2024-05-31\tx"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Line 1: &#x27;x&#x27; is not a number" in html
    assert readings(measure) == []


def test_an_unknown_way_of_entering_readings_is_a_bad_request(cast, client_for, measure):
    response = client_for(cast.lead_a).post(url("add_readings", measure), {"mode": "fax"})
    assert response.status_code == 400


# --- Rebase -------------------------------------------------------------------------------------


@pytest.fixture
def measure_with_readings(measure):
    for month in range(1, 13):
        ReadingFactory(measure=measure, date=dt.date(2024, month, 1) - dt.timedelta(days=1))
    return measure


def test_the_responsible_team_adds_and_removes_a_rebase_date(
    cast, client_for, measure_with_readings
):
    measure = measure_with_readings
    client = client_for(cast.member_a)
    added = client.post(url("measure_rebase", measure), {"date": "01/07/2024"})
    assert added["Location"] == url("measure", measure)
    measure.refresh_from_db()
    assert measure.rebase_dates == ["2024-07-01"]
    page = client.get(added["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Callers taking up the first service: The limits are now recalculated from 1 July 2024."
    ]
    assert [phase.start for phase in page.context["panel"].analysis.phases] == [0, 7]

    client.post(url("measure_rebase", measure), {"remove": "2024-07-01"})
    measure.refresh_from_db()
    assert measure.rebase_dates == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"date": ""},
            "Enter the date to recalculate the limits from – use day/month/year, "
            "like 30/06/2024, or 2024-06-30.",
        ),
        (
            {"date": "soon"},
            "'soon' is not a date – use day/month/year, like 30/06/2024, or 2024-06-30.",
        ),
        (
            {"date": "2023-12-31"},
            "Choose a date after the first reading, 31 December 2023: "
            "limits are recalculated from a date with readings before it.",
        ),
        (
            {"date": "2025-01-01"},
            "2025-01-01 is in the future – choose a date up to today, 15 November 2024.",
        ),
    ],
)
def test_a_bad_rebase_date_is_refused_saying_why(
    cast, client_for, measure_with_readings, data, message
):
    response = client_for(cast.lead_a).post(url("measure_rebase", measure_with_readings), data)
    assert response.status_code == 200
    assert response.context["panel"].rebase_form.errors["date"] == [message]
    measure_with_readings.refresh_from_db()
    assert measure_with_readings.rebase_dates == []


def test_removing_a_rebase_date_that_is_not_there_is_refused(
    cast, client_for, measure_with_readings
):
    response = client_for(cast.lead_a).post(
        url("measure_rebase", measure_with_readings), {"remove": "2024-07-01"}
    )
    assert response.context["panel"].rebase_form.errors["remove"] == [
        "2024-07-01 is not a rebase date of this measure, so there is nothing to remove."
    ]


# --- Permissions --------------------------------------------------------------------------------

# Readings are for the responsible team (here the lead team, NHS 111 online), directors who
# oversee the objective and admins; everyone signed in may read the measure page.
CAN_ENTER = {
    "lead_a": True,
    "member_a": True,
    "director_a": True,
    "org_director": True,
    "admin": True,
    "lead_b": False,
    "director_elsewhere": False,
    "outsider": False,
}


@pytest.mark.parametrize(("who", "allowed"), CAN_ENTER.items())
def test_only_the_responsible_team_directors_and_admins_enter_readings(
    cast, client_for, measure, who, allowed
):
    client = client_for(cast.users()[who])
    page = client.get(url("measure", measure))
    form_page = client.get(url("add_readings", measure))
    post = paste(client, measure, "2024-06-30\t61")
    rebase = client.post(url("measure_rebase", measure), {"date": "2024-07-01"})

    assert page.status_code == 200
    assert page.context["panel"].can_enter is allowed
    assert ("Add or correct readings" in page.content.decode()) is allowed
    assert form_page.status_code == (200 if allowed else 403)
    assert post.status_code == (302 if allowed else 403)
    assert rebase.status_code == (302 if allowed else 403)
    assert len(readings(measure)) == (1 if allowed else 0)


def test_a_measure_of_another_teams_objective_is_refused(cast, client_for):
    theirs = MeasureFactory(objective=cast.objective_b)
    client = client_for(cast.lead_a)
    assert client.get(url("add_readings", theirs)).status_code == 403
    assert paste(client, theirs, "2024-06-30\t61").status_code == 403
    assert client.post(url("measure_rebase", theirs), {"date": "2024-07-01"}).status_code == 403
    assert readings(theirs) == []


def test_a_measure_another_team_is_responsible_for_is_theirs_to_enter(cast, client_for):
    measure = MeasureFactory(objective=cast.objective_a, team=cast.team_b)
    assert paste(client_for(cast.lead_a), measure, "2024-06-30\t61").status_code == 403
    assert paste(client_for(cast.lead_b), measure, "2024-06-30\t61").status_code == 302


@pytest.mark.parametrize("name", ["measure", "add_readings", "measure_rebase"])
def test_signed_out_people_are_sent_to_sign_in(cast, client_for, measure, name):
    response = client_for(cast.anonymous).get(url(name, measure))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_missing_measure_is_not_found(cast, client_for):
    client = client_for(cast.lead_a)
    assert client.get(reverse("objectives:measure", args=[999_999])).status_code == 404
    assert client.post(reverse("objectives:add_readings", args=[999_999])).status_code == 404


def test_rebase_only_accepts_posts(cast, client_for, measure):
    assert client_for(cast.lead_a).get(url("measure_rebase", measure)).status_code == 405


# --- Parsing, and no 500 whatever is pasted ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-30", dt.date(2024, 6, 30)),
        ("2024-06-30 00:00:00", dt.date(2024, 6, 30)),
        ("2024-06-30T00:00:00Z", dt.date(2024, 6, 30)),
        ("30/06/2024", dt.date(2024, 6, 30)),
        ("1/7/2024", dt.date(2024, 7, 1)),
        ("30-06-24", dt.date(2024, 6, 30)),
        ("30.06.2024", dt.date(2024, 6, 30)),
        ("30 June 2024", dt.date(2024, 6, 30)),
        ("1st Sept 2024", dt.date(2024, 9, 1)),
        ("30-Jun-2024", dt.date(2024, 6, 30)),
        ("06/30/2024", None),
        ("30/06-2024", None),
        ("June 2024", None),
        ("29/02/2023", None),
        ("", None),
    ],
)
def test_dates_are_read_the_uk_way_or_iso(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("61.5", "", 61.5),
        (" -3 ", "", -3.0),
        ("\u22123", "", -3.0),
        ("1,234.5", "", 1234.5),
        (".5", "", 0.5),
        ("1.2E+05", "", 120000.0),
        ("61%", "%", 61.0),
        ("61%", "days", "'61%' is not a number – use digits with a decimal point, like 61.5"),
        ("12,5", "", "'12,5' is not a number – use digits with a decimal point, like 61.5"),
        ("NaN", "", "'NaN' is not a number – use digits with a decimal point, like 61.5"),
        ("1e309", "", "'1e309' is too large to be a reading"),
    ],
)
def test_values_are_plain_numbers(text, unit, expected):
    assert parse_value(text, unit=unit) == expected


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parsing_any_text_never_raises(text):
    rows, problems = parse_table(text, unit="%")
    assert all(problem.line >= 1 for problem in problems)
    assert bool(rows) or bool(problems)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(["2024-06-30", "30/06/2024", "61.5", "\t", ",", ";", '"', "\n"]),
        ),
        max_size=12,
    ).map("".join)
)
def test_no_pasted_text_gives_a_server_error(cast, client, measure, text):
    client.force_login(cast.lead_a)
    response = client.post(url("add_readings", measure), {"mode": "paste", "paste-text": text})
    assert response.status_code in (200, 302)


def test_with_htmx_a_rebase_swaps_the_panel_in_place(cast, client_for, measure_with_readings):
    response = client_for(cast.lead_a).post(
        url("measure_rebase", measure_with_readings),
        {"date": "2024-07-01"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "The limits are now recalculated from 1 July 2024." in html
    assert "Limits recalculated from <strong>1 July 2024</strong>" in html


def test_the_measure_page_costs_the_same_queries_for_few_or_many_readings(
    cast, client_for, measure
):
    client = client_for(cast.director_a)
    ReadingFactory(measure=measure, date=dt.date(2024, 1, 31))
    client.get(url("measure", measure))  # warm up
    with CaptureQueriesContext(connection) as few:
        client.get(url("measure", measure))
    for month in range(2, 11):
        ReadingFactory(
            measure=measure,
            date=dt.date(2024, month + 1, 1) - dt.timedelta(days=1),
            entered_by=cast.lead_a,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("measure", measure))
    assert response.context["panel"].summary.reading_count == 10
    assert len(many) == len(few)
