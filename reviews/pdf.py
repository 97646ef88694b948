"""The review pack as a PDF: a styles builder, one story builder per section, `build_pack()`.

Sections (issue 6): cover; contents; how to read this pack; summary; one section per objective in
focus; actions and decisions; appendix of every objective of the participating teams.

How it stays fast, faithful and repeatable:

- One layout pass. Page numbers that are only known later ("page X of *Y*", the contents' page
  numbers) are PDF form XObjects drawn where they belong and defined once the last page is laid out
  (reportlab allows a form to be used before it is defined). A multiBuild with a TableOfContents
  would lay out the whole pack two or three times for the same result.
- Every section and objective starts a page, is a PDF bookmark (outline entry) and a contents line.
- The font is DejaVu Sans (Latin, Greek, Cyrillic, Arabic, many symbols), embedded as a subset,
  read from Debian's fonts-dejavu-core at run time: never fetched. Characters it has no glyph for
  (Chinese, say) are printed as their code points, e.g. [U+4E2D], so they never silently vanish;
  the HTML twin shows them as typed.
- All user text goes through `markup()`: control characters removed, XML-escaped for reportlab's
  paragraph mini-language, new lines kept.
- The same data and the same `as_at` give the same bytes: reportlab's invariant mode fixes the
  creation date and document id, and nothing else reads the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from objectives import charts, ratings, spc

from .pack import Pack
from .pdf_draw import Chart
from .pdf_text import (
    BOLD,
    ITALIC,
    Grid,
    Look,
    Pen,
    Run,
    Text,
    TextStyle,
    bold,
    draw_lines,
    keep_together,
    layout,
)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "PackSans": "DejaVuSans.ttf",
    "PackSans-Bold": "DejaVuSans-Bold.ttf",
    "PackSans-Oblique": "DejaVuSans-Oblique.ttf",
    "PackSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
FONT_PACKAGE = "fonts-dejavu-core"

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


class FontMissing(RuntimeError):
    pass


CHART_TEAMS = 30  # teams per summary chart
SUMMARY_FLAGS = 3  # flags per objective in the summary; its own section lists them all


# --- Fonts and text -----------------------------------------------------------------------------


def _to_unicode_cmap(fontname, subset):
    """reportlab's ToUnicode map, but with UTF-16 values: its own writes characters beyond the
    Basic Multilingual Plane (emoji) as odd-length hex, so text extraction loses them."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(
                f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>"
                for i, v in enumerate(subset)
            ),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


_GLYPHS: frozenset[int] = frozenset()


def register_fonts() -> None:
    """Register DejaVu Sans (once per process); a clear error when the font package is missing."""
    global _GLYPHS
    if _GLYPHS:
        return
    missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).exists()]
    if missing:
        raise FontMissing(
            f"The review pack needs the DejaVu Sans font ({', '.join(missing)} in {FONT_DIR}). "
            f"Install it with: apt-get install {FONT_PACKAGE}"
        )
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    # Binary (still compressed) streams: ASCII85 makes files a quarter bigger and slower to write.
    rl_config.useA85 = 0
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(ttfonts.TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        "PackSans",
        normal="PackSans",
        bold="PackSans-Bold",
        italic="PackSans-Oblique",
        boldItalic="PackSans-BoldOblique",
    )
    regular = pdfmetrics.getFont("PackSans").face.charWidths
    bold = pdfmetrics.getFont("PackSans-Bold").face.charWidths
    _GLYPHS = frozenset(regular) & frozenset(bold)


# C0 and C1 control characters except tab and new line; lone surrogates can't be encoded at all.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(text) -> str:
    """User text without control characters, with Windows and old Mac line ends made \\n."""
    if text is None:
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text)


def _printable(text: str) -> str:
    """Characters the font lacks become [U+XXXX] (invisible format characters are dropped)."""
    if text.isascii():
        return text
    out = []
    missing = []
    for char in text:
        code = ord(char)
        if code in _GLYPHS or char == "\n":
            if missing:
                out.append("[" + " ".join(missing) + "]")
                missing = []
            out.append(char)
        elif unicodedata.category(char) in ("Cf", "Mn", "Zl", "Zp") or 0xFE00 <= code <= 0xFE0F:
            continue  # joiners, direction marks, variation selectors: nothing to see
        else:
            missing.append(f"U+{code:04X}")
    if missing:
        out.append("[" + " ".join(missing) + "]")
    return "".join(out)


