"""Fast text for the review pack: the little of platypus's Paragraph the pack needs.

platypus's Paragraph parses markup and re-breaks its lines on every wrap, and reportlab's text
object re-encodes every string it writes; a 500-objective pack holds tens of thousands of them,
and they were most of its build time. Here:

- `layout()` breaks runs of regular and bold text into lines at spaces (a word longer than a line
  at its letters), measuring a word at a time with reportlab's C `stringWidth`;
- `Text` is a paragraph laid out once per width and split across pages between lines;
- `Pen` writes PDF text operators directly, encoding each short string once per document;
- `Together` keeps a heading with what follows it (see grid.py for tables).

Text is drawn as it is given, never parsed, so nothing in it is markup: callers pass text made
printable by the font (`fonts.printable()`), with `\\n` for a new line.
"""

from __future__ import annotations

from typing import NamedTuple

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from .styles import BOLD, REGULAR, TextStyle


class Run(NamedTuple):
    """Some text in one font; size 0 and colour None mean the block's own."""

    text: str
    font: str = REGULAR
    size: float = 0
    colour: object = None


def bold(text: str, **kw) -> Run:
    return Run(text, BOLD, **kw)


class Line(NamedTuple):
    segments: tuple  # ((text, font, size, colour), ...)
    width: float
    height: float  # leading
    ascent: float  # its biggest font size: the baseline sits this far below the line's top


_MEASURES: dict = {}


def width_of(text: str, font: str, size: float) -> float:
    measure = _MEASURES.get(font)
    if measure is None:
        measure = _MEASURES[font] = pdfmetrics.getFont(font).stringWidth
    return measure(text, size)


def runs_of(value) -> list[Run]:
    if isinstance(value, str):
        return [Run(value)]
    if isinstance(value, Run):
        return [value]
    return list(value)


def layout(runs, width: float, *, size: float, leading: float, colour) -> list[Line]:
    """`runs` broken into lines no wider than `width` (at spaces; a word longer than a line at
    its letters). Runs of white space count as one space, as in a Paragraph."""
    ratio = leading / size
    if len(runs) == 1:  # the common case: one run that fits on one line
        text, font, run_size, run_colour = runs[0]
        if "\n" not in text:
            run_size = run_size or size
            words = " ".join(text.split())
            line_width = width_of(words, font, run_size)
            if line_width <= width:
                if not words:
                    return []
                segment = (words, font, run_size, run_colour or colour)
                return [Line((segment,), line_width, run_size * ratio, run_size)]

    lines: list[Line] = []
    segments: list[list] = []  # [text, font, size, colour, width] of the line being filled
    state = {"width": 0.0}

    def close(empty_too=False):
        if segments:
            biggest = max(s[2] for s in segments)
            lines.append(
                Line(
                    tuple((s[0], s[1], s[2], s[3]) for s in segments),
                    state["width"],
                    biggest * ratio,
                    biggest,
                )
            )
        elif empty_too:
            lines.append(Line((), 0.0, size * ratio, size))
        segments.clear()
        state["width"] = 0.0

    def place(word, word_width, font, run_size, run_colour, gap):
        last = segments[-1] if segments else None
        if last is not None and last[1] == font and last[2] == run_size and last[3] is run_colour:
            last[0] += (" " + word) if gap else word
            last[4] += gap + word_width
        else:
            segments.append(
                [(" " + word) if gap else word, font, run_size, run_colour, gap + word_width]
            )
        state["width"] += gap + word_width

    spaced = False  # the next word follows a space
    for text, font, run_size, run_colour in runs:
        run_size = run_size or size
        run_colour = run_colour or colour
        space = width_of(" ", font, run_size)
        for index, part in enumerate(text.split("\n")):
            if index:
                close(empty_too=True)
                spaced = False
            if part[:1].isspace():
                spaced = True
            for word in part.split():
                word_width = width_of(word, font, run_size)
                gap = space if spaced and segments else 0.0
                if segments and state["width"] + gap + word_width > width:
                    close()
                    gap = 0.0
                if word_width > width:  # longer than a whole line: break it at its letters
                    pieces = _break_word(word, font, run_size, width)
                    for piece in pieces[:-1]:
                        place(piece, width_of(piece, font, run_size), font, run_size, run_colour, 0)
                        close()
                    word = pieces[-1]
                    word_width = width_of(word, font, run_size)
                place(word, word_width, font, run_size, run_colour, gap)
                spaced = True
            spaced = part[-1:].isspace() if part else spaced
    close()
    return lines


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    pieces = []
    start = 0
    used = 0.0
    for index, char in enumerate(word):
        char_width = width_of(char, font, size)
        if used + char_width > width and index > start:
            pieces.append(word[start:index])
            start = index
            used = 0.0
        used += char_width
    pieces.append(word[start:])
    return pieces


SHORT_TEXT = 40  # strings up to this long (ratings, dates, names) are encoded once per document


