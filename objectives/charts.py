"""Charts drawn once with reportlab graphics, for the web (inline SVG) and the PDF review pack.

- ``control_chart()``: an XmR chart of an ``spc.Analysis``, read the NHS "Making Data Count" way:
  readings joined by a line, the mean and the process limits of each phase (limits dashed), the
  target, special-cause readings marked by shape *and* colour (improvement: blue circle; concern:
  orange diamond; neither: purple square), month labels, and the variation and assurance icons
  as badges that carry their words (``badges=False`` leaves them to the page, as the web panel
  shows them as HTML beside the chart).
- ``chart_svg()``: a Drawing as an accessible SVG string for inline HTML (``role="img"``, a
  ``<title>`` and a ``<desc>``, no XML declaration, no ids that could clash between charts), safe
  under a strict Content-Security-Policy: no ``style="…"`` attributes, only presentation
  attributes (``fill="#ED8B00"``), with the exact colours.
- ``chart_table_rows()``: the chart's data as rows for the table beside it.
- ``rating_bar_chart()``: current views by rating, one stacked bar per team, numbers drawn on.

Colours are from the NHS identity palette; the ratings' colours come from ``objectives.ratings``.
Colour never carries meaning alone: markers differ in shape and every icon has its text.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import NamedTuple

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, PolyLine, Rect, String
from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from objectives import ratings, spc
from objectives.spc import Assurance, Kind, Variation

# NHS identity colours
NHS_BLUE = HexColor("#005EB8")
NHS_DARK_BLUE = HexColor("#003087")
NHS_DARK_GREY = HexColor("#425563")
NHS_MID_GREY = HexColor("#768692")
NHS_PALE_GREY = HexColor("#E8EDEE")
NHS_ORANGE = HexColor("#ED8B00")
NHS_PURPLE = HexColor("#330072")
NHS_RED = HexColor("#DA291C")
NHS_BLACK = HexColor("#231F20")

FONT = "Helvetica"
BOLD = "Helvetica-Bold"

KIND_COLOUR = {Kind.IMPROVEMENT: NHS_BLUE, Kind.CONCERN: NHS_ORANGE, Kind.NEITHER: NHS_PURPLE}
KIND_SHAPE = {Kind.IMPROVEMENT: "circle", Kind.CONCERN: "diamond", Kind.NEITHER: "square"}
KIND_WORD = {Kind.IMPROVEMENT: "Improvement", Kind.CONCERN: "Concern", Kind.NEITHER: "Neither"}

# (colour, letter) of each icon's disc; the badge's text is the icon's label
VARIATION_ICON = {
    Variation.COMMON_CAUSE: (NHS_MID_GREY, ""),
    Variation.IMPROVEMENT_HIGH: (NHS_BLUE, "H"),
    Variation.IMPROVEMENT_LOW: (NHS_BLUE, "L"),
    Variation.CONCERN_HIGH: (NHS_ORANGE, "H"),
    Variation.CONCERN_LOW: (NHS_ORANGE, "L"),
    Variation.NEITHER_HIGH: (NHS_PURPLE, "H"),
    Variation.NEITHER_LOW: (NHS_PURPLE, "L"),
}
ASSURANCE_ICON = {
    Assurance.PASS: (NHS_BLUE, "P"),
    Assurance.FAIL: (NHS_ORANGE, "F"),
    Assurance.HIT_AND_MISS: (NHS_MID_GREY, "?"),
}
# shorter badge words for narrow charts
SHORT_LABEL = {
    **{variation: variation.label for variation in Variation},
    Variation.COMMON_CAUSE: "Common cause",
    Assurance.PASS: "Consistently passes",
    Assurance.FAIL: "Consistently fails",
    Assurance.HIT_AND_MISS: "Hit and miss",
}

TITLE_SIZE = 10
TEXT_SIZE = 7.5
BADGE_HEIGHT = 14


# ---------------------------------------------------------------------------------------------
# control chart


def control_chart(
    result: spc.Analysis,
    *,
    title: str = "",
    unit: str = "",
    width: float = 640,
    height: float = 300,
    font: str = FONT,
    bold_font: str = BOLD,
    badges: bool = True,
) -> Drawing:
    """An XmR chart of ``result``; with fewer than 2 readings, a box saying how many more.

    ``badges``: draw the variation and assurance icons with their words (the PDF packs); the
    web panel passes False because it shows them as HTML next to the chart.
    """
    drawing = Drawing(width, height)
    top = height - 2

    def add_title(room: float) -> None:
        if title:
            text = _fit(title, bold_font, TITLE_SIZE, room)
            drawing.add(
                String(
                    2,
                    top - TITLE_SIZE,
                    text,
                    fontName=bold_font,
                    fontSize=TITLE_SIZE,
                    fillColor=NHS_BLACK,
                )
            )

    if not result.has_chart:
        add_title(width - 4)
        box = Rect(
            1,
            1,
            width - 2,
            top - TITLE_SIZE - 8,
            strokeColor=NHS_MID_GREY,
            fillColor=NHS_PALE_GREY,
            strokeWidth=0.5,
        )
        drawing.add(box)
        drawing.add(
            String(
                width / 2,
                (top - TITLE_SIZE) / 2,
                result.reason,
                fontName=font,
                fontSize=TEXT_SIZE + 1,
                fillColor=NHS_DARK_GREY,
                textAnchor="middle",
            )
        )
        return drawing

    # header: the title on the left and the badges on the right, or the badges on a row below
    icons = _badges(result, font, bold_font, width) if badges else []
    if not icons:
        add_title(width - 4)
        # room below the title for its descenders and the top label on the right
        plot_top = top - TITLE_SIZE - 12 if title else top - 8
    else:
        badges_width = sum(b.width for b in icons) + 6 * (len(icons) - 1)
        title_width = stringWidth(title, bold_font, TITLE_SIZE) if title else 0
        if not title or title_width + badges_width + 16 <= width:
            add_title(width - badges_width - 16)
            badge_y = top - BADGE_HEIGHT
        else:
            add_title(width - 4)
            badge_y = top - TITLE_SIZE - 6 - BADGE_HEIGHT
        plot_top = badge_y - 8
        x = width - 2 - badges_width
        for badge in icons:
            badge.translate(x, badge_y)
            drawing.add(badge.group)
            x += badge.width + 6

    frame = _Frame(result, unit, font, width, plot_top)
    frame.draw_grid(drawing)
    frame.draw_phases(drawing)
    frame.draw_target(drawing)
    frame.draw_readings(drawing)
    frame.draw_x_labels(drawing)
    frame.draw_right_labels(drawing)
    frame.draw_legend(drawing)
    return drawing


class _Badge:
    """An icon (coloured disc with a letter) and its words, in a pale rounded box."""

    def __init__(self, colour: Color, letter: str, text: str, font: str, bold_font: str):
        self.width = BADGE_HEIGHT + 4 + stringWidth(text, font, TEXT_SIZE) + 6
        self.group = Group()
        self.group.add(
            Rect(
                0,
                0,
                self.width,
                BADGE_HEIGHT,
                rx=3,
                ry=3,
                fillColor=NHS_PALE_GREY,
                strokeColor=colour,
                strokeWidth=0.8,
            )
        )
        r = BADGE_HEIGHT / 2 - 2
        cx, cy = 2 + r, BADGE_HEIGHT / 2
        self.group.add(Circle(cx, cy, r, fillColor=colour, strokeColor=None))
        if letter:
            self.group.add(
                String(
                    cx,
                    cy - 2.4,
                    letter,
                    fontName=bold_font,
                    fontSize=7,
                    fillColor=white,
                    textAnchor="middle",
                )
            )
        else:  # common cause: a small zigzag, as on the NHS icon
            zigzag = [cx - r + 1.5, cy, cx - r / 3, cy + 2, cx + r / 3, cy - 2, cx + r - 1.5, cy]
            self.group.add(PolyLine(zigzag, strokeColor=white, strokeWidth=1))
        self.group.add(
            String(
                BADGE_HEIGHT + 2,
                BADGE_HEIGHT / 2 - 2.6,
                text,
                fontName=font,
                fontSize=TEXT_SIZE,
                fillColor=NHS_BLACK,
            )
        )

    def translate(self, x: float, y: float) -> None:
        self.group.translate(x, y)


def _badges(result: spc.Analysis, font: str, bold_font: str, width: float) -> list[_Badge]:
    icons = []
    if result.variation is not None:
        colour, letter = VARIATION_ICON[result.variation]
        icons.append((colour, letter, result.variation))
    if result.assurance is not None:
        colour, letter = ASSURANCE_ICON[result.assurance]
        icons.append((colour, letter, result.assurance))
    badges = [_Badge(c, letter, icon.label, font, bold_font) for c, letter, icon in icons]
    if sum(b.width + 6 for b in badges) > width - 4:
        badges = [
            _Badge(c, letter, SHORT_LABEL[icon], font, bold_font) for c, letter, icon in icons
        ]
    return badges


class _Frame:
    """Where everything goes: the plot area, the scales, and the words around them."""

    LEFT_GAP = 4
    X_LABELS = 12
    LEGEND = 12

    def __init__(self, result: spc.Analysis, unit: str, font: str, width: float, plot_top: float):
        self.result = result
        self.unit = unit
        self.font = font
        phases = result.phases
        latest = phases[-1]
        target = result.target
        values = result.values
        low = min(min(values), *(p.lower for p in phases))
        high = max(max(values), *(p.upper for p in phases))
        span = high - low or max(abs(high) * 0.2, 1.0)
        # a target far from the readings would squash them flat: say where it is instead
        self.target_on_chart = target is not None and low - span <= target <= high + span
        if self.target_on_chart:
            low, high = min(low, target), max(high, target)
            span = high - low
        self.y_min, self.y_max = low - span * 0.06, high + span * 0.06
        self.ticks = [t for t in _ticks(self.y_min, self.y_max) if self.y_min <= t <= self.y_max]

        # words on the right: the latest phase's lines, and the target
        trial = " (trial)" if latest.trial else ""
        self.right_labels = [
            (latest.upper, f"Upper{trial} {self.number(latest.upper)}", NHS_DARK_GREY),
            (latest.mean, f"Mean {self.number(latest.mean)}", NHS_DARK_BLUE),
            (latest.lower, f"Lower{trial} {self.number(latest.lower)}", NHS_DARK_GREY),
        ]
        if self.target_on_chart:
            self.right_labels.append((target, f"Target {self.number(target)}", NHS_RED))
        elif target is not None:
            above = target > self.y_max
            where = "above" if above else "below"
            self.right_labels.append(
                (
                    self.y_max if above else self.y_min,
                    f"Target {self.number(target)} ({where})",
                    NHS_RED,
                )
            )
        right = max(stringWidth(text, font, TEXT_SIZE) for _, text, _ in self.right_labels) + 8
        left = max(stringWidth(self.tick_text(t), font, TEXT_SIZE) for t in self.ticks) + 8
        self.x0 = left
        self.x1 = width - right
        self.y0 = self.LEGEND + self.X_LABELS + 6
        self.y1 = plot_top
        self.step = (self.x1 - self.x0) / len(values)

    # scales and words

    def x(self, index: float) -> float:
        return self.x0 + (index + 0.5) * self.step

    def y(self, value: float) -> float:
        return self.y0 + (value - self.y_min) / (self.y_max - self.y_min) * (self.y1 - self.y0)

    def number(self, value: float) -> str:
        """A value with its unit if that is short (%, £); else bare, as the unit is shown once."""
        if self.unit == "%" or self.unit in spc.PREFIX_UNITS:
            return spc.format_value(value, self.unit)
        return spc.format_value(value)

    def tick_text(self, value: float) -> str:
        return self.number(value)

    def text(self, x, y, text, *, anchor="start", colour=NHS_DARK_GREY, size=TEXT_SIZE, font=None):
        return String(
            x,
            y,
            text,
            fontName=font or self.font,
            fontSize=size,
            fillColor=colour,
            textAnchor=anchor,
        )

    # layers, back to front

    def draw_grid(self, drawing: Drawing) -> None:
        for tick in self.ticks:
            y = self.y(tick)
            drawing.add(_line(self.x0, y, self.x1, y, strokeColor=NHS_PALE_GREY, strokeWidth=0.6))
            drawing.add(self.text(self.x0 - 4, y - 2.6, self.tick_text(tick), anchor="end"))
        drawing.add(
            _line(self.x0, self.y0, self.x1, self.y0, strokeColor=NHS_MID_GREY, strokeWidth=0.6)
        )

    def draw_phases(self, drawing: Drawing) -> None:
        half = self.step / 2
        for phase in self.result.phases:
            left, right = self.x(phase.start) - half, self.x(phase.end - 1) + half
            for value, dash, colour, width in (
                (phase.upper, (3, 2), NHS_DARK_GREY, 0.8),
                (phase.lower, (3, 2), NHS_DARK_GREY, 0.8),
                (phase.mean, None, NHS_DARK_BLUE, 1),
            ):
                y = self.y(value)
                drawing.add(
                    _line(
                        left,
                        y,
                        right,
                        y,
                        strokeColor=colour,
                        strokeWidth=width,
                        strokeDashArray=dash,
                    )
                )
            if phase.start > 0:
                drawing.add(
                    _line(
                        left,
                        self.y0,
                        left,
                        self.y1,
                        strokeColor=NHS_MID_GREY,
                        strokeWidth=0.6,
                        strokeDashArray=(1, 2),
                    )
                )
                drawing.add(self.text(left + 2, self.y1 - 8, "Rebased", size=TEXT_SIZE - 1))

    def draw_target(self, drawing: Drawing) -> None:
        if not self.target_on_chart:
            return
        y = self.y(self.result.target)
        drawing.add(
            _line(
                self.x0,
                y,
                self.x1,
                y,
                strokeColor=NHS_RED,
                strokeWidth=1,
                strokeDashArray=(6, 2, 1, 2),
            )
        )

    def draw_readings(self, drawing: Drawing) -> None:
        values = self.result.values
        points = []
        for i, value in enumerate(values):
            points += [self.x(i), self.y(value)]
        drawing.add(PolyLine(points, strokeColor=NHS_MID_GREY, strokeWidth=1.2))
        for i, value in enumerate(values):
            drawing.add(
                Circle(self.x(i), self.y(value), 1.8, fillColor=NHS_MID_GREY, strokeColor=None)
            )
        markers = Group()
        for signal in self.result.signals:
            markers.add(_marker(signal.kind, self.x(signal.index), self.y(signal.value), 4))
        drawing.add(markers, name="special_cause_markers")

    def draw_x_labels(self, drawing: Drawing) -> None:
        dates = self.result.dates
        monthly = len({(d.year, d.month) for d in dates}) == len(dates)
        labels = [_date_label(d, monthly) for d in dates]
        widest = max(stringWidth(text, self.font, TEXT_SIZE) for text in labels) + 6
        every = max(1, math.ceil(widest / self.step))
        y = self.y0 - 9
        for i in range(len(dates) - 1, -1, -every):  # from the latest back, so it is labelled
            x = self.x(i)
            drawing.add(
                _line(x, self.y0, x, self.y0 - 2.5, strokeColor=NHS_MID_GREY, strokeWidth=0.6)
            )
            drawing.add(self.text(x, y, labels[i], anchor="middle"))

    def draw_right_labels(self, drawing: Drawing) -> None:
        gap = TEXT_SIZE + 1.5
        wanted = sorted(
            ((self.y(value), text, colour) for value, text, colour in self.right_labels),
            key=lambda item: item[0],
        )
        placed = []
        floor = self.y0
        for y, text, colour in wanted:  # push up to avoid overlaps …
            y = max(y, floor)
            placed.append([y, text, colour])
            floor = y + gap
        ceiling = self.y1 + 4
        for item in reversed(placed):  # … then down to stay in the frame
            item[0] = min(item[0], ceiling)
            ceiling = item[0] - gap
        for y, text, colour in placed:
            drawing.add(self.text(self.x1 + 4, y - 2.6, text, colour=colour))

    def draw_legend(self, drawing: Drawing) -> None:
        y = 3
        x = self.x0
        kinds = [k for k in Kind if any(s.kind == k for s in self.result.signals)]
        for kind in kinds:
            drawing.add(_marker(kind, x + 4, y + 3, 3.5))
            label = f"{KIND_WORD[kind]} (special cause)"
            drawing.add(self.text(x + 10, y, label))
            x += 10 + stringWidth(label, self.font, TEXT_SIZE) + 10
        entries = [((None), NHS_DARK_BLUE, "Mean"), ((3, 2), NHS_DARK_GREY, "Process limits")]
        if self.target_on_chart:
            entries.append(((6, 2, 1, 2), NHS_RED, "Target"))
        for dash, colour, label in entries:
            drawing.add(
                _line(
                    x, y + 3, x + 14, y + 3, strokeColor=colour, strokeWidth=1, strokeDashArray=dash
                )
            )
            drawing.add(self.text(x + 17, y, label))
            x += 17 + stringWidth(label, self.font, TEXT_SIZE) + 10
        if self.unit and not (self.unit == "%" or self.unit in spc.PREFIX_UNITS):
            drawing.add(self.text(x, y, f"Readings in {self.unit}"))


def _line(x0: float, y0: float, x1: float, y1: float, **style) -> PolyLine:
    """A straight line. Not reportlab's Line: its SVG path closes back on itself, which draws
    the dashes twice and makes a dashed line look solid."""
    return PolyLine([x0, y0, x1, y1], **style)


def _marker(kind: Kind, x: float, y: float, size: float):
    colour = KIND_COLOUR[kind]
    shape = KIND_SHAPE[kind]
    if shape == "circle":
        return Circle(x, y, size, fillColor=colour, strokeColor=white, strokeWidth=0.6)
    if shape == "diamond":
        s = size * 1.25
        return Polygon(
            [x, y + s, x + s, y, x, y - s, x - s, y],
            fillColor=colour,
            strokeColor=white,
            strokeWidth=0.6,
        )
    s = size * 0.9
    return Rect(x - s, y - s, 2 * s, 2 * s, fillColor=colour, strokeColor=white, strokeWidth=0.6)


def _date_label(when: date, monthly: bool) -> str:
    return f"{when:%b %Y}" if monthly else f"{when.day} {when:%b %y}"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered ticks covering low … high, about ``count`` of them."""
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    tick = first
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# SVG for the web