def markup(text) -> str:
    """Any user text as safe reportlab paragraph markup."""
    return escape(_printable(clean(text))).replace("\n", "<br/>")


def printable(text) -> str:
    """User text for the pack's text flowables (reviews/pdf_text.py): drawn as is, never parsed."""
    return _printable(clean(text))


def plain(text) -> str:
    """User text for canvas strings and table cells drawn without paragraph markup."""
    return _printable(clean(text)).replace("\n", " ")


def day_text(when: dt.date | None) -> str:
    return f"{when.day} {when:%B %Y}" if when else "not set"


def short_day(when: dt.date | None) -> str:
    return f"{when.day} {when:%b %Y}" if when else "–"


def moment(when: dt.datetime | None) -> str:
    if when is None:
        return "no data yet"
    return f"{when.day} {when:%B %Y} at {when:%H:%M}"


# --- Styles -------------------------------------------------------------------------------------


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


# --- Flowables ----------------------------------------------------------------------------------


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


# --- Document -----------------------------------------------------------------------------------


class PackCanvas(Canvas):
    """Compresses each page as it is finished, and defines the late page-number forms just before
    the file is written."""

    def showPage(self):
        # reportlab keeps every page's drawing operators as text until the file is written (10 KB
        # a page, 14 MiB for a 1,500-page pack); compressed now they take a quarter of that. The
        # bytes written are the same: reportlab would compress them the same way when saving.
        super().showPage()
        page = self._doc.Pages.pages[-1]
        if page.compression and page.stream and not page.Contents:
            contents = pdfdoc.PDFStream(
                pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])}),
                content=pdfdoc.PDFZCompress.encode(page.stream),
                filters=[],
            )
            contents.__Comment__ = "page stream"
            page.Contents = contents
            page.stream = None

    def save(self):
        doc = self._pack_doc
        self.beginForm("total-pages", 0, 0, 60, 12)
        self.setFont("PackSans", 8)
        self.setFillColor(GREY)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        for key in doc.contents_keys:
            self.beginForm(f"page-{key}", 0, 0, PageNumber.width_pts, 14)
            self.setFont("PackSans", 9)
            self.setFillColor(DARK)
            self.drawRightString(PageNumber.width_pts, 0, str(doc.pages.get(key, "–")))
            self.endForm()
        super().save()


class PackDocTemplate(BaseDocTemplate):
    def __init__(self, buffer, pack: Pack, **kwargs):
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=plain(pack.pack_title),
            author=plain(pack.facilitator or "Shared objectives"),
            subject=plain(
                f"Review pack for the collaboration day on {day_text(pack.date)}: "
                f"{', '.join(pack.teams)}"
            ),
            creator="Shared objectives",
            lang="en-GB",
            invariant=1,
            **kwargs,
        )
        self.pack = pack
        title = plain(pack.pack_title)
        while pdfmetrics.stringWidth(title, "PackSans", 8) > BODY_WIDTH * 0.6 and len(title) > 4:
            title = title[:-2].rstrip() + "…" if not title.endswith("…") else title[:-3] + "…"
        self.running_title = title
        self.marking = plain(pack.marking)
        self.date_text = day_text(pack.date)
        self.generated = f"Generated {moment(pack.as_at)}"
        self.pages: dict[str, int] = {}
        self.contents_keys: list[str] = []
        frame = Frame(MARGIN, BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body")
        self.addPageTemplates(
            [
                PageTemplate("cover", [frame], onPage=self._cover_page),
                PageTemplate("body", [frame], onPage=self._body_page),
            ]
        )

    def afterFlowable(self, flowable):
        bookmark = getattr(flowable, "bookmark", None)
        if bookmark is None:
            return
        key, title, level = bookmark
        page = self.canv.getPageNumber()
        self.pages.setdefault(key, page)
        self.canv.bookmarkHorizontal(key, 0, self.frame._y + flowable.height + 12)
        self.canv.addOutlineEntry(
            title, key, level=level, closed=level == 0 and key == "objectives"
        )

    def _marking(self, canvas, y):
        canvas.setFont("PackSans-Bold", 9)
        canvas.setFillColor(DARK)
        canvas.drawCentredString(PAGE_WIDTH / 2, y, self.marking)

    def _cover_page(self, canvas, doc):
        canvas.saveState()
        self._marking(canvas, PAGE_HEIGHT - 11 * mm)
        self._marking(canvas, 9 * mm)
        canvas.setFillColor(NHS_BLUE)
        canvas.rect(0, PAGE_HEIGHT - 6 * mm, PAGE_WIDTH, 6 * mm, stroke=0, fill=1)
        self._page_label(canvas)
        canvas.restoreState()

    def _body_page(self, canvas, doc):
        canvas.saveState()
        self._marking(canvas, PAGE_HEIGHT - 10 * mm)
        canvas.setFont("PackSans", 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 14.5 * mm, self.running_title)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14.5 * mm, self.date_text)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, PAGE_HEIGHT - 16 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 16 * mm)
        canvas.line(MARGIN, 14 * mm, PAGE_WIDTH - MARGIN, 14 * mm)
        self._marking(canvas, 6 * mm)
        self._page_label(canvas)
        canvas.restoreState()

    def _page_label(self, canvas):
        # "Page X of " then the total as a form defined at the end (PackCanvas.save).
        label = f"Page {canvas.getPageNumber()} of "
        canvas.setFont("PackSans", 8)
        canvas.setFillColor(GREY)
        x = PAGE_WIDTH - MARGIN - 22
        canvas.drawRightString(x, 10 * mm, label)
        canvas.saveState()
        canvas.translate(x, 10 * mm)
        canvas.doForm("total-pages")
        canvas.restoreState()
        canvas.drawString(MARGIN, 10 * mm, self.generated)


