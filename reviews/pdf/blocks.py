"""Building blocks the story builders share: paragraphs of user text, headings that become
bookmarks and contents lines, sub-headings, tables, flag lines and ruled space to write on."""

from __future__ import annotations

from typing import NamedTuple
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table

from .flags import flag_acknowledged, flag_explanation, flag_label, flag_severity
from .fonts import markup, plain, printable
from .styles import CELL_PADDING, DARK, RULE, table_style

ROOM_FOR_A_BLOCK = 25 * mm  # a sub-heading nearer the page foot than this starts the next page


class Outline(NamedTuple):
    """Where a heading goes in the PDF's bookmarks and, when `in_contents`, the contents page.
    PackDocTemplate.afterFlowable reads it."""

    key: str
    title: str  # plain text (fonts.plain)
    level: int
    in_contents: bool = True


def text(value, style) -> Paragraph:
    """User text as a paragraph: escaped, so nothing in it is markup."""
    return Paragraph(markup(value), style)


def cell(value, width: float, style) -> str | Paragraph:
    """A table cell of user text in a column `width` wide, set in `style` (the table's own font
    and size). Text whose every word fits the column is broken into lines by reportlab's
    simpleSplit and drawn as a plain string cell: a third of a Paragraph's cost, and a big pack
    has thousands of cells. Anything else is a Paragraph, which breaks a word too long for a
    line."""
    value = printable(value)
    room = width - CELL_PADDING
    lines = simpleSplit(value, style.fontName, style.fontSize, room)
    if all(stringWidth(line, style.fontName, style.fontSize) <= room for line in lines):
        return "\n".join(lines)
    return Paragraph(markup(value), style)


def heading(
    title: str, styles, *, key: str, level: int = 0, outline_title=None, in_contents=True
) -> Paragraph:
    """A section heading (`title` is text, escaped here): a bookmark titled `outline_title`
    (or the heading) and, unless told otherwise, a line of the contents."""
    paragraph = Paragraph(markup(title), styles["h1"])
    paragraph.outline = Outline(key, plain(outline_title or title), level, in_contents)
    return paragraph


def label(title: str, styles, *, room=ROOM_FOR_A_BLOCK, keep_with_next=False) -> list:
    """A sub-heading, never left alone at the foot of a page: with less than `room` left it
    starts the next page (CondPageBreak), so whatever follows, a table that runs on over
    several pages included, starts beside it. `keep_with_next` also keeps it with the block
    that follows (platypus's keepWithNext), for blocks whose size `room` cannot know."""
    style = styles["label_kept" if keep_with_next else "label"]
    return [CondPageBreak(room), Paragraph(escape(title), style)]


def nothing(sentence: str, styles) -> Paragraph:
    return Paragraph(escape(sentence), styles["small"])


def table(rows, widths, *, header=None, extra=(), size=8.5, leading=10.5) -> Table:
    """A table over as many pages as it needs: its header row repeated on each, a row taller
    than what is left of a page split between its lines (splitInRow)."""
    data = [header, *rows] if header else list(rows)
    return Table(
        data,
        colWidths=widths,
        repeatRows=1 if header else 0,
        splitInRow=1,
        style=table_style(header=bool(header), size=size, leading=leading, extra=extra),
        hAlign="LEFT",
    )


def flag_line(flag, styles) -> Paragraph:
    line = (
        f"<b>{markup(flag_severity(flag))}</b> · "
        f"{markup(flag_label(flag))}: {markup(flag_explanation(flag))}"
    )
    if flag_acknowledged(flag):
        line += " <i>(acknowledged)</i>"
    return Paragraph(line, styles["flag"])


class RuledSpace(Flowable):
    """Ruled lines to write on: `lines` of them, or the rest of the page when `fill` is set."""

    def __init__(self, lines=3, *, fill=False, pitch=8 * mm, title=""):
        super().__init__()
        self.lines = lines
        self.fill = fill
        self.pitch = pitch
        self.title = title  # drawn inside, so a heading is never parted from its space
        self.title_height = 22 if title else 0

    def wrap(self, available_width, available_height):
        self.width = available_width
        minimum = self.lines * self.pitch + self.title_height
        if self.fill and available_height > minimum:
            self.height = available_height - 2
        else:
            self.height = minimum
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        if self.title:
            canvas.setFont("PackSans-Bold", 12)
            canvas.setFillColor(DARK)
            canvas.drawString(0, self.height - 15, self.title)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        y = self.height - self.title_height - self.pitch
        while y >= 0:
            canvas.line(0, y, self.width, y)
            y -= self.pitch
        canvas.restoreState()