# PDF font names → CSS; Arial has Helvetica's widths, so the layout measured here still fits
SVG_FONTS = {
    FONT: {"family": "Arial, Helvetica, sans-serif"},
    BOLD: {"family": "Arial, Helvetica, sans-serif", "weight": "bold"},
}


# SVG properties that can be written as attributes instead of inline CSS
PRESENTATION_ATTRIBUTES = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
    }
)


class _SVGCanvas(renderSVG.SVGCanvas):
    """reportlab's SVG canvas with exact colours: its own writes rgb() in whole percentages,
    which turns NHS orange #ED8B00 into #EB8A00."""

    def setStrokeColor(self, color):
        super().setStrokeColor(color)
        if color is not None:
            self.style["stroke"] = _hex(color)

    def setFillColor(self, color):
        super().setFillColor(color)
        if color is not None:
            self.style["fill"] = _hex(color)


def _hex(color: Color) -> str:
    return "#" + color.hexval()[2:].upper()


def chart_svg(drawing: Drawing, *, title: str, description: str, id_prefix: str = "") -> str:
    """``drawing`` as an ``<svg>`` element for inline HTML, labelled for screen readers.

    No XML declaration or doctype; the title and description are escaped; ids are prefixed
    (by default from a hash of the title and description) so several charts can share a page.

    Safe under a strict Content-Security-Policy (``style-src 'self'``), which refuses inline
    ``style="…"`` attributes (the browser would draw every shape black): reportlab's styles are
    written as presentation attributes (``fill="#ED8B00"``), which are not CSS. The ``<svg>``
    has ``class="chart"`` and its own width, height and viewBox; to let it shrink with its
    column, give it ``max-width: 100%; height: auto`` in the page's stylesheet.
    """
    if not id_prefix:
        digest = hashlib.sha1(f"{title}\n{description}".encode()).hexdigest()[:10]
        id_prefix = f"chart-{digest}"
    canvas = _SVGCanvas(
        (drawing.width, drawing.height),
        useClip=True,  # no clipPath: its fixed id would clash between charts on one page
        fontHacks={font: dict(style) for font, style in SVG_FONTS.items()},
        svgAttrs={
            "role": "img",
            "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
            "class": "chart",
        },
    )
    renderSVG.draw(drawing, canvas)
    svg = canvas.svg
    for tag, text in (("title", title), ("desc", description)):
        element = svg.getElementsByTagName(tag)[0]
        element.setAttribute("id", f"{id_prefix}-{tag}")
        element.firstChild.data = text  # minidom escapes it when writing
    group = svg.getElementsByTagName("g")[0]
    group.removeAttribute("id")
    group.removeAttribute("clip")
    for element in svg.getElementsByTagName("*"):
        _style_to_attributes(element)
    return svg.toxml()


