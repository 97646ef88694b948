"""Charts in the pack: objectives/charts.py's Drawings, drawn onto the page without renderPDF.

reportlab's renderPDF saves and restores the graphics state around every shape and works out
each shape's style changes through a general state tracker; a control chart has 60–80 shapes,
and 500 of them were a quarter of a big pack's build time. `Chart` draws the few kinds of shape
the charts use (groups, rectangles, circles, lines, polygons, strings) straight onto the canvas,
setting a colour, width or dash only when it changes and writing runs of strings through one text
object. A drawing holding anything else is drawn by renderPDF as before.
"""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from .text import Pen, width_of

IDENTITY = (1, 0, 0, 1, 0, 0)
_UNSET = object()
_GROUPS = (Group, Drawing)
_SHAPES = (Rect, Circle, Line, Polygon, PolyLine, String)


class Chart(Flowable):
    """A Drawing as a flowable, drawn by `draw_fast()` when it can be."""

    def __init__(self, drawing: Drawing, *, space_before=0, space_after=0):
        super().__init__()
        self.drawing = drawing
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.width = drawing.width
        self.height = drawing.height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        if simple(self.drawing):
            draw_fast(self.drawing, self.canv)
        else:
            renderPDF.draw(self.drawing, self.canv, 0, 0)


def simple(node) -> bool:
    """True when `draw_fast()` draws `node` exactly as renderPDF would."""
    kind = type(node)
    if kind in _GROUPS:
        if kind is Drawing and (
            getattr(node, "background", None) is not None or getattr(node, "renderScale", 1) != 1
        ):
            return False
        return all(simple(child) for child in node.contents)
    if kind not in _SHAPES:
        return False
    if getattr(node, "fillOpacity", None) not in (None, 1) or getattr(
        node, "strokeOpacity", None
    ) not in (None, 1):
        return False
    if getattr(node, "strokeLineCap", 0) or getattr(node, "strokeLineJoin", 0):
        return False
    if kind is String:
        font = pdfmetrics.getFont(node.fontName)
        return (
            bool(getattr(font, "_dynamicFont", False))
            and getattr(node, "textRenderMode", 0) in (0, None)
            and node.textAnchor in ("start", "inherited", "middle", "end")
        )
    return kind is not Rect or node.rx == node.ry  # renderPDF rounds corners by rx alone


class _Painter:
    def __init__(self, canvas):
        self.canvas = canvas
        # unknown until first set: the page may have left any state behind
        self.fill = _UNSET
        self.stroke = _UNSET
        self.width = _UNSET
        self.dash = _UNSET
        self.pen = None

    def snapshot(self):
        return (self.fill, self.stroke, self.width, self.dash)

    def restore(self, snapshot):
        self.fill, self.stroke, self.width, self.dash = snapshot

    def flush_text(self):
        if self.pen is not None:
            self.canvas.saveState()
            self.canvas.drawText(self.pen)
            self.canvas.restoreState()
            self.pen = None

    def style(self, shape, *, fill=True) -> tuple[int, int]:
        """Set the canvas to `shape`'s colours, width and dash; (stroke?, fill?)."""
        canvas = self.canvas
        fill_colour = shape.fillColor if fill else None
        stroke_colour = shape.strokeColor
        if fill_colour is not None and fill_colour is not self.fill:
            canvas.setFillColor(fill_colour)
            self.fill = fill_colour
        if stroke_colour is not None:
            if stroke_colour is not self.stroke:
                canvas.setStrokeColor(stroke_colour)
                self.stroke = stroke_colour
            width = shape.strokeWidth
            if width != self.width:
                canvas.setLineWidth(width)
                self.width = width
            dash = shape.strokeDashArray or None
            if dash != self.dash:
                if dash is None:
                    canvas.setDash()
                elif len(dash) == 2 and isinstance(dash[1], (tuple, list)):
                    canvas.setDash(dash[1], dash[0])
                else:
                    canvas.setDash(dash, 0)
                self.dash = dash
        return (1 if stroke_colour is not None else 0), (1 if fill_colour is not None else 0)

    def node(self, node):
        kind = type(node)
        if kind in _GROUPS:
            transform = tuple(node.transform)
            if transform != IDENTITY:
                self.flush_text()
                snapshot = self.snapshot()
                self.canvas.saveState()
                self.canvas.transform(*transform)
                for child in node.contents:
                    self.node(child)
                self.flush_text()
                self.canvas.restoreState()
                self.restore(snapshot)
            else:
                for child in node.contents:
                    self.node(child)
            return
        if kind is String:
            self.string(node)
            return
        self.flush_text()
        canvas = self.canvas
        if kind is Rect:
            stroke, fill = self.style(node)
            if stroke or fill:
                if node.rx:
                    canvas.roundRect(
                        node.x, node.y, node.width, node.height, node.rx, stroke=stroke, fill=fill
                    )
                else:
                    canvas.rect(node.x, node.y, node.width, node.height, stroke=stroke, fill=fill)
        elif kind is Circle:
            stroke, fill = self.style(node)
            if stroke or fill:
                canvas.circle(node.cx, node.cy, node.r, stroke=stroke, fill=fill)
        elif kind is Line:
            stroke, _ = self.style(node, fill=False)
            if stroke:
                canvas.line(node.x1, node.y1, node.x2, node.y2)
        else:  # PolyLine (stroked only) or Polygon (closed, filled and stroked)
            closed = kind is Polygon
            stroke, fill = self.style(node, fill=closed)
            points = node.points
            if (stroke or fill) and len(points) >= 4:
                path = canvas.beginPath()
                path.moveTo(points[0], points[1])
                for i in range(2, len(points) - 1, 2):
                    path.lineTo(points[i], points[i + 1])
                if closed:
                    path.close()
                canvas.drawPath(path, stroke=stroke, fill=fill)

    def string(self, node):
        colour = node.fillColor
        if colour is None or not node.text:
            return
        x = node.x
        anchor = node.textAnchor
        if anchor not in ("start", "inherited"):
            length = width_of(node.text, node.fontName, node.fontSize)
            if anchor == "end":
                x -= length
            elif anchor == "middle":
                x -= length / 2
        if self.pen is None:
            self.pen = Pen(self.canvas)
        self.pen.move_to(x, node.y)
        self.pen.write(node.text, node.fontName, node.fontSize, colour)


def draw_fast(drawing: Drawing, canvas) -> None:
    painter = _Painter(canvas)
    canvas.saveState()
    painter.node(drawing)
    painter.flush_text()
    canvas.restoreState()
