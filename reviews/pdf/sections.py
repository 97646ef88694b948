"""Story builders: cover, contents, how to read this pack, summary, actions and decisions."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import (
    NextPageTemplate,
    PageBreak,
    Spacer,
)

from objectives import charts, ratings, spc

from ..pack import Pack
from .blocks import (
    flag_line,
    grid_table,
    heading,
    nothing,
    para,
    platypus_table,
    rating_cell_style,
    rating_text,
)
from .drawing import Chart
from .flowables import ContentsLine, Label
from .fonts import markup, plain, printable
from .styles import (
    BODY_WIDTH,
    BOLD,
    CHART_TEAMS,
    GREY,
    RATING_SHORT,
    SUMMARY_FLAGS,
    WARNING,
    day_text,
    moment,
    rating_look,
    short_day,
)
from .text import Run, Text, bold


def cover_story(pack: Pack, styles) -> list:
    story = [Spacer(1, 30 * mm)]
    story.append(para("Collaboration day review pack", styles["caption_p"]))
    story.append(para(markup(pack.title), styles["cover_title"]))
    where = f"{day_text(pack.date)}" + (f" · {markup(pack.venue)}" if pack.venue else "")
    story.append(para(where, styles["cover_sub"]))
    if pack.purpose:
        story.append(para(markup(pack.purpose), styles["body_p"]))
    story.append(Spacer(1, 6 * mm))
    teams = ("\n" if len(pack.teams) <= 12 else ", ").join(printable(t) for t in pack.teams)
    story.append(
        grid_table(
            [
                ["Participating teams", teams or "None yet"],
                ["Business plan", printable(pack.plan)],
                ["Facilitator", printable(pack.facilitator) or "Not named"],
                ["Objectives in focus", str(len(pack.sections))],
                ["Protective marking", bold(printable(pack.marking))],
            ],
            [45 * mm, BODY_WIDTH - 45 * mm],
            bold_columns=(0,),
            size=10,
            leading=13,
        )
    )
    story.append(Spacer(1, 8 * mm))
    story.append(
        para(
            f"Generated on {moment(pack.as_at)} from data as at {moment(pack.data_as_at)}.",
            styles["body_p"],
        )
    )
    url = escape(pack.html_url)
    story.append(
        para(
            "An accessible web version of this pack, with the same content, is at "
            f'<link href="{url}" color="#005eb8"><u>{url}</u></link>'
            ". Use it with a screen reader, to zoom, or to copy text.",
            styles["body_p"],
        )
    )
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())
    return story


def contents_story(pack: Pack, styles, entries) -> list:
    story = [heading("Contents", styles, key="contents")]
    for key, title, level in entries:
        style = styles["toc1"] if level == 0 else styles["toc2"]
        story.append(ContentsLine(title, style, key, bold=level == 0))
    story.append(PageBreak())
    return story


def how_to_read_story(pack: Pack, styles) -> list:
    story = [heading("How to read this pack", styles, key="how-to-read")]
    story.append(
        para(
            "Each team involved in an objective gives its own delivery-confidence rating every "
            "month, with a narrative. A team's <b>current view</b> is its newest rating. Colour "
            "always comes with the rating's word, so the pack reads the same in black and white.",
            styles["body_p"],
        )
    )
    story.append(Label("The rating scale, best first"))
    rows = [["Rating", "Short", "What it means"]]
    style = []
    for n, rating in enumerate(pack.scale, start=1):
        rows.append(
            [
                rating_text(rating),
                RATING_SHORT[rating],
                para(escape(ratings.HELP_TEXT[rating]), styles["cell"]),
            ]
        )
        style += rating_cell_style(rating, 0, n)
    rows.append(
        [
            ratings.NOT_REPORTED_LABEL,
            "–",
            para("The team has not given a rating (for that month, or at all).", styles["cell"]),
        ]
    )
    story.append(platypus_table(rows, [30 * mm, 14 * mm, BODY_WIDTH - 44 * mm], style=style))
    story.append(Label("Measures and their control charts"))
    story.append(
        para(
            "Each objective's main measure is drawn as an XmR control chart, read the NHS "
            "“Making Data Count” way. The centre line is the mean of the first 12 readings; the "
            "process limits are the mean ± 2.66 × the mean moving range. Fewer than 12 readings "
            "give <i>trial</i> limits. A reading is <b>special cause</b> when it is outside the "
            "limits, part of 7 in a row rising or falling, part of 7 in a row on one side of the "
            "mean, or 2 of 3 close to a limit.",
            styles["body_p"],
        )
    )
    rows = [["Icon (in words)", "What it says"]]
    for variation in spc.Variation:
        rows.append(
            [
                para(escape(variation.label), styles["cell_bold"]),
                para(escape(VARIATION_HELP[variation]), styles["cell"]),
            ]
        )
    for assurance in spc.Assurance:
        rows.append(
            [
                para(escape(assurance.label), styles["cell_bold"]),
                para(escape(ASSURANCE_HELP[assurance]), styles["cell"]),
            ]
        )
    story.append(platypus_table(rows, [62 * mm, BODY_WIDTH - 62 * mm]))
    story.append(Label("Other conventions"))
    for line in (
        "<b>OVERDUE</b> marks a milestone past its due date and not done, or an open action past "
        "its due date.",
        "Flags are the at-risk rules' findings, most severe first; an acknowledged flag says so.",
        "Characters the print font has no letter for (Chinese, for example) are shown as their "
        "Unicode code points, like [U+4E2D]; the web version shows them as typed.",
    ):
        story.append(para("• " + line, styles["body_p"]))
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
    story = [heading("Summary", styles, key="summary")]
    if pack.sessions:
        story.append(Label("Agenda"))
        rows = [
            [f"{starts:%H:%M}", printable(title), printable(", ".join(refs)) or "–"]
            for starts, title, refs in pack.sessions
        ]
        story.append(
            grid_table(
                rows,
                [16 * mm, BODY_WIDTH - 66 * mm, 50 * mm],
                header=["Time", "Session", "Objectives discussed"],
            )
        )
    story.append(Label("Current views by rating, per participating team"))
    story.append(
        Text(
            "Every objective of the plan each team is involved in, counted by the team's "
            "current view.",
            styles["small"],
        )
    )
    if not pack.teams:
        story.append(nothing("This day has no participating teams yet.", styles))
    else:
        story += [Chart(drawing) for drawing in summary_chart(pack)]
        order = [r.value for r in pack.scale]
        rows = []
        for team in pack.teams:
            counts = pack.summary[team]
            rows.append(
                [
                    printable(team),
                    *[str(counts.get(r, 0)) for r in order],
                    str(counts.get("", 0)),
                    str(sum(counts.values())),
                ]
            )
        n = len(order)
        story.append(
            grid_table(
                rows,
                [BODY_WIDTH - n * 13 * mm - 40 * mm] + [13 * mm] * n + [25 * mm, 15 * mm],
                header=["Team", *[RATING_SHORT[r] for r in order], "Not reported", "Total"],
                align=dict.fromkeys(range(1, n + 3), "RIGHT"),
            )
        )
    story.append(Label("Flagged initiatives"))
    if not pack.flagged:
        story.append(nothing("No objective in focus carries a risk flag.", styles))
    else:
        story.append(
            Text(
                "The most severe flags of each objective in focus; its section lists them all.",
                styles["small"],
            )
        )
        for row in pack.flagged:
            story.append(
                Text(
                    [bold(printable(row.ref)), Run(" " + printable(row.title))], styles["flag_head"]
                )
            )
            story += [flag_line(flag, styles) for flag in row.flags[:SUMMARY_FLAGS]]
            if len(row.flags) > SUMMARY_FLAGS:
                more = len(row.flags) - SUMMARY_FLAGS
                story.append(Text(f"and {more} more in its section.", styles["flag"]))
    story.append(Label("What changed since the previous collaboration day"))
    if pack.previous_date is None:
        story.append(nothing("This is the first collaboration day for these teams.", styles))
    else:
        story.append(
            Text(
                f"Since {printable(pack.previous_title)} on {day_text(pack.previous_date)}: "
                "teams whose current view of an objective in focus has changed.",
                styles["small"],
            )
        )
        if not pack.changes:
            story.append(
                nothing("No team's view of these objectives has changed since then.", styles)
            )
        else:
            rows = []
            looks = {}
            for n, change in enumerate(pack.changes):
                rows.append(
                    [
                        [bold(printable(change.ref)), Run(" " + printable(change.title))],
                        printable(change.team),
                        rating_text(change.before),
                        rating_text(change.after),
                    ]
                )
                looks[2, n] = rating_look(change.before)
                looks[3, n] = rating_look(change.after)
            story.append(
                grid_table(
                    rows,
                    [BODY_WIDTH - 104 * mm, 50 * mm, 27 * mm, 27 * mm],
                    header=["Objective", "Team", "Then", "Now"],
                    looks=looks,
                )
            )
    story.append(PageBreak())
    return story


def actions_story(pack: Pack, styles) -> list:
    story = [heading("Actions and decisions", styles, key="actions")]
    story.append(Label("Actions from the previous collaboration day"))
    if pack.previous_date is None:
        story.append(nothing("There was no earlier collaboration day for these teams.", styles))
    else:
        story.append(
            Text(
                f"{printable(pack.previous_title)}, {day_text(pack.previous_date)}.",
                styles["small"],
            )
        )
        story.append(_actions_table(pack.previous_actions, styles, "No actions were recorded."))
    story.append(Label("Actions agreed on this day"))
    story.append(_actions_table(pack.actions, styles, "No actions recorded yet."))
    story.append(Label("Decisions recorded so far"))
    if not pack.decisions:
        story.append(nothing("No decisions recorded yet.", styles))
    else:
        rows = [
            [
                [bold(printable(d.objective_ref)), Run(" " + printable(d.objective_title))],
                bold(d.kind),
                printable(d.why) or "–",
                printable(d.recorded_by) or "–",
            ]
            for d in pack.decisions
        ]
        story.append(
            grid_table(
                rows,
                [50 * mm, 25 * mm, BODY_WIDTH - 110 * mm, 35 * mm],
                header=["Objective", "Decision", "Why", "Recorded"],
            )
        )
    story.append(PageBreak())
    return story


def _actions_table(actions, styles, empty):
    if not actions:
        return nothing(empty, styles)
    rows = []
    for a in actions:
        status = [Run(a.state_label)]
        if a.overdue:
            status.insert(0, Run("OVERDUE\n", BOLD, colour=WARNING))
        if a.note:
            status.append(Run("\n" + printable(a.note), size=7.5))
        what = [Run(printable(a.what))]
        if a.objective:
            what.append(Run("\n" + printable(a.objective), size=7.5, colour=GREY))
        owner = "\n".join(x for x in (printable(a.owner), printable(a.team)) if x) or "–"
        rows.append([what, owner, short_day(a.due), status])
    return grid_table(
        rows,
        [BODY_WIDTH - 125 * mm, 45 * mm, 24 * mm, 56 * mm],
        header=["Action", "Owner and team", "Due", "Status"],
    )
