"""Glyphs to words, shared by both PDF engines: pdfplumber's chars and pypdfium2's.

Both arrive as pdfplumber-style char dicts (``text``, ``x0``, ``x1``, ``top``,
``bottom``, ``doctop``, ``upright``, ``size``, ``fontname``), so one word builder
serves both and a page read by the fallback engine keeps the same geometry.
"""

from __future__ import annotations

from typing import Any

from pdfplumber.utils.text import extract_words

from .ingest import normalise_text
from .layout import Word

# pdfplumber's own defaults: a gap wider than this (pt) between two glyphs, or an
# explicit space, ends a word; tops further apart than Y_TOLERANCE start a new line.
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
# Overprinted bold draws each glyph again 0.5-1 pt to the right; pdfplumber's
# dedupe_chars (tolerance 1 pt) misses the 1.01 pt offsets of 24 pt type in the UN 1994
# PDF and sorts with list.index (quadratic: it doubled the page time). A size-relative
# tolerance stays below the narrowest real advance (about 0.2 em for "i" or ".").
DEDUPE_EM = 0.1
DEDUPE_MIN = 1.0
DEDUPE_MAX = 3.0


def dedupe_chars(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop glyphs drawn again at (nearly) the same spot: overprinted bold."""
    kept: list[dict[str, Any]] = []
    grid: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for ch in chars:
        text = ch["text"]
        if text.isspace():
            kept.append(ch)
            continue
        tol = min(DEDUPE_MAX, max(DEDUPE_MIN, DEDUPE_EM * ch["size"]))
        # Cells as wide as the largest tolerance: a twin is in this cell or a neighbour.
        gx, gy = int(ch["x0"] // DEDUPE_MAX), int(ch["doctop"] // DEDUPE_MAX)
        twins = (
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in grid.get((text, gx + dx, gy + dy), ())
        )
        if not any(
            abs(o["x0"] - ch["x0"]) <= tol
            and abs(o["doctop"] - ch["doctop"]) <= tol
            and o["upright"] == ch["upright"]
            for o in twins
        ):
            grid.setdefault((text, gx, gy), []).append(ch)
            kept.append(ch)
    return kept


def chars_to_words(chars: list[dict[str, Any]]) -> list[Word]:
    # No extra_attrs: splitting on font changes would cut small caps ("A" + "RTICLE")
    # and bold runs into separate words; size and weight are read from the chars.
    raw = extract_words(
        chars,
        x_tolerance=X_TOLERANCE,
        y_tolerance=Y_TOLERANCE,
        keep_blank_chars=False,
        use_text_flow=False,
        return_chars=True,
    )
    bold_fonts: dict[str, bool] = {}
    words = []
    for w in raw:
        raw_text: str = w["text"]
        # A trailing soft hyphen marks a discretionary break: keep it for the joiner.
        soft = raw_text.endswith("\u00ad")
        text = "".join(normalise_text(raw_text).split())
        if not text:
            continue
        glyphs = w["chars"]
        font = glyphs[len(glyphs) // 2]["fontname"]
        if font not in bold_fonts:
            low = font.lower()
            bold_fonts[font] = any(k in low for k in ("bold", "black", "heavy", "demi"))
        words.append(
            Word(
                text=text + ("\u00ad" if soft else ""),
                x0=float(w["x0"]),
                x1=float(w["x1"]),
                top=float(w["top"]),
                bottom=float(w["bottom"]),
                size=float(max(g["size"] for g in glyphs)),
                bold=bold_fonts[font],
                upright=bool(w["upright"]),
            )
        )
    return words