# --- Building blocks ----------------------------------------------------------------------------


def _table(rows, widths, *, header=True, style=(), repeat=True, split_rows=False):
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


def _rating_cell_style(rating, col, row):
    if not rating:
        return [("TEXTCOLOR", (col, row), (col, row), GREY)]
    colour = colors.HexColor(ratings.COLOUR[ratings.Rating(rating)])
    text = colors.white if rating in WHITE_TEXT else DARK
    return [
        ("BACKGROUND", (col, row), (col, row), colour),
        ("TEXTCOLOR", (col, row), (col, row), text),
        ("FONTNAME", (col, row), (col, row), "PackSans-Bold"),
    ]


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


def _rating_text(rating) -> str:
    return ratings.label(rating)


def _p(text, style):
    return Paragraph(text, style)


def _heading(text, styles, *, key, level=0, outline=None):
    return Heading(text, styles["h1"], key=key, outline_title=outline or text, level=level)


def _none(text, styles):
    return Text(text, styles["small"])


def _grid(rows, widths, *, header=None, looks=None, **kw):
    return Grid(widths, rows, header=header, looks=looks, **kw)


# --- Sections -----------------------------------------------------------------------------------


def cover_story(pack: Pack, styles) -> list:
    story = [Spacer(1, 30 * mm)]
    story.append(_p("Collaboration day review pack", styles["caption_p"]))
    story.append(_p(markup(pack.title), styles["cover_title"]))
    where = f"{day_text(pack.date)}" + (f" · {markup(pack.venue)}" if pack.venue else "")
    story.append(_p(where, styles["cover_sub"]))
    if pack.purpose:
        story.append(_p(markup(pack.purpose), styles["body_p"]))
    story.append(Spacer(1, 6 * mm))
    rows = [
        [
            "Participating teams",
            _p(
                ("<br/>" if len(pack.teams) <= 12 else ", ").join(markup(t) for t in pack.teams)
                or "None yet",
                styles["cell"],
            ),
        ],
        ["Business plan", pack.plan],
        ["Facilitator", _p(markup(pack.facilitator) or "Not named", styles["cell"])],
        ["Objectives in focus", str(len(pack.sections))],
        ["Protective marking", _p(markup(pack.marking), styles["cell_bold"])],
    ]
    story.append(
        _table(
            rows,
            [45 * mm, BODY_WIDTH - 45 * mm],
            header=False,
            split_rows=True,
            style=[
                ("FONTNAME", (0, 0), (0, -1), "PackSans-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
            ],
        )
    )
    story.append(Spacer(1, 8 * mm))
    story.append(
        _p(
            f"Generated on {moment(pack.as_at)} from data as at {moment(pack.data_as_at)}.",
            styles["body_p"],
        )
    )
    url = escape(pack.html_url)
    story.append(
        _p(
            "An accessible web version of this pack, with the same content, is at "
            f'<link href="{url}" color="#005eb8"><u>{url}</u></link>'
            ". Use it with a screen reader, to zoom, or to copy text.",
            styles["body_p"],
        )
    )
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())
    return story