class Pen:
    """A PDF text object written directly: a font or colour is set only when it changes, and each
    distinct string is encoded once per document (reportlab's own text object re-encodes every
    string it writes, which was a third of the pack's drawing time). Hand it to
    `canvas.drawText()`."""

    def __init__(self, canvas):
        self.doc = canvas._doc
        cache = getattr(canvas, "_pack_pen_cache", None)
        if cache is None:
            cache = canvas._pack_pen_cache = {}
        self.cache = cache
        self.code = ["BT"]
        self.font = None
        self.colour = None

    def move_to(self, x: float, y: float):
        self.code.append(f"1 0 0 1 {fp_str(x, y)} Tm")

    def write(self, text, font, size, colour):
        code = self.code
        if self.colour is not colour:
            code.append(f"{fp_str(colour.red, colour.green, colour.blue)} rg")
            self.colour = colour
        if len(text) <= SHORT_TEXT:
            pieces = self.cache.get((font, text))
            if pieces is None:
                pieces = self.cache[font, text] = self._encode(text, font)
        else:  # long lines are seldom repeated: not worth their memory
            pieces = self._encode(text, font)
        for name, shown in pieces:
            if self.font != (name, size):
                code.append(f"{name} {fp_str(size)} Tf")
                self.font = (name, size)
            code.append(shown)

    def _encode(self, text, font):
        """[(PDF name of the font subset, "(bytes) Tj")] for `text` in `font`."""
        face = pdfmetrics.getFont(font)
        doc = self.doc
        return tuple(
            (face.getSubsetInternalName(subset, doc), f"({escapePDF(chunk)}) Tj")
            for subset, chunk in face.splitString(text, doc)
        )

    def getCode(self) -> str:  # what canvas.drawText() asks for
        return " ".join([*self.code, "ET"])


def draw_lines(pen: Pen, lines, x: float, top: float, width: float, align: str = "LEFT"):
    """Write `lines` with `pen`, the first line's top at `top`."""
    write = pen.write
    y = top
    for line in lines:
        baseline = y - line.ascent
        y -= line.height
        if not line.segments:
            continue
        if align == "RIGHT":
            start = x + width - line.width
        elif align == "CENTER":
            start = x + (width - line.width) / 2
        else:
            start = x
        pen.move_to(start, baseline)
        for text, font, size, colour in line.segments:
            write(text, font, size, colour)


# --- Text ---------------------------------------------------------------------------------------


class Text(Flowable):
    """A paragraph of plain text runs; splits across pages between lines."""

    def __init__(self, runs, style: TextStyle, *, lines=None):
        super().__init__()
        self.runs = runs_of(runs)
        self.style = style
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self.keep_next = style.keep_with_next
        self._lines = lines
        self._laid_out_at = None if lines is None else "fixed"

    def _layout(self, available_width):
        if self._laid_out_at != "fixed" and self._laid_out_at != available_width:
            style = self.style
            self._lines = layout(
                self.runs,
                available_width - style.indent,
                size=style.size,
                leading=style.leading,
                colour=style.colour,
            )
            self._laid_out_at = available_width
        return self._lines

    def wrap(self, available_width, available_height):
        lines = self._layout(available_width)
        self.width = available_width
        self.height = sum(line.height for line in lines)
        return self.width, self.height

    def split(self, available_width, available_height):
        lines = self._layout(available_width)
        used = 0.0
        fit = 0
        for line in lines:
            if used + line.height > available_height + 1e-6:
                break
            used += line.height
            fit += 1
        if fit == 0 or fit == len(lines):
            return []
        first = Text(self.runs, self.style._replace(space_after=0), lines=lines[:fit])
        rest = Text(self.runs, self.style._replace(space_before=0), lines=lines[fit:])
        return [first, rest]

    def draw(self):
        pen = Pen(self.canv)
        draw_lines(
            pen,
            self._lines,
            self.style.indent,
            self.height,
            self.width - self.style.indent,
            self.style.align,
        )
        self.canv.saveState()
        self.canv.drawText(pen)
        self.canv.restoreState()


# --- Keeping a heading with what follows ----------------------------------------------------------


class Together(Flowable):
    """Flowables that start on the same page — a heading and what follows it — with only the last
    allowed to run on. platypus's own keepWithNext does this with a KeepTogether that deep-copies
    the frame on every wrap: thousands of copies in a big pack."""

    def __init__(self, flowables):
        super().__init__()
        self.flowables = flowables
        self.spaceBefore = flowables[0].getSpaceBefore()
        self.spaceAfter = flowables[-1].getSpaceAfter()
        self.bookmark = next((f.bookmark for f in flowables if getattr(f, "bookmark", None)), None)
        self.gaps = [0.0] + [
            max(before.getSpaceAfter(), after.getSpaceBefore())
            for before, after in zip(flowables, flowables[1:], strict=False)
        ]

    def wrap(self, available_width, available_height):
        self.sizes = [f.wrap(available_width, available_height) for f in self.flowables]
        self.width = max(w for w, _ in self.sizes)
        self.height = sum(h for _, h in self.sizes) + sum(self.gaps)
        return self.width, self.height

    def split(self, available_width, available_height):
        *heads, body = self.flowables
        used = 0.0
        for flowable, gap in zip(heads, self.gaps, strict=False):
            used += gap + flowable.wrap(available_width, available_height)[1]
        used += self.gaps[-1]
        if used >= available_height:
            return []
        body.wrap(available_width, available_height - used)
        parts = body.split(available_width, available_height - used)
        return [*heads, *parts] if parts else []

    def drawOn(self, canvas, x, y, _sW=0):
        top = y + self.height
        for flowable, (_, height), gap in zip(self.flowables, self.sizes, self.gaps, strict=True):
            top -= gap + height
            flowable.drawOn(canvas, x, top)


def keep_together(flowables) -> list:
    """`flowables` with each run of those marked `keep_next`, and the one after, made a Together."""
    out = []
    pending = []
    for flowable in flowables:
        if getattr(flowable, "keep_next", False):
            pending.append(flowable)
            continue
        if pending:
            out.append(Together([*pending, flowable]))
            pending = []
        else:
            out.append(flowable)
    return out + pending
