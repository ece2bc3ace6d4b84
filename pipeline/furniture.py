"""Running headers, footers and page numbers: found across pages, taken out of the body.

A candidate is a row (or a wide-gap segment of one) among the outermost rows of a page's
top or bottom band. It is furniture when it reads as a page number, or when text of the
same shape (digits masked) recurs at the same height on enough other pages.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .layout import STRUCTURAL_HEADING, Row, Word, words_bbox
from .schema import Furniture

# Furniture lives in the outer bands of the page, among its outermost rows.
BAND_SHARE = 0.15
BAND_ROWS = 3
# Header text repeats with small changes (page numbers, alternating titles).
SIMILAR_RATIO = 0.8
FUZZY_WINDOW = 10
POSITION_SHARE = 0.02

_ROMAN = re.compile(
    r"^(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$",
    re.IGNORECASE,
)
_DECORATED_PAGE_NO = re.compile(
    r"^(?:(?:page|p\.|pg\.?|seite|página|pagina)\s*)?[-–—(\[]?\s*"
    r"(\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|de|sur|von)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_MARKER_ONLY = re.compile(r"^\(?[0-9A-Za-z]{1,3}[.)]$")


def find_furniture(pages: list[tuple[int, float, list[Row]]]) -> list[Furniture]:
    """Remove running headers, footers and page numbers from the rows; return them.

    Args:
        pages: (page_no, page height, rows in reading order) per page; rows are edited
            in place (furniture words removed, emptied rows dropped).
    """
    bands: list[_Band] = []
    for index, (_, height, rows) in enumerate(pages):
        by_top = sorted(rows, key=lambda r: r.top)
        top = [r for r in by_top[:BAND_ROWS] if r.bottom <= BAND_SHARE * height]
        low = (1 - BAND_SHARE) * height
        bottom = [r for r in by_top[::-1][:BAND_ROWS] if r.top >= low]
        bottom = [r for r in bottom if all(r is not t for t in top)]
        bands.append(_Band(index, "top", height, top, by_top))
        bands.append(_Band(index, "bottom", height, bottom, by_top[::-1]))
    candidates = [c for band in bands for c in band.candidates()]
    n_pages = len(pages)
    # Real running heads recur on a good share of pages; a heading that happens to open
    # two pages ("MODIFICATIONS TO TITLE III", "... TITLE IV") must not qualify.
    needed = 1 if n_pages < 6 else min(10, max(2, math.ceil(0.1 * n_pages)))
    by_key: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    for cand in candidates:
        by_key[(cand.band, cand.key)].append(cand)
    offsets = _page_number_offsets(candidates, pages)
    for cand in candidates:
        if _is_page_number(cand.text, pages[cand.index][0], offsets, n_pages):
            cand.kind = "page_number"
        elif n_pages > 1 and not _MARKER_ONLY.match(cand.text):
            repeats = {c.index for c in by_key[(cand.band, cand.key)] if _near(c, cand)}
            if len(repeats) - 1 < needed:
                repeats |= _fuzzy_repeats(candidates, cand)
            count = len(repeats) - 1
            # "Article 3" opening two pages is body text; a running "ANNEX I" repeats
            # on most of the annex's pages.
            structural = STRUCTURAL_HEADING.match(cand.text) is not None
            if count >= needed and (not structural or count >= max(2, n_pages / 2)):
                cand.kind = "header" if cand.band == "top" else "footer"
    _fill_slots(bands)
    for band in bands:
        band.keep_outer_block()
    out = [
        _remove(c, c.kind, pages[c.index][0]) for c in candidates if c.kind is not None
    ]
    for _, _, rows in pages:
        rows[:] = [r for r in rows if r.words]
    out.sort(key=lambda f: (f.page_no, f.bbox.top if f.bbox else 0.0))
    return out


@dataclass(slots=True)
class _Candidate:
    index: int  # page index
    band: str
    row: Row
    words: list[Word]
    text: str
    key: str
    height: float
    kind: str | None = None


@dataclass(slots=True)
class _Band:
    """The outermost rows at one edge of a page, outermost first."""

    index: int  # page index
    name: str  # "top" | "bottom"
    height: float
    rows: list[Row]
    inward: list[Row]  # all the page's rows, from this edge inwards
    cands: list[list[_Candidate]] = field(default_factory=list)

    def candidates(self) -> list[_Candidate]:
        for row in self.rows:
            found = []
            for words in _segments(row):
                text = " ".join(w.text for w in words)
                key = _key(text)
                found.append(
                    _Candidate(
                        self.index, self.name, row, words, text, key, self.height
                    )
                )
            self.cands.append(found)
        return [c for row_cands in self.cands for c in row_cands]

    def keep_outer_block(self) -> None:
        """Headers and footers stack at the page edge, apart from the body.

        Repeated lines count as furniture only up to the first gap wider than half a
        line, counted from the edge, with nothing but furniture before it: formulaic
        body lines at the same height on many pages sit past that gap.
        """
        keep = 0
        for row, row_cands in zip(self.rows, self.cands, strict=True):
            if not all(c.kind is not None for c in row_cands):
                break  # body text on this row
            at = next(i for i, r in enumerate(self.inward) if r is row)
            inner = self.inward[at + 1] if at + 1 < len(self.inward) else None
            if inner is None or self._gap(row, inner) >= 0.5 * (row.bottom - row.top):
                keep = self.rows.index(row) + 1
                break
        for row_cands in self.cands[keep:]:
            _drop_running(row_cands)

    def _gap(self, outer: Row, inner: Row) -> float:
        if self.name == "top":
            return inner.top - outer.bottom
        return outer.top - inner.bottom


def _fill_slots(bands: list[_Band]) -> None:
    """A page's outermost line set where running heads sit elsewhere is one too.

    Alternating heads in a short document occur once each ("Collected Agreements" on
    the one even page of three); the slot, same height and type size as confirmed
    heads, is the evidence. A slot where body text mostly starts proves nothing.
    """
    outermost = [c for b in bands if b.cands for c in b.cands[0]]
    for c in outermost:
        if c.kind is not None or STRUCTURAL_HEADING.match(c.text):
            continue
        alike = [o for o in outermost if _same_slot(o, c) and o.index != c.index]
        heads = sum(o.kind in ("header", "footer") for o in alike)
        if heads and heads > len(alike) / 2:
            c.kind = "header" if c.band == "top" else "footer"


def _same_slot(a: _Candidate, b: _Candidate) -> bool:
    return (
        a.band == b.band
        and abs(a.words[0].top - b.words[0].top) <= 2
        and abs(a.row.size - b.row.size) <= 0.5
    )


def _drop_running(cands: list[_Candidate]) -> None:
    # Page numbers keep their kind: their pattern and numbering are evidence enough.
    for c in cands:
        if c.kind in ("header", "footer"):
            c.kind = None


def _remove(cand: _Candidate, kind: str, page_no: int) -> Furniture:
    """Take the candidate's words off its row."""
    ids = {id(w) for w in cand.words}
    cand.row.words = [w for w in cand.row.words if id(w) not in ids]
    if cand.row.words:
        cand.row.finish()
    return Furniture(page_no, kind, cand.text, words_bbox(cand.words))


