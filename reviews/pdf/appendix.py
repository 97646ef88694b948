"""The appendix: every objective of the participating teams, in one table over as many pages as
it needs, its header repeated on each."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from objectives import ratings

from ..pack import Pack
from .blocks import cell, heading, nothing, table
from .fonts import markup
from .styles import BODY_WIDTH, rating_commands, short_day


def appendix_story(pack: Pack, styles) -> list:
    story = [
        heading("Appendix: every objective of the participating teams", styles, key="appendix"),
        Paragraph(
            f"{len(pack.appendix)} objectives of plan {markup(pack.plan)} that involve at least "
            "one participating team, by reference. ● marks an objective in focus today.",
            styles["small"],
        ),
    ]
    if not pack.appendix:
        story.append(nothing("The participating teams have no objectives in this plan.", styles))
        return story
    style = styles["cell_small"]
    widths = [20 * mm, BODY_WIDTH - 126 * mm, 30 * mm, 13 * mm, 24 * mm, 19 * mm, 20 * mm]
    rows = []
    colours = []
    for n, row in enumerate(pack.appendix, start=1):
        rows.append(
            [
                cell(row.ref + (" ●" if row.in_focus else ""), widths[0], style),
                cell(row.title, widths[1], style),
                cell(row.lead_team, widths[2], style),
                str(row.teams),
                ratings.label(row.rating),
                row.state,
                short_day(row.delivery_date),
            ]
        )
        colours += rating_commands(row.rating, 4, n)
    story.append(
        table(
            rows,
            widths,
            header=["Ref", "Objective", "Lead team", "Teams", "Worst view", "State", "Delivery"],
            extra=[("ALIGN", (3, 0), (3, -1), "RIGHT"), *colours],
            size=7.5,
            leading=9,
        )
    )
    return story
