"""Visual lines to paragraphs: the one-paragraph-per-line text the segmenter reads.

A new paragraph starts at a clearly larger line pitch, a heading, an enumeration marker,
a first-line indent, or after a line that stops short of the right margin. Otherwise
lines are joined by one space, and a line-end hyphen is kept or dropped by
``resolve_hyphen``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .layout import STRUCTURAL_HEADING, Row

# A line pitch this many times the usual pitch (for that font size) is a paragraph gap.
PARA_GAP = 1.3
# OCR-ed lines have no font size: the height of a line's box depends on its letters
# (ascenders, descenders, a handwritten date), from 9 to 28 pt on one corpus scan whose
# lines are 15-16 pt apart. Their pitch is one figure for all of them, kept under this
# key beside the per-size ones, and their heights are not compared.
OCR_PITCH = -1
INDENT = 6.0  # pt a first line must be indented by to count as a paragraph start
# wordfreq Zipf scale: 3 is about once per million words, so "agreement" (4.9) is a
# word and a line-end fragment like "ment" (3.1) is one only by accident; below 1.5
# are typos and names.
WORD_ZIPF = 3.0
RARE_ZIPF = 1.5
# Prefixes that British and treaty usage keeps hyphenated ("co-operation",
# "non-aggression", "self-defence", "well-being"); checked only when the rest is a word.
HYPHEN_PREFIXES = frozenset(
    {"co", "non", "self", "well", "quasi", "cross", "half", "anti"}
)

_MARKER = re.compile(
    r"^(?:\(?\d{1,3}\)|\d{1,3}\.(?:\d{1,3}\.?)*|\(\d{1,3}\.\d{1,3}\)|\([a-zA-Z]{1,2}\)|"
    r"[a-z]\)\.?|[a-z]\.|\([ivxlcdm]{1,6}\)|[ivxlcdm]{1,6}(?:\)\.?|\.)|[IVXLC]{1,6}\.|[A-Z][.)]|"
    r"[•·▪●○■□◦‣⁃–—-])(?=\s)"
)
# Tesseract reads a bullet "•" as "e", "o" or "«"; no line of treaty text starts with
# such a letter alone before a capital.
_OCR_BULLET = re.compile(r"^[eo«°](?=\s+[A-Z])")
_KEYWORD_MARKER = re.compile(
    r"^(?:Article|ARTICLE|Art\.|Chapter|CHAPTER|Part|PART|Section|SECTION|Annex|ANNEX)\s"
)
# A marker right after these words is a cross-reference wrapped onto a new line
# ("... under paragraph / 2. of Article 5"), not the start of an item.
_REF_WORDS = frozenset(
    "article articles paragraph paragraphs subparagraph subparagraphs annex annexes "
    "chapter chapters part parts section sections point points item items clause "
    "clauses appendix schedule rule rules regulation regulations no. nos. of see under "
    "in to with by from pursuant letter indent page pages vol. volume footnote "
    "note".split()
)
_HYPHENS = "-\u2010"
_RULE = re.compile(r"^[_\-–—‐]{5,}$")
_NOTE_MARK = re.compile(r"^(?:\d{1,3}/?|[*†‡§]+|\(\d{1,3}\))(?=\s|[A-Z])")
_WORD_TOKEN = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_TRAILING_LETTERS = re.compile(r"[^\W\d_]+$")
_LEADING_LETTERS = re.compile(r"^[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class _Margins:
    left: float
    right: float


def assemble(
    pages: list[list[Row]], ocr: Sequence[bool] = ()
) -> tuple[str, list[tuple[int, int]], list[tuple[Row, int, int]]]:
    """Join the rows of all pages into text.

    ``ocr[i]`` says page i was read by OCR: its rows' sizes are the heights of
    Tesseract's line boxes, not font sizes, so they are not compared (see
    ``OCR_PITCH``).

    Footnotes at the foot of a page are moved before the paragraph that runs on to the
    next page, so that paragraph stays whole (pages must stay contiguous ranges).

    Returns:
        The text, each page's half-open (start, end) range (contiguous, in page order,
        the separator after a page's last line belonging to that page), and each
        row with its own range.
    """
    every = [row for page in pages for row in page]
    scanned = {id(r) for page, flag in zip(pages, ocr) if flag for r in page}
    margins = _margins(every)
    pitch = _pitches(every, scanned)
    vocab = _vocabulary(every)
    kinds = {id(r): _heading_kind(r, margins[(r.page_no, r.region)]) for r in every}
    texts = {id(r): r.text for r in every}
    seps: dict[int, str] = {}

    def link(seq: list[Row]) -> None:
        for p, c in zip(seq, seq[1:], strict=False):
            if _starts_paragraph(
                p, c, kinds[id(p)], kinds[id(c)], margins, pitch, id(c) in scanned
            ):
                seps[id(c)] = "\n"
            else:
                texts[id(p)], seps[id(c)] = _join(texts[id(p)], texts[id(c)], vocab)

    body_size = _body_size(every)
    split = [_split_notes(page, body_size) for page in pages]
    link([r for body, _ in split for r in body])
    order: list[Row] = []
    for k, (body, notes) in enumerate(split):
        at = len(body)
        if notes:
            link(notes)
            seps[id(notes[0])] = "\n"
            nxt = next((b[0] for b, _ in split[k + 1 :] if b), None)
            if body and nxt is not None and seps[id(nxt)] != "\n":
                opening = [
                    j for j, r in enumerate(body) if seps.get(id(r), "\n") == "\n"
                ]
                if opening:
                    at = opening[-1]
                else:  # the page is all one running paragraph: break it after all
                    seps[id(nxt)] = "\n"
                    texts[id(body[-1])] = body[-1].text
        order += body[:at] + notes + body[at:]
        if at < len(body):
            seps[id(body[at])] = "\n"
    if order:
        seps[id(order[0])] = ""
    parts: list[str] = []
    spans: list[tuple[Row, int, int]] = []
    pos = 0
    for row in order:
        sep, text = seps[id(row)], texts[id(row)].replace("\u00ad", "")
        parts.append(sep)
        pos += len(sep)
        spans.append((row, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    full = "".join(parts)
    return full, _page_ranges(pages, spans, len(full)), spans


def _page_ranges(
    pages: list[list[Row]], spans: list[tuple[Row, int, int]], length: int
) -> list[tuple[int, int]]:
    firsts: list[int | None] = []
    i = 0
    for page in pages:  # rows were only reordered within their page
        firsts.append(spans[i][1] if page else None)
        i += len(page)
    # A page without text gets an empty range where the next page starts.
    starts: list[int] = []
    following = length
    for first in reversed(firsts):
        following = following if first is None else first
        starts.append(following)
    starts.reverse()
    starts[0] = 0
    bounds = [*starts, length]
    return list(zip(bounds, bounds[1:], strict=False))


def _body_size(rows: list[Row]) -> float:
    weight: Counter[float] = Counter()
    for row in rows:
        weight[round(row.size * 2) / 2] += len(row.text)
    return weight.most_common(1)[0][0] if weight else 0.0


def _split_notes(rows: list[Row], body_size: float) -> tuple[list[Row], list[Row]]:
    """Footnotes: the page's last rows, below the body, in smaller type or under a
    rule of underscores, the first one opening with a note mark ("1", "*", "2/")."""
    k = len(rows)
    while k > 1 and rows[k - 1].size <= body_size - 1.0:
        k -= 1
    for j in range(len(rows) - 1, len(rows) // 2, -1):
        if _RULE.match(rows[j].text):
            k = min(k, j)
            break
    body, notes = rows[:k], rows[k:]
    if not notes or not body or notes[0].top < max(r.bottom for r in body) - 2:
        return rows, []
    if not (_RULE.match(notes[0].text) or _NOTE_MARK.match(notes[0].text)):
        return rows, []
    return body, notes


def resolve_hyphen(left: str, right: str, vocab: Counter[str] | None = None) -> bool:
    """Whether "left-" at a line end and "right" on the next line form one word.

    The document's own spelling wins ("cooperation" elsewhere joins, "co-operation"
    elsewhere keeps the hyphen); then prefixes usually kept hyphenated; then a word
    list.

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
    if lo in HYPHEN_PREFIXES and len(ro) >= 4 and word_zipf(ro) >= WORD_ZIPF:
        return False
    joined = word_zipf(lo + ro)
    if joined >= WORD_ZIPF:
        return True
    if word_zipf(lo) >= WORD_ZIPF and word_zipf(ro) >= WORD_ZIPF:
        return False  # a compound of two words: "decision-making", "long-term"
    return joined >= RARE_ZIPF or word_zipf(ro) < WORD_ZIPF


