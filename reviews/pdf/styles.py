"""The pack's look: page geometry, colours, text and cell styles, and how ratings and dates are
written."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

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
PALE = colors.HexColor("#f0f4f5")
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


class TextStyle(NamedTuple):
    """How a text.Text flowable is set: its runs carry their own fonts."""

    size: float = 9.5
    leading: float = 12.5
    colour: object = DARK
    space_before: float = 0
    space_after: float = 0
    indent: float = 0
    keep_with_next: bool = False
    align: str = "LEFT"  # LEFT, RIGHT or CENTER


class Look(NamedTuple):
    """How one cell of a grid.Grid differs from the rest of its table."""

    background: object = None
    colour: object = None
    font: str | None = None


def day_text(when: dt.date | None) -> str:
    return f"{when.day} {when:%B %Y}" if when else "not set"


def short_day(when: dt.date | None) -> str:
    return f"{when.day} {when:%b %Y}" if when else "–"


def moment(when: dt.datetime | None) -> str:
    if when is None:
        return "no data yet"
    return f"{when.day} {when:%B %Y} at {when:%H:%M}"


def build_styles() -> dict:
    """TextStyles for the pack's own text flowables, ParagraphStyles for the few Paragraphs (the
    cover and the how-to-read page, which hold links and a little markup)."""
    body = TextStyle(size=9.5, leading=12.5, colour=DARK, space_after=4)
    base = ParagraphStyle(
        "body", fontName="PackSans", fontSize=9.5, leading=12.5, textColor=DARK, spaceAfter=4
    )

    def style(name, **kw):
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": body,
        "small": body._replace(size=8, leading=10, colour=GREY, space_after=2),
        "caption": body._replace(
            size=9, leading=12, colour=GREY, space_after=2, keep_with_next=True
        ),
        "h1": TextStyle(size=18, leading=23, colour=NHS_BLUE, space_after=8, keep_with_next=True),
        "toc1": body._replace(size=10.5, leading=14, space_after=0),
        "toc2": body._replace(size=9, leading=11.5, indent=14, space_after=0),
        "flag": body._replace(size=9, leading=12, indent=8, space_after=3),
        "question": body._replace(space_after=0, keep_with_next=True),
        "flag_head": body._replace(space_before=4, space_after=2, keep_with_next=True),
        # Paragraph styles
        "body_p": base,
        "caption_p": style(
            "caption",
            fontName="PackSans-Bold",
            fontSize=9,
            leading=12,
            textColor=GREY,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "cell": style("cell", fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_bold": style("cell_bold", fontName="PackSans-Bold", fontSize=8.5, leading=10.5),
        "cover_title": style(
            "cover_title",
            fontName="PackSans-Bold",
            fontSize=26,
            leading=32,
            textColor=NHS_BLUE,
            spaceAfter=10,
        ),
        "cover_sub": style("cover_sub", fontSize=13, leading=18, spaceAfter=6),
    }


NOT_RATED_LOOK = Look(colour=GREY)


RATING_LOOK = {
    rating: Look(
        colors.HexColor(ratings.COLOUR[rating]),
        colors.white if rating in WHITE_TEXT else DARK,
        BOLD,
    )
    for rating in ratings.Rating
}


def rating_look(rating) -> Look:
    """A table cell in the rating's colour, its text bold (or grey when there is no rating)."""
    return RATING_LOOK[ratings.Rating(rating)] if rating else NOT_RATED_LOOK


OVERDUE_LOOK = Look(colour=WARNING, font=BOLD)
