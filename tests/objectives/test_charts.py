"""Charts (objectives/charts.py): what is drawn, the accessible SVG, the table rows, the bars.

The series are the ones in tests/objectives/spc/helpers.py: BASE alternates 12, 10 (mean 11,
limits 5.68 and 16.32).
"""

import datetime as dt
import re

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Group, Polygon, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from objectives import charts, ratings, spc
from objectives.charts import TableRow

BASE = [12.0, 10.0] * 6
START = dt.date(2023, 5, 1)


def month(index: int) -> dt.date:
    year, month0 = divmod(START.month - 1 + index, 12)
    return dt.date(START.year + year, month0 + 1, 1)


def analyse(values, **options):
    return spc.analyse([(month(i), v) for i, v in enumerate(values)], **options)


def strings(node, dx=0.0, dy=0.0):
    """Every String in a drawing with its position on the page (groups only translate here)."""
    for item in getattr(node, "contents", []):
        if isinstance(item, String):
            yield item, item.x + dx, item.y + dy
        elif isinstance(item, Group):
            a, b, c, d, e, f = item.transform
            yield from strings(item, dx + e, dy + f)


def texts(drawing) -> list[str]:
    return [item.text for item, _, _ in strings(drawing)]


RUN_BELOW = analyse(
    [*BASE, 11.0, 10.0, 9.0, 10.0, 9.0, 10.0, 9.0, 10.0], direction="higher", target=17.0
)
OVERLAP = analyse(
    [*BASE, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0], direction="higher", target=14.0
)
NEITHER = analyse([*BASE, 17.0, 4.0, 12.0], direction="neither")
REBASED = analyse(
    [*BASE, *[22.0, 20.0] * 6], direction="lower", target=15.0, rebase_dates=[month(12)]
)
COMMON = analyse(BASE, direction="higher", target=11.0)
ANALYSES = {
    "run below": RUN_BELOW,
    "overlapping rules": OVERLAP,
    "neither": NEITHER,
    "rebased": REBASED,
    "common cause": COMMON,
}


# --- control chart -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ANALYSES)
def test_there_is_one_marker_per_special_cause_reading(name):
    result = ANALYSES[name]

    drawing = charts.control_chart(result, title=name, unit="%")

    assert len(drawing.special_cause_markers.contents) == len(result.signals)


SHAPES = [
    (spc.Kind.IMPROVEMENT, Circle, charts.NHS_BLUE),
    (spc.Kind.CONCERN, Polygon, charts.NHS_ORANGE),
    (spc.Kind.NEITHER, Rect, charts.NHS_PURPLE),
]


@pytest.mark.parametrize(("kind", "shape", "colour"), SHAPES)
def test_markers_differ_by_shape_and_colour(kind, shape, colour):
    result = {
        spc.Kind.IMPROVEMENT: OVERLAP,
        spc.Kind.CONCERN: RUN_BELOW,
        spc.Kind.NEITHER: NEITHER,
    }[kind]

    markers = charts.control_chart(result, title="t").special_cause_markers.contents

    assert {type(marker) for marker in markers} == {shape}
    assert {marker.fillColor.hexval() for marker in markers} == {colour.hexval()}


def test_the_chart_labels_its_lines_badges_and_months():
    drawing = charts.control_chart(RUN_BELOW, title="Seen in 18 weeks", unit="%", width=640)

    words = texts(drawing)
    assert "Seen in 18 weeks" in words
    for label in ("Upper 16.3%", "Mean 11%", "Lower 5.68%", "Target 17%"):
        assert label in words
    assert "Special cause concern (low)" in words  # the variation icon's words
    assert "Consistently fails the target" in words  # the assurance icon's words
    assert "Dec 2024" in words  # the latest reading (index 19) is always labelled
    assert "Concern (special cause)" in words  # legend


