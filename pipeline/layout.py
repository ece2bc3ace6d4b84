"""Page geometry to reading order: words -> visual lines (rows) -> columns -> furniture.

Pure functions over small dataclasses, so they can be tested without a PDF. Paragraph
assembly lives in ``paragraphs.py``; this module only decides what is on a line, in
which order lines are read, and which lines are running headers, footers or page numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from .schema import BBox, Furniture

# Two words whose boxes touch (gap below this, pt) were split by a baseline shift
# (a footnote mark, small caps), not by a space: pdfplumber's extract_text joins them too.
TOUCHING_GAP = 1.0
# Columns: the gutter must lie in the middle half of the page, be at least this wide,
# and separate this many rows that have text on both sides.
GUTTER_MIN_WIDTH = 6.0
GUTTER_MIN_ROWS = 6
# Furniture lives in the outer bands of the page, among its outermost rows.
BAND_SHARE = 0.12
BAND_ROWS = 3
# Header text repeats with small changes (page numbers, alternating titles).
SIMILAR_RATIO = 0.8
FUZZY_WINDOW = 4

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
STRUCTURAL_HEADING = re.compile(
    r"^(?:ARTICLE|Article|ART\.|Art\.|CHAPTER|Chapter|PART|Part|SECTION|Section|ANNEX|"
    r"Annex|ANNEXE|Annexe|APPENDIX|Appendix|SCHEDULE|Schedule|PROTOCOL|Protocol|TITLE|"
    r"Title|CHAPITRE|Chapitre|TITRE|Titre)\s+"
    r"(?:\d{1,3}(?:\.\d{1,3})*[A-Za-z]?|[IVXLCDM]{1,7}|[A-Z]|premier|PREMIER|1er)"
    r"(?:\s*[.:\-–—]?\s*$|\s*[.:\-–—]\s+\S.{0,80}$|\s+[^a-z]{0,80}$)"
    r"|^(?:PREAMBLE|Preamble|ANNEX|ANNEXE|APPENDIX|PROTOCOL|SCHEDULE)$"
)


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    upright: bool = True


@dataclass(slots=True)
class Row:
    """One visual line: words left to right, with the flow region it is read in."""

    words: list[Word]
    page_no: int = 0
    region: int = 0
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    text: str = ""
    bold: bool = False

    def finish(self) -> Row:
        ws = self.words
        self.x0 = min(w.x0 for w in ws)
        self.x1 = max(w.x1 for w in ws)
        self.top = min(w.top for w in ws)
        self.bottom = max(w.bottom for w in ws)
        sizes = sorted(w.size for w in ws)
        self.size = sizes[len(sizes) // 2]
        self.bold = all(w.bold for w in ws)
        self.text = " ".join(
            w.text if i == len(ws) - 1 else w.text.rstrip("\u00ad")
            for i, w in enumerate(ws)
        )
        return self

    def bbox(self) -> BBox:
        return BBox(self.x0, self.top, self.x1, self.bottom)


def order_rows(words: list[Word], page_no: int, width: float) -> list[Row]:
    """Group words into visual lines in reading order, left column before right."""
    upright = [w for w in words if w.upright]
    rows = cluster_rows(upright)
    gutter = find_gutter(rows, width)
    if gutter is None:
        ordered = rows
    else:
        ordered = _split_columns(rows, gutter)
    # Rotated words (margin notes, vertical stamps) are read after the page body.
    rotated = sorted((w for w in words if not w.upright), key=lambda w: (w.x0, w.top))
    region = max((r.region for r in ordered), default=0) + 1
    ordered += [Row([w], region=region).finish() for w in rotated]
    for row in ordered:
        row.page_no = page_no
    return ordered


def cluster_rows(words: list[Word]) -> list[Row]:
    """Words whose boxes overlap vertically by half the smaller height share a line."""
    rows: list[Row] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        height = w.bottom - w.top
        for row in reversed(rows[-3:]):
            overlap = min(row.bottom, w.bottom) - max(row.top, w.top)
            if overlap > 0 and overlap >= 0.5 * min(height, row.bottom - row.top):
                row.words.append(w)
                row.top, row.bottom = min(row.top, w.top), max(row.bottom, w.bottom)
                break
        else:
            rows.append(Row([w], top=w.top, bottom=w.bottom))
    for row in rows:
        row.words = _merge_touching(sorted(row.words, key=lambda w: w.x0))
        row.finish()
    rows.sort(key=lambda r: (r.top, r.x0))
    return rows


def _merge_touching(words: list[Word]) -> list[Word]:
    out = [words[0]]
    for w in words[1:]:
        prev = out[-1]
        if -TOUCHING_GAP < w.x0 - prev.x1 < TOUCHING_GAP and w.x0 > prev.x0:
            out[-1] = Word(
                prev.text.rstrip("\u00ad") + w.text,
                prev.x0,
                max(prev.x1, w.x1),
                min(prev.top, w.top),
                max(prev.bottom, w.bottom),
                max(prev.size, w.size),
                prev.bold and w.bold,
            )
        else:
            out.append(w)
    return out


def find_gutter(rows: list[Row], width: float) -> tuple[float, float] | None:
    """A vertical strip in the middle of the page that most rows do not cross."""
    if len(rows) < 2 * GUTTER_MIN_ROWS:
        return None
    n = int(width) + 2
    delta = [0] * (n + 1)
    for row in rows:
        for w in row.words:
            delta[max(0, min(n, int(w.x0)))] += 1
            delta[max(0, min(n, int(w.x1) + 1))] -= 1
    cover, running = [0] * n, 0
    for x in range(n):
        running += delta[x]
        cover[x] = running
    # Full-width rows above or below the columns (a title) may cross the gutter.
    limit = max(1, len(rows) // 10)
    best: tuple[int, int] | None = None
    start = None
    for x in range(int(width * 0.25), int(width * 0.75) + 1):
        if cover[x] <= limit:
            start = x if start is None else start
            if best is None or x - start > best[1] - best[0]:
                best = (start, x)
        else:
            start = None
    if best is None or best[1] - best[0] < GUTTER_MIN_WIDTH:
        return None
    g0, g1 = float(best[0]), float(best[1])
    return (g0, g1) if _is_column_gutter(rows, g0, g1, width) else None


def _is_column_gutter(rows: list[Row], g0: float, g1: float, width: float) -> bool:
    """Text columns, not a table: both sides hold several words and reach the gutter."""
    two_sided: list[int] = []
    crossing: list[int] = []
    reach: list[float] = []
    side_words = 0
    for i, row in enumerate(rows):
        left = [w for w in row.words if w.x1 <= g0 + 0.5]
        right = [w for w in row.words if w.x0 >= g1 - 0.5]
        if len(left) + len(right) < len(row.words):
            crossing.append(i)
        elif left and right:
            two_sided.append(i)
            reach.append(g0 - max(w.x1 for w in left))
            side_words += len(left) + len(right)
    if len(two_sided) < GUTTER_MIN_ROWS:
        return False
    inside = [i for i in crossing if two_sided[0] < i < two_sided[-1]]
    reach.sort()
    left_edge = min(r.x0 for r in rows)
    right_edge = max(r.x1 for r in rows)
    return (
        len(inside) <= 0.15 * len(two_sided)
        and side_words >= 4 * len(two_sided)
        and reach[len(reach) // 2] <= 0.25 * max(g0 - left_edge, 1.0)
        and g0 - left_edge >= 0.2 * width
        and right_edge - g1 >= 0.2 * width
    )


def _split_columns(rows: list[Row], gutter: tuple[float, float]) -> list[Row]:
    g0, g1 = gutter
    middle = (g0 + g1) / 2

    def crosses(row: Row) -> bool:
        return any(w.x0 < g1 - 0.5 and w.x1 > g0 + 0.5 for w in row.words)

    flags = [crosses(r) for r in rows]
    sided = [i for i, f in enumerate(flags) if not f]
    first, last = (sided[0], sided[-1]) if sided else (len(rows), -1)
    out: list[Row] = []
    band: list[Row] = []
    region = 0
    in_full_width = False

    def flush() -> None:
        nonlocal region, in_full_width
        words = [w for r in band for w in r.words]
        for side in (
            [w for w in words if (w.x0 + w.x1) / 2 < middle],
            [w for w in words if (w.x0 + w.x1) / 2 >= middle],
        ):
            if side:
                region += 1
                in_full_width = False
                for r in cluster_rows(side):
                    r.region = region
                    out.append(r)
        band.clear()

    for i, row in enumerate(rows):
        # Only rows before or after the columns are read full width; a crossing row
        # inside them is a long word poking into the gutter.
        if flags[i] and (i < first or i > last):
            flush()
            if not in_full_width:
                region += 1
                in_full_width = True
            row.region = region
            out.append(row)
        else:
            band.append(row)
    flush()
    return out


def find_furniture(pages: list[tuple[int, float, list[Row]]]) -> list[Furniture]:
    """Remove running headers, footers and page numbers from the rows; return them.

    Args:
        pages: (page_no, page height, rows in reading order) per page; rows are edited
            in place (furniture words removed, emptied rows dropped).
    """
    candidates = []  # (page_index, band, row, words, text, key)
    for index, (_, height, rows) in enumerate(pages):
        by_top = sorted(rows, key=lambda r: r.top)
        for band, picked in (
            ("top", [r for r in by_top[:BAND_ROWS] if r.bottom <= BAND_SHARE * height]),
            ("bottom", [r for r in by_top[-BAND_ROWS:] if r.top >= (1 - BAND_SHARE) * height]),
        ):
            for row in picked:
                for words in _segments(row):
                    text = " ".join(w.text for w in words)
                    candidates.append((index, band, row, words, text, _key(text)))
    n_pages = len(pages)
    needed = 1 if n_pages < 6 else 2
    pages_by_key: dict[tuple[str, str], set[int]] = defaultdict(set)
    for index, band, _, _, _, key in candidates:
        pages_by_key[(band, key)].add(index)
    offsets = _page_number_offsets(candidates, pages)
    found: list[tuple[int, Row, list[Word], str, str]] = []
    for index, band, row, words, text, key in candidates:
        kind = None
        if _is_page_number(text, pages[index][0], offsets, n_pages):
            kind = "page_number"
        elif n_pages > 1:
            repeats = len(pages_by_key[(band, key)]) - 1
            if repeats < needed:
                repeats += _fuzzy_repeats(candidates, index, band, key)
            structural = STRUCTURAL_HEADING.match(text) is not None
            if repeats >= needed and (not structural or repeats >= n_pages / 2):
                kind = "header" if band == "top" else "footer"
        if kind:
            found.append((index, row, words, text, kind))
    out = []
    for index, row, words, text, kind in found:
        ids = {id(w) for w in words}
        row.words = [w for w in row.words if id(w) not in ids]
        if row.words:
            row.finish()
        x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
        top, bottom = min(w.top for w in words), max(w.bottom for w in words)
        out.append(Furniture(pages[index][0], kind, text, BBox(x0, top, x1, bottom)))
    for _, _, rows in pages:
        rows[:] = [r for r in rows if r.words]
    out.sort(key=lambda f: (f.page_no, f.bbox.top if f.bbox else 0.0))
    return out


def _segments(row: Row) -> list[list[Word]]:
    """Split a band row at wide gaps: "Treaty Series — Vol. 1" ... "12"."""
    out = [[row.words[0]]]
    for prev, w in zip(row.words, row.words[1:]):
        if w.x0 - prev.x1 > max(12.0, 1.5 * w.size):
            out.append([])
        out[-1].append(w)
    return out


def _key(text: str) -> str:
    text = re.sub(r"\d+", "#", text.lower())
    return " ".join("#" if _ROMAN.match(t) else t for t in text.split())


def _fuzzy_repeats(candidates: list, index: int, band: str, key: str) -> int:
    pages = set()
    for other, b, _, _, _, k in candidates:
        if b != band or other == index or abs(other - index) > FUZZY_WINDOW:
            continue
        if abs(len(k) - len(key)) > 0.3 * max(len(k), len(key), 1):
            continue
        matcher = SequenceMatcher(None, key, k)
        if matcher.quick_ratio() >= SIMILAR_RATIO and matcher.ratio() >= SIMILAR_RATIO:
            pages.add(other)
    return len(pages)


def _page_number_value(text: str) -> int | None:
    match = _DECORATED_PAGE_NO.match(text.strip())
    if not match:
        return None
    token = match.group(1)
    if token.isdigit():
        return int(token)
    return _roman_value(token) if _ROMAN.match(token) else None


def _page_number_offsets(candidates: list, pages: list) -> dict[int, int]:
    """How often each printed-minus-physical page offset occurs among bare numbers."""
    counts: dict[int, int] = defaultdict(int)
    for index, _, _, _, text, _ in candidates:
        value = _page_number_value(text)
        if value is not None:
            counts[value - pages[index][0]] += 1
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
