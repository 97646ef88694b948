"""The HTML twin of the pack says what the PDF says: charts as inline SVG with their numbers in
tables, the summary counts, the flags and the measure's target, under the strict CSP."""

import re

from django.urls import reverse

from reviews.pack import load
from reviews.web import measure_chart
from tests.factories import ObjectiveFactory, add_update

from .conftest import AS_AT


def html_for(client, day) -> str:
    response = client.get(reverse("reviews:pack_html", args=[day.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section_of(html: str, key: str) -> str:
    start = html.index(f'<section id="{key}"')
    return html[start : html.index("</section>", start)]


def cells(row_html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html, re.S)
    ]


def test_each_objective_shows_its_control_chart_inline_without_style_attributes(
    world, cast, client_for
):
    html = html_for(client_for(cast.lead_a), world.day)

    section = section_of(html, f"objective-{world.shared.pk}")
    svg = re.search(r"<svg\b.*?</svg>", section, re.S).group(0)
    assert 'role="img"' in svg
    assert f'id="objective-{world.shared.pk}-chart-title">Control chart: Uptake</title>' in svg
    assert "style=" not in svg  # the Content-Security-Policy refuses inline styles
    assert "<img" not in section


def test_the_chart_is_followed_by_a_table_of_the_same_readings(world, cast, client_for):
    html = html_for(client_for(cast.lead_a), world.day)

    section = section_of(html, f"objective-{world.shared.pk}")
    table = section[section.index('<table class="nhsuk-table app-pack__readings">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert cells(rows[0]) == ["Date", "Value", "Average", "Process limits", "Special cause"]
    assert len(rows) == 1 + 14
    assert cells(rows[1])[:2] == ["1 Sep 2023", "60%"]
    assert cells(rows[3])[:2] == ["2 Nov 2023", "62%"]
    pack = load(world.day, as_at=AS_AT)
    expected = measure_chart(next(s for s in pack.sections if s.id == world.shared.pk)).rows
    assert [cells(row)[1] for row in rows[1:]] == [row.value for row in expected]
    assert cells(rows[1])[2] == expected[0].mean == "61%"


def test_an_objective_without_measures_says_so_and_has_no_chart(world, cast, client_for):
    html = html_for(client_for(cast.lead_a), world.day)

    section = section_of(html, f"objective-{world.bare.pk}")
    assert "This objective has no measures yet." in section
    assert "<svg" not in section


def test_the_summary_shows_the_rating_chart_and_the_same_counts_as_the_pdf(world, cast, client_for):
    html = html_for(client_for(cast.lead_a), world.day)

    summary = section_of(html, "summary")
    assert summary.count("<svg") == 1
    rows = {cells(row)[0]: cells(row)[1:] for row in re.findall(r"<tr>(.*?)</tr>", summary, re.S)}
    # Team A: current views on DIG-01 (none), UEC-01 (Amber/Green), UEC-02 (none); as the PDF
    assert rows["NHS 111 online"] == ["0", "1", "0", "0", "0", "2", "3"]
    assert rows["Directory of Services"] == ["0", "0", "0", "1", "0", "1", "2"]


def test_the_measure_line_gives_the_target_as_the_pdf_does(world, cast, client_for):
    world.shared.measures.update(target_value=70)
    html = html_for(client_for(cast.lead_a), world.day)

    section = section_of(html, f"objective-{world.shared.pk}")
    assert "<strong>Uptake</strong> · higher is better · target 70%" in section


def test_the_html_pack_reads_in_a_fixed_number_of_queries(
    world, cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.lead_a)
    with django_assert_max_num_queries(40) as few:
        html_for(client, world.day)
    for n in range(6):
        objective = ObjectiveFactory(
            plan=cast.plan, ref=f"MORE-{n}", lead_team=cast.team_a, contributors=[world.team_c]
        )
        add_update(objective, cast.team_a, 6, "amber", author=cast.lead_a, text=f"More {n}")
        world.day.focus.create(objective=objective, position=10 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html_for(client, world.day)


def test_the_web_charts_show_team_names_as_typed(world, cast, client_for):
    world.team_c.name = "DoS 中文"
    world.team_c.save()

    html = html_for(client_for(cast.lead_a), world.day)

    svg = re.search(r"<svg\b.*?</svg>", section_of(html, "summary"), re.S).group(0)
    assert "DoS 中文" in svg
    assert "U+4E2D" not in html
