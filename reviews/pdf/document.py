"""The document: page templates with the protective marking, running title and "page X of Y";
bookmarks and contents lines from the headings; the page count the footers print.

Built with `multiBuild`: the first pass lays the pack out and finds each heading's page and the
number of pages, the second prints them (the contents and every footer). The contents is seeded
with its lines before the first pass, so it already takes the room it will need and two passes
are enough.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, TableStyle
from reportlab.platypus.doctemplate import IndexingFlowable
from reportlab.platypus.tableofcontents import TableOfContents

from ..pack import Pack
from .fonts import plain
from .styles import (
    BODY_WIDTH,
    BOLD,
    BOTTOM,
    DARK,
    FRAME_WIDTH,
    GREY,
    MARGIN,
    NHS_BLUE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    REGULAR,
    RULE,
    TOP,
    day_text,
    moment,
)


class PageCount(IndexingFlowable):
    """How many pages the pack has, for "page X of Y". Placed last in the story, it notes the
    page it lands on; multiBuild builds again until the count the footers printed (the previous
    pass's) is the count this pass found."""

    def __init__(self):
        super().__init__()
        self.found = None  # in this pass
        self.printed = None  # in the footers of this pass: the previous pass's count

    def beforeBuild(self):
        self.printed, self.found = self.found, None

    def isSatisfied(self):
        return self.found is not None and self.found == self.printed

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.found = self.canv.getPageNumber()


def contents(styles, entries) -> TableOfContents:
    """The contents page, seeded with its lines (`entries`: (level, title, key)) so the first
    pass already lays it out at its full length; the page numbers come from the first pass."""
    toc = TableOfContents(
        levelStyles=[styles["toc1"], styles["toc2"]],
        dotsMinLevel=0,
        tableStyle=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )
    toc.addEntries([(level, escape(title), 0, key) for level, title, key in entries])
    return toc


def running_title(title: str, width: float) -> str:
    """`title` shortened with an ellipsis to fit `width` in the running header."""
    if stringWidth(title, REGULAR, 8) <= width:
        return title
    while title and stringWidth(title + "…", REGULAR, 8) > width:
        title = title[:-1]
    return title.rstrip() + "…"


class PackDocTemplate(BaseDocTemplate):
    def __init__(self, buffer, pack: Pack, page_count: PageCount, **kwargs):
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
            invariant=1,  # the same data and as_at give the same bytes
            **kwargs,
        )
        self.page_count = page_count
        self.running_title = running_title(plain(pack.pack_title), BODY_WIDTH * 0.6)
        self.marking = plain(pack.marking)
        self.date_text = day_text(pack.date)
        self.generated = f"Generated {moment(pack.as_at)}"
        frame = Frame(MARGIN, BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body")
        self.addPageTemplates(
            [
                PageTemplate("cover", [frame], onPage=self.cover_page),
                PageTemplate("body", [frame], onPage=self.body_page),
            ]
        )

    def afterFlowable(self, flowable):
        """A heading (blocks.heading) becomes a bookmark, and a line of the contents."""
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        self.canv.bookmarkPage(outline.key)
        self.canv.addOutlineEntry(
            outline.title, outline.key, level=outline.level, closed=outline.key == "objectives"
        )
        if outline.in_contents:
            self.notify("TOCEntry", (outline.level, escape(outline.title), self.page, outline.key))

    def draw_marking(self, canvas, y):
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(DARK)
        canvas.drawCentredString(PAGE_WIDTH / 2, y, self.marking)

    def cover_page(self, canvas, doc):
        canvas.saveState()
        canvas.setFillColor(NHS_BLUE)
        canvas.rect(0, PAGE_HEIGHT - 6 * mm, PAGE_WIDTH, 6 * mm, stroke=0, fill=1)
        self.draw_marking(canvas, PAGE_HEIGHT - 11 * mm)
        self.draw_marking(canvas, 9 * mm)
        self.draw_page_label(canvas)
        canvas.restoreState()

    def body_page(self, canvas, doc):
        canvas.saveState()
        self.draw_marking(canvas, PAGE_HEIGHT - 10 * mm)
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 14.5 * mm, self.running_title)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14.5 * mm, self.date_text)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, PAGE_HEIGHT - 16 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 16 * mm)
        canvas.line(MARGIN, 14 * mm, PAGE_WIDTH - MARGIN, 14 * mm)
        self.draw_marking(canvas, 6 * mm)
        self.draw_page_label(canvas)
        canvas.restoreState()

    def draw_page_label(self, canvas):
        total = self.page_count.printed or "?"  # "?" only in the first pass, never printed
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 10 * mm, self.generated)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"Page {self.page} of {total}")
