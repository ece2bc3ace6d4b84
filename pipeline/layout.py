"""Page geometry to reading order: words -> visual lines (rows) -> columns.

Pure functions over small dataclasses, so they can be tested without a PDF. What is
page furniture is decided in ``furniture.py``, paragraphs in ``paragraphs.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import BBox

# Two words whose boxes touch (gap below this, pt) were split by a baseline shift
# (a footnote mark, small caps), not by a space; pdfplumber's extract_text joins them.
TOUCHING_GAP = 1.0
# Columns: the gutter must lie in the middle half of the page, be at least this wide,
# and separate this many rows that have text on both sides.
GUTTER_MIN_WIDTH = 8.0
GUTTER_MIN_ROWS = 6
STRUCTURAL_HEADING = re.compile(
    r"^(?:ARTICLE|Article|ART\.|Art\.|CHAPTER|Chapter|PART|Part|SECTION|Section|ANNEX|"
    r"Annex|ANNEXE|Annexe|APPENDIX|Appendix|SCHEDULE|Schedule|PROTOCOL|Protocol|TITLE|"
    r"Title|CHAPITRE|Chapitre|TITRE|Titre)\s+"
    r"(?:\d{1,3}(?:\.\d{1,3})*[A-Za-z]?|[IVXLCDM]{1,7}|[A-Z]|premier|PREMIER|1er)"
    r"(?:-[0-9A-Z]{1,3})?"
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
        return words_bbox(self.words)


def words_bbox(words: list[Word]) -> BBox:
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
    return Word(w.text, w.top, w.bottom, w.x0, w.x1, w.size, w.bold, True, w.page_box())


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
                b = words_bbox([prev, w])
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
    # Full-width rows above or below the columns (a title, a preamble) cross the
    # gutter too, so look for the least covered strip, with slack for ragged lines
    # poking into it; _is_column_gutter then decides whether it separates columns.
    middle_half = range(int(width * 0.25), int(width * 0.75) + 1)
    limit = min(cover[x] for x in middle_half) + max(1, len(rows) // 20)
    best: tuple[int, int] | None = None
    start = None
    for x in middle_half:
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


def _continues(p: Row, c: Row) -> bool:
    return abs(c.x0 - p.x0) <= 3 and 0 < c.top - p.top <= 1.6 * (p.bottom - p.top)


def _split_columns(rows: list[Row], gutter: tuple[float, float]) -> list[Row]:
    g0, g1 = gutter
    middle = (g0 + g1) / 2

    flags = [_crosses(r, middle) for r in rows]
    # The columns run from the first to the last row with text on both sides. Outside
    # them, crossing rows are full width, and so is a short line right under one (a
    # paragraph's last line); other rows there are column text.
    sided = [
        i
        for i, row in enumerate(rows)
        if not flags[i]
        and any(w.x1 <= middle for w in row.words)
        and any(w.x0 >= middle for w in row.words)
    ]
    first, last = (sided[0], sided[-1]) if sided else (len(rows), -1)
    full = [False] * len(rows)
    for i, row in enumerate(rows):
        if i < first or i > last:
            full[i] = flags[i] or (
                i > 0 and full[i - 1] and _continues(rows[i - 1], row)
            )
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
        # Rows inside the columns are split at the gutter even when they cross it:
        # that is a long word poking into the gutter, not a full-width line.
        if full[i]:
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