def test_a_rebase_is_marked_and_the_labels_give_the_latest_phase():
    words = texts(charts.control_chart(REBASED, title="t", unit="days"))

    assert "Rebased" in words
    assert {"Mean 21", "Upper 26.3", "Lower 15.7", "Target 15"} <= set(words)
    assert "Readings in days" in words


def test_a_target_far_from_the_readings_is_named_at_the_edge_not_drawn():
    result = analyse(BASE, direction="higher", target=1500.0)

    words = texts(charts.control_chart(result, title="t", unit="£"))

    assert "Target £1,500 (above)" in words
    assert "Target" not in words  # no legend entry for a line that is not there


@pytest.mark.parametrize("name", ANALYSES)
@pytest.mark.parametrize(("width", "height"), [(640, 300), (482, 156), (360, 220)])
def test_no_words_run_off_the_drawing(name, width, height):
    drawing = charts.control_chart(
        ANALYSES[name], title="A long measure name about people waiting", unit="%",
        width=width, height=height,
    )  # fmt: skip

    for item, x, y in strings(drawing):
        text_width = stringWidth(item.text, item.fontName, item.fontSize)
        left = {"start": x, "middle": x - text_width / 2, "end": x - text_width}[item.textAnchor]
        assert left >= 0, item.text
        assert left + text_width <= width + 0.01, item.text
        assert y - 0.25 * item.fontSize >= 0, item.text  # room for descenders
        assert y + item.fontSize <= height + 0.01, item.text


def test_the_chart_draws_its_icon_badges_by_default():
    words = texts(charts.control_chart(RUN_BELOW, title="t", unit="%"))

    assert "Special cause concern (low)" in words
    assert "Consistently fails the target" in words


def test_without_badges_the_chart_leaves_the_icons_to_the_page():
    drawing = charts.control_chart(RUN_BELOW, title="Seen in 18 weeks", unit="%", badges=False)

    words = texts(drawing)
    assert "Seen in 18 weeks" in words
    assert not {"Special cause concern (low)", "Consistently fails the target"} & set(words)
    assert not [item for item in drawing.contents if isinstance(item, Group)][1:]  # no badges
    assert "Concern (special cause)" in words  # the legend stays


@pytest.mark.parametrize("name", ANALYSES)
@pytest.mark.parametrize("title", ["A long measure name about people waiting for their care", ""])
def test_without_badges_no_words_run_off_the_drawing_or_into_the_title(name, title):
    width, height = 600, 300
    drawing = charts.control_chart(
        ANALYSES[name], title=title, unit="%", width=width, height=height, badges=False
    )

    boxes = []  # (text, left, right, bottom, top)
    for item, x, y in strings(drawing):
        text_width = stringWidth(item.text, item.fontName, item.fontSize)
        left = {"start": x, "middle": x - text_width / 2, "end": x - text_width}[item.textAnchor]
        bottom, top = y - 0.25 * item.fontSize, y + item.fontSize  # room for descenders
        assert left >= 0, item.text
        assert left + text_width <= width + 0.01, item.text
        assert bottom >= 0, item.text
        assert top <= height + 0.01, item.text
        boxes.append((item.text, left, left + text_width, bottom, top))
    if title:
        assert boxes[0][0] == title
        _, title_left, title_right, title_bottom, _ = boxes[0]
        for text, left, right, _, top in boxes[1:]:
            assert top <= title_bottom or right <= title_left or left >= title_right, text


def test_fewer_than_2_readings_draw_the_reason_instead():
    drawing = charts.control_chart(analyse([5.0]), title="Waits")

    assert texts(drawing) == ["Waits", "1 more reading is needed before a chart can be drawn."]


@pytest.mark.parametrize("name", ANALYSES)
def test_the_chart_renders_to_pdf(name):
    drawing = charts.control_chart(ANALYSES[name], title=name, unit="%", width=482, height=156)

    pdf = renderPDF.drawToString(drawing)

    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 2000


# --- SVG ---------------------------------------------------------------------------------------


