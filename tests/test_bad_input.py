"""Bad input everywhere: nothing a person can type or upload produces a 500, and whatever is
stored comes back safely — escaped in HTML, as inert text in CSV and XLSX, as plain text in PDF.

Property-based (hypothesis): every field of the forms people type into gets arbitrary Unicode
(control characters, NUL, right-to-left marks, emoji), markup, template syntax, formula starts,
very long text and wrong types. The test client re-raises any exception a view lets escape, so a
500 fails the test with its traceback.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import MeasureFactory, period

pytestmark = pytest.mark.django_db

NOVEMBER = 8

MARKUP = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "{{ request.user.password }}{% debug %}",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "'; DROP TABLE objectives_objective; --",
    "<b>unclosed & <i>nested</b>",
    "\u202etxt.exe",  # right-to-left override
    "\x00\x01\x0b\x1f\x7f",
    "line one\r\nline two\rline three",
    "🙂 é ß 中文 العربية",
    "   ",
    "",
]

hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(MARKUP),
    st.builds(lambda chunk, times: chunk * times, st.sampled_from(MARKUP[:4]), st.integers(1, 400)),
    st.text(min_size=3900, max_size=4100, alphabet=st.characters(codec="utf-8")),
)
some_choice = st.one_of(st.text(max_size=20), st.integers(-5, 10**9).map(str))

# BAD_INPUT_EXAMPLES=500 for a deeper search than the suite's everyday one.
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

OK = {200, 302, 400, 403, 404, 409, 422}


@pytest.fixture(autouse=True)
def pinned_today(settings):
    settings.TODAY = dt.date(2024, 11, 15)


# --- Status update ------------------------------------------------------------------------------


@pytest.fixture
def shared(cast):
    """An objective team A leads and team B contributes to, so the form offers an ask box."""
    from tests.factories import ObjectiveFactory

    return ObjectiveFactory(
        plan=cast.plan, ref="SHR-09", lead_team=cast.team_a, contributors=[cast.team_b]
    )


@SETTINGS
@given(
    rating=st.one_of(st.sampled_from(["green", "amber", "red", "amber_red"]), some_choice),
    use_real_period=st.booleans(),
    period_text=some_choice,
    going_well=hostile_text,
    not_going_well=hostile_text,
    risks=hostile_text,
    ask_key=st.one_of(st.just("the other team"), some_choice),
    ask_text=hostile_text,
    htmx=st.booleans(),
)
def test_no_status_update_input_causes_a_server_error(
    cast,
    client_for,
    shared,
    rating,
    use_real_period,
    period_text,
    going_well,
    not_going_well,
    risks,
    ask_key,
    ask_text,
    htmx,
):
    client = client_for(cast.lead_a)
    data = {
        "period": period(cast.plan, NOVEMBER).pk if use_real_period else period_text,
        "rating": rating,
        "going_well": going_well,
        "not_going_well": not_going_well,
        "risks": risks,
        # An ask of the other team involved, or a box of a name no form offers.
        f"ask_{cast.team_b.pk if ask_key == 'the other team' else ask_key}": ask_text,
    }
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(
        reverse("objectives:update_status", args=[shared.pk, cast.team_a.pk]),
        data,
        headers=headers,
    )

    assert response.status_code in OK


# --- Readings -----------------------------------------------------------------------------------


@pytest.fixture
def measure(cast):
    return MeasureFactory(objective=cast.objective_a, name="Calls answered", unit="%")


@SETTINGS
@given(
    mode=st.one_of(st.sampled_from(["single", "paste", "csv"]), some_choice),
    date=st.one_of(st.sampled_from(["30/06/2024", "2024-06-30", "31/02/2024"]), hostile_text),
    value=st.one_of(st.sampled_from(["61.5", "1,234", "NaN", "1e309", "-0"]), hostile_text),
    note=hostile_text,
    text=st.one_of(
        hostile_text,
        st.lists(
            st.tuples(st.sampled_from(["30/06/2024", "2024-07-31", "x"]), hostile_text),
            max_size=30,
        ).map(lambda rows: "\n".join(f"{d}\t{v}" for d, v in rows)),
    ),
    file_bytes=st.one_of(st.binary(max_size=2000), hostile_text.map(str.encode)),
    replace=st.booleans(),
    htmx=st.booleans(),
)
def test_no_readings_input_causes_a_server_error(
    cast, client_for, measure, mode, date, value, note, text, file_bytes, replace, htmx
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(cast.lead_a)
    data = {"mode": mode, "date": date, "value": value, "note": note, "text": text}
    if replace:
        data["replace"] = "on"
    if mode == "csv":
        data["file"] = SimpleUploadedFile("readings.csv", file_bytes, "text/csv")
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(
        reverse("objectives:add_readings", args=[measure.pk]), data, headers=headers
    )

    assert response.status_code in OK


@SETTINGS
@given(date=hostile_text, remove=hostile_text)
def test_no_rebase_input_causes_a_server_error(cast, client_for, measure, date, remove):
    client = client_for(cast.lead_a)

    response = client.post(
        reverse("objectives:measure_rebase", args=[measure.pk]), {"date": date, "remove": remove}
    )

    assert response.status_code in OK


# --- Objective edit ------------------------------------------------------------------------------


@SETTINGS
@given(
    title=hostile_text,
    description=hostile_text,
    stakeholders=hostile_text,
    expected_outcome=hostile_text,
    theme=hostile_text,
    impact=hostile_text,
    priority=st.one_of(st.sampled_from(["1", "2", "3"]), some_choice),
    state=st.one_of(st.sampled_from(["in_progress", "paused"]), some_choice),
    owner=some_choice,
    delivery_date=st.one_of(
        st.sampled_from(["2025-03-31", "31/03/2025", "2025-02-30"]), hostile_text
    ),
    version=st.one_of(st.just("1"), some_choice),
)
def test_no_objective_edit_input_causes_a_server_error(
    cast,
    client_for,
    title,
    description,
    stakeholders,
    expected_outcome,
    theme,
    impact,
    priority,
    state,
    owner,
    delivery_date,
    version,
):
    from objectives.models import Objective

    client = client_for(cast.lead_a)
    data = {
        "version": Objective.objects.get(pk=cast.objective_a.pk).version
        if version == "1"
        else version,
        "title": title,
        "description": description,
        "stakeholders": stakeholders,
        "expected_outcome": expected_outcome,
        "theme": theme,
        "impact_enhance": impact,
        "impact_restore": impact,
        "impact_replace": impact,
        "impact_mutate": impact,
        "priority": priority,
        "state": state,
        "owner": owner,
        "delivery_date": delivery_date,
    }

    response = client.post(reverse("objectives:edit", args=[cast.objective_a.pk]), data)

    assert response.status_code in OK


# --- Collaboration days: the day, its agenda, actions and decisions ------------------------------


@pytest.fixture
def day(cast):
    from reviews import services

    return services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
        venue="Leeds",
    )


@SETTINGS
@given(
    title=hostile_text,
    date=st.one_of(st.sampled_from(["2024-12-01", "01/12/2024"]), hostile_text),
    venue=hostile_text,
    purpose=hostile_text,
    plan=some_choice,
    teams=st.lists(some_choice, max_size=3),
    facilitator=some_choice,
    existing=st.booleans(),
)
def test_no_collaboration_day_input_causes_a_server_error(
    cast, client_for, day, title, date, venue, purpose, plan, teams, facilitator, existing
):
    client = client_for(cast.lead_a)
    data = {
        "title": title,
        "date": date,
        "venue": venue,
        "purpose": purpose,
        "plan": plan,
        "teams": teams,
        "facilitator": facilitator,
    }
    url = reverse("reviews:edit", args=[day.pk]) if existing else reverse("reviews:create")

    response = client.post(url, data)

    assert response.status_code in OK


@SETTINGS
@given(
    what=hostile_text,
    owner=some_choice,
    owner_name=hostile_text,
    team=some_choice,
    due_date=st.one_of(st.sampled_from(["2025-01-31", "31/01/2025"]), hostile_text),
    objective=some_choice,
    state=st.one_of(st.sampled_from(["open", "done", "dropped"]), some_choice),
    note=hostile_text,
    next_url=st.one_of(
        st.sampled_from(["/reviews/", "//evil.example/", "/reviews/\\x", "/reviews/\nx"]),
        hostile_text,
    ),
    kind=st.one_of(st.sampled_from(["stop", "carry_on"]), some_choice),
    why=hostile_text,
    starts_at=st.one_of(st.sampled_from(["10:00", "25:61"]), hostile_text),
    htmx=st.booleans(),
)
def test_no_action_decision_or_session_input_causes_a_server_error(
    cast,
    client_for,
    day,
    what,
    owner,
    owner_name,
    team,
    due_date,
    objective,
    state,
    note,
    next_url,
    kind,
    why,
    starts_at,
    htmx,
):
    from reviews import services

    action = services.record_action(day=day, what="Agree the plan", created_by=cast.lead_a)
    client = client_for(cast.lead_a)
    headers = {"HX-Request": "true"} if htmx else {}
    posts = [
        (
            reverse("reviews:action_add", args=[day.pk]),
            {
                "what": what,
                "owner": owner,
                "owner_name": owner_name,
                "team": team,
                "due_date": due_date,
                "objective": objective,
            },
        ),
        (
            reverse("reviews:action_update", args=[day.pk, action.pk]),
            {"state": state, "note": note, "next": next_url},
        ),
        (
            reverse("reviews:decision_add", args=[day.pk]),
            {"objective": objective, "kind": kind, "why": why},
        ),
        (
            reverse("reviews:session_add", args=[day.pk]),
            {"starts_at": starts_at, "title": what, "objectives": [objective]},
        ),
        (reverse("reviews:focus_add", args=[day.pk]), {"objective": objective}),
    ]

    statuses = [client.post(url, data, headers=headers).status_code for url, data in posts]

    assert set(statuses) <= OK


# --- Flags and imports ----------------------------------------------------------------------------


@SETTINGS
@given(
    rule=st.one_of(st.sampled_from(["low_confidence"]), some_choice),
    subject=st.one_of(st.sampled_from(["NHS 111 online"]), hostile_text),
    note=hostile_text,
    next_url=st.one_of(
        st.sampled_from(["/risks/", "//evil.example/", "https://evil.example/", "/risks/\nx"]),
        hostile_text,
    ),
    htmx=st.booleans(),
)
def test_no_flag_acknowledgement_input_causes_a_server_error(
    cast, client_for, rule, subject, note, next_url, htmx
):
    from tests.factories import add_update

    if not cast.objective_a.contributions.filter(latest_update__isnull=False).exists():
        add_update(cast.objective_a, cast.team_a, 7, "red")
    client = client_for(cast.director_a)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(
        reverse("risks:acknowledge", args=[cast.objective_a.pk]),
        {"rule": rule, "subject": subject, "note": note, "next": next_url},
        headers=headers,
    )

    assert response.status_code in OK
    if response.status_code == 302:  # back to a page of this site, never elsewhere
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")


@settings(
    max_examples=max(10, EXAMPLES // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.one_of(st.sampled_from(["plan.csv", "plan.xlsx", "plan"]), hostile_text),
    content=st.one_of(
        st.binary(max_size=3000),
        hostile_text.map(lambda text: f"ref,title,lead_team\n{text},{text},{text}\n".encode()),
        st.just(b"PK\x03\x04" + b"\x00" * 200),  # the start of a zip, then nothing
    ),
    plan=st.one_of(st.sampled_from(["2024/25", "2025/26"]), hostile_text),
)
def test_no_plan_upload_causes_a_server_error(cast, client_for, name, content, plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(cast.director_a)

    upload = client.post(
        reverse("imports:start"),
        {"plan": plan, "file": SimpleUploadedFile(name or "x", content, "text/csv")},
    )
    statuses = [upload.status_code]
    if upload.status_code == 302:
        preview_url = upload.headers["Location"]
        statuses.append(client.get(preview_url).status_code)
        statuses.append(client.post(preview_url.replace("/preview/", "/confirm/")).status_code)

    assert set(statuses) <= OK


# --- Stored and shown back safely -----------------------------------------------------------------

HOSTILE = (
    '<script>alert("x")</script> "><img src=x onerror=alert(1)> {{ secret }} '
    "\x01\x0b\x1f tab\there 🙂 \u202e end"
)
HOSTILE_HTML = (
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;&gt;&lt;img src=x "
    "onerror=alert(1)&gt; {{ secret }}"
)
FORMULA = '=HYPERLINK("http://evil.example","x")'
WORKSHEET_SAFE = HOSTILE.replace("\x01", "").replace("\x0b", "").replace("\x1f", "")


@pytest.fixture
def hostile(cast):
    """Objective A with a hostile title, a formula for a description and a hostile narrative."""
    from objectives import services
    from objectives.models import Objective
    from tests.factories import contribution

    Objective.objects.filter(pk=cast.objective_a.pk).update(title=HOSTILE, description=FORMULA)
    cast.objective_a.refresh_from_db()
    services.record_status(
        contribution=contribution(cast.objective_a, cast.team_a),
        period=period(cast.plan, NOVEMBER),
        rating="amber_red",
        author=cast.lead_a,
        going_well=HOSTILE,
        not_going_well=FORMULA,
    )
    return cast


def test_hostile_text_typed_into_the_status_form_is_stored_exactly(cast, client_for):
    from objectives.models import StatusUpdate

    response = client_for(cast.lead_a).post(
        reverse("objectives:update_status", args=[cast.objective_a.pk, cast.team_a.pk]),
        {"period": period(cast.plan, NOVEMBER).pk, "rating": "amber_red", "going_well": HOSTILE},
    )

    assert response.status_code == 302
    assert StatusUpdate.objects.get().going_well == HOSTILE.strip()


def test_hostile_text_is_escaped_on_every_page_that_shows_it(hostile, client_for):
    client = client_for(hostile.lead_a)
    pages = {}
    for url in (
        reverse("objectives:detail", args=[hostile.objective_a.pk]),
        reverse("objectives:list"),
        reverse("objectives:my_work"),
    ):
        html = client.get(url).content.decode()
        pages[url] = (
            '<script>alert("x")</script>' in html,
            "<img src=x" in html,
            HOSTILE_HTML in html,
        )

    assert pages == dict.fromkeys(pages, (False, False, True))


def test_the_csv_export_keeps_hostile_text_as_inert_text(hostile, client_for):
    import csv
    import io

    response = client_for(hostile.lead_a).get(reverse("objectives:export") + "?format=csv")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    row = dict(zip(header, next(r for r in rows if r[0] == "DIG-01"), strict=True))
    assert (row["Title"], row["Description"]) == (HOSTILE, "'" + FORMULA)


def test_the_xlsx_export_opens_and_keeps_hostile_text_as_inert_text(hostile, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for(hostile.lead_a).get(reverse("objectives:export") + "?format=xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "DIG-01")
    cells = dict(zip(header, row, strict=True))
    assert cells["Title"].value == WORKSHEET_SAFE
    assert (cells["Description"].data_type, cells["Description"].value) == ("s", "'" + FORMULA)


def test_the_plan_export_opens_and_keeps_hostile_text_as_inert_text(hostile, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for(hostile.lead_a).get(reverse("imports:export", args=[hostile.plan.pk]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Objectives"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "DIG-01")
    assert row[1].value == WORKSHEET_SAFE
    assert (row[2].data_type, row[2].value) == ("s", FORMULA)


def test_the_review_pack_shows_hostile_text_as_plain_text_in_pdf_and_html(
    hostile, client_for, settings, day
):
    import io

    from pypdf import PdfReader

    from reviews import services

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "packs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "b"},
    }
    services.add_focus(day=day, objective=hostile.objective_a)
    services.record_action(day=day, what=HOSTILE, created_by=hostile.lead_a)
    client = client_for(hostile.lead_a)

    pdf = client.get(reverse("reviews:pack_pdf", args=[day.pk]))
    html = client.get(reverse("reviews:pack_html", args=[day.pk])).content.decode()

    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert 'alert("x")' in " ".join(text.split())
    assert "onerror=alert(1)>" in text
    assert '<script>alert("x")</script>' not in html
    assert HOSTILE_HTML in html