def _style_to_attributes(element) -> None:
    """Turn an element's ``style="…"`` into presentation attributes. A declaration replaces an
    attribute of the same name, as the style would win over it in the browser; declarations that
    have no presentation attribute are dropped."""
    style = element.getAttribute("style")
    if not style:
        return
    element.removeAttribute("style")
    for declaration in style.split(";"):
        prop, colon, value = declaration.partition(":")
        prop, value = prop.strip().lower(), value.strip()
        if not colon or prop not in PRESENTATION_ATTRIBUTES:
            continue
        if value == "None":  # reportlab writes str(None) for shapes without a fill
            value = "none"
        element.setAttribute(prop, value)


# ---------------------------------------------------------------------------------------------
# table beside the chart


class TableRow(NamedTuple):
    date: date
    value: float
    mean: float | None
    lower: float | None
    upper: float | None
    special_cause: str  # "" for common cause


def chart_table_rows(result: spc.Analysis) -> list[TableRow]:
    """One row per reading: its phase's mean and limits, and what makes it special cause."""
    signals = {signal.index: signal for signal in result.signals}
    rows = []
    for index, (when, value) in enumerate(zip(result.dates, result.values, strict=True)):
        if result.phases:
            phase = result.phase_of(index)
            mean, lower, upper = phase.mean, phase.lower, phase.upper
        else:
            mean = lower = upper = None
        signal = signals.get(index)
        text = "" if signal is None else f"{KIND_WORD[signal.kind]}: {signal.description.lower()}"
        rows.append(TableRow(when, value, mean, lower, upper, text))
    return rows


