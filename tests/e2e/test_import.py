"""The plan import in a real browser: upload -> preview -> confirm, with and without JavaScript."""

import pytest

from objectives.models import Objective
from tests.e2e.conftest import WCAG_TAGS, assert_accessible, sign_in
from tests.objectives.importing.helpers import xlsx

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = [["ref", "title", "lead_team"], ["NEW-1", "New objective", "NHS 111 online"]]
BAD = [
    ["Ref", "Title", "Lead team", "Due date"],
    ["NEW-1", "New objective", "NHS 111 onlin", "31/13/2025"],
]


def assert_content_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        context="#import-page",
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    assert [v["id"] for v in results.response["violations"]] == []


def choose_file(page, tmp_path, rows, name="plan.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx({"Objectives": rows}))
    page.set_input_files("#id_file", str(path))


def test_a_director_uploads_previews_and_confirms_a_plan(cast, live_server, page, tmp_path):
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/import/")
    assert_accessible(page)
    choose_file(page, tmp_path, GOOD)
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/import/preview/*/")
    assert page.locator("h1").inner_text() == "Check the import into plan 2024/25"
    assert page.locator(".app-import-total").inner_text() == (
        "The import will create 1, update 0 and leave 0 unchanged."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Import into plan 2024/25").click()
    page.wait_for_url(f"{live_server.url}/import/")
    assert page.locator(".app-message").inner_text() == (
        "Imported plan.xlsx into plan 2024/25: 1 created, 0 updated, 0 unchanged."
    )
    assert Objective.objects.get(ref="NEW-1").title == "New objective"


def test_a_preview_with_problems_names_each_and_offers_no_import(cast, live_server, page, tmp_path):
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/import/")
    choose_file(page, tmp_path, BAD)
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/import/preview/*/")
    items = page.locator(".nhsuk-error-summary__list li").all_inner_texts()
    assert items == [
        "Objectives row 2, lead_team: 'NHS 111 onlin' — did you mean 'NHS 111 online'?",
        "Objectives row 2, delivery_date: '31/13/2025' is not a date; use 31/03/2025 or 2025-03-31",
    ]
    assert page.get_by_role("button", name="Import into plan 2024/25").count() == 0
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    assert_accessible(page)
    assert not Objective.objects.filter(ref="NEW-1").exists()


def test_without_javascript_the_same_steps_work(cast, live_server, page_without_js, tmp_path):
    page = page_without_js
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/import/")
    choose_file(page, tmp_path, GOOD)
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/import/preview/*/")
    page.get_by_role("button", name="Import into plan 2024/25").click()
    page.wait_for_url(f"{live_server.url}/import/")
    assert Objective.objects.filter(ref="NEW-1").count() == 1


def test_the_start_next_year_page_is_accessible(cast, live_server, page):
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/import/next-year/")
    assert page.get_by_label("DIG-01").is_checked()
    page.get_by_role("button", name="Untick all").click()
    assert not page.get_by_label("DIG-01").is_checked()
    assert_accessible(page)


@pytest.mark.parametrize(
    "rows", [BAD, [GOOD[0], ["DIG-01", "A much longer title " * 8, "NHS 111 online"]]]
)
def test_the_preview_reads_as_cards_on_a_390px_phone(cast, live_server, browser, tmp_path, rows):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/import/")
    choose_file(page, tmp_path, rows)
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/import/preview/*/")
    page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    stacked = page.locator(".app-import-stack tbody tr").first
    assert stacked.evaluate("row => getComputedStyle(row).display") == "block"
    assert page.locator(".app-import-stack tbody .app-import-stack__heading").first.is_visible()
    # The page's own content; the site header's phone layout is another change's.
    assert_content_accessible(page)
    context.close()


def test_the_preview_is_a_table_on_a_desktop(cast, live_server, page, tmp_path):
    page.set_viewport_size({"width": 1100, "height": 900})
    sign_in(page, live_server, cast.director_a)
    page.goto(f"{live_server.url}/import/")
    choose_file(page, tmp_path, BAD)
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/import/preview/*/")
    row = page.locator(".app-import-problems tbody tr").first
    assert row.evaluate("row => getComputedStyle(row).display") == "table-row"
    assert not page.locator(".app-import-problems .app-import-stack__heading").first.is_visible()
