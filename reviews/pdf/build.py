"""The pack from a day: the story of every section, laid out once."""

from __future__ import annotations

import datetime as dt
import io
from functools import partial

from reportlab.platypus import (
    PageBreak,
)

from ..pack import Pack
from .appendix import appendix_story
from .blocks import heading
from .document import PackCanvas, PackDocTemplate
from .flowables import Deferred, GroupMark
from .fonts import printable, register_fonts
from .objective import objective_story
from .sections import actions_story, contents_story, cover_story, how_to_read_story, summary_story
from .styles import build_styles
from .text import Text, keep_together


def contents_entries(pack: Pack) -> list[tuple[str, str, int]]:
    entries = [
        ("how-to-read", "How to read this pack", 0),
        ("summary", "Summary", 0),
        ("objectives", f"Objectives in focus ({len(pack.sections)})", 0),
    ]
    entries += [(s.key, printable(f"{s.ref} {s.title}"), 1) for s in pack.sections]
    entries += [
        ("actions", "Actions and decisions", 0),
        ("appendix", "Appendix: every objective of the participating teams", 0),
    ]
    return entries


def build_story(pack: Pack, styles) -> list:
    entries = contents_entries(pack)
    story = cover_story(pack, styles)
    story += contents_story(pack, styles, entries)
    story += how_to_read_story(pack, styles)
    story += summary_story(pack, styles)
    if not pack.sections:
        story.append(heading("Objectives in focus", styles, key="objectives"))
        story.append(
            Text(
                "No objectives are in focus for this day yet. The facilitator chooses them on the "
                "day's planning page.",
                styles["body"],
            )
        )
        story.append(PageBreak())
    else:
        # The group bookmark sits on the first objective's page.
        story.append(GroupMark("objectives", f"Objectives in focus ({len(pack.sections)})"))
        story += [
            Deferred(partial(objective_story, pack, section, styles)) for section in pack.sections
        ]
    story += actions_story(pack, styles)
    story += appendix_story(pack, styles)
    return keep_together(story)


def render(pack: Pack) -> bytes:
    """The PDF for an already-loaded pack."""
    register_fonts()
    styles = build_styles()
    buffer = io.BytesIO()
    doc = PackDocTemplate(buffer, pack)
    doc.contents_keys = [key for key, _, _ in contents_entries(pack)]

    def canvas_maker(*args, **kwargs):
        canvas = PackCanvas(*args, **kwargs)
        canvas._pack_doc = doc
        return canvas

    doc.build(build_story(pack, styles), canvasmaker=canvas_maker)
    return buffer.getvalue()


def build_pack(day, *, as_at: dt.datetime) -> bytes:
    """The review pack for `day` as a PDF, from the data as it stood at `as_at`."""
    from ..pack import load

    return render(load(day, as_at=as_at))