def contents_story(pack: Pack, styles, entries) -> list:
    story = [_heading("Contents", styles, key="contents")]
    for key, title, level in entries:
        style = styles["toc1"] if level == 0 else styles["toc2"]
        story.append(ContentsLine(title, style, key, bold=level == 0))
    story.append(PageBreak())
    return story


def how_to_read_story(pack: Pack, styles) -> list:
    story = [_heading("How to read this pack", styles, key="how-to-read")]
    story.append(
        _p(
            "Each team involved in an objective gives its own delivery-confidence rating every "
            "month, with a narrative. A team's <b>current view</b> is its newest rating. Colour "
            "always comes with the rating's word, so the pack reads the same in black and white.",
            styles["body_p"],
        )
    )
    story.append(Label("The rating scale, best first"))
    rows = [["Rating", "Short", "What it means"]]
    style = []
    for n, rating in enumerate(pack.scale, start=1):
        rows.append(
            [
                _rating_text(rating),
                RATING_SHORT[rating],
                _p(escape(ratings.HELP_TEXT[rating]), styles["cell"]),
            ]
        )
        style += _rating_cell_style(rating, 0, n)
    rows.append(
        [
            ratings.NOT_REPORTED_LABEL,
            "–",
            _p("The team has not given a rating (for that month, or at all).", styles["cell"]),
        ]
    )
    story.append(_table(rows, [30 * mm, 14 * mm, BODY_WIDTH - 44 * mm], style=style))
    story.append(Label("Measures and their control charts"))
    story.append(
        _p(
            "Each objective's main measure is drawn as an XmR control chart, read the NHS "
            "“Making Data Count” way. The centre line is the mean of the first 12 readings; the "
            "process limits are the mean ± 2.66 × the mean moving range. Fewer than 12 readings "
            "give <i>trial</i> limits. A reading is <b>special cause</b> when it is outside the "
            "limits, part of 7 in a row rising or falling, part of 7 in a row on one side of the "
            "mean, or 2 of 3 close to a limit.",
            styles["body_p"],
        )
    )
    rows = [["Icon (in words)", "What it says"]]
    for variation in spc.Variation:
        rows.append(
            [
                _p(escape(variation.label), styles["cell_bold"]),
                _p(escape(VARIATION_HELP[variation]), styles["cell"]),
            ]
        )
    for assurance in spc.Assurance:
        rows.append(
            [
                _p(escape(assurance.label), styles["cell_bold"]),
                _p(escape(ASSURANCE_HELP[assurance]), styles["cell"]),
            ]
        )
    story.append(_table(rows, [62 * mm, BODY_WIDTH - 62 * mm]))
    story.append(Label("Other conventions"))
    for line in (
        "<b>OVERDUE</b> marks a milestone past its due date and not done, or an open action past "
        "its due date.",
        "Flags are the at-risk rules' findings, most severe first; an acknowledged flag says so.",
        "Characters the print font has no letter for (Chinese, for example) are shown as their "
        "Unicode code points, like [U+4E2D]; the web version shows them as typed.",
    ):
        story.append(_p("• " + line, styles["body_p"]))
    story.append(PageBreak())
    return story


VARIATION_HELP = {
    spc.Variation.COMMON_CAUSE: "The latest reading is within the normal ups and downs: no "
    "signal that anything has changed.",
    spc.Variation.IMPROVEMENT_HIGH: "Something has changed for the better: readings are unusually "
    "high, and higher is better.",
    spc.Variation.IMPROVEMENT_LOW: "Something has changed for the better: readings are unusually "
    "low, and lower is better.",
    spc.Variation.CONCERN_HIGH: "Something has changed for the worse: readings are unusually high, "
    "and lower is better.",
    spc.Variation.CONCERN_LOW: "Something has changed for the worse: readings are unusually low, "
    "and higher is better.",
    spc.Variation.NEITHER_HIGH: "Readings are unusually high; the measure has no better direction.",
    spc.Variation.NEITHER_LOW: "Readings are unusually low; the measure has no better direction.",
}
ASSURANCE_HELP = {
    spc.Assurance.PASS: "The target lies outside the process limits on the easy side: as things "
    "are, it will be met every time.",
    spc.Assurance.FAIL: "The target lies outside the process limits on the hard side: as things "
    "are, it will be missed every time unless the process changes.",
    spc.Assurance.HIT_AND_MISS: "The target lies between the process limits: it will be met some "
    "months and missed in others.",
}


