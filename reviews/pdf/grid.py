"""Grid: a table of text cells for the pack, the little of platypus's Table it needs.

Cells are laid out once (see text.py); a grid draws its backgrounds, then all its text in one PDF
text object, then its rules in one path. Its header row is repeated on every page it runs onto,
and a row taller than a third of a page is split between its lines, so a 10,000-character
narrative runs on across pages; short tables are kept whole and no page holds a lone row.
"""

from __future__ import annotations

from typing import NamedTuple

from reportlab.lib import colors
from reportlab.platypus import Flowable

from .styles import BOLD, DARK, NHS_BLUE, REGULAR, RULE, Look
from .text import Pen, Run, draw_lines, layout, runs_of

TALL_ROW = 240  # points: a row this tall is split between its lines rather than moved on
KEEP_WHOLE = 5  # rows: a table this short is never split
MIN_ROWS = 2  # rows: the fewest a split table leaves on a page


class _Row(NamedTuple):
    cells: tuple  # a list of Lines per column
    looks: tuple  # a Look (or None) per column
    height: float


class Grid(Flowable):
    """A table of text cells: fixed column widths, a header row (white on blue) repeated on every
    page it runs onto, a rule below each row. A table of up to five rows is never split; a longer
    one leaves at least two rows on each page; a row taller than a third of a page is split
    between its lines."""

    def __init__(
        self,
        widths,
        rows,
        *,
        header=None,
        looks=None,
        align=None,
        bold_columns=(),
        size=8.5,
        leading=10.5,
        padding=(4, 3),
        space_before=0,
        space_after=0,
        prepared=None,
    ):
        super().__init__()
        self.widths = list(widths)
        self.size = size
        self.leading = leading
        self.pad_x, self.pad_y = padding
        self.align = align or {}
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        if prepared is not None:
            self._header, self._rows = prepared
        else:
            looks = looks or {}
            self._header = (
                self._prepare(
                    header, [Look(NHS_BLUE, colors.white, BOLD)] * len(self.widths), header=True
                )
                if header
                else None
            )
            self._rows = [
                self._prepare(
                    cells,
                    [
                        looks.get((col, row)) or (Look(font=BOLD) if col in bold_columns else None)
                        for col in range(len(self.widths))
                    ],
                )
                for row, cells in enumerate(rows)
            ]

    def _prepare(self, cells, looks, header=False) -> _Row:
        laid_out = []
        for col, (value, width) in enumerate(zip(cells, self.widths, strict=True)):
            look = looks[col]
            runs = runs_of(value if value is not None else "")
            if look is not None and look.font:
                runs = [
                    Run(r.text, look.font if r.font == REGULAR else r.font, r.size, r.colour)
                    for r in runs
                ]
            colour = (look.colour if look is not None and look.colour else None) or DARK
            laid_out.append(
                layout(
                    runs,
                    width - 2 * self.pad_x,
                    size=self.size,
                    leading=self.leading,
                    colour=colour,
                )
            )
        height = max((sum(line.height for line in lines) for lines in laid_out), default=0)
        return _Row(tuple(laid_out), tuple(looks), max(height, self.leading) + 2 * self.pad_y)

    def _copy(self, header, rows):
        return Grid(
            self.widths,
            None,
            size=self.size,
            leading=self.leading,
            padding=(self.pad_x, self.pad_y),
            align=self.align,
            prepared=(header, rows),
        )

    def wrap(self, available_width, available_height):
        self.width = sum(self.widths)
        self.height = (self._header.height if self._header else 0) + sum(
            row.height for row in self._rows
        )
        return self.width, self.height

    def split(self, available_width, available_height):
        header_height = self._header.height if self._header else 0
        room = available_height - header_height
        used = 0.0
        fit = 0
        for row in self._rows:
            if used + row.height > room + 1e-6:
                break
            used += row.height
            fit += 1
        rows = self._rows
        if fit == len(rows):
            return []
        row = rows[fit]
        if row.height > TALL_ROW:  # a long narrative runs on across pages
            head, tail = self._split_row(row, room - used)
            if head is not None:
                return [
                    self._copy(self._header, [*rows[:fit], head]),
                    self._copy(self._header, [tail, *rows[fit + 1 :]]),
                ]
        # No row or two left alone: a short table moves to the next page whole, a long one
        # leaves at least two rows on each page.
        if len(rows) <= KEEP_WHOLE:
            return []
        fit = min(fit, len(rows) - MIN_ROWS)
        if fit < MIN_ROWS:
            return []
        return [
            self._copy(self._header, rows[:fit]),
            self._copy(self._header, rows[fit:]),
        ]

    def _split_row(self, row: _Row, room: float):
        """The part of `row` that fits in `room` and the rest, or (None, None)."""
        room -= 2 * self.pad_y
        if room < self.leading:
            return None, None
        heads, tails = [], []
        for lines in row.cells:
            used = 0.0
            fit = 0
            for line in lines:
                if used + line.height > room + 1e-6:
                    break
                used += line.height
                fit += 1
            heads.append(lines[:fit])
            tails.append(lines[fit:])
        if not any(heads) or not any(tails):
            return None, None

        def height(cells):
            return max(sum(line.height for line in lines) for lines in cells) + 2 * self.pad_y

        return (
            _Row(tuple(heads), row.looks, height(heads)),
            _Row(tuple(tails), row.looks, height(tails)),
        )

    def draw(self):
        canvas = self.canv
        rows = ([self._header] if self._header else []) + list(self._rows)
        width = self.width
        # backgrounds
        y = self.height
        filled = []
        for index, row in enumerate(rows):
            y -= row.height
            if index == 0 and self._header:
                filled.append((NHS_BLUE, 0, y, width, row.height))
                continue
            x = 0.0
            for look, col_width in zip(row.looks, self.widths, strict=True):
                if look is not None and look.background is not None:
                    filled.append((look.background, x, y, col_width, row.height))
                x += col_width
        if filled:
            canvas.saveState()
            current = None
            for colour, x, y0, w, h in filled:
                if colour is not current:
                    canvas.setFillColor(colour)
                    current = colour
                canvas.rect(x, y0, w, h, stroke=0, fill=1)
            canvas.restoreState()
        # text
        pen = Pen(canvas)
        y = self.height
        for row in rows:
            x = 0.0
            for col, (lines, col_width) in enumerate(zip(row.cells, self.widths, strict=True)):
                if lines:
                    draw_lines(
                        pen,
                        lines,
                        x + self.pad_x,
                        y - self.pad_y,
                        col_width - 2 * self.pad_x,
                        self.align.get(col, "LEFT"),
                    )
                x += col_width
            y -= row.height
        canvas.saveState()
        canvas.drawText(pen)
        canvas.restoreState()
        # rules below each row
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        y = self.height
        rules = []
        for row in rows:
            y -= row.height
            rules.append((0, y, width, y))
        canvas.lines(rules)
        canvas.restoreState()
