"""The document: page templates (marking, running title, "page X of Y"), bookmarks, page numbers
filled in once the last page is laid out, pages compressed as they are finished."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
)

from ..pack import Pack
from .flowables import PageNumber
from .fonts import plain
from .styles import (
    BODY_WIDTH,
    BOTTOM,
    DARK,
    FRAME_WIDTH,
    GREY,
    MARGIN,
    NHS_BLUE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    TOP,
    day_text,
    moment,
)


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
