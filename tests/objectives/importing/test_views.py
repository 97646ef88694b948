"""The import pages: who may use them, upload -> preview -> confirm, export and next year."""

import io

import openpyxl
import pytest
from django.urls import reverse

from objectives.models import Objective, PendingImport, Plan
from tests.objectives.importing.helpers import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {
    "imports:start",
    "imports:template",
    "imports:preview",
    "imports:confirm",
    "imports:export",
    "imports:next_year",
}
IMPORTERS = {"director_a", "director_elsewhere", "org_director", "admin"}
SIGNED_IN = IMPORTERS | {"lead_a", "lead_b", "member_a", "outsider"}
GOOD = [["ref", "title", "lead_team"], ["NEW-1", "New objective", "NHS 111 online"]]
BAD = [
    ["ref", "title", "lead_team", "delivery_date"],
    ["NEW-1", "New", "NHS 111 online", "31/13/2025"],
]


def upload(client, rows=GOOD, *, plan="2024/25", name="plan.xlsx", data=None, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, data if data is not None else xlsx({"Objectives": rows}))
    return client.post(reverse("imports:start"), {"plan": plan, "file": file}, **extra)


def token_of(response):
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def status(client_for, user, method, url):
    return getattr(client_for(user), method)(url).status_code


@pytest.mark.parametrize("name", ["imports:start", "imports:next_year"])
def test_only_directors_and_admins_open_the_import_pages(cast, client_for, name):
    url = reverse(name)
    allowed = {
        who for who, user in cast.users().items() if status(client_for, user, "get", url) == 200
    }
    assert allowed == IMPORTERS
    assert status(client_for, cast.lead_a, "get", url) == 403
    assert status(client_for, cast.anonymous, "get", url) == 302


def test_anyone_signed_in_downloads_the_template_and_exports(cast, client_for):
    urls = [reverse("imports:template"), reverse("imports:export", args=[cast.plan.pk])]
    for url in urls:
        allowed = {w for w, u in cast.users().items() if status(client_for, u, "get", url) == 200}
        assert allowed == SIGNED_IN
    assert status(client_for, cast.outsider, "get", reverse("imports:export", args=[999])) == 404


def test_a_preview_belongs_to_the_session_that_uploaded_it(cast, client_for):
    token = token_of(upload(client_for(cast.director_a)))
    preview_url = reverse("imports:preview", args=[token])
    confirm_url = reverse("imports:confirm", args=[token])
    assert client_for(cast.director_a).get(reverse("imports:start")).status_code == 200
    # Signing in again starts a new session: the token is no longer the user's.
    for who in ("director_a", "org_director", "admin"):
        assert status(client_for, cast.users()[who], "get", preview_url) == 404
        assert status(client_for, cast.users()[who], "post", confirm_url) == 404
    for who in ("lead_a", "outsider"):
        assert status(client_for, cast.users()[who], "get", preview_url) == 403
        assert status(client_for, cast.users()[who], "post", confirm_url) == 403
    assert status(client_for, cast.anonymous, "get", preview_url) == 302
    assert Objective.objects.filter(ref="NEW-1").count() == 0


def test_upload_preview_confirm_imports_the_plan(cast, client_for):
    client = client_for(cast.director_a)
    response = upload(client)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "The import will create 1, update 0 and leave 0 unchanged." in html
    assert "2 objectives in plan 2024/25 are not in this file" in html
    assert Objective.objects.filter(ref="NEW-1").count() == 0
    token = token_of(response)
    done = client.post(reverse("imports:confirm", args=[token]), follow=True)
    assert done.redirect_chain == [(reverse("imports:start"), 302)]
    assert "Imported plan.xlsx into plan 2024/25: 1 created, 0 updated, 0 unchanged." in (
        done.content.decode()
    )
    assert Objective.objects.get(ref="NEW-1").title == "New objective"
    assert PendingImport.objects.filter(token=token).exists() is False
    assert client.get(reverse("imports:preview", args=[token])).status_code == 404


def test_a_preview_with_problems_shows_them_and_cannot_be_confirmed(cast, client_for):
    client = client_for(cast.director_a)
    response = upload(client, BAD)
    html = client.get(response["Location"]).content.decode()
    assert "The file has 1 problem to fix" in html
    assert (
        "Objectives row 2, delivery_date: &#x27;31/13/2025&#x27; is not a date; use 31/03/2025 or "
        "2025-03-31" in html
    )
    assert "Import into plan" not in html
    refused = client.post(reverse("imports:confirm", args=[token_of(response)]))
    assert refused.status_code == 200
    assert "Nothing was imported: the file has 1 problem to fix" in refused.content.decode()
    assert Objective.objects.filter(ref="NEW-1").count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload_even_named_csv(cast, client_for):
    response = upload(
        client_for(cast.director_a), data=b"%PDF-1.7\n" + bytes(range(256)), name="plan.csv"
    )
    assert response.status_code == 200
    assert "The file is not a CSV file or an Excel workbook (.xlsx)." in response.content.decode()