def test_the_svg_is_labelled_for_screen_readers_and_safe_inline():
    drawing = charts.control_chart(RUN_BELOW, title="A & B <waits>", unit="%")

    svg = charts.chart_svg(
        drawing, title='Control chart: A & B "<waits>"', description="7 below & falling",
        id_prefix="waits",
    )  # fmt: skip

    assert svg.startswith("<svg ")
    assert svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    assert 'role="img"' in svg
    assert 'aria-labelledby="waits-title waits-desc"' in svg
    title = "Control chart: A &amp; B &quot;&lt;waits&gt;&quot;"
    assert f'<title id="waits-title">{title}</title>' in svg
    assert '<desc id="waits-desc">7 below &amp; falling</desc>' in svg
    assert ">A &amp; B &lt;waits&gt;</text>" in svg  # the chart's own title, escaped too


def test_charts_on_one_page_share_no_ids():
    first = charts.chart_svg(charts.control_chart(COMMON), title="One", description="x")
    second = charts.chart_svg(charts.control_chart(RUN_BELOW), title="Two", description="y")

    ids = re.findall(r'id="([^"]+)"', first) + re.findall(r'id="([^"]+)"', second)
    assert len(ids) == 4
    assert len(set(ids)) == 4
    assert "url(#" not in first + second


def test_the_svg_asks_for_web_fonts_by_css_name():
    svg = charts.chart_svg(charts.control_chart(COMMON, title="t"), title="t", description="d")

    assert 'font-family="Arial, Helvetica, sans-serif"' in svg
    assert "Helvetica-Bold" not in svg
    assert 'font-weight="bold"' in svg


@pytest.mark.parametrize("name", ANALYSES)
def test_the_svg_has_no_inline_styles_for_a_strict_content_security_policy(name):
    svg = charts.chart_svg(
        charts.control_chart(ANALYSES[name], title=name, unit="%"), title=name, description="d"
    )

    assert "style=" not in svg
    assert "rgb(" not in svg
    assert 'fill="None"' not in svg  # reportlab's str(None), as an attribute value
    assert 'fill="none"' in svg  # the lines


@pytest.mark.parametrize(("kind", "shape", "colour"), SHAPES)
def test_the_svg_keeps_the_exact_colours_of_special_cause_markers(kind, shape, colour):
    result = {
        spc.Kind.IMPROVEMENT: OVERLAP,
        spc.Kind.CONCERN: RUN_BELOW,
        spc.Kind.NEITHER: NEITHER,
    }[kind]
    tag = {Circle: "circle", Polygon: "polygon", Rect: "rect"}[shape]

    svg = charts.chart_svg(
        charts.control_chart(result, title="t", badges=False), title="t", description="d"
    )

    # markers are outlined in white (the points under them are not): one per special-cause
    # reading and one in the legend, filled with the NHS colour exactly
    hex_colour = {Circle: "#005EB8", Polygon: "#ED8B00", Rect: "#330072"}[shape]
    marked = re.findall(rf'<{tag}\b[^>]*stroke="#FFFFFF"[^>]*fill="(#[0-9A-F]{{6}})"', svg)
    assert marked == [hex_colour] * (len(result.signals) + 1)
    assert hex_colour == "#" + colour.hexval()[2:].upper()


def test_the_svg_draws_lines_and_words_in_their_colours():
    svg = charts.chart_svg(charts.control_chart(RUN_BELOW, title="t"), title="t", description="d")

    assert re.search(r'<polyline [^>]*stroke="#003087"', svg)  # the mean, NHS dark blue
    assert re.search(r'<polyline [^>]*stroke="#DA291C"[^>]*stroke-dasharray="6, 2, 1, 2"', svg)
    assert re.search(r'<text [^>]*fill="#DA291C"[^>]*>Target 17</text>', svg)


