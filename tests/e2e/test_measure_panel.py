"""The measure page in a real browser: accessible, and pasted readings update the chart in place."""

import datetime as dt

import pytest

from objectives.models import month_bounds
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MeasureFactory, ReadingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def measure(cast, settings):
    settings.TODAY = dt.date(2024, 11, 15)
    measure = MeasureFactory(
        objective=cast.objective_a,
        name="Callers taking up the first service",
        unit="%",
        direction="higher",
        target_value=70.0,
    )
    # 12 readings alternating 60 and 62, April 2023 to March 2024: common cause, hit and miss
    for month, value in zip(range(1, 13), [60.0, 62.0] * 6, strict=True):
        ReadingFactory(
            measure=measure, date=month_bounds(dt.date(2023, 4, 1), month)[1], value=value
        )
    return measure


def measure_url(live_server, measure):
    return f"{live_server.url}/measures/{measure.pk}/"


def test_the_measure_page_has_no_accessibility_violations(cast, live_server, page, measure):
    sign_in(page, live_server, cast.lead_a)
    page.goto(measure_url(live_server, measure))
    assert page.locator("h1").inner_text() == "Callers taking up the first service"
    assert page.locator(".app-measure__chart svg title").count() == 1
    assert_accessible(page)


def test_the_chart_keeps_its_colours_under_the_content_security_policy(
    cast, live_server, page, measure
):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    sign_in(page, live_server, cast.lead_a)

    response = page.goto(measure_url(live_server, measure))

    assert "style-src 'self'" in response.headers["content-security-policy"]
    chart = page.locator(".app-measure__chart svg")
    stroke = "el => getComputedStyle(el).stroke"
    # the mean in NHS dark blue, the target (70%) in NHS red, not the black of unstyled shapes
    assert chart.locator('polyline[stroke="#003087"]').first.evaluate(stroke) == "rgb(0, 48, 135)"
    assert chart.locator('polyline[stroke="#DA291C"]').first.evaluate(stroke) == "rgb(218, 41, 28)"
    assert (
        chart.locator("text", has_text="Target 70%").evaluate("el => getComputedStyle(el).fill")
        == "rgb(218, 41, 28)"
    )
    # no inline style refused (the NHS.UK stylesheet's web fonts are another matter)
    assert [text for text in messages if "style-src" in text] == []


def test_problems_with_pasted_readings_are_accessible_too(cast, live_server, page, measure):
    sign_in(page, live_server, cast.lead_a)
    page.goto(measure_url(live_server, measure))
    page.fill(f"#m{measure.pk}-paste-text", "2024-04-30\t61\n2024-05-31\t6x")
    page.click("text=Save pasted readings")
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "Line 2: '6x' is not a number" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    assert_accessible(page)


def test_pasting_readings_updates_the_chart_in_place(cast, live_server, page, measure):
    sign_in(page, live_server, cast.lead_a)
    page.goto(measure_url(live_server, measure))
    assert "12 readings from April 2023 to March 2024" in page.locator("svg desc").text_content()
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    rows = "\n".join(f"{month_bounds(dt.date(2024, 4, 1), m)[1]:%d/%m/%Y}\t60" for m in range(1, 8))
    page.fill(f"#m{measure.pk}-paste-text", rows)
    page.click("text=Save pasted readings")
    page.locator(".app-measure__saved").wait_for()

    assert page.locator(".app-measure__saved").inner_text() == "Saved 7 readings."
    assert page.evaluate("window.__sameDocument") is True
    assert "19 readings from April 2023 to October 2024" in page.locator("svg desc").text_content()
    assert (
        page.locator(".app-measure__verdict")
        .inner_text()
        .startswith(
            "Special cause concern: 7 readings in a row below the average since April 2024."
        )
    )
    assert page.locator(".app-spc-icon--concern_low").count() == 1
    assert measure.readings.count() == 19


def test_without_javascript_a_reading_saves_and_returns_to_the_objective(
    cast, live_server, page_without_js, measure
):
    page = page_without_js
    sign_in(page, live_server, cast.lead_a)
    page.goto(f"{live_server.url}/objectives/{cast.objective_a.pk}/")
    page.locator(f"#measure-{measure.pk} summary", has_text="Add or correct readings").click()
    page.fill(f"#m{measure.pk}-single-date", "30/04/2024")
    page.fill(f"#m{measure.pk}-single-value", "61.5")
    page.click(f"#measure-{measure.pk} >> text=Save reading")
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}/objectives/{cast.objective_a.pk}/#measure-{measure.pk}"
    assert (
        "Callers taking up the first service: Saved 1 reading."
        in page.locator(".app-messages").inner_text()
    )
    assert measure.readings.count() == 13


def test_a_csv_file_uploads_in_place(cast, live_server, page, measure):
    sign_in(page, live_server, cast.lead_a)
    page.goto(f"{live_server.url}/objectives/{cast.objective_a.pk}/")
    page.locator(f"#measure-{measure.pk} summary", has_text="Add or correct readings").click()
    page.set_input_files(
        f"#m{measure.pk}-csv-file",
        files=[
            {
                "name": "readings.csv",
                "mimeType": "text/csv",
                "buffer": b"Date,Value,Note\n30/04/2024,61,\n31/05/2024,60.5,New script\n",
            }
        ],
    )
    page.click(f"#measure-{measure.pk} >> text=Upload readings")
    page.locator(".app-measure__saved").wait_for()

    assert page.locator(".app-measure__saved").inner_text() == "Saved 2 readings."
    assert page.url == f"{live_server.url}/objectives/{cast.objective_a.pk}/"
    assert measure.readings.filter(note="New script").count() == 1
