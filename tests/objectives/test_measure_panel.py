"""The measure panel and page: chart, icons, verdict, data table; summaries for the risk engine."""

import datetime as dt
import re
from xml.dom.minidom import parseString

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from objectives import spc
from objectives.measures import summarise_measures, with_readings
from objectives.models import Measure, month_bounds
from tests.factories import MeasureFactory, ReadingFactory

pytestmark = pytest.mark.django_db

# Twelve baseline readings alternating 60, 62 (April 2023 to March 2024), then seven at 60.
#   mean = 61; every moving range is 2, so mean mR = 2
#   limits = 61 ± 2.66 × 2 = 61 ± 5.32 → 55.68 to 66.32; near-limit band from 61 ± 3.546
#   the seven 60s (April to October 2024) sit below the mean: a run of 7 below, special cause
#   concern for a measure where higher is better; 60 = 60 breaks any trend.
#   target 70 > 66.32, the upper limit, on the hard side: consistently fails.
BASELINE = [60.0, 62.0] * 6
RUN = [60.0] * 7
MONTH_ENDS = [month_bounds(dt.date(2023, 4, 1), month)[1] for month in range(1, 20)]
VERDICT = (
    "Special cause concern: 7 readings in a row below the average since April 2024. "
    "At this rate the target of 70% will consistently be missed."
)


def make_measure(objective, values, *, name="Callers taking up the first service", **fields):
    fields = {"unit": "%", "direction": "higher", "target_value": 70.0, **fields}
    measure = MeasureFactory(objective=objective, name=name, **fields)
    for day, value in zip(MONTH_ENDS, values, strict=False):
        ReadingFactory(measure=measure, date=day, value=value)
    return measure


@pytest.fixture
def measure(cast):
    return make_measure(cast.objective_a, BASELINE + RUN)


def measure_page(client, measure):
    return client.get(reverse("objectives:measure", args=[measure.pk]))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_measure_page_gives_the_verdict_in_plain_english(cast, client_for, measure):
    response = measure_page(client_for(cast.outsider), measure)
    assert response.status_code == 200
    assert response.context["panel"].summary.verdict == VERDICT
    assert f'<p class="app-measure__verdict">{VERDICT}</p>' in response.content.decode()


def test_the_icons_carry_their_words(cast, client_for, measure):
    html = measure_page(client_for(cast.lead_a), measure).content.decode()
    icons = re.findall(r'<span class="app-spc-icon app-spc-icon--(\w+)">(.*?)</span></span>', html)
    assert [(code, text_of(inner)) for code, inner in icons] == [
        ("concern_low", "L Variation: Special cause concern (low)"),
        ("fail", "F Assurance: Consistently fails the target"),
    ]
    assert '<span class="app-spc-icon__mark" aria-hidden="true">L</span>' in html


def test_a_measure_without_a_target_says_why_it_has_no_assurance_icon(cast, client_for):
    measure = make_measure(cast.objective_a, BASELINE, target_value=None)
    html = measure_page(client_for(cast.lead_a), measure).content.decode()
    assert "No target, so no assurance icon" in html
    assert "app-spc-icon--common_cause" in html


def test_the_chart_is_inline_svg_with_a_title_and_a_description(cast, client_for, measure):
    html = measure_page(client_for(cast.lead_a), measure).content.decode()
    svg = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    assert re.search(
        r"<title\b[^>]*>Control chart: Callers taking up the first service</title>", svg
    )
    description = re.search(r"<desc\b[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert description == (
        "19 readings from April 2023 to October 2024, latest 60%. "
        + VERDICT
        + " The same data is in the table below the chart."
    )
    assert "style=" not in svg  # the Content-Security-Policy refuses inline styles
    assert 'fill="#ED8B00"' in svg  # colours are presentation attributes instead: NHS orange
    parseString(svg)  # well-formed: no attribute written twice