def summary_chart(pack: Pack, *, width=BODY_WIDTH, font="PackSans", bold_font="PackSans-Bold"):
    """Current views by rating, one bar per team; a day with many teams gets several charts."""
    counts = {plain(team): pack.summary[team] for team in pack.teams}
    scale = [r.value for r in pack.scale] + [""]
    names = list(counts)
    return [
        charts.rating_bar_chart(
            {name: counts[name] for name in names[start : start + CHART_TEAMS]},
            width=width,
            scale=scale,
            font=font,
            bold_font=bold_font,
        )
        for start in range(0, len(names), CHART_TEAMS)
    ]


def summary_story(pack: Pack, styles) -> list:
    story = [_heading("Summary", styles, key="summary")]
    if pack.sessions:
        story.append(Label("Agenda"))
        rows = [
            [f"{starts:%H:%M}", printable(title), printable(", ".join(refs)) or "–"]
            for starts, title, refs in pack.sessions
        ]
        story.append(
            _grid(
                rows,
                [16 * mm, BODY_WIDTH - 66 * mm, 50 * mm],
                header=["Time", "Session", "Objectives discussed"],
            )
        )
    story.append(Label("Current views by rating, per participating team"))
    story.append(
        Text(
            "Every objective of the plan each team is involved in, counted by the team's "
            "current view.",
            styles["small"],
        )
    )
    if not pack.teams:
        story.append(_none("This day has no participating teams yet.", styles))
    else:
        story += [Chart(drawing) for drawing in summary_chart(pack)]
        order = [r.value for r in pack.scale]
        rows = []
        for team in pack.teams:
            counts = pack.summary[team]
            rows.append(
                [
                    printable(team),
                    *[str(counts.get(r, 0)) for r in order],
                    str(counts.get("", 0)),
                    str(sum(counts.values())),
                ]
            )
        n = len(order)
        story.append(
            _grid(
                rows,
                [BODY_WIDTH - n * 13 * mm - 40 * mm] + [13 * mm] * n + [25 * mm, 15 * mm],
                header=["Team", *[RATING_SHORT[r] for r in order], "Not reported", "Total"],
                align=dict.fromkeys(range(1, n + 3), "RIGHT"),
            )
        )
    story.append(Label("Flagged initiatives"))
    if not pack.flagged:
        story.append(_none("No objective in focus carries a risk flag.", styles))
    else:
        story.append(
            Text(
                "The most severe flags of each objective in focus; its section lists them all.",
                styles["small"],
            )
        )
        for row in pack.flagged:
            story.append(
                Text(
                    [bold(printable(row.ref)), Run(" " + printable(row.title))], styles["flag_head"]
                )
            )
            story += [_flag_line(flag, styles) for flag in row.flags[:SUMMARY_FLAGS]]
            if len(row.flags) > SUMMARY_FLAGS:
                more = len(row.flags) - SUMMARY_FLAGS
                story.append(Text(f"and {more} more in its section.", styles["flag"]))
    story.append(Label("What changed since the previous collaboration day"))
    if pack.previous_date is None:
        story.append(_none("This is the first collaboration day for these teams.", styles))
    else:
        story.append(
            Text(
                f"Since {printable(pack.previous_title)} on {day_text(pack.previous_date)}: "
                "teams whose current view of an objective in focus has changed.",
                styles["small"],
            )
        )
        if not pack.changes:
            story.append(
                _none("No team's view of these objectives has changed since then.", styles)
            )
        else:
            rows = []
            looks = {}
            for n, change in enumerate(pack.changes):
                rows.append(
                    [
                        [bold(printable(change.ref)), Run(" " + printable(change.title))],
                        printable(change.team),
                        _rating_text(change.before),
                        _rating_text(change.after),
                    ]
                )
                looks[2, n] = rating_look(change.before)
                looks[3, n] = rating_look(change.after)
            story.append(
                _grid(
                    rows,
                    [BODY_WIDTH - 104 * mm, 50 * mm, 27 * mm, 27 * mm],
                    header=["Objective", "Team", "Then", "Now"],
                    looks=looks,
                )
            )
    story.append(PageBreak())
    return story


def _flag_line(flag, styles):
    runs = [
        bold(printable(flag.severity.capitalize())),
        Run(f" · {printable(flag.rule)}: {printable(flag.explanation)}"),
    ]
    if flag.acknowledged:
        runs.append(Run(" (acknowledged)", ITALIC))
    return Text(runs, styles["flag"])


