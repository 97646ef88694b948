"""The HTML twin's extras: the PDF's charts as inline SVG (objectives/charts.py), each with the
same numbers in a table, so the web page says everything the PDF says."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.safestring import mark_safe

from objectives import charts, ratings, spc

from . import pdf
from .pack import Pack

CHART_WIDTH = 640


class ReadingRow(NamedTuple):
    date: object
    value: str
    mean: str
    limits: str
    special_cause: str


class MeasureChart(NamedTuple):
    svg: str  # "" when the readings cannot be charted
    rows: list[ReadingRow]


def _svg(drawing, *, title: str, description: str, id_prefix: str) -> str:
    # Built by reportlab from our own values; chart_svg escapes the title and description.
    return mark_safe(  # noqa: S308
        charts.chart_svg(drawing, title=title, description=description, id_prefix=id_prefix)
    )


def measure_chart(section) -> MeasureChart | None:
    """The main measure's control chart and its readings with mean, limits and special causes."""
    measure = section.measure
    if measure is None or measure.analysis is None:
        return None
    analysis = measure.analysis
    unit = measure.unit

    def value(number) -> str:
        return spc.format_value(number, unit) if number is not None else ""

    rows = [
        ReadingRow(
            row.date,
            value(row.value),
            value(row.mean),
            f"{value(row.lower)} to {value(row.upper)}" if row.mean is not None else "",
            row.special_cause,
        )
        for row in charts.chart_table_rows(analysis)
    ]
    svg = ""
    if analysis.has_chart:
        drawing = charts.control_chart(
            analysis, title=measure.name, unit=unit, width=CHART_WIDTH, height=300
        )
        description = (
            f"{len(analysis.values)} readings from {analysis.dates[0]:%B %Y} to "
            f"{analysis.dates[-1]:%B %Y}. {measure.verdict} The same data is in the table below."
        )
        svg = _svg(
            drawing,
            title=f"Control chart: {measure.name}",
            description=description,
            id_prefix=f"{section.key}-chart",
        )
    return MeasureChart(svg, rows)


def pack_context(pack: Pack) -> dict:
    order = [r.value for r in pack.scale]
    summary_rows = []
    for team in pack.teams:
        counts = pack.summary[team]
        summary_rows.append(
            (team, [counts.get(r, 0) for r in order], counts.get("", 0), sum(counts.values()))
        )
    summary_charts = []
    if pack.teams:
        drawings = pdf.summary_chart(
            pack, width=CHART_WIDTH, font=charts.FONT, bold_font=charts.BOLD, name=str
        )
        for number, drawing in enumerate(drawings, start=1):
            part = f" (part {number} of {len(drawings)})" if len(drawings) > 1 else ""
            summary_charts.append(
                _svg(
                    drawing,
                    title=f"Current views by rating, per participating team{part}",
                    description="A bar per team, split by rating; the table below gives the "
                    "same numbers.",
                    id_prefix=f"summary-chart-{number}",
                )
            )
    return {
        "pack": pack,
        "objectives": [(section, measure_chart(section)) for section in pack.sections],
        "scale": [(r, ratings.HELP_TEXT[r], pdf.RATING_SHORT[r]) for r in pack.scale],
        "short": {r.value: s for r, s in pdf.RATING_SHORT.items()},
        "summary_rows": summary_rows,
        "summary_charts": summary_charts,
        "variations": [(v.label, pdf.VARIATION_HELP[v]) for v in spc.Variation],
        "assurances": [(a.label, pdf.ASSURANCE_HELP[a]) for a in spc.Assurance],
        "flagged": [
            (row, row.flags[: pdf.SUMMARY_FLAGS], max(len(row.flags) - pdf.SUMMARY_FLAGS, 0))
            for row in pack.flagged
        ],
    }
