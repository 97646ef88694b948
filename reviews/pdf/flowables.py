"""The pack's own small flowables: headings that are bookmarks, labels, contents lines, ruled
space to write on, and the stand-in that builds an objective's story when platypus reaches it."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
)

from .styles import BOLD, DARK, RULE, TextStyle
from .text import Pen, Run, Text, bold, draw_lines, keep_together, layout


class Heading(Text):
    """A heading that becomes a bookmark and a contents line (see PackDocTemplate.afterFlowable)."""

    def __init__(self, text, style, *, key, outline_title, level=0):
        super().__init__(bold(text), style)
        self.bookmark = (key, outline_title, level)


class Label(Flowable):
    """A one-line sub-heading drawn straight onto the canvas: thousands of these in a big pack
    cost far less than Paragraphs. Kept with what follows it, so never orphaned at a page foot."""

    keep_next = True

    def __init__(self, text, *, size=12, space_before=10, space_after=4):
        super().__init__()
        self.text = text
        self.size = size
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = self.size * 1.25
        return self.width, self.height

    def draw(self):
        self.canv.setFont("PackSans-Bold", self.size)
        self.canv.setFillColor(DARK)
        self.canv.drawString(0, self.size * 0.3, self.text)


class PageNumber(Flowable):
    """A contents line's page number: a form filled in once the page is known."""

    width_pts = 36

    def __init__(self, key, height):
        super().__init__()
        self.key = key
        self.height = height

    def wrap(self, available_width, available_height):
        return self.width_pts, self.height

    def draw(self):
        self.canv.saveState()
        self.canv.translate(0, 2)
        self.canv.doForm(f"page-{self.key}")
        self.canv.restoreState()


class ContentsLine(Flowable):
    """One line of the contents: a (wrapping) title and its page number on the right."""

    def __init__(self, text, style: TextStyle, key, *, bold=False):
        super().__init__()
        self.runs = [Run(text, BOLD if bold else "PackSans")]
        self.style = style
        self.key = key

    def wrap(self, available_width, available_height):
        self.available_width = available_width
        style = self.style
        self.lines = layout(
            self.runs,
            available_width - PageNumber.width_pts - 6 - style.indent,
            size=style.size,
            leading=style.leading,
            colour=style.colour,
        )
        self.height = sum(line.height for line in self.lines) + 3
        return available_width, self.height

    def draw(self):
        canvas = self.canv
        pen = Pen(canvas)
        draw_lines(pen, self.lines, self.style.indent, self.height, self.available_width)
        canvas.saveState()
        canvas.drawText(pen)
        canvas.restoreState()
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.3)
        canvas.setDash(1, 2)
        canvas.line(0, 1, self.available_width, 1)
        canvas.restoreState()
        canvas.saveState()
        canvas.translate(self.available_width - PageNumber.width_pts, 4)
        canvas.doForm(f"page-{self.key}")
        canvas.restoreState()


class RuledSpace(Flowable):
    """Ruled lines to write on: `lines` of them, or the rest of the page when `fill` is set."""

    def __init__(self, lines=3, *, fill=False, pitch=8 * mm, label=""):
        super().__init__()
        self.lines = lines
        self.fill = fill
        self.pitch = pitch
        self.label = label  # drawn inside, so a heading can never be parted from its space
        self.label_height = 22 if label else 0

    def wrap(self, available_width, available_height):
        self.width = available_width
        minimum = self.lines * self.pitch + self.label_height
        if self.fill and available_height > minimum:
            self.height = available_height - 2
        else:
            self.height = minimum
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        if self.label:
            canvas.setFont("PackSans-Bold", 12)
            canvas.setFillColor(DARK)
            canvas.drawString(0, self.height - 15, self.label)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        y = self.height - self.label_height - self.pitch
        while y >= 0:
            canvas.line(0, y, self.width, y)
            y -= self.pitch
        canvas.restoreState()


class Deferred(Flowable):
    """Stands in for a section's flowables until platypus reaches it, so a 500-objective pack
    never holds every objective's paragraphs in memory at once. It never fits, so platypus asks
    it to split, and the split is the section's real story."""

    def __init__(self, build):
        super().__init__()
        self.build = build

    def wrap(self, available_width, available_height):
        return available_width, available_height + 1

    def split(self, available_width, available_height):
        return keep_together(self.build())

    def draw(self):  # never drawn: always split first
        raise AssertionError("Deferred flowables are split, never drawn")


class GroupMark(Flowable):
    """An invisible bookmark for a group of sections (the objectives)."""

    def __init__(self, key, title):
        super().__init__()
        self.bookmark = (key, title, 0)

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        pass
