"""The story of one objective in focus, with its main measure's control chart."""

from __future__ import annotations

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Spacer,
)

from objectives import charts

from ..pack import Pack
from .blocks import flag_line, grid_table, nothing, rating_text
from .drawing import Chart
from .flowables import Heading, Label, RuledSpace
from .fonts import plain, printable
from .styles import BODY_WIDTH, GREY, OVERDUE_LOOK, RATING_SHORT, day_text, rating_look, short_day
from .text import Run, Text, bold


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
        grid_table(
            [
                [
                    "Lead team",
                    printable(section.lead_team),
                    "Delivery date",
                    day_text(section.delivery_date),
                ],
                ["Owner", printable(section.owner) or "No owner named", "State", section.state],
                ["Worst view", rating_text(section.worst_rating), "Priority", section.priority],
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
        story += [flag_line(flag, styles) for flag in section.flags]

    story.append(Label("Each team's current view"))
    if not section.views or all(v.rating is None for v in section.views):
        story.append(nothing("No team has reported on this objective yet.", styles))
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
            rating = rating_text(view.rating) + (f"\n{view.period}" if view.period else "")
            concerns = printable(view.not_going_well)
            if view.risks:
                concerns += ("\n" if concerns else "") + "Risks: " + printable(view.risks)
            rows.append([team, rating, printable(view.going_well) or "–", concerns or "–"])
            looks[1, n] = rating_look(view.rating)
        story.append(
            grid_table(
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
        story.append(nothing("No ratings recorded this year yet.", styles))
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
            grid_table(
                rows,
                [BODY_WIDTH - 126 * mm] + [10.5 * mm] * 12,
                header=["Team", *pack.months],
                looks=looks,
                align=dict.fromkeys(range(1, 13), "CENTER"),
            )
        )

    story.append(Label("Milestones"))
    if not section.milestones:
        story.append(nothing("No milestones recorded.", styles))
    else:
        rows = []
        looks = {}
        for n, m in enumerate(section.milestones):
            done = short_day(m.done) if m.done else ("OVERDUE" if m.overdue else "Not yet")
            rows.append([printable(m.title), printable(m.team), short_day(m.due), done])
            if m.overdue:
                looks[3, n] = OVERDUE_LOOK
        story.append(
            grid_table(
                rows,
                [BODY_WIDTH - 110 * mm, 50 * mm, 30 * mm, 30 * mm],
                header=["Milestone", "Team", "Due", "Done"],
                looks=looks,
            )
        )

    story += measure_story(pack, section, styles)

    story.append(Label("Dependencies"))
    if not section.dependencies:
        story.append(nothing("None recorded.", styles))
    else:
        rows = []
        looks = {}
        for n, d in enumerate(section.dependencies):
            rows.append(
                [
                    d.relation,
                    printable(f"{d.ref} {d.title}"),
                    printable(d.need) or "–",
                    rating_text(d.rating),
                ]
            )
            looks[3, n] = rating_look(d.rating)
        story.append(
            grid_table(
                rows,
                [20 * mm, BODY_WIDTH - 102 * mm, 55 * mm, 27 * mm],
                header=["", "Objective", "What is needed", "Worst view"],
                looks=looks,
            )
        )

    story.append(Label("Open asks between teams"))
    if not section.asks:
        story.append(nothing("No open asks.", styles))
    else:
        rows = [
            [printable(a.from_team), printable(a.to_team), printable(a.text) or "–", a.raised]
            for a in section.asks
        ]
        story.append(
            grid_table(
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


def measure_story(pack: Pack, section, styles) -> list:
    story = [Label("Main measure")]
    measure = section.measure
    if measure is None:
        story.append(nothing("This objective has no measures yet.", styles))
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
            styles["body"]._replace(keep_with_next=True),  # on the chart's page
        )
    )
    # Untitled: the line above names the measure.
    chart = control_chart(measure, title="")
    if chart is not None:
        story.append(Chart(chart, space_before=2, space_after=6))
    if not measure.readings:
        story.append(nothing("No readings yet, so there is no chart.", styles))
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
    measure,
    *,
    title=None,
    width=BODY_WIDTH,
    height=58 * mm,
    font="PackSans",
    bold_font="PackSans-Bold",
):
    """The main measure's control chart (objectives/charts.py), or None without one; titled with
    the measure's name unless `title` is given.

    reportlab checks every attribute set on a shape; the charts are built from our own values,
    so the checks are off while one is built (a third of its cost)."""
    if measure.analysis is None or not measure.analysis.has_chart:
        return None
    checking = rl_config.shapeChecking
    rl_config.shapeChecking = 0
    try:
        return charts.control_chart(
            measure.analysis,
            title=plain(measure.name) if title is None else title,
            unit=plain(measure.unit),
            width=width,
            height=height,
            font=font,
            bold_font=bold_font,
        )
    finally:
        rl_config.shapeChecking = checking