@lru_cache(maxsize=65536)
def word_zipf(word: str) -> float:
    from wordfreq import zipf_frequency  # loads its word lists on first use

    return max(zipf_frequency(word, "en"), zipf_frequency(word, "fr"))


def _join(prev: str, cur: str, vocab: Counter[str]) -> tuple[str, str]:
    """The previous line's text as it will stand, and what goes between the lines."""
    if prev.endswith("\u00ad"):
        return prev[:-1], ""  # a soft hyphen is a discretionary break by definition
    if (
        len(prev) >= 2
        and prev[-1] in _HYPHENS
        and prev[-2].isalnum()
        and cur[:1].isalnum()
    ):
        left = _TRAILING_LETTERS.search(prev[:-1])
        right = _LEADING_LETTERS.match(cur)
        if left and right and resolve_hyphen(left.group(), right.group(), vocab):
            return prev[:-1], ""
        return prev, ""  # a compound or a range: "2020-" / "2021", "Annex 2-" / "A"
    return prev, " "


def _starts_paragraph(
    p: Row,
    c: Row,
    p_kind: str | None,
    c_kind: str | None,
    margins: dict[tuple[int, int], _Margins],
    pitch: dict[int, float],
    scanned: bool = False,
) -> bool:
    pm = margins[(p.page_no, p.region)]
    same_flow = (p.page_no, p.region) == (c.page_no, c.region)
    d = c.top - p.top
    if scanned:  # larger type (a title's capitals) is spaced wider all the same
        normal_pitch = max(pitch.get(OCR_PITCH, 0.0), 1.2 * min(p.size, c.size))
    else:
        normal_pitch = pitch.get(round(c.size), 1.2 * c.size)
    same_size = scanned or abs(p.size - c.size) <= max(1.0, 0.12 * p.size)
    close = same_flow and 0 < d <= PARA_GAP * normal_pitch + 1
    hanging = (
        close
        and len(p.words) > 1
        and _MARKER.match(p.text) is not None
        and abs(c.x0 - p.words[1].x0) <= 3
    )
    if (
        c_kind == "structural"
        and close
        and p_kind is None
        and c.text[-1:] in ".,;"
        and p.text[-1:].isalnum()
    ):
        c_kind = None  # "... as laid down in paragraph 1 of / Article 21." wrapped
    if "structural" in (p_kind, c_kind):
        return True
    if hanging and (scanned or p.size == c.size):
        return False  # a list item's text wraps under its own first word
    if (p_kind is None) != (c_kind is None):
        return True
    if not same_size:
        return True
    last_word = p.text.rsplit(" ", 1)[-1].lower().rstrip(",")
    if _MARKER.match(c.text) and last_word not in _REF_WORDS:
        return True
    if scanned and _OCR_BULLET.match(c.text):
        return True
    if p_kind is not None:  # two heading-like lines: one heading if alike and close
        return not (close and p_kind == c_kind and p.bold == c.bold)
    if _KEYWORD_MARKER.match(c.text) and p.text[-1:] in ".;:":
        return True
    if same_flow:
        if not close:
            return True
        if c.x0 > p.x0 + INDENT and p.x0 <= pm.left + 2 and not hanging:
            return True
    elif p.text[-1:] in ".!?:;" and not c.text[:1].islower():
        # Across a column or page break indents are unreliable (the new column may open
        # on a hanging-indent continuation), so the punctuation decides.
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
    # Ragged-right text wraps early (typists keep "16 November" together); a run-on in
    # lower case or digits after a line without a stop is a wrap, not a new paragraph.
    starts_run_on = c.text[:1].islower() or c.text[:1].isdigit()
    return not (starts_run_on and p.text[-1:] not in ".;:!?")


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
    # Centred: clearly short, with wide and equal margins; an indented list line that
    # happens to stop near the right margin's mirror image is not.
    width = m.right - m.left
    middle = (row.x0 + row.x1) / 2
    if (
        width > 0
        and not text[:1].islower()
        and text[-1:] not in ",;"
        and row.x1 - row.x0 <= 0.7 * width
        and row.x0 > m.left + 0.15 * width
        and row.x1 < m.right - 0.15 * width
        and abs(middle - (m.left + m.right) / 2) < 0.05 * width
    ):
        return "centered"
    return None