def _segments(row: Row) -> list[list[Word]]:
    """Split a band row at wide gaps: "Treaty Series — Vol. 1" ... "12"."""
    out = [[row.words[0]]]
    for prev, w in zip(row.words, row.words[1:], strict=False):
        if w.x0 - prev.x1 > max(24.0, 3 * w.size):
            out.append([])
        out[-1].append(w)
    return out


def _key(text: str) -> str:
    text = re.sub(r"\d+", "#", text.lower())
    return " ".join("#" if _ROMAN.match(t) else t for t in text.split())


def _near(a: _Candidate, b: _Candidate) -> bool:
    # Running heads sit at the same height on every page; allow for scanner drift.
    return abs(a.words[0].top - b.words[0].top) <= POSITION_SHARE * a.height


def _fuzzy_repeats(candidates: list[_Candidate], cand: _Candidate) -> set[int]:
    pages = set()
    key = cand.key
    for other in candidates:
        if (
            other.band != cand.band
            or abs(other.index - cand.index) > FUZZY_WINDOW
            or other.index == cand.index
            or abs(len(other.key) - len(key)) > 0.3 * max(len(other.key), len(key), 1)
            or not _near(other, cand)
        ):
            continue
        matcher = SequenceMatcher(None, key, other.key)
        if matcher.quick_ratio() >= SIMILAR_RATIO and matcher.ratio() >= SIMILAR_RATIO:
            pages.add(other.index)
    return pages


def _page_number_value(text: str) -> int | None:
    match = _DECORATED_PAGE_NO.match(text.strip())
    if not match:
        return None
    token = match.group(1)
    if token.isdigit():
        return int(token)
    return _roman_value(token) if _ROMAN.match(token) else None


def _page_number_offsets(
    candidates: list[_Candidate], pages: list[tuple[int, float, list[Row]]]
) -> dict[int, int]:
    """How often each printed-minus-physical page offset occurs among numbers."""
    counts: dict[int, int] = defaultdict(int)
    for cand in candidates:
        value = _page_number_value(cand.text)
        if value is not None:
            counts[value - pages[cand.index][0]] += 1
    return counts


def _is_page_number(text: str, page_no: int, offsets: dict[int, int], n: int) -> bool:
    value = _page_number_value(text)
    if value is None:
        return False
    bare = text.strip().isdigit() or _ROMAN.match(text.strip()) is not None
    if not bare:
        return True  # "- 12 -", "Page 12", "12/40" announce themselves
    if n == 1:
        return not 1800 <= value <= 2100  # a lone year is a date, not a page number
    # A bare number is a page number when another page shows the same offset.
    return offsets.get(value - page_no, 0) >= 2


def _roman_value(token: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total, prev = 0, 0
    for c in reversed(token.lower()):
        v = values[c]
        total, prev = (total - v, prev) if v < prev else (total + v, v)
    return total or None