def test_the_icons_are_shown_once_as_html_not_again_in_the_chart(cast, client_for, measure):
    html = measure_page(client_for(cast.lead_a), measure).content.decode()
    svg = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    page_without_chart = html.replace(svg, "")

    for words in ("Special cause concern (low)", "Consistently fails the target"):
        assert words not in svg
        assert page_without_chart.count(words) == 1


def test_the_chart_data_is_in_a_table_beside_it(cast, client_for, measure):
    response = measure_page(client_for(cast.lead_a), measure)
    rows = response.context["panel"].table
    first, last = rows[0], rows[-1]
    assert (first["date"], first["value"], first["mean"], first["lower"], first["upper"]) == (
        dt.date(2023, 4, 30),
        "60%",
        "61%",
        "55.7%",
        "66.3%",
    )
    assert (first["special_cause"], first["kind"]) == ("", "")
    assert (last["date"], last["special_cause"], last["kind"]) == (
        dt.date(2024, 10, 31),
        "Concern: part of 7 readings in a row below the average",
        "concern",
    )
    assert sum(bool(row["special_cause"]) for row in rows) == 7
    html = response.content.decode()
    assert '<details class="nhsuk-details app-measure__table" open>' in html
    assert (
        '<th scope="row" class="nhsuk-table__header app-nowrap">31 Oct 2024</th>\n'
        '      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">60%</td>' in html
    )
    assert "Concern: part of 7 readings in a row below the average" in html


def test_trial_limits_are_noted_when_there_are_fewer_than_12_readings(cast, client_for):
    # 60, 62, 60, 62, 60: mean 60.8, mean mR 2, limits 55.48 to 66.12; 61.5 lies between
    measure = make_measure(cast.objective_a, BASELINE[:5], target_value=61.5)
    html = measure_page(client_for(cast.lead_a), measure).content.decode()
    assert "<li>The limits are trial limits from 5 readings.</li>" in html
    assert (
        "Common cause variation: the latest reading is within the process limits of 55.5% to "
        "66.1%. Trial limits from 5 readings. At this rate the target of 61.5% will sometimes "
        "be met and sometimes missed."
    ) in html


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([], "2 more readings are needed before a chart can be drawn."),
        ([61.0], "1 more reading is needed before a chart can be drawn."),
    ],
)
def test_fewer_than_two_readings_gives_no_chart_and_says_why(cast, client_for, values, reason):
    measure = make_measure(cast.objective_a, values)
    html = measure_page(client_for(cast.lead_a), measure).content.decode()
    assert f'<p class="app-measure__verdict">{reason}</p>' in html
    assert "<svg" not in html
    assert "app-spc-icon" not in html
    assert ("Readings as a table" in html) is bool(values)


def test_identical_readings_collapse_the_limits_and_say_so(cast, client_for):
    measure = make_measure(cast.objective_a, [61.0] * 4, target_value=None)
    html = measure_page(client_for(cast.lead_a), measure).content.decode()
    assert (
        "All baseline readings are the same, so the moving ranges are 0 and the process limits "
        "sit on the mean." in html
    )


def test_a_rebase_starts_a_new_phase_in_the_table(cast, client_for):
    measure = make_measure(cast.objective_a, BASELINE + RUN, rebase_dates=["2024-04-01"])
    response = measure_page(client_for(cast.lead_a), measure)
    rows = response.context["panel"].table
    assert [row["date"] for row in rows if row.get("new_phase")] == [dt.date(2024, 4, 30)]
    assert rows[-1]["mean"] == "60%"
    assert "Limits recalculated from <strong>1 April 2024</strong>" in response.content.decode()


def test_the_measure_page_varies_with_htmx(cast, client_for, measure):
    response = measure_page(client_for(cast.lead_a), measure)
    assert response["Vary"] == "HX-Request, Cookie"


# --- For the risk engine and review packs -------------------------------------------------------


