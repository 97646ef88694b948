"""The HTML twin's extras: the same charts as the PDF, as SVG images with text alternatives."""

from __future__ import annotations

import base64

from objectives import ratings

from . import pdf, risk_adapter
from .pack import Pack


def _svg_data_uri(svg) -> str:
    if isinstance(svg, str):
        svg = svg.encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _drawing_uri(drawing) -> str:
    from reportlab.graphics import renderSVG

    return _svg_data_uri(renderSVG.drawToString(drawing))


def _control_chart_uri(measure) -> str:
    drawing = pdf.control_chart(measure, width=640, height=300)
    if drawing is None:
        return ""
    return _drawing_uri(drawing)


def pack_context(pack: Pack) -> dict:
    pdf.register_fonts()
    summary_rows = []
    order = [r.value for r in pack.scale]
    for team in pack.teams:
        counts = pack.summary[team]
        summary_rows.append(
            (team, [counts.get(r, 0) for r in order], counts.get("", 0), sum(counts.values()))
        )
    charts = [_drawing_uri(d) for d in pdf.summary_chart(pack)] if pack.teams else []
    for section in pack.sections:
        section.chart_uri = _control_chart_uri(section.measure) if section.measure else ""
    return {
        "pack": pack,
        "scale": [(r, ratings.HELP_TEXT[r], pdf.RATING_SHORT[r]) for r in pack.scale],
        "short": {r.value: s for r, s in pdf.RATING_SHORT.items()},
        "summary_rows": summary_rows,
        "summary_charts": charts,
        "variations": [(v.label, pdf.VARIATION_HELP[v]) for v in pdf.spc.Variation],
        "assurances": [(a.label, pdf.ASSURANCE_HELP[a]) for a in pdf.spc.Assurance],
        "not_available": risk_adapter.NOT_AVAILABLE,
        "summary_flags": pdf.SUMMARY_FLAGS,
    }