def test_an_oversized_upload_is_refused_without_storing_it(cast, client_for, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    client = client_for(cast.director_a)
    data = csv_bytes([["ref", "title", "lead_team"]] + [["R", "x" * 200, "t"]] * 2000)
    response = upload(client, data=data, name="big.csv")
    assert response.status_code == 200
    assert "The file is larger than 64 KB" in response.content.decode()
    assert client.session.get("plan_imports", {}) == {}


def test_an_upload_without_the_csrf_token_is_refused(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.director_a)
    assert upload(client).status_code == 403
    assert client.session.get("plan_imports", {}) == {}


def test_a_bad_plan_label_is_refused_next_to_its_field(cast, client_for):
    response = upload(client_for(cast.director_a), plan="2024-26")
    assert response.status_code == 200
    assert (
        "&#x27;2024-26&#x27; is not a financial year; use the form 2024/25 (2024-25, 24/25 and "
        "2024 to 2025 work too)." in response.content.decode()
    )


def test_with_htmx_the_upload_answers_with_the_preview_and_its_address(cast, client_for):
    response = upload(client_for(cast.director_a), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Push-Url"].startswith("/import/preview/")
    assert {part.strip() for part in response["Vary"].split(",")} == {"Cookie", "HX-Request"}
    html = response.content.decode()
    assert "<html" not in html
    assert "Check the import into plan 2024/25" in html


def test_with_htmx_a_confirm_redirects_the_browser(cast, client_for):
    client = client_for(cast.director_a)
    token = token_of(upload(client))
    response = client.post(reverse("imports:confirm", args=[token]), HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Redirect"]) == (204, reverse("imports:start"))


def test_the_export_is_an_xlsx_attachment_named_for_the_plan(cast, client_for):
    response = client_for(cast.lead_a).get(reverse("imports:export", args=[cast.plan.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="business-plan-2024-25.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    refs = [row[0] for row in book["Objectives"].iter_rows(min_row=2, values_only=True)]
    assert refs == ["DIG-01", "OPS-01"]


def test_the_start_page_loads_in_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.director_a)
    client.get(reverse("imports:start"))
    with django_assert_max_num_queries(8):
        client.get(reverse("imports:start"))
    for year in range(2030, 2035):
        Plan.objects.create(
            label=Plan.label_for_year(year),
            start_date=f"{year}-04-01",
            end_date=f"{year + 1}-03-31",
        )
    with django_assert_max_num_queries(8):
        client.get(reverse("imports:start"))


def test_start_next_year_copies_the_ticked_objectives(cast, client_for):
    client = client_for(cast.director_a)
    page = client.get(reverse("imports:next_year"))
    assert "DIG-01" in page.content.decode()
    response = client.post(
        reverse("imports:next_year"),
        {"source": cast.plan.pk, "label": "2025/26", "objectives": [cast.objective_a.pk]},
        follow=True,
    )
    assert "Copied 1 objectives from plan 2024/25 into plan 2025/26 (draft)" in (
        response.content.decode()
    )
    assert list(Objective.objects.filter(plan__label="2025/26").values_list("ref", flat=True)) == [
        "DIG-01"
    ]


def test_start_next_year_with_nothing_ticked_says_what_to_do(cast, client_for):
    response = client_for(cast.director_a).post(
        reverse("imports:next_year"), {"source": cast.plan.pk, "label": "2025/26"}
    )
    assert "Tick at least one objective to carry over" in response.content.decode()
    assert not Plan.objects.filter(label="2025/26").exists()


def test_the_preview_page_runs_the_same_queries_for_one_row_or_forty(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.director_a)

    def queries(rows):
        url = upload(client, [GOOD[0], *rows])["Location"]
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    many = [[f"N-{n}", f"New {n}", "NHS 111 online"] for n in range(40)]
    assert queries(GOOD[1:]) == queries(many)


def test_the_export_runs_the_same_queries_for_two_objectives_or_thirty(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MilestoneFactory, ObjectiveFactory

    client = client_for(cast.lead_a)
    url = reverse("imports:export", args=[cast.plan.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(28):
        objective = ObjectiveFactory(
            plan=cast.plan, lead_team=cast.team_b, contributors=[cast.team_a]
        )
        MilestoneFactory(objective=objective)
    assert queries() == few


# --- Issue 15: uploads any server can confirm, a way forward from errors, sheet choice ----------


def test_the_preview_survives_being_confirmed_by_another_app_server(
    cast, client_for, tmp_path, monkeypatch, settings
):
    """Two "servers": different temporary folders, one session. The first is gone by confirm."""
    import shutil
    import tempfile

    from django.test import Client

    first, second = tmp_path / "server-1", tmp_path / "server-2"
    first.mkdir()
    second.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(first))
    settings.FILE_UPLOAD_TEMP_DIR = str(first)
    uploader = client_for(cast.director_a)
    token = token_of(upload(uploader))
    shutil.rmtree(first)
    monkeypatch.setattr(tempfile, "tempdir", str(second))
    settings.FILE_UPLOAD_TEMP_DIR = str(second)
    other_server = Client()
    other_server.cookies = uploader.cookies
    done = other_server.post(reverse("imports:confirm", args=[token]))
    assert (done.status_code, done["Location"]) == (302, reverse("imports:start"))
    assert Objective.objects.get(ref="NEW-1").title == "New objective"
    assert list(second.iterdir()) == []
    assert PendingImport.objects.count() == 0


def test_an_upload_older_than_a_day_is_gone_and_swept(cast, client_for):
    import datetime as dt

    from django.utils import timezone

    client = client_for(cast.director_a)
    token = token_of(upload(client))
    PendingImport.objects.filter(token=token).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert client.get(reverse("imports:preview", args=[token])).status_code == 404
    fresh = token_of(upload(client))
    assert list(PendingImport.objects.values_list("token", flat=True)) == [fresh]


def test_an_upload_is_stored_with_its_owner_plan_and_bytes(cast, client_for):
    data = xlsx({"Objectives": GOOD})
    token = token_of(upload(client_for(cast.director_a), data=data, plan="2024-25"))
    stored = PendingImport.objects.get(token=token)
    assert (stored.owner, stored.plan_label, stored.file_name, bytes(stored.data)) == (
        cast.director_a,
        "2024/25",
        "plan.xlsx",
        data,
    )


def test_a_preview_with_problems_says_nothing_will_happen_and_offers_the_upload_form(
    cast, client_for
):
    client = client_for(cast.director_a)
    html = client.get(upload(client, BAD)["Location"]).content.decode()
    assert "Nothing will be imported until the problem below is fixed." in html
    assert "1 created" not in html and "will create" not in html
    assert '<h2 id="upload-again">Upload the corrected file</h2>' in html
    assert f'action="{reverse("imports:start")}" enctype="multipart/form-data"' in html
    assert 'name="plan" type="text" spellcheck="false" value="2024/25"' in html
    assert f'<a href="{reverse("imports:start")}">Back to Import a business plan</a>' in html


def test_a_refused_file_offers_the_upload_form_too(cast, client_for):
    from objectives import export

    client = client_for(cast.director_a)
    data = export.xlsx_bytes(export.export_queryset())
    html = client.get(upload(client, data=data)["Location"]).content.decode()
    assert "plan.xlsx is the objectives list export" in html
    assert '<h2 id="upload-again">Upload the corrected file</h2>' in html


def test_a_good_preview_has_no_upload_form(cast, client_for):
    client = client_for(cast.director_a)
    html = client.get(upload(client)["Location"]).content.decode()
    assert 'id="upload-again"' not in html


def test_the_file_picker_offers_unicode_text_files(cast, client_for):
    html = client_for(cast.director_a).get(reverse("imports:start")).content.decode()
    assert (
        'accept=".xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'sheet,text/csv,text/plain"' in html
    )


def test_a_utf16_text_file_uploads_and_imports(cast, client_for):
    client = client_for(cast.director_a)
    data = csv_bytes(GOOD, encoding="utf-16", delimiter="\t")
    response = upload(client, data=data, name="plan.txt")
    client.post(reverse("imports:confirm", args=[token_of(response)]))
    assert Objective.objects.get(ref="NEW-1").title == "New objective"


def test_the_person_chooses_the_sheet_and_the_confirm_reads_the_same_one(cast, client_for):
    client = client_for(cast.director_a)
    data = xlsx({"Team A": GOOD, "Team B": [GOOD[0], ["NEW-2", "From B", "NHS 111 online"]]})
    response = upload(client, data=data)
    token = token_of(response)
    html = client.get(response["Location"]).content.decode()
    assert '<select class="nhsuk-select" id="choose-objectives" name="sheet-Objectives"' in html
    assert "plan.xlsx has 2 sheets that could be the Objectives sheet" in html
    chosen = client.get(reverse("imports:preview", args=[token]), {"sheet-Objectives": "Team B"})
    html = chosen.content.decode()
    assert "The import will create 1, update 0 and leave 0 unchanged." in html
    assert '<input type="hidden" name="sheet-Objectives" value="Team B">' in html
    client.post(reverse("imports:confirm", args=[token]), {"sheet-Objectives": "Team B"})
    assert list(Objective.objects.filter(ref__startswith="NEW").values_list("ref", flat=True)) == [
        "NEW-2"
    ]
