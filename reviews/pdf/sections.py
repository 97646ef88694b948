"""Story builders: cover, contents, how to read this pack, summary, actions and decisions."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, NextPageTemplate, PageBreak, Paragraph, Spacer

from objectives import charts, ratings, spc

from ..pack import Pack
from .blocks import cell, flag_line, heading, label, nothing, table, text
from .fonts import markup, plain
from .styles import (
    BODY_WIDTH,
    BOLD,
    CHART_TEAMS,
    RATING_SHORT,
    SUMMARY_FLAGS,
    day_text,
    moment,
    rating_commands,
    short_day,
)


def cover_story(pack: Pack, styles) -> list:
    story = [
        Spacer(1, 30 * mm),
        Paragraph("Collaboration day review pack", styles["caption"]),
        text(pack.title, styles["cover_title"]),
    ]
    where = day_text(pack.date) + (f" · {markup(pack.venue)}" if pack.venue else "")
    story.append(Paragraph(where, styles["cover_sub"]))
    if pack.purpose:
        story.append(text(pack.purpose, styles["body"]))
    story.append(Spacer(1, 6 * mm))
    joiner = "\n" if len(pack.teams) <= 12 else ", "
    value = styles["cover_cell"]
    widths = [45 * mm, BODY_WIDTH - 45 * mm]
    facts = [
        ("Participating teams", cell(joiner.join(pack.teams) or "None yet", widths[1], value)),
        ("Business plan", cell(pack.plan, widths[1], value)),
        ("Facilitator", cell(pack.facilitator or "Not named", widths[1], value)),
        ("Objectives in focus", str(len(pack.sections))),
        ("Protective marking", cell(pack.marking, widths[1], value)),
    ]
    story.append(
        table(
            facts,
            widths,
            extra=[("FONTNAME", (0, 0), (0, -1), BOLD), ("FONTNAME", (1, 4), (1, 4), BOLD)],
            size=10,
            leading=13,
        )
    )
    story.append(Spacer(1, 8 * mm))
    story.append(
        Paragraph(
            f"Generated on {moment(pack.as_at)} from data as at {moment(pack.data_as_at)}.",
            styles["body"],
        )
    )
    url = escape(pack.html_url)
    story.append(
        Paragraph(
            "An accessible web version of this pack, with the same content, is at "
            f'<link href="{url}" color="#005eb8"><u>{url}</u></link>'
            ". Use it with a screen reader, to zoom, or to copy text.",
            styles["body"],
        )
    )
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())
    return story


def how_to_read_story(pack: Pack, styles) -> list:
    style = styles["cell"]
    story = [heading("How to read this pack", styles, key="how-to-read")]
    story.append(
        Paragraph(
            "Each team involved in an objective gives its own delivery-confidence rating every "
            "month, with a narrative. A team's <b>current view</b> is its newest rating. Colour "
            "always comes with the rating's word, so the pack reads the same in black and white.",
            styles["body"],
        )
    )
    story += label("The rating scale, best first", styles)
    rows = []
    colours = []
    for n, rating in enumerate(pack.scale, start=1):
        rows.append(
            [
                ratings.label(rating),
                RATING_SHORT[rating],
                Paragraph(escape(ratings.HELP_TEXT[rating]), style),
            ]
        )
        colours += rating_commands(rating, 0, n)
    rows.append(
        [
            ratings.NOT_REPORTED_LABEL,
            "–",
            Paragraph("The team has not given a rating (for that month, or at all).", style),
        ]
    )
    story.append(
        table(
            rows,
            [30 * mm, 14 * mm, BODY_WIDTH - 44 * mm],
            header=["Rating", "Short", "What it means"],
            extra=colours,
        )
    )
    story += label("Measures and their control charts", styles)
    story.append(
        Paragraph(
            "Each objective's main measure is drawn as an XmR control chart, read the NHS "
            "“Making Data Count” way. The centre line is the mean of the first 12 readings; the "
            "process limits are the mean ± 2.66 × the mean moving range. Fewer than 12 readings "
            "give <i>trial</i> limits. A reading is <b>special cause</b> when it is outside the "
            "limits, part of 7 in a row rising or falling, part of 7 in a row on one side of the "
            "mean, or 2 of 3 close to a limit.",
            styles["body"],
        )
    )
    icons = [(v.label, VARIATION_HELP[v]) for v in spc.Variation]
    icons += [(a.label, ASSURANCE_HELP[a]) for a in spc.Assurance]
    story.append(
        table(
            [
                [Paragraph(escape(icon), styles["cell_bold"]), Paragraph(escape(help), style)]
                for icon, help in icons
            ],
            [62 * mm, BODY_WIDTH - 62 * mm],
            header=["Icon (in words)", "What it says"],
        )
    )
    story += label("Other conventions", styles)
    for line in (
        "<b>OVERDUE</b> marks a milestone past its due date and not done, or an open action past "
        "its due date.",
        "Flags are the at-risk rules' findings, most severe first; an acknowledged flag says so.",
        "Characters the print font has no letter for (Chinese, for example) are shown as their "
        "Unicode code points, like [U+4E2D]; the web version shows them as typed.",
    ):
        story.append(Paragraph("• " + line, styles["body"]))
    story.append(PageBreak())
    return story


VARIATION_HELP = {
    spc.Variation.COMMON_CAUSE: "The latest reading is within the normal ups and downs: no "
    "signal that anything has changed.",
    spc.Variation.IMPROVEMENT_HIGH: "Something has changed for the better: readings are unusually "
    "high, and higher is better.",
    spc.Variation.IMPROVEMENT_LOW: "Something has changed for the better: readings are unusually "
    "low, and lower is better.",
    spc.Variation.CONCERN_HIGH: "Something has changed for the worse: readings are unusually high, "
    "and lower is better.",
    spc.Variation.CONCERN_LOW: "Something has changed for the worse: readings are unusually low, "
    "and higher is better.",
    spc.Variation.NEITHER_HIGH: "Readings are unusually high; the measure has no better direction.",
    spc.Variation.NEITHER_LOW: "Readings are unusually low; the measure has no better direction.",
}


ASSURANCE_HELP = {
    spc.Assurance.PASS: "The target lies outside the process limits on the easy side: as things "
    "are, it will be met every time.",
    spc.Assurance.FAIL: "The target lies outside the process limits on the hard side: as things "
    "are, it will be missed every time unless the process changes.",
    spc.Assurance.HIT_AND_MISS: "The target lies between the process limits: it will be met some "
    "months and missed in others.",
}


def summary_chart(
    pack: Pack, *, width=BODY_WIDTH, font="PackSans", bold_font="PackSans-Bold", name=plain
):
    """Current views by rating, one bar per team; a day with many teams gets several charts.
    `name` makes a team's name fit to print (the web passes names as they are)."""
    counts = {name(team): pack.summary[team] for team in pack.teams}
    scale = [r.value for r in pack.scale] + [""]
    names = list(counts)
    return [
        charts.rating_bar_chart(
            {team: counts[team] for team in names[start : start + CHART_TEAMS]},
            width=width,
            scale=scale,
            font=font,
            bold_font=bold_font,
        )
        for start in range(0, len(names), CHART_TEAMS)
    ]


