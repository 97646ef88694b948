"""The pack from a day: `build_pack(day)` loads it, `render(pack)` lays out every section's
story with multiBuild (see document.py) and returns the PDF."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.platypus import PageBreak, Paragraph

from ..pack import Pack
from .appendix import appendix_story
from .blocks import heading
from .document import PackDocTemplate, PageCount, contents
from .fonts import plain, register_fonts
from .objective import objective_story
from .sections import actions_story, cover_story, how_to_read_story, summary_story
from .styles import build_styles


def contents_entries(pack: Pack) -> list[tuple[int, str, str]]:
    """The contents page's lines: (level, title, key); each is also a bookmark."""
    entries = [
        (0, "How to read this pack", "how-to-read"),
        (0, "Summary", "summary"),
        (0, f"Objectives in focus ({len(pack.sections)})", "objectives"),
    ]
    entries += [(1, plain(f"{s.ref} {s.title}"), s.key) for s in pack.sections]
    entries += [
        (0, "Actions and decisions", "actions"),
        (0, "Appendix: every objective of the participating teams", "appendix"),
    ]
    return entries


def build_story(pack: Pack, styles, page_count: PageCount) -> list:
    story = cover_story(pack, styles)
    story += [
        heading("Contents", styles, key="contents", in_contents=False),
        contents(styles, contents_entries(pack)),
        PageBreak(),
    ]
    story += how_to_read_story(pack, styles)
    story += summary_story(pack, styles)
    if not pack.sections:
        story += [
            heading(
                "Objectives in focus",
                styles,
                key="objectives",
                outline_title="Objectives in focus (0)",
            ),
            Paragraph(
                "No objectives are in focus for this day yet. The facilitator chooses them on "
                "the day's planning page.",
                styles["body"],
            ),
            PageBreak(),
        ]
    for section in pack.sections:
        story += objective_story(pack, section, styles)
    story += actions_story(pack, styles)
    story += appendix_story(pack, styles)
    story.append(page_count)  # last: it counts the pages
    return story


def render(pack: Pack) -> bytes:
    """The PDF for an already-loaded pack."""
    register_fonts()
    buffer = io.BytesIO()
    page_count = PageCount()
    doc = PackDocTemplate(buffer, pack, page_count)
    doc.multiBuild(build_story(pack, build_styles(), page_count))
    return buffer.getvalue()


def build_pack(day, *, as_at: dt.datetime, viewer=None) -> bytes:
    """The review pack for `day` as a PDF, from the data as it stood at `as_at`."""
    from ..pack import load

    return render(load(day, as_at=as_at, viewer=viewer))
