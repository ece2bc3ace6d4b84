"""Page geometry to reading order: words -> visual lines (rows) -> columns -> furniture.

Pure functions over small dataclasses, so they can be tested without a PDF. Paragraph
assembly lives in ``paragraphs.py``; this module only decides what is on a line, in
which order lines are read, and which lines are running headers, footers or page numbers.
"""

from __future__ import annotations

import math
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
GUTTER_MIN_WIDTH = 8.0
GUTTER_MIN_ROWS = 6
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
    # The box on the page when x0..bottom above are in a turned frame (rotated text).
    box: tuple[float, float, float, float] | None = None

    def page_box(self) -> tuple[float, float, float, float]:
        return self.box or (self.x0, self.top, self.x1, self.bottom)


@dataclass(slots=True)
class Row:
    """One visual line: words left to right, with the flow region it is read in."""

    words: list[Word]
    page_no: int = 0
    region: int = 0  # flow region on the page, numbered in reading order
    column: int = 0  # 0 full width, 1 left column, 2 right column
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
        return _bbox(self.words)


def _bbox(words: list[Word]) -> BBox:
    boxes = [w.page_box() for w in words]
    return BBox(
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def order_rows(
    words: list[Word], page_no: int, width: float, height: float
) -> tuple[list[Row], float]:
    """Group words into visual lines in reading order, left column before right.

    Returns:
        The rows, and the height of the frame they were laid out in: a page whose text
        mostly runs top to bottom (a landscape table on a portrait page) is read
        turned by 90 degrees, so its lines are the page's columns.
    """
    upright = [w for w in words if w.upright]
    turned = [_turn(w) for w in words if not w.upright]
    if len(turned) > len(upright):
        main, rest, width, height = turned, upright, height, width
    else:
        main, rest = upright, turned
    rows = cluster_rows(main)
    gutter = find_gutter(rows, width)
    ordered = rows if gutter is None else _split_columns(rows, gutter)
    if rest:  # the minority direction (margin notes, stamps) is read after the body
        region = max((r.region for r in ordered), default=0) + 1
        for row in cluster_rows(rest):
            row.region = region
            ordered.append(row)
    for row in ordered:
        row.page_no = page_no
    return ordered, height


def _turn(w: Word) -> Word:
    # pdfplumber reads rotated glyphs top to bottom: the page's x becomes line order.
    return Word(
        w.text, w.top, w.bottom, w.x0, w.x1, w.size, w.bold, True, w.page_box()
    )


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
            box = None
            if prev.box or w.box:
                b = _bbox([prev, w])
                box = (b.x0, b.top, b.x1, b.bottom)
            out[-1] = Word(
                prev.text.rstrip("\u00ad") + w.text,
                prev.x0,
                max(prev.x1, w.x1),
                min(prev.top, w.top),
                max(prev.bottom, w.bottom),
                max(prev.size, w.size),
                prev.bold and w.bold,
                True,
                box,
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
    middle = (g0 + g1) / 2
    for i, row in enumerate(rows):
        if _crosses(row, middle):
            crossing.append(i)
            continue
        left = [w for w in row.words if w.x1 <= middle]
        right = [w for w in row.words if w.x0 >= middle]
        if left and right:
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


def _crosses(row: Row, middle: float) -> bool:
    """A full-width line: a word spans the gutter's middle, or only a word gap does.

    Ragged lines poke into the gutter from either side, so its edges prove nothing.
    """
    left_end, right_start = -1e9, 1e9
    for w in row.words:
        if w.x0 < middle - 1 and w.x1 > middle + 1:
            return True
        if w.x1 <= middle:
            left_end = max(left_end, w.x1)
        else:
            right_start = min(right_start, w.x0)
    return right_start - left_end < GUTTER_MIN_WIDTH


def _split_columns(rows: list[Row], gutter: tuple[float, float]) -> list[Row]:
    g0, g1 = gutter
    middle = (g0 + g1) / 2

    flags = [_crosses(r, middle) for r in rows]
    sided = [i for i, f in enumerate(flags) if not f]
    first, last = (sided[0], sided[-1]) if sided else (len(rows), -1)
    out: list[Row] = []
    band: list[Row] = []
    region = 0
    in_full_width = False

    def flush() -> None:
        nonlocal region, in_full_width
        words = [w for r in band for w in r.words]
        for column, side in (
            (1, [w for w in words if (w.x0 + w.x1) / 2 < middle]),
            (2, [w for w in words if (w.x0 + w.x1) / 2 >= middle]),
        ):
            if side:
                region += 1
                in_full_width = False
                for r in cluster_rows(side):
                    r.region, r.column = region, column
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
    candidates: list[_Candidate] = []
    for index, (_, height, rows) in enumerate(pages):
        by_top = sorted(rows, key=lambda r: r.top)
        top_rows = [r for r in by_top[:BAND_ROWS] if r.bottom <= BAND_SHARE * height]
        low = (1 - BAND_SHARE) * height
        bottom_rows = [r for r in by_top[-BAND_ROWS:] if r.top >= low and r not in top_rows]
        for band, picked in (("top", top_rows), ("bottom", bottom_rows)):
            for row in picked:
                for words in _segments(row):
                    text = " ".join(w.text for w in words)
                    candidates.append(
                        _Candidate(index, band, row, words, text, _key(text), height)
                    )
    n_pages = len(pages)
    # Real running heads recur on a good share of pages; a heading that happens to open
    # two pages ("MODIFICATIONS TO TITLE III", "... TITLE IV") must not qualify.
    needed = 1 if n_pages < 6 else min(10, max(2, math.ceil(0.1 * n_pages)))
    by_key: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    for cand in candidates:
        by_key[(cand.band, cand.key)].append(cand)
    offsets = _page_number_offsets(candidates, pages)
    out: list[Furniture] = []
    for cand in candidates:
        kind = None
        if _is_page_number(cand.text, pages[cand.index][0], offsets, n_pages):
            kind = "page_number"
        elif n_pages > 1 and not _MARKER_ONLY.match(cand.text):
            repeats = {c.index for c in by_key[(cand.band, cand.key)] if _near(c, cand)}
            if len(repeats) - 1 < needed:
                repeats |= _fuzzy_repeats(candidates, cand)
            count = len(repeats) - 1
            structural = STRUCTURAL_HEADING.match(cand.text) is not None
            if count >= needed and (not structural or count >= n_pages / 2):
                kind = "header" if cand.band == "top" else "footer"
        if kind:
            out.append(_remove(cand, kind, pages[cand.index][0]))
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


def _remove(cand: _Candidate, kind: str, page_no: int) -> Furniture:
    ids = {id(w) for w in cand.words}
    cand.row.words = [w for w in cand.row.words if id(w) not in ids]
    if cand.row.words:
        cand.row.finish()
    return Furniture(page_no, kind, cand.text, _bbox(cand.words))


def _segments(row: Row) -> list[list[Word]]:
    """Split a band row at wide gaps: "Treaty Series — Vol. 1" ... "12"."""
    out = [[row.words[0]]]
    for prev, w in zip(row.words, row.words[1:]):
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
