"""Building blocks the section builders share."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import (
    Paragraph,
    Table,
    TableStyle,
)

from objectives import ratings

from .flowables import Heading
from .fonts import printable
from .grid import Grid
from .styles import DARK, GREY, ITALIC, NHS_BLUE, RULE, WHITE_TEXT
from .text import Run, Text, bold


def platypus_table(rows, widths, *, header=True, style=(), repeat=True, split_rows=False):
    """A platypus Table, for the few one-off tables that hold Paragraphs (cover, scale)."""
    table = Table(
        rows,
        colWidths=widths,
        repeatRows=1 if header and repeat else 0,
        splitInRow=1 if split_rows else 0,
    )
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), "PackSans"),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 10.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), DARK),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, 0), "PackSans-Bold"),
        ]
    table.setStyle(TableStyle(commands + list(style)))
    return table


def rating_cell_style(rating, col, row):
    if not rating:
        return [("TEXTCOLOR", (col, row), (col, row), GREY)]
    colour = colors.HexColor(ratings.COLOUR[ratings.Rating(rating)])
    text = colors.white if rating in WHITE_TEXT else DARK
    return [
        ("BACKGROUND", (col, row), (col, row), colour),
        ("TEXTCOLOR", (col, row), (col, row), text),
        ("FONTNAME", (col, row), (col, row), "PackSans-Bold"),
    ]


def rating_text(rating) -> str:
    return ratings.label(rating)


def para(text, style):
    return Paragraph(text, style)


def heading(text, styles, *, key, level=0, outline=None):
    return Heading(text, styles["h1"], key=key, outline_title=outline or text, level=level)


def nothing(text, styles):
    return Text(text, styles["small"])


def grid_table(rows, widths, *, header=None, looks=None, **kw):
    return Grid(widths, rows, header=header, looks=looks, **kw)


def flag_line(flag, styles):
    runs = [
        bold(printable(flag.severity.capitalize())),
        Run(f" · {printable(flag.rule)}: {printable(flag.explanation)}"),
    ]
    if flag.acknowledged:
        runs.append(Run(" (acknowledged)", ITALIC))
    return Text(runs, styles["flag"])