def objective_story(pack: Pack, section, styles) -> list:
    story = [
        Text(
            bold(f"Objective {section.number} of {len(pack.sections)} · {printable(section.ref)}"),
            styles["caption"],
        ),
        Heading(
            printable(section.title),
            styles["h1"],
            key=section.key,
            outline_title=plain(f"{section.ref} {section.title}")[:200],
            level=1,
        ),
    ]
    half = BODY_WIDTH / 2
    story.append(
        _grid(
            [
                [
                    "Lead team",
                    printable(section.lead_team),
                    "Delivery date",
                    day_text(section.delivery_date),
                ],
                ["Owner", printable(section.owner) or "No owner named", "State", section.state],
                ["Worst view", _rating_text(section.worst_rating), "Priority", section.priority],
            ],
            [26 * mm, half - 26 * mm, 28 * mm, half - 28 * mm],
            looks={(1, 2): rating_look(section.worst_rating)},
            bold_columns=(0, 2),
        )
    )
    if section.description:
        story.append(Spacer(1, 4))
        story.append(Text(printable(section.description), styles["body"]))
    if section.flags:
        story.append(Label("Risk flags"))
        story += [_flag_line(flag, styles) for flag in section.flags]

    story.append(Label("Each team's current view"))
    if not section.views or all(v.rating is None for v in section.views):
        story.append(_none("No team has reported on this objective yet.", styles))
    if section.views:
        widths = [38 * mm, 28 * mm, (BODY_WIDTH - 66 * mm) / 2, (BODY_WIDTH - 66 * mm) / 2]
        rows = []
        looks = {}
        for n, view in enumerate(section.views):
            team = [bold(printable(view.team)), Run("\n" + view.role)]
            if view.commitment:
                team.append(
                    Run("\nCommits to: " + printable(view.commitment), size=7.5, colour=GREY)
                )
            rating = _rating_text(view.rating) + (f"\n{view.period}" if view.period else "")
            concerns = printable(view.not_going_well)
            if view.risks:
                concerns += ("\n" if concerns else "") + "Risks: " + printable(view.risks)
            rows.append([team, rating, printable(view.going_well) or "–", concerns or "–"])
            looks[1, n] = rating_look(view.rating)
        story.append(
            _grid(
                rows,
                widths,
                header=[
                    "Team",
                    "Current view",
                    "What is going well",
                    "What is not going well; risks",
                ],
                looks=looks,
            )
        )

    story.append(Label(f"Rating history, {plain(pack.plan)}"))
    if not section.history or all(c is None for row in section.history for c in row.cells):
        story.append(_none("No ratings recorded this year yet.", styles))
    else:
        rows = []
        looks = {}
        for n, row in enumerate(section.history):
            cells = [printable(row.team)]
            for col, rating in enumerate(row.cells, start=1):
                cells.append(RATING_SHORT[rating] if rating else "·")
                looks[col, n] = rating_look(rating)
            rows.append(cells)
        story.append(
            _grid(
                rows,
                [BODY_WIDTH - 126 * mm] + [10.5 * mm] * 12,
                header=["Team", *pack.months],
                looks=looks,
                align=dict.fromkeys(range(1, 13), "CENTER"),
            )
        )

    story.append(Label("Milestones"))
    if not section.milestones:
        story.append(_none("No milestones recorded.", styles))
    else:
        rows = []
        looks = {}
        for n, m in enumerate(section.milestones):
            done = short_day(m.done) if m.done else ("OVERDUE" if m.overdue else "Not yet")
            rows.append([printable(m.title), printable(m.team), short_day(m.due), done])
            if m.overdue:
                looks[3, n] = OVERDUE_LOOK
        story.append(
            _grid(
                rows,
                [BODY_WIDTH - 110 * mm, 50 * mm, 30 * mm, 30 * mm],
                header=["Milestone", "Team", "Due", "Done"],
                looks=looks,
            )
        )

    story += _measure_story(pack, section, styles)

    story.append(Label("Dependencies"))
    if not section.dependencies:
        story.append(_none("None recorded.", styles))
    else:
        rows = []
        looks = {}
        for n, d in enumerate(section.dependencies):
            rows.append(
                [
                    d.relation,
                    printable(f"{d.ref} {d.title}"),
                    printable(d.need) or "–",
                    _rating_text(d.rating),
                ]
            )
            looks[3, n] = rating_look(d.rating)
        story.append(
            _grid(
                rows,
                [20 * mm, BODY_WIDTH - 102 * mm, 55 * mm, 27 * mm],
                header=["", "Objective", "What is needed", "Worst view"],
                looks=looks,
            )
        )

    story.append(Label("Open asks between teams"))
    if not section.asks:
        story.append(_none("No open asks.", styles))
    else:
        rows = [
            [printable(a.from_team), printable(a.to_team), printable(a.text) or "–", a.raised]
            for a in section.asks
        ]
        story.append(
            _grid(
                rows,
                [35 * mm, 35 * mm, BODY_WIDTH - 98 * mm, 28 * mm],
                header=["From", "To", "Ask", "Raised"],
            )
        )

    if section.decisions:
        story.append(Label("Decisions recorded on the day"))
        for d in section.decisions:
            story.append(Text([bold(d.kind), Run(": " + printable(d.why))], styles["body"]))

    story.append(Label("Impact reflection"))
    for question, answer in section.impact:
        runs = [bold(str(question))]
        if answer:
            runs.append(Run("\n" + printable(answer)))
        story.append(Text(runs, styles["question"]))
        story.append(RuledSpace(2))
    story.append(Spacer(1, 6))
    story.append(RuledSpace(4, fill=True, label="Notes"))
    story.append(PageBreak())
    return story


