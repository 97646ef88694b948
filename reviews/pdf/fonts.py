"""DejaVu Sans for the pack, and user text made safe for it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics, ttfonts

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


FONT_FILES = {
    "PackSans": "DejaVuSans.ttf",
    "PackSans-Bold": "DejaVuSans-Bold.ttf",
    "PackSans-Oblique": "DejaVuSans-Oblique.ttf",
    "PackSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}


FONT_PACKAGE = "fonts-dejavu-core"


class FontMissing(RuntimeError):
    pass


def _to_unicode_cmap(fontname, subset):
    """reportlab's ToUnicode map, but with UTF-16 values: its own writes characters beyond the
    Basic Multilingual Plane (emoji) as odd-length hex, so text extraction loses them."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(
                f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>"
                for i, v in enumerate(subset)
            ),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


_GLYPHS: frozenset[int] = frozenset()


def register_fonts() -> None:
    """Register DejaVu Sans (once per process); a clear error when the font package is missing."""
    global _GLYPHS
    if _GLYPHS:
        return
    missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).exists()]
    if missing:
        raise FontMissing(
            f"The review pack needs the DejaVu Sans font ({', '.join(missing)} in {FONT_DIR}). "
            f"Install it with: apt-get install {FONT_PACKAGE}"
        )
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    # Binary (still compressed) streams: ASCII85 makes files a quarter bigger and slower to write.
    rl_config.useA85 = 0
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(ttfonts.TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        "PackSans",
        normal="PackSans",
        bold="PackSans-Bold",
        italic="PackSans-Oblique",
        boldItalic="PackSans-BoldOblique",
    )
    regular = pdfmetrics.getFont("PackSans").face.charWidths
    bold = pdfmetrics.getFont("PackSans-Bold").face.charWidths
    _GLYPHS = frozenset(regular) & frozenset(bold)


# C0 and C1 control characters except tab and new line; lone surrogates can't be encoded at all;
# bidirectional marks, embeddings, overrides and isolates: the PDF sets text in the order it is
# typed, so they could only reorder it in a reader's copy (DejaVu has glyphs for them, so the
# missing-glyph rule below would keep them).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def clean(text) -> str:
    """User text without control characters, with Windows and old Mac line ends made \\n."""
    if text is None:
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text)


def _printable(text: str) -> str:
    """Characters the font lacks become [U+XXXX] (invisible format characters are dropped)."""
    if text.isascii():
        return text
    out = []
    missing = []
    for char in text:
        code = ord(char)
        if code in _GLYPHS or char == "\n":
            if missing:
                out.append("[" + " ".join(missing) + "]")
                missing = []
            out.append(char)
        elif unicodedata.category(char) in ("Cf", "Mn", "Zl", "Zp") or 0xFE00 <= code <= 0xFE0F:
            continue  # joiners, direction marks, variation selectors: nothing to see
        else:
            missing.append(f"U+{code:04X}")
    if missing:
        out.append("[" + " ".join(missing) + "]")
    return "".join(out)


def markup(text) -> str:
    """Any user text as safe reportlab paragraph markup."""
    return escape(_printable(clean(text))).replace("\n", "<br/>")


def printable(text) -> str:
    """User text without markup: for the running header, bookmarks and chart labels."""
    return _printable(clean(text))


def plain(text) -> str:
    """User text on one line, for canvas strings, bookmarks and document metadata."""
    return _printable(clean(text)).replace("\n", " ")
