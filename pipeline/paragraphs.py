"""Visual lines to paragraphs: the one-paragraph-per-line text the segmenter reads.

A new paragraph starts at a clearly larger line pitch, a heading, an enumeration marker,
a first-line indent, or after a line that stops short of the right margin. Otherwise
lines are joined by one space, and a line-end hyphen is kept or dropped by
``resolve_hyphen``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from .layout import STRUCTURAL_HEADING, Row

# A line pitch this many times the usual pitch (for that font size) is a paragraph gap.
PARA_GAP = 1.3
INDENT = 6.0  # pt a first line must be indented by to count as a paragraph start
# wordfreq Zipf scale: 3 is about once per million words, so "agreement" (4.9) is a
# word and a line-end fragment like "ment" (3.1) is one only by accident; below 1.5
# are typos and names.
WORD_ZIPF = 3.0
RARE_ZIPF = 1.5
# Prefixes that British and treaty usage keeps hyphenated ("co-operation",
# "non-aggression", "self-defence", "well-being"); checked only when the rest is a word.
HYPHEN_PREFIXES = frozenset({"co", "non", "self", "well", "quasi", "cross", "half", "anti"})

_MARKER = re.compile(
    r"^(?:\(?\d{1,3}\)|\d{1,3}\.(?:\d{1,3}\.?)*|\(\d{1,3}\.\d{1,3}\)|\([a-zA-Z]{1,2}\)|"
    r"[a-z]\)|[a-z]\.|\([ivxlcdm]{1,6}\)|[ivxlcdm]{1,6}[.)]|[IVXLC]{1,6}\.|[A-Z][.)]|"
    r"[•·▪●○■□◦‣⁃–—-])(?=\s)"
)
_KEYWORD_MARKER = re.compile(
    r"^(?:Article|ARTICLE|Art\.|Chapter|CHAPTER|Part|PART|Section|SECTION|Annex|ANNEX)\s"
)
# A marker right after these words is a cross-reference wrapped onto a new line
# ("... under paragraph / 2. of Article 5"), not the start of an item.
_REF_WORDS = frozenset(
    "article articles paragraph paragraphs subparagraph subparagraphs annex annexes "
    "chapter chapters part parts section sections point points item items clause "
    "clauses appendix schedule rule rules regulation regulations no. nos. of see under "
    "in to with by from pursuant letter indent page pages vol. volume footnote note"
    .split()
)
_HYPHENS = "-\u2010"
_WORD_TOKEN = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_TRAILING_LETTERS = re.compile(r"[^\W\d_]+$")
_LEADING_LETTERS = re.compile(r"^[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class _Margins:
    left: float
    right: float


def assemble(
    pages: list[list[Row]],
) -> tuple[str, list[tuple[int, int]], list[tuple[Row, int, int]]]:
    """Join the rows of all pages into text.

    Returns:
        The text, each page's half-open (start, end) range (contiguous, in page order,
        the separator after a page's last line belonging to that page), and each
        row with its own range.
    """
    rows = [row for page in pages for row in page]
    margins = _margins(rows)
    pitch = _pitches(rows)
    vocab = _vocabulary(rows)
    kinds = [_heading_kind(r, margins[(r.page_no, r.region)]) for r in rows]
    texts = [r.text for r in rows]
    seps = [""]
    for i in range(1, len(rows)):
        if _starts_paragraph(rows[i - 1], rows[i], kinds[i - 1], kinds[i], margins, pitch):
            seps.append("\n")
        else:
            texts[i - 1], sep = _join(texts[i - 1], texts[i], vocab)
            seps.append(sep)
    parts: list[str] = []
    spans: list[tuple[Row, int, int]] = []
    pos = 0
    for row, sep, text in zip(rows, seps, texts):
        text = text.replace("\u00ad", "")
        parts.append(sep)
        pos += len(sep)
        spans.append((row, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    full = "".join(parts)
    starts: list[int | None] = []
    i = 0
    for page in pages:
        starts.append(spans[i][1] if page else None)
        i += len(page)
    starts[0] = 0
    nxt = len(full)
    for k in range(len(starts) - 1, -1, -1):
        nxt = starts[k] = nxt if starts[k] is None else starts[k]
    bounds = [s for s in starts if s is not None] + [len(full)]
    return full, list(zip(bounds, bounds[1:])), spans


def resolve_hyphen(left: str, right: str, vocab: Counter[str] | None = None) -> bool:
    """Whether "left-" at a line end and "right" on the next line form one word.

    The document's own spelling wins ("cooperation" elsewhere joins, "co-operation"
    elsewhere keeps the hyphen); then prefixes usually kept hyphenated; then a word list.

    Example:
        >>> resolve_hyphen("agree", "ment"), resolve_hyphen("co", "operation")
        (True, False)
    """
    if not left or not right or (right[0].isupper() and not left.isupper()):
        return False  # "Anglo-French", "EU-Albania"
    lo, ro = left.lower(), right.lower()
    if vocab:
        joined_n, hyphen_n = vocab[lo + ro], vocab[f"{lo}-{ro}"]
        if joined_n != hyphen_n:
            return joined_n > hyphen_n
    if lo in HYPHEN_PREFIXES and len(ro) >= 4 and _zipf(ro) >= WORD_ZIPF:
        return False
    joined = _zipf(lo + ro)
    if joined >= WORD_ZIPF:
        return True
    if _zipf(lo) >= WORD_ZIPF and _zipf(ro) >= WORD_ZIPF:
        return False  # a compound of two words: "decision-making", "long-term"
    return joined >= RARE_ZIPF or _zipf(ro) < WORD_ZIPF


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency  # loads its word lists on first use

    return max(zipf_frequency(word, "en"), zipf_frequency(word, "fr"))


def _join(prev: str, cur: str, vocab: Counter[str]) -> tuple[str, str]:
    """The previous line's text as it will stand, and what goes between the lines."""
    if prev.endswith("\u00ad"):
        return prev[:-1], ""  # a soft hyphen is a discretionary break by definition
    if len(prev) >= 2 and prev[-1] in _HYPHENS and prev[-2].isalpha() and cur[:1].isalpha():
        left = _TRAILING_LETTERS.search(prev[:-1])
        right = _LEADING_LETTERS.match(cur)
        if left and right and resolve_hyphen(left.group(), right.group(), vocab):
            return prev[:-1], ""
        return prev, ""
    return prev, " "


