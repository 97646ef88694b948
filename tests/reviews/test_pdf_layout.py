"""The pack's own text, table and chart flowables: line breaking, splitting across pages, and the
fast chart drawing standing in for renderPDF."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing, Ellipse, Rect
from reportlab.pdfgen.canvas import Canvas

from objectives import charts, spc
from reviews.pdf import fonts
from reviews.pdf.drawing import simple
from reviews.pdf.grid import Grid
from reviews.pdf.styles import BOLD, TextStyle
from reviews.pdf.text import Run, Text, Together, keep_together, layout


@pytest.fixture(autouse=True)
def registered_fonts():
    fonts.register_fonts()


def texts(lines):
    return ["".join(segment[0] for segment in line.segments) for line in lines]


def test_text_breaks_at_spaces_keeps_new_lines_and_breaks_a_word_longer_than_a_line():
    lines = layout(
        [Run("Alpha beta gamma\n\nDelta " + "x" * 60)], 80, size=10, leading=12, colour=None
    )

    assert texts(lines)[:4] == ["Alpha beta", "gamma", "", "Delta"]
    assert "".join(texts(lines)[4:]) == "x" * 60
    assert all(line.width <= 80 for line in lines)
    assert [line.height for line in lines[:3]] == [12, 12, 12]


def test_runs_keep_their_fonts_and_the_space_between_them():
    (line,) = layout([Run("High", BOLD), Run(" · Overdue")], 400, size=9, leading=12, colour=None)

    assert [(text, font) for text, font, _, _ in line.segments] == [
        ("High", BOLD),
        (" · Overdue", "PackSans"),
    ]


def test_a_paragraph_splits_between_lines_and_keeps_every_word():
    text = Text(" ".join(f"word{n}" for n in range(200)), TextStyle(size=10, leading=12))
    text.wrap(200, 1000)

    first, rest = text.split(200, 60)

    assert first.wrap(200, 60)[1] == 60  # five lines of 12 points
    words = " ".join(texts(first._lines) + texts(rest._lines)).split()
    assert words == [f"word{n}" for n in range(200)]


def grid_of(rows: int) -> Grid:
    return Grid([100, 100], [[f"row {n}", "x"] for n in range(rows)], header=["A", "B"])


def test_a_short_table_is_never_split_across_pages():
    grid = grid_of(5)
    height = grid.wrap(200, 1000)[1]

    assert grid.split(200, height - 1) == []


def test_a_long_table_leaves_at_least_two_rows_on_each_page_and_repeats_its_header():
    grid = grid_of(10)
    grid.wrap(200, 1000)
    row = grid._rows[0].height

    first, rest = grid.split(200, grid._header.height + 9.5 * row)  # room for 9 rows

    assert (len(first._rows), len(rest._rows)) == (8, 2)
    assert rest._header is grid._header


def test_a_row_taller_than_a_third_of_a_page_runs_on_across_pages():
    narrative = "Long narrative. " * 625
    grid = Grid([100, 300], [["Team", narrative]], header=["Team", "Narrative"])
    grid.wrap(400, 800)

    first, rest = grid.split(400, 300)

    assert first.wrap(400, 300)[1] <= 300
    kept = texts(first._rows[0].cells[1]) + texts(rest._rows[0].cells[1])
    assert " ".join(kept).split() == narrative.split()


def test_a_heading_is_kept_with_what_follows_it():
    heading = Text("Milestones", TextStyle(keep_with_next=True))
    table = grid_of(3)

    (together,) = keep_together([heading, table])

    assert isinstance(together, Together)
    height = together.wrap(200, 1000)[1]
    assert together.split(200, height - 1) == []  # moves to the next page whole


def control_chart_drawing():
    readings = [(dt.date(2023, 4, 1) + dt.timedelta(days=31 * n), 60.0 + n % 3) for n in range(14)]
    analysis = spc.analyse(readings, direction="higher", target=70)
    return charts.control_chart(analysis, title="Uptake", unit="%", font="PackSans", bold_font=BOLD)


def test_control_charts_are_drawn_without_renderpdf_and_keep_their_words():
    from reviews.pdf.drawing import Chart

    drawing = control_chart_drawing()
    assert simple(drawing)
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    chart = Chart(drawing)
    chart.wrap(500, 500)
    chart.drawOn(canvas, 20, 400)
    canvas.showPage()
    canvas.save()

    text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()
    assert "Uptake" in text and "Mean" in text


def test_drawings_with_shapes_the_fast_path_does_not_know_are_left_to_renderpdf():
    drawing = Drawing(100, 100)
    drawing.add(Rect(0, 0, 10, 10))
    assert simple(drawing)
    drawing.add(Ellipse(50, 50, 10, 5))
    assert not simple(drawing)
