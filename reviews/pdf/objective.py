"""The story of one objective in focus, with its main measure's control chart."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from objectives import charts, ratings

from ..pack import Pack
from .blocks import Outline, RuledSpace, cell, flag_line, heading, label, nothing, table, text
from .fonts import markup, plain
from .styles import (
    BODY_WIDTH,
    BOLD,
    RATING_SHORT,
    day_text,
    overdue_commands,
    rating_commands,
    short_day,
)

SMALL_GREY = '<font size="7.5" color="#4c6272">{}</font>'


def objective_story(pack: Pack, section, styles) -> list:
    style = styles["cell"]
    caption = Paragraph(
        f"Objective {section.number} of {len(pack.sections)} · {markup(section.ref)}",
        styles["caption"],
    )
    if section.number == 1:  # the bookmark for the group sits on the first objective's page
        caption.outline = Outline("objectives", f"Objectives in focus ({len(pack.sections)})", 0)
    story = [
        caption,
        heading(
            section.title,
            styles,
            key=section.key,
            level=1,
            outline_title=f"{section.ref} {section.title}",
        ),
    ]
    half = BODY_WIDTH / 2
    widths = [26 * mm, half - 26 * mm, 28 * mm, half - 28 * mm]
    facts = [  # label, value, label, value
        [
            "Lead team",
            cell(section.lead_team, widths[1], style),
            "Delivery date",
            day_text(section.delivery_date),
        ],
        [
            "Owner",
            cell(section.owner or "No owner named", widths[1], style),
            "State",
            section.state,
        ],
        ["Worst view", ratings.label(section.worst_rating), "Priority", section.priority],
    ]
    story.append(
        table(
            facts,
            widths,
            extra=[
                ("FONTNAME", (0, 0), (0, -1), BOLD),
                ("FONTNAME", (2, 0), (2, -1), BOLD),
                *rating_commands(section.worst_rating, 1, 2),
            ],
        )
    )
    if section.description:
        story.append(Spacer(1, 4))
        story.append(text(section.description, styles["body"]))
    if section.flags:
        story += label("Risk flags", styles)
        story += [flag_line(flag, styles) for flag in section.flags]
    story += views_story(section, styles)
    story += history_story(pack, section, styles)
    story += milestones_story(section, styles)
    story += measure_story(section, styles)
    story += dependencies_story(section, styles)
    story += asks_story(section, styles)
    if section.decisions:
        story += label("Decisions recorded on the day", styles)
        for d in section.decisions:
            story.append(Paragraph(f"<b>{markup(d.kind)}</b>: {markup(d.why)}", styles["body"]))
    story += impact_story(section, styles)
    story.append(PageBreak())
    return story


def views_story(section, styles) -> list:
    style = styles["cell"]
    narrative = (BODY_WIDTH - 66 * mm) / 2
    widths = [38 * mm, 28 * mm, narrative, narrative]
    story = label("Each team's current view", styles)
    if not section.views or all(v.rating is None for v in section.views):
        story.append(nothing("No team has reported on this objective yet.", styles))
    if not section.views:
        return story
    rows = []
    colours = []
    for n, view in enumerate(section.views, start=1):
        team = f"<b>{markup(view.team)}</b><br/>{markup(view.role)}"
        if view.commitment:
            team += "<br/>" + SMALL_GREY.format("Commits to: " + markup(view.commitment))
        rating = ratings.label(view.rating) + (f"\n{view.period}" if view.period else "")
        concerns = view.not_going_well
        if view.risks:
            concerns += ("\n" if concerns else "") + "Risks: " + view.risks
        rows.append(
            [
                Paragraph(team, style),
                rating,
                cell(view.going_well or "–", widths[2], style),
                cell(concerns or "–", widths[3], style),
            ]
        )
        colours += rating_commands(view.rating, 1, n)
    story.append(
        table(
            rows,
            widths,
            header=["Team", "Current view", "What is going well", "What is not going well; risks"],
            extra=colours,
        )
    )
    return story


def history_story(pack: Pack, section, styles) -> list:
    story = label(f"Rating history, {plain(pack.plan)}", styles)
    if not section.history or all(c is None for row in section.history for c in row.cells):
        story.append(nothing("No ratings recorded this year yet.", styles))
        return story
    widths = [BODY_WIDTH - 126 * mm] + [10.5 * mm] * 12
    rows = []
    colours = []
    for n, row in enumerate(section.history, start=1):
        rows.append(
            [
                cell(row.team, widths[0], styles["cell"]),
                *(RATING_SHORT[rating] if rating else "·" for rating in row.cells),
            ]
        )
        for col, rating in enumerate(row.cells, start=1):
            colours += rating_commands(rating, col, n)
    story.append(
        table(
            rows,
            widths,
            header=["Team", *pack.months],
            extra=[("ALIGN", (1, 0), (-1, -1), "CENTER"), *colours],
        )
    )
    return story


def milestones_story(section, styles) -> list:
    style = styles["cell"]
    widths = [BODY_WIDTH - 110 * mm, 50 * mm, 30 * mm, 30 * mm]
    story = label("Milestones", styles)
    if not section.milestones:
        story.append(nothing("No milestones recorded.", styles))
        return story
    rows = []
    marks = []
    for n, m in enumerate(section.milestones, start=1):
        done = short_day(m.done) if m.done else ("OVERDUE" if m.overdue else "Not yet")
        rows.append(
            [
                cell(m.title, widths[0], style),
                cell(m.team, widths[1], style),
                short_day(m.due),
                done,
            ]
        )
        if m.overdue:
            marks += overdue_commands(3, n)
    story.append(
        table(
            rows,
            widths,
            header=["Milestone", "Team", "Due", "Done"],
            extra=marks,
        )
    )
    return story


def measure_story(section, styles) -> list:
    # Room for the measure's name and its chart beside the sub-heading.
    story = label("Main measure", styles, room=90 * mm)
    measure = section.measure
    if measure is None:
        story.append(nothing("This objective has no measures yet.", styles))
        return story
    line = f"<b>{markup(measure.name)}</b> · {measure.direction_label.lower()} · " + markup(
        measure.target_text
    )
    if measure.latest:
        line += f" · latest {markup(measure.latest)}"
    block = [Paragraph(line, styles["body"])]
    # Untitled: the line above names the measure.
    chart = control_chart(measure, title="")
    if chart is not None:
        block += [Spacer(1, 2), chart, Spacer(1, 6)]
    story.append(KeepTogether(block))
    if not measure.readings:
        story.append(nothing("No readings yet, so there is no chart.", styles))
        return story
    story.append(Paragraph(f"<b>Verdict:</b> {markup(measure.verdict)}", styles["body"]))
    icons = [t for t in (measure.variation, measure.assurance) if t]
    if icons:
        story.append(text(" · ".join(icons), styles["small"]))
    story += [text(note, styles["small"]) for note in measure.notes]
    return story


def dependencies_story(section, styles) -> list:
    style = styles["cell"]
    widths = [20 * mm, BODY_WIDTH - 102 * mm, 55 * mm, 27 * mm]
    story = label("Dependencies", styles)
    if not section.dependencies:
        story.append(nothing("None recorded.", styles))
        return story
    rows = []
    colours = []
    for n, d in enumerate(section.dependencies, start=1):
        rows.append(
            [
                d.relation,
                cell(f"{d.ref} {d.title}", widths[1], style),
                cell(d.need or "–", widths[2], style),
                ratings.label(d.rating),
            ]
        )
        colours += rating_commands(d.rating, 3, n)
    story.append(
        table(
            rows,
            widths,
            header=["", "Objective", "What is needed", "Worst view"],
            extra=colours,
        )
    )
    return story


def asks_story(section, styles) -> list:
    style = styles["cell"]
    widths = [35 * mm, 35 * mm, BODY_WIDTH - 98 * mm, 28 * mm]
    story = label("Open asks between teams", styles)
    if not section.asks:
        story.append(nothing("No open asks.", styles))
        return story
    rows = [
        [
            cell(a.from_team, widths[0], style),
            cell(a.to_team, widths[1], style),
            cell(a.text or "–", widths[2], style),
            a.raised,
        ]
        for a in section.asks
    ]
    story.append(
        table(
            rows,
            widths,
            header=["From", "To", "Ask", "Raised"],
        )
    )
    return story


def impact_story(section, styles) -> list:
    """The four impact questions, each with its answer (as long as it is: a long answer runs on
    over the pages it needs) and lines to write on, then a page's end of space for notes."""
    story = label("Impact reflection", styles, keep_with_next=True)  # with the first question
    for question, answer in section.impact:
        story.append(text(question, styles["question"]))  # kept with what follows
        if answer:
            story.append(text(answer, styles["answer"]))
        story.append(RuledSpace(2))
    story.append(Spacer(1, 6))
    story.append(RuledSpace(4, fill=True, title="Notes"))
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
    """The main measure's control chart (objectives/charts.py) as a Drawing, a flowable of its
    own; None without one. Titled with the measure's name unless `title` is given."""
    if measure.analysis is None or not measure.analysis.has_chart:
        return None
    return charts.control_chart(
        measure.analysis,
        title=plain(measure.name) if title is None else title,
        unit=plain(measure.unit),
        width=width,
        height=height,
        font=font,
        bold_font=bold_font,
    )
