"""The pack's look: page geometry, colours, paragraph and table styles, and how ratings and dates
are written."""

from __future__ import annotations

import datetime as dt

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from objectives import ratings

REGULAR = "PackSans"  # DejaVu Sans, registered under these names by fonts.register_fonts()
BOLD = "PackSans-Bold"
ITALIC = "PackSans-Oblique"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TOP = 20 * mm
BOTTOM = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY_WIDTH = FRAME_WIDTH - 12  # inside the frame's own 6 pt padding

NHS_BLUE = colors.HexColor("#005eb8")
DARK = colors.HexColor("#212b32")
GREY = colors.HexColor("#4c6272")
RULE = colors.HexColor("#aeb7bd")
WARNING = colors.HexColor("#d5281b")

RATING_SHORT = {
    ratings.Rating.GREEN: "G",
    ratings.Rating.AMBER_GREEN: "A/G",
    ratings.Rating.AMBER: "A",
    ratings.Rating.AMBER_RED: "A/R",
    ratings.Rating.RED: "R",
}
WHITE_TEXT = {ratings.Rating.GREEN, ratings.Rating.RED}

CHART_TEAMS = 30  # teams per summary chart
SUMMARY_FLAGS = 3  # flags per objective in the summary; its own section lists them all


def day_text(when: dt.date | None) -> str:
    return f"{when.day} {when:%B %Y}" if when else "not set"


def short_day(when: dt.date | None) -> str:
    return f"{when.day} {when:%b %Y}" if when else "–"


def moment(when: dt.datetime | None) -> str:
    if when is None:
        return "no data yet"
    return f"{when.day} {when:%B %Y} at {when:%H:%M}"


def build_styles() -> dict[str, ParagraphStyle]:
    """Every paragraph style the pack uses, by name."""
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=DARK, spaceAfter=4
    )

    def style(name, parent=body, **kw):
        return ParagraphStyle(name, parent=parent, **kw)

    cell = style("cell", fontSize=8.5, leading=10.5, spaceAfter=0)
    return {
        "body": body,
        "small": style("small", fontSize=8, leading=10, textColor=GREY, spaceAfter=2),
        "caption": style(
            "caption",
            fontName=BOLD,
            fontSize=9,
            leading=12,
            textColor=GREY,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "h1": style("h1", fontName=BOLD, fontSize=18, leading=23, textColor=NHS_BLUE, spaceAfter=8),
        "label": style(
            "label", fontName=BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "label_kept": style(
            "label_kept",
            fontName=BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "toc1": style("toc1", fontName=BOLD, fontSize=10.5, leading=14),
        "toc2": style("toc2", fontSize=9, leading=11.5, leftIndent=14),
        "flag": style("flag", fontSize=9, leading=12, leftIndent=8, spaceAfter=3),
        "flag_head": style("flag_head", spaceBefore=4, spaceAfter=2),
        "question": style("question", fontName=BOLD, spaceAfter=0, keepWithNext=1),
        "answer": style("answer", spaceAfter=0),
        "cell": cell,
        "cell_bold": style("cell_bold", parent=cell, fontName=BOLD),
        "cell_small": style("cell_small", parent=cell, fontSize=7.5, leading=9),
        "cell_right": style("cell_right", parent=cell, alignment=TA_RIGHT),
        "cover_title": style(
            "cover_title",
            fontName=BOLD,
            fontSize=26,
            leading=32,
            textColor=NHS_BLUE,
            spaceAfter=10,
        ),
        "cover_cell": style("cover_cell", fontSize=10, leading=13, spaceAfter=0),
        "cover_sub": style("cover_sub", fontSize=13, leading=18, spaceAfter=6),
    }


CELL_PADDING = 8  # points: a table cell's left and right padding together


def table_style(*, header=True, size=8.5, leading=10.5, extra=()) -> TableStyle:
    """The pack's tables: text top-aligned, a rule below each row, a white-on-blue header row.
    The font commands apply to plain-string cells; Paragraph cells carry their own style."""
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), DARK),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING / 2),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ]
    return TableStyle(commands + list(extra))


def rating_commands(rating, col: int, row: int) -> list[tuple]:
    """A table cell in the rating's colour, its text bold (or grey when there is no rating)."""
    cell = (col, row), (col, row)
    if not rating:
        return [("TEXTCOLOR", *cell, GREY)]
    rating = ratings.Rating(rating)
    return [
        ("BACKGROUND", *cell, colors.HexColor(ratings.COLOUR[rating])),
        ("TEXTCOLOR", *cell, colors.white if rating in WHITE_TEXT else DARK),
        ("FONTNAME", *cell, BOLD),
    ]


def overdue_commands(col: int, row: int) -> list[tuple]:
    cell = (col, row), (col, row)
    return [("TEXTCOLOR", *cell, WARNING), ("FONTNAME", *cell, BOLD)]