def summary_story(pack: Pack, styles) -> list:
    style = styles["cell"]
    story = [heading("Summary", styles, key="summary")]
    if pack.sessions:
        story += label("Agenda", styles)
        widths = [16 * mm, BODY_WIDTH - 66 * mm, 50 * mm]
        rows = [
            [
                f"{starts:%H:%M}",
                cell(title, widths[1], style),
                cell(", ".join(refs) or "–", widths[2], style),
            ]
            for starts, title, refs in pack.sessions
        ]
        story.append(
            table(
                rows,
                widths,
                header=["Time", "Session", "Objectives discussed"],
            )
        )
    story += label("Current views by rating, per participating team", styles, room=60 * mm)
    story.append(
        Paragraph(
            "Every objective of the plan each team is involved in, counted by the team's "
            "current view.",
            styles["small"],
        )
    )
    if not pack.teams:
        story.append(nothing("This day has no participating teams yet.", styles))
    else:
        story += summary_chart(pack)
        order = [r.value for r in pack.scale]
        n = len(order)
        widths = [BODY_WIDTH - n * 13 * mm - 40 * mm] + [13 * mm] * n + [25 * mm, 15 * mm]
        rows = []
        for team in pack.teams:
            counts = pack.summary[team]
            rows.append(
                [
                    cell(team, widths[0], style),
                    *[str(counts.get(r, 0)) for r in order],
                    str(counts.get("", 0)),
                    str(sum(counts.values())),
                ]
            )
        story.append(
            table(
                rows,
                widths,
                header=["Team", *[RATING_SHORT[r] for r in order], "Not reported", "Total"],
                extra=[("ALIGN", (1, 0), (-1, -1), "RIGHT")],
            )
        )
    story += label("Flagged initiatives", styles)
    if not pack.flagged:
        story.append(nothing("No objective in focus carries a risk flag.", styles))
    else:
        story.append(
            nothing(
                "The most severe flags of each objective in focus; its section lists them all.",
                styles,
            )
        )
        for row in pack.flagged:
            block = [
                Paragraph(f"<b>{markup(row.ref)}</b> {markup(row.title)}", styles["flag_head"])
            ]
            block += [flag_line(flag, styles) for flag in row.flags[:SUMMARY_FLAGS]]
            if len(row.flags) > SUMMARY_FLAGS:
                more = len(row.flags) - SUMMARY_FLAGS
                block.append(Paragraph(f"and {more} more in its section.", styles["flag"]))
            story.append(KeepTogether(block))
    story += label("What changed since the previous collaboration day", styles)
    if pack.previous_date is None:
        story.append(nothing("This is the first collaboration day for these teams.", styles))
    else:
        story.append(
            Paragraph(
                f"Since {markup(pack.previous_title)} on {day_text(pack.previous_date)}: "
                "teams whose current view of an objective in focus has changed.",
                styles["small"],
            )
        )
        if not pack.changes:
            story.append(
                nothing("No team's view of these objectives has changed since then.", styles)
            )
        else:
            widths = [BODY_WIDTH - 104 * mm, 50 * mm, 27 * mm, 27 * mm]
            rows = []
            colours = []
            for n, change in enumerate(pack.changes, start=1):
                rows.append(
                    [
                        Paragraph(f"<b>{markup(change.ref)}</b> {markup(change.title)}", style),
                        cell(change.team, widths[1], style),
                        ratings.label(change.before),
                        ratings.label(change.after),
                    ]
                )
                colours += rating_commands(change.before, 2, n)
                colours += rating_commands(change.after, 3, n)
            story.append(
                table(
                    rows,
                    widths,
                    header=["Objective", "Team", "Then", "Now"],
                    extra=colours,
                )
            )
    story.append(PageBreak())
    return story


