"""The appendix: every objective of the participating teams, in one table over as many pages as
it needs, its header repeated on each."""

from __future__ import annotations

from reportlab.lib.units import mm

from ..pack import Pack
from .blocks import grid_table, heading, nothing, rating_text
from .fonts import printable
from .styles import BODY_WIDTH, rating_look, short_day
from .text import Text


def appendix_story(pack: Pack, styles) -> list:
    story = [
        heading("Appendix: every objective of the participating teams", styles, key="appendix")
    ]
    story.append(
        Text(
            f"{len(pack.appendix)} objectives of plan {printable(pack.plan)} that involve at least "
            "one participating team, by reference. ● marks an objective in focus today.",
            styles["small"],
        )
    )
    if not pack.appendix:
        story.append(nothing("The participating teams have no objectives in this plan.", styles))
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
                rating_text(row.rating),
                row.state,
                short_day(row.delivery_date),
            ]
        )
        looks[4, n] = rating_look(row.rating)
    # One table: it runs onto as many pages as it needs, its header repeated on each.
    story.append(
        grid_table(
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