def _starts_paragraph(
    p: Row,
    c: Row,
    p_kind: str | None,
    c_kind: str | None,
    margins: dict[tuple[int, int], _Margins],
    pitch: dict[int, float],
) -> bool:
    pm, cm = margins[(p.page_no, p.region)], margins[(c.page_no, c.region)]
    same_flow = (p.page_no, p.region) == (c.page_no, c.region)
    d = c.top - p.top
    normal_pitch = pitch.get(round(c.size), 1.2 * c.size)
    close = same_flow and 0 < d <= PARA_GAP * normal_pitch + 1
    if "structural" in (p_kind, c_kind) or (p_kind is None) != (c_kind is None):
        return True
    if abs(p.size - c.size) > max(1.0, 0.12 * p.size):
        return True
    if p_kind is not None:  # two heading-like lines: one heading if alike and close
        return not (close and p_kind == c_kind and p.bold == c.bold)
    last_word = p.text.rsplit(" ", 1)[-1].lower().rstrip(",")
    if _MARKER.match(c.text) and last_word not in _REF_WORDS:
        return True
    if _KEYWORD_MARKER.match(c.text) and p.text[-1:] in ".;:":
        return True
    if same_flow:
        if not close:
            return True
        hanging = (
            len(p.words) > 1
            and _MARKER.match(p.text) is not None
            and abs(c.x0 - p.words[1].x0) <= 3
        )
        if c.x0 > p.x0 + INDENT and p.x0 <= pm.left + 2 and not hanging:
            return True
    else:
        # A new column or page continues the paragraph only if nothing says otherwise.
        if c.x0 > cm.left + INDENT:
            return True
        if p.text[-1:] in ".!?:;" and not c.text[:1].islower():
            return True
    return _ends_short(p, c, pm)


def _ends_short(p: Row, c: Row, pm: _Margins) -> bool:
    """The next line's first word would have fitted: the line ended on purpose."""
    if p.text[-1:] in _HYPHENS + "\u00ad":
        return False
    first = c.words[0]
    room_needed = 0.25 * c.size + (first.x1 - first.x0)
    if p.x1 + room_needed >= pm.right - 2:
        return False
    # Ragged-right text wraps early; a lower-case run-on with no stop is a wrap.
    return not (c.text[:1].islower() and p.text[-1:] not in ".;:!?")


def _heading_kind(row: Row, m: _Margins) -> str | None:
    text = row.text
    if STRUCTURAL_HEADING.match(text):
        return "structural"
    if len(text) > 150:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 4 and all(ch.isupper() for ch in letters):
        return "caps"
    if row.bold:
        return "bold"
    width = m.right - m.left
    middle = (row.x0 + row.x1) / 2
    if (
        width > 0
        and row.x0 > m.left + 0.1 * width
        and row.x1 < m.right - 0.1 * width
        and abs(middle - (m.left + m.right) / 2) < 0.05 * width
    ):
        return "centered"
    return None


def _margins(rows: list[Row]) -> dict[tuple[int, int], _Margins]:
    groups: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.page_no, row.region)].append(row)
    out: dict[tuple[int, int], _Margins] = {}
    big: list[_Margins] = []
    for key, members in groups.items():
        lefts = sorted(r.x0 for r in members)
        rights = sorted(r.x1 for r in members)
        # Percentiles, so one line poking into the margin does not move it.
        right = rights[int(0.9 * (len(rights) - 1))] if len(rights) >= 8 else rights[-1]
        out[key] = _Margins(lefts[len(lefts) // 10], right)
        if len(members) >= 5:
            big.append(out[key])
    for key, members in groups.items():
        if len(members) < 5:
            # Too few lines to know the margin: borrow it from a fuller page alike.
            own = out[key]
            alike = sorted(m.right for m in big if abs(m.left - own.left) <= 10)
            if alike:
                out[key] = _Margins(own.left, max(own.right, alike[len(alike) // 2]))
    return out


def _pitches(rows: list[Row]) -> dict[int, float]:
    """The usual baseline-to-baseline distance per font size, over the whole document."""
    samples: dict[int, list[float]] = defaultdict(list)
    for p, c in zip(rows, rows[1:]):
        if (p.page_no, p.region) == (c.page_no, c.region) and round(p.size) == round(c.size):
            d = c.top - p.top
            if 0 < d < 3 * c.size:
                samples[round(c.size)].append(d)
    # The lower quartile: most gaps inside paragraphs, whatever the share of short ones.
    return {size: sorted(ds)[len(ds) // 4] for size, ds in samples.items() if len(ds) >= 3}


def _vocabulary(rows: list[Row]) -> Counter[str]:
    vocab: Counter[str] = Counter()
    for row in rows:
        vocab.update(_WORD_TOKEN.findall(row.text.lower()))
    return vocab