def test_summarise_measures_gives_each_measures_variation_assurance_concern_and_verdict(cast):
    concern = make_measure(cast.objective_a, BASELINE + RUN)
    single = make_measure(cast.objective_a, [61.0], name="New measure")
    broken = make_measure(cast.objective_a, BASELINE, name="Odd", rebase_dates=["someday"])
    measures = list(with_readings(Measure.objects.filter(objective=cast.objective_a)))

    summaries = summarise_measures(measures)

    assert set(summaries) == {concern.pk, single.pk, broken.pk}
    summary = summaries[concern.pk]
    assert (summary.variation, summary.assurance, summary.latest_is_concern) == (
        spc.Variation.CONCERN_LOW,
        spc.Assurance.FAIL,
        True,
    )
    assert summary.verdict == VERDICT
    assert summary.spc == spc.Summary(spc.Variation.CONCERN_LOW, spc.Assurance.FAIL, True)
    assert (summaries[single.pk].variation, summaries[single.pk].verdict) == (
        None,
        "1 more reading is needed before a chart can be drawn.",
    )
    assert summaries[broken.pk].variation is None
    assert summaries[broken.pk].verdict == (
        "No chart: the readings cannot be analysed. rebase dates must be dates like "
        "2024-06-01, not 'someday'"
    )


def test_summarise_measures_reads_only_the_prefetched_readings(cast, django_assert_num_queries):
    make_measure(cast.objective_a, BASELINE + RUN)
    make_measure(cast.objective_a, BASELINE, name="Second")
    with django_assert_num_queries(2):  # the measures, then all their readings
        measures = list(with_readings(Measure.objects.all()))
    with django_assert_num_queries(0):
        summaries = summarise_measures(measures)
    assert len(summaries) == 2


# --- Query counts -------------------------------------------------------------------------------


def render_section(user, objective):
    measures = list(
        with_readings(
            Measure.objects.filter(objective=objective).select_related(
                "objective__plan", "objective__lead_team"
            )
        )
    )
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("objectives/_measures.html", {"measures": measures}, request)
    return html, queries.captured_queries


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # the user's directorships (the context processor asks, for the navigation) and teams
        ("lead_a", 2),
        # ... and one "does the objective involve a directorate of mine?" for all the measures
        ("director_a", 3),
        ("outsider", 2),
    ],
)
def test_the_measures_section_runs_the_same_few_queries_for_one_or_many_measures(
    cast, who, expected
):
    user = cast.users()[who]
    make_measure(cast.objective_a, BASELINE + RUN)
    html, one = render_section(user, cast.objective_a)
    assert html.count('class="app-measure"') == 1

    user = type(user).objects.get(pk=user.pk)  # a fresh request: no permission memo
    for number in range(4):
        make_measure(cast.objective_a, BASELINE, name=f"Measure {number}")
    html, five = render_section(user, cast.objective_a)
    assert html.count('class="app-measure"') == 5
    assert (len(one), len(five)) == (expected, expected), [q["sql"] for q in five]


def test_the_objective_detail_page_shows_a_panel_per_measure(cast, client_for):
    measure = make_measure(cast.objective_a, BASELINE + RUN)
    make_measure(cast.objective_a, [61.0], name="New measure")
    client = client_for(cast.lead_a)
    response = client.get(reverse("objectives:detail", args=[cast.objective_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="measure-{measure.pk}"' in html
    assert VERDICT in html
    assert "1 more reading is needed before a chart can be drawn." in html
    assert html.count("Add or correct readings") == 2
    panel_ids = re.findall(r'id="(m(?:easure-)?\d+[^"]*)"', html)
    assert len(panel_ids) == len(set(panel_ids))  # two panels, two charts, no clashing ids


def test_the_objective_detail_page_costs_no_query_per_measure(cast, client_for):
    client = client_for(cast.director_a)
    detail = reverse("objectives:detail", args=[cast.objective_a.pk])
    make_measure(cast.objective_a, BASELINE + RUN)
    client.get(detail)  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as one:
        client.get(detail)
    for number in range(3):
        make_measure(cast.objective_a, BASELINE, name=f"Measure {number}")
    with CaptureQueriesContext(connection) as four:
        html = client.get(detail).content.decode()
    assert html.count('class="app-measure"') == 4
    assert len(four) == len(one)