OVERDUE_LOOK = Look(colour=WARNING, font=BOLD)


def _measure_story(pack: Pack, section, styles) -> list:
    story = [Label("Main measure")]
    measure = section.measure
    if measure is None:
        story.append(_none("This objective has no measures yet.", styles))
        return story
    story.append(
        Text(
            [
                bold(printable(measure.name)),
                Run(
                    f" · {measure.direction_label.lower()} · {printable(measure.target_text)}"
                    + (f" · latest {printable(measure.latest)}" if measure.latest else "")
                ),
            ],
            styles["body"],
        )
    )
    chart = control_chart(measure)
    if chart is not None:
        story.append(Chart(chart))
    if not measure.readings:
        story.append(_none("No readings yet, so there is no chart.", styles))
    else:
        story.append(
            Text([bold("Verdict:"), Run(" " + printable(measure.verdict))], styles["body"])
        )
        icons = [t for t in (measure.variation, measure.assurance) if t]
        if icons:
            story.append(Text(" · ".join(icons), styles["small"]))
        for note in measure.notes:
            story.append(Text(printable(note), styles["small"]))
    return story


def control_chart(
    measure, *, width=BODY_WIDTH, height=58 * mm, font="PackSans", bold_font="PackSans-Bold"
):
    """The main measure's control chart (objectives/charts.py), or None without one.

    reportlab checks every attribute set on a shape; the charts are built from our own values,
    so the checks are off while one is built (a third of its cost)."""
    if measure.analysis is None or not measure.analysis.has_chart:
        return None
    checking = rl_config.shapeChecking
    rl_config.shapeChecking = 0
    try:
        return charts.control_chart(
            measure.analysis,
            title=plain(measure.name),
            unit=plain(measure.unit),
            width=width,
            height=height,
            font=font,
            bold_font=bold_font,
        )
    finally:
        rl_config.shapeChecking = checking


def actions_story(pack: Pack, styles) -> list:
    story = [_heading("Actions and decisions", styles, key="actions")]
    story.append(Label("Actions from the previous collaboration day"))
    if pack.previous_date is None:
        story.append(_none("There was no earlier collaboration day for these teams.", styles))
    else:
        story.append(
            Text(
                f"{printable(pack.previous_title)}, {day_text(pack.previous_date)}.",
                styles["small"],
            )
        )
        story.append(_actions_table(pack.previous_actions, styles, "No actions were recorded."))
    story.append(Label("Actions agreed on this day"))
    story.append(_actions_table(pack.actions, styles, "No actions recorded yet."))
    story.append(Label("Decisions recorded so far"))
    if not pack.decisions:
        story.append(_none("No decisions recorded yet.", styles))
    else:
        rows = [
            [
                [bold(printable(d.objective_ref)), Run(" " + printable(d.objective_title))],
                bold(d.kind),
                printable(d.why) or "–",
                printable(d.recorded_by) or "–",
            ]
            for d in pack.decisions
        ]
        story.append(
            _grid(
                rows,
                [50 * mm, 25 * mm, BODY_WIDTH - 110 * mm, 35 * mm],
                header=["Objective", "Decision", "Why", "Recorded"],
            )
        )
    story.append(PageBreak())
    return story