# ---------------------------------------------------------------------------------------------
# rating bars for the review pack


def rating_bar_chart(
    counts_by_team: Mapping[str, Mapping[str, int]],
    *,
    width: float = 480,
    scale: Sequence[str] | None = None,
    font: str = FONT,
    bold_font: str = BOLD,
) -> Drawing:
    """One stacked bar per team of how many current views have each rating, numbers drawn on.

    ``counts_by_team`` maps a team's name to {rating value, or "" for not reported: count}.
    ``scale`` (rating values, best first) sets the order and the legend; by default, the ratings
    that have any count, in the five-point order, then not reported.
    """
    if scale is None:
        totals = dict.fromkeys([*ratings.STEP, ""], 0)
        for counts in counts_by_team.values():
            for key, n in counts.items():
                totals[str(key)] = totals.get(str(key), 0) + n
        order = [key for key, n in totals.items() if n]
    else:
        order = [str(key) for key in scale]
    row, bar_height = 18, 12
    label_width = min(
        width * 0.3, max((stringWidth(t, font, TEXT_SIZE) for t in counts_by_team), default=0) + 8
    )
    total_width = stringWidth("999", bold_font, TEXT_SIZE) + 6
    bar_space = width - label_width - total_width
    legend_height = 16
    height = row * max(len(counts_by_team), 1) + legend_height + 4
    drawing = Drawing(width, height)
    if not order:
        drawing.add(
            String(
                0,
                height - row + 4,
                "No ratings yet.",
                fontName=font,
                fontSize=TEXT_SIZE,
                fillColor=NHS_DARK_GREY,
            )
        )
        return drawing
    biggest = (
        max((sum(counts.get(k, 0) for k in order) for counts in counts_by_team.values()), default=0)
        or 1
    )
    unit = bar_space / biggest
    y = height - row
    bars = Group()
    for team, counts in counts_by_team.items():
        drawing.add(
            String(
                0,
                y + 3,
                _fit(team, font, TEXT_SIZE, label_width - 6),
                fontName=font,
                fontSize=TEXT_SIZE,
                fillColor=NHS_BLACK,
            )
        )
        x = label_width
        for key in order:
            n = counts.get(key, 0)
            if not n:
                continue
            fill = _rating_colour(key)
            bars.add(
                Rect(x, y, n * unit, bar_height, fillColor=fill, strokeColor=white, strokeWidth=0.8)
            )
            text = str(n)
            if stringWidth(text, bold_font, TEXT_SIZE) + 4 <= n * unit:
                drawing.add(
                    String(
                        x + n * unit / 2,
                        y + 3.2,
                        text,
                        fontName=bold_font,
                        fontSize=TEXT_SIZE,
                        fillColor=_text_on(fill),
                        textAnchor="middle",
                    )
                )
            x += n * unit
        total = sum(counts.get(k, 0) for k in order)
        drawing.add(
            String(
                x + 3,
                y + 3.2,
                str(total),
                fontName=bold_font,
                fontSize=TEXT_SIZE,
                fillColor=NHS_BLACK,
            )
        )
        y -= row
    drawing.insert(0, bars, name="bars")  # behind the numbers

    x = label_width
    for key in order:
        label = ratings.label(key) if key else ratings.NOT_REPORTED_LABEL
        drawing.add(
            Rect(
                x, 3, 8, 8, fillColor=_rating_colour(key), strokeColor=NHS_MID_GREY, strokeWidth=0.4
            )
        )
        drawing.add(
            String(x + 11, 4, label, fontName=font, fontSize=TEXT_SIZE, fillColor=NHS_BLACK)
        )
        x += 11 + stringWidth(label, font, TEXT_SIZE) + 10
    return drawing