def _margins(rows: list[Row]) -> dict[tuple[int, int], _Margins]:
    groups: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.page_no, row.region)].append(row)
    out: dict[tuple[int, int], _Margins] = {}
    full: dict[int, list[_Margins]] = defaultdict(list)  # by column kind
    for key, members in groups.items():
        lefts = sorted(r.x0 for r in members)
        rights = sorted(r.x1 for r in members)
        # Percentiles, so one line poking into the margin does not move it.
        right = rights[int(0.9 * (len(rights) - 1))] if len(rights) >= 8 else rights[-1]
        out[key] = _Margins(lefts[len(lefts) // 10], right)
        if len(members) >= 5:
            full[members[0].column].append(out[key])
    for key, members in groups.items():
        if len(members) < 5:
            # Too few lines to know the margin (a signature page): borrow it from the
            # text blocks of the same column kind that contain these lines.
            own = out[key]
            rights = sorted(
                m.right
                for m in full[members[0].column]
                if m.left <= own.left + 10 and m.right >= own.right - 10
            )
            if rights:
                out[key] = _Margins(own.left, max(own.right, rights[len(rights) // 2]))
    return out


def _pitches(rows: list[Row], scanned: set[int]) -> dict[int, float]:
    """The usual baseline-to-baseline distance per font size, over the document;
    for OCR-ed rows one distance for all (under ``OCR_PITCH``)."""
    samples: dict[int, list[float]] = defaultdict(list)
    for p, c in zip(rows, rows[1:], strict=False):
        if (p.page_no, p.region) != (c.page_no, c.region):
            continue
        d = c.top - p.top
        if id(c) in scanned and id(p) in scanned:
            # Tesseract also returns bits of one line as lines a point or two apart
            if 0.6 * min(p.size, c.size) < d < 3 * max(p.size, c.size):
                samples[OCR_PITCH].append(d)
        elif round(p.size) == round(c.size) and 0 < d < 3 * c.size:
            samples[round(c.size)].append(d)
    # The lower quartile: most gaps inside paragraphs, whatever the share of short ones.
    return {
        size: sorted(ds)[len(ds) // 4] for size, ds in samples.items() if len(ds) >= 3
    }


def _vocabulary(rows: list[Row]) -> Counter[str]:
    vocab: Counter[str] = Counter()
    for row in rows:
        vocab.update(_WORD_TOKEN.findall(row.text.lower()))
    return vocab
