"""The review pack as a PDF: `build_pack(day, as_at=…) -> bytes`.

Sections (issue 6): cover; contents; how to read this pack; summary; one section per objective in
focus; actions and decisions; appendix of every objective of the participating teams.

Written as pretalx's cards.py is, on reportlab's own platypus flowables (Paragraph, Table,
TableOfContents, KeepTogether, CondPageBreak) and public API:

- styles.py — page geometry, colours, the paragraph and table styles (`build_styles()`), rating
  and date words;
- fonts.py — DejaVu Sans, and user text made safe for it (`markup()`);
- flags.py — the one place that knows what a risk flag looks like;
- blocks.py — paragraphs of user text, headings (bookmarks and contents lines), sub-headings,
  tables, flag lines, ruled space to write on;
- sections.py, objective.py, appendix.py — a story builder per section;
- document.py — page templates (marking, running title, "page X of Y"), bookmarks and the
  contents, filled in by multiBuild's second pass;
- build.py — `render(pack)` and `build_pack(day)`.

How it stays faithful and repeatable:

- Every section and objective starts a page, is a PDF bookmark (outline entry) and a contents line.
- Long text runs on: paragraphs split between lines, table rows split within a row (splitInRow);
  KeepTogether holds only small blocks (a measure's name with its chart, a flagged objective's
  top flags), and a sub-heading near a page's foot starts the next page (CondPageBreak).
- The font is DejaVu Sans (Latin, Greek, Cyrillic, Arabic, many symbols), embedded as a subset,
  read from Debian's fonts-dejavu-core at run time: never fetched. Characters it has no glyph for
  (Chinese, say) are printed as their code points, e.g. [U+4E2D], so they never silently vanish;
  the HTML twin shows them as typed. Invisible format characters (direction overrides, joiners)
  are dropped.
- All user text goes through `fonts.markup()`: control characters removed, missing glyphs as
  code points, XML-escaped for reportlab's paragraph mini-language, so nothing in it is markup.
- The same data and the same `as_at` give the same bytes: reportlab's invariant mode fixes the
  creation date and document id, and nothing else reads the clock.
- Charts are objectives/charts.py's reportlab Drawings, flowables in the story.
"""

from .build import build_pack, render
from .fonts import FontMissing, clean, markup, plain, printable, register_fonts
from .objective import control_chart
from .sections import ASSURANCE_HELP, VARIATION_HELP, summary_chart
from .styles import RATING_SHORT, SUMMARY_FLAGS

__all__ = [
    "ASSURANCE_HELP",
    "RATING_SHORT",
    "SUMMARY_FLAGS",
    "VARIATION_HELP",
    "FontMissing",
    "build_pack",
    "clean",
    "control_chart",
    "markup",
    "plain",
    "printable",
    "register_fonts",
    "render",
    "summary_chart",
]
