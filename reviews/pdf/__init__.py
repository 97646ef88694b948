"""The review pack as a PDF: `build_pack(day, as_at=…) -> bytes`.

Sections (issue 6): cover; contents; how to read this pack; summary; one section per objective in
focus; actions and decisions; appendix of every objective of the participating teams.

The package, from the bottom up:

- styles.py — page geometry, colours, text and cell styles, rating and date words;
- fonts.py — DejaVu Sans, and user text made safe for it;
- text.py, grid.py — fast text and tables (the little of platypus's Paragraph and Table the pack
  needs, at a fraction of the cost); drawing.py — charts drawn straight onto the page;
- flowables.py, document.py — headings that are bookmarks, contents lines, ruled space; page
  templates, bookmarks and late page numbers;
- blocks.py, sections.py, objective.py, appendix.py — the story builders;
- build.py — the story of every section, laid out once: `render(pack)` and `build_pack(day)`.

How it stays fast, faithful and repeatable:

- One layout pass. Page numbers that are only known later ("page X of *Y*", the contents' page
  numbers) are PDF form XObjects drawn where they belong and defined once the last page is laid out
  (reportlab allows a form to be used before it is defined). A multiBuild with a TableOfContents
  would lay out the whole pack two or three times for the same result.
- Objectives are built one at a time as platypus reaches them (flowables.Deferred), pages are
  compressed as they are finished (document.PackCanvas), so memory stays flat as the pack grows.
- Every section and objective starts a page, is a PDF bookmark (outline entry) and a contents line.
- The font is DejaVu Sans (Latin, Greek, Cyrillic, Arabic, many symbols), embedded as a subset,
  read from Debian's fonts-dejavu-core at run time: never fetched. Characters it has no glyph for
  (Chinese, say) are printed as their code points, e.g. [U+4E2D], so they never silently vanish;
  the HTML twin shows them as typed.
- All user text goes through `fonts.printable()` (control characters removed, missing glyphs as
  code points) and is drawn as text, never parsed; the few Paragraphs (cover, how to read) take it
  through `fonts.markup()`, XML-escaped for reportlab's paragraph mini-language.
- The same data and the same `as_at` give the same bytes: reportlab's invariant mode fixes the
  creation date and document id, and nothing else reads the clock.
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