def actions_story(pack: Pack, styles) -> list:
    story = [heading("Actions and decisions", styles, key="actions")]
    story += label("Actions from the previous collaboration day", styles)
    if pack.previous_date is None:
        story.append(nothing("There was no earlier collaboration day for these teams.", styles))
    else:
        story.append(
            Paragraph(
                f"{markup(pack.previous_title)}, {day_text(pack.previous_date)}.", styles["small"]
            )
        )
        story.append(actions_table(pack.previous_actions, styles, "No actions were recorded."))
    story += label("Actions agreed on this day", styles)
    story.append(actions_table(pack.actions, styles, "No actions recorded yet."))
    story += label("Decisions recorded so far", styles)
    if not pack.decisions:
        story.append(nothing("No decisions recorded yet.", styles))
    else:
        style = styles["cell"]
        widths = [50 * mm, 25 * mm, BODY_WIDTH - 110 * mm, 35 * mm]
        rows = [
            [
                Paragraph(f"<b>{markup(d.objective_ref)}</b> {markup(d.objective_title)}", style),
                d.kind,
                cell(d.why or "–", widths[2], style),
                cell(d.recorded_by or "–", widths[3], style),
            ]
            for d in pack.decisions
        ]
        story.append(
            table(
                rows,
                widths,
                header=["Objective", "Decision", "Why", "Recorded"],
                extra=[("FONTNAME", (1, 1), (1, -1), BOLD)],
            )
        )
    story.append(PageBreak())
    return story


def actions_table(actions, styles, empty):
    if not actions:
        return nothing(empty, styles)
    style = styles["cell"]
    rows = []
    for a in actions:
        status = markup(a.state_label)
        if a.overdue:
            status = '<font color="#d5281b"><b>OVERDUE</b></font><br/>' + status
        if a.note:
            status += f'<br/><font size="7.5">{markup(a.note)}</font>'
        what = markup(a.what)
        if a.objective:
            what += f'<br/><font size="7.5" color="#4c6272">{markup(a.objective)}</font>'
        owner = "<br/>".join(markup(x) for x in (a.owner, a.team) if x) or "–"
        rows.append(
            [
                Paragraph(what, style),
                Paragraph(owner, style),
                short_day(a.due),
                Paragraph(status, style),
            ]
        )
    return table(
        rows,
        [BODY_WIDTH - 125 * mm, 45 * mm, 24 * mm, 56 * mm],
        header=["Action", "Owner and team", "Due", "Status"],
    )