def _actions_table(actions, styles, empty):
    if not actions:
        return _none(empty, styles)
    rows = []
    for a in actions:
        status = [Run(a.state_label)]
        if a.overdue:
            status.insert(0, Run("OVERDUE\n", BOLD, colour=WARNING))
        if a.note:
            status.append(Run("\n" + printable(a.note), size=7.5))
        what = [Run(printable(a.what))]
        if a.objective:
            what.append(Run("\n" + printable(a.objective), size=7.5, colour=GREY))
        owner = "\n".join(x for x in (printable(a.owner), printable(a.team)) if x) or "–"
        rows.append([what, owner, short_day(a.due), status])
    return _grid(
        rows,
        [BODY_WIDTH - 125 * mm, 45 * mm, 24 * mm, 56 * mm],
        header=["Action", "Owner and team", "Due", "Status"],
    )


def appendix_story(pack: Pack, styles) -> list:
    story = [
        _heading("Appendix: every objective of the participating teams", styles, key="appendix")
    ]
    story.append(
        Text(
            f"{len(pack.appendix)} objectives of plan {printable(pack.plan)} that involve at least "
            "one participating team, by reference. ● marks an objective in focus today.",
            styles["small"],
        )
    )
    if not pack.appendix:
        story.append(_none("The participating teams have no objectives in this plan.", styles))
        return story
    rows = []
    looks = {}
    for n, row in enumerate(pack.appendix):
        rows.append(
            [
                printable(row.ref) + (" ●" if row.in_focus else ""),
                printable(row.title),
                printable(row.lead_team),
                str(row.teams),
                _rating_text(row.rating),
                row.state,
                short_day(row.delivery_date),
            ]
        )
        looks[4, n] = rating_look(row.rating)
    # One table: it runs onto as many pages as it needs, its header repeated on each.
    story.append(
        _grid(
            rows,
            [20 * mm, BODY_WIDTH - 126 * mm, 30 * mm, 13 * mm, 24 * mm, 19 * mm, 20 * mm],
            header=["Ref", "Objective", "Lead team", "Teams", "Worst view", "State", "Delivery"],
            looks=looks,
            align={3: "RIGHT"},
            size=7.5,
            leading=9,
        )
    )
    return story


# --- The pack -----------------------------------------------------------------------------------


def contents_entries(pack: Pack) -> list[tuple[str, str, int]]:
    entries = [
        ("how-to-read", "How to read this pack", 0),
        ("summary", "Summary", 0),
        ("objectives", f"Objectives in focus ({len(pack.sections)})", 0),
    ]
    entries += [(s.key, printable(f"{s.ref} {s.title}"), 1) for s in pack.sections]
    entries += [
        ("actions", "Actions and decisions", 0),
        ("appendix", "Appendix: every objective of the participating teams", 0),
    ]
    return entries


def build_story(pack: Pack, styles) -> list:
    entries = contents_entries(pack)
    story = cover_story(pack, styles)
    story += contents_story(pack, styles, entries)
    story += how_to_read_story(pack, styles)
    story += summary_story(pack, styles)
    if not pack.sections:
        story.append(_heading("Objectives in focus", styles, key="objectives"))
        story.append(
            Text(
                "No objectives are in focus for this day yet. The facilitator chooses them on the "
                "day's planning page.",
                styles["body"],
            )
        )
        story.append(PageBreak())
    else:
        # The group bookmark sits on the first objective's page.
        story.append(_GroupMark("objectives", f"Objectives in focus ({len(pack.sections)})"))
        story += [
            Deferred(partial(objective_story, pack, section, styles)) for section in pack.sections
        ]
    story += actions_story(pack, styles)
    story += appendix_story(pack, styles)
    return keep_together(story)


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


class _GroupMark(Flowable):
    """An invisible bookmark for a group of sections (the objectives)."""

    def __init__(self, key, title):
        super().__init__()
        self.bookmark = (key, title, 0)

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        pass


def render(pack: Pack) -> bytes:
    """The PDF for an already-loaded pack."""
    register_fonts()
    styles = build_styles()
    buffer = io.BytesIO()
    doc = PackDocTemplate(buffer, pack)
    doc.contents_keys = [key for key, _, _ in contents_entries(pack)]

    def canvas_maker(*args, **kwargs):
        canvas = PackCanvas(*args, **kwargs)
        canvas._pack_doc = doc
        return canvas

    doc.build(build_story(pack, styles), canvasmaker=canvas_maker)
    return buffer.getvalue()


def build_pack(day, *, as_at: dt.datetime) -> bytes:
    """The review pack for `day` as a PDF, from the data as it stood at `as_at`."""
    from .pack import load

    return render(load(day, as_at=as_at))