def test_dashed_lines_stay_dashed_in_svg():
    svg = charts.chart_svg(charts.control_chart(COMMON), title="t", description="d")

    # a closed path ("… Z") draws its dashes twice, which looks solid
    dashed_paths = re.findall(r'<path d="[^"]*Z"[^>]*stroke-dasharray', svg)
    assert dashed_paths == []
    assert svg.count("stroke-dasharray") >= 3  # two limits and the target, at least


# --- table -------------------------------------------------------------------------------------


def test_table_rows_give_each_reading_with_its_limits_and_why_it_is_special():
    result = analyse([*BASE, 17.0], direction="lower")

    rows = charts.chart_table_rows(result)

    assert len(rows) == 13
    assert rows[0] == TableRow(month(0), 12.0, 11.0, pytest.approx(5.68), pytest.approx(16.32), "")
    assert rows[12] == TableRow(
        month(12), 17.0, 11.0, pytest.approx(5.68), pytest.approx(16.32),
        "Concern: above the upper process limit",
    )  # fmt: skip


def test_table_rows_follow_each_phase():
    rows = charts.chart_table_rows(REBASED)

    assert [(row.mean, row.special_cause) for row in rows[10:14]] == [
        (11.0, ""),
        (11.0, ""),
        (21.0, ""),
        (21.0, ""),
    ]


def test_table_rows_without_a_chart_have_no_limits():
    assert charts.chart_table_rows(analyse([5.0])) == [
        TableRow(month(0), 5.0, None, None, None, "")
    ]


# --- rating bars -------------------------------------------------------------------------------

COUNTS = {
    "Digital": {"green": 3, "amber_green": 0, "amber": 1, "amber_red": 0, "red": 2, "": 1},
    "Operations": {"green": 0, "amber_green": 0, "amber": 4, "amber_red": 0, "red": 0, "": 0},
}


def test_rating_bars_draw_each_count_and_total_as_text():
    drawing = charts.rating_bar_chart(COUNTS)

    words = texts(drawing)
    assert words[:6] == ["Digital", "3", "1", "2", "1", "7"]
    assert words[6:9] == ["Operations", "4", "4"]
    assert words[9:] == ["Green", "Amber", "Red", "Not reported"]  # only ratings with a count


def test_rating_bars_use_the_rating_colours():
    drawing = charts.rating_bar_chart(COUNTS)

    fills = [bar.fillColor.hexval() for bar in drawing.bars.contents]
    colour = {r: HexColor(ratings.COLOUR[r]).hexval() for r in ratings.Rating}
    assert fills == [
        colour[ratings.Rating.GREEN],
        colour[ratings.Rating.AMBER],
        colour[ratings.Rating.RED],
        charts.NHS_PALE_GREY.hexval(),
        colour[ratings.Rating.AMBER],
    ]
    widths = [bar.width for bar in drawing.bars.contents]
    assert widths[0] / widths[1] == pytest.approx(3)  # lengths in proportion to the counts


def test_numbers_on_dark_bars_are_white_and_on_light_bars_dark():
    drawing = charts.rating_bar_chart({"Team": {"green": 1, "amber": 1}})

    colour_of = {item.text: item.fillColor for item, _, _ in strings(drawing)}
    # green (#007f3b) is dark, amber (#ffb81c) is light; both bars read "1", the total "2"
    numbers = [item for item, _, _ in strings(drawing) if item.text == "1"]
    assert [n.fillColor.hexval() for n in numbers] == ["0xffffff", charts.NHS_BLACK.hexval()]
    assert colour_of["2"] == charts.NHS_BLACK


def test_rating_bars_with_nothing_to_show_say_so():
    drawing = charts.rating_bar_chart({"Digital": {"green": 0, "": 0}})

    assert texts(drawing) == ["No ratings yet."]


def test_rating_bars_render_to_pdf():
    assert renderPDF.drawToString(charts.rating_bar_chart(COUNTS)).startswith(b"%PDF-")