def _rating_colour(key: str) -> Color:
    if not key:
        return NHS_PALE_GREY
    return HexColor(ratings.COLOUR[ratings.Rating(key)])


def _text_on(fill: Color) -> Color:
    """Black or white, whichever contrasts more with ``fill`` (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(fill.red) + 0.7152 * channel(fill.green) + 0.0722 * channel(fill.blue)
    )
    return white if (1.05 / (luminance + 0.05)) > ((luminance + 0.05) / 0.05) else NHS_BLACK


# concern counts for the risk dashboard


def concern_bar_chart(
    months: Sequence[tuple[str, int, int]],
    *,
    width: float = 420,
    height: float = 150,
    font: str = FONT,
) -> Drawing:
    """A pair of bars per month: objectives in danger (red) and to watch (orange), counts on top.

    ``months`` is [(label, in danger, watch)] in order, e.g. [("Apr", 1, 3), …]."""
    drawing = Drawing(width, height)
    legend, axis = 14, 14
    top = height - legend - 10
    biggest = max((max(d, w) for _, d, w in months), default=0) or 1
    slot = width / max(len(months), 1)
    bar = min(14.0, slot / 2.6)
    unit = (top - axis) / biggest
    drawing.add(_line(0, axis, width, axis, strokeColor=NHS_MID_GREY, strokeWidth=0.6))
    for index, (label, danger, watch) in enumerate(months):
        middle = slot * index + slot / 2
        for offset, count, colour in ((-bar, danger, NHS_RED), (0, watch, NHS_ORANGE)):
            x = middle + offset
            if count:
                drawing.add(Rect(x, axis, bar, count * unit, fillColor=colour, strokeColor=None))
            drawing.add(
                String(
                    x + bar / 2,
                    axis + count * unit + 2,
                    str(count),
                    fontName=font,
                    fontSize=TEXT_SIZE,
                    fillColor=NHS_BLACK,
                    textAnchor="middle",
                )
            )
        drawing.add(
            String(
                middle,
                3,
                label,
                fontName=font,
                fontSize=TEXT_SIZE,
                fillColor=NHS_DARK_GREY,
                textAnchor="middle",
            )
        )
    x = 0.0
    for text, colour in (("In danger", NHS_RED), ("Watch", NHS_ORANGE)):
        drawing.add(Rect(x, height - legend, 8, 8, fillColor=colour, strokeColor=None))
        drawing.add(
            String(
                x + 11,
                height - legend + 1,
                text,
                fontName=font,
                fontSize=TEXT_SIZE,
                fillColor=NHS_BLACK,
            )
        )
        x += 11 + stringWidth(text, font, TEXT_SIZE) + 12
    return drawing
