"""Render a treaty text (one paragraph per line) to PDF in one of four layouts.

Importable module and command-line tool; needs only reportlab (a dev dependency)::

    python scripts/render_pdf.py IN.txt OUT.pdf --layout two-column

Layouts (``LAYOUTS``):

``plain``
    Single column, ragged right, Helvetica 11 pt, space between paragraphs.
``two-column``
    Two columns on every page, Times 10 pt; the title spans both columns on
    page 1; a bare page number ("3") is centred in the footer.
``justified``
    Single column, justified, Times 11 pt, first-line indent.  Long words are
    hyphenated at line ends (a hyphen is inserted: "agree-" / "ment"), and
    compounds that already contain a hyphen ("co-operation") are preferably
    broken after their own hyphen ("co-" / "operation").
``treaty-series``
    Single column, Times 11 pt, alternating running headers (odd pages
    ``header_odd``, even pages ``header_even``), centred page numbers "- 3 -"
    in the footer, and one footnote at the foot of page 1 whose marker "1" is
    set as a raised small digit right after the title.

``two_column_from`` / ``two_column_until`` switch a range of paragraphs to two
columns in any single-column layout (the range starts on a new page; a
leading PART/ANNEX heading of the range spans both columns; the text after the
range starts on a new page again).

How the text is read: blank lines are ignored; every other line is one
paragraph.  The first paragraph is the title.  Lines such as "Article 5",
"ARTICLE V", "Article 3 – Scope", "PART II", "Chapter 2", "ANNEX A" and
"Note No. 1" are headings (bold, on their own line); a short line right after
"Article 5", "PART II" or "ANNEX A" that does not end in punctuation is that
heading's caption (bold too).  "(a)"/"a)" items are indented one level and
"(i)" items two levels, with a hanging indent.

Only the standard PDF fonts are used, with WinAnsi encoding: “ ” ‘ ’ – — é
and the like render as they are; characters outside WinAnsi are replaced by a
close equivalent in the PDF only, and each replacement is listed in
``RenderInfo.notes``.  Output is deterministic (``invariant=1``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

__all__ = [
    "DEFAULT_FOOTNOTE",
    "DEFAULT_HEADER_EVEN",
    "DEFAULT_HEADER_ODD",
    "FOOTNOTE_MARKER",
    "LAYOUTS",
    "Para",
    "RenderInfo",
    "hyphenation_points",
    "parse_paragraphs",
    "render",
    "sanitize",
]

LAYOUTS = ("plain", "two-column", "justified", "treaty-series")

DEFAULT_HEADER_ODD = "TREATY SERIES — No. 12 — Arden and Westmark"
DEFAULT_HEADER_EVEN = "Agreement on the Status of Forces"
DEFAULT_FOOTNOTE = (
    "Came into force on 1 August 2024 by the exchange of the notifications "
    "provided for in article 21 (1)."
)
FOOTNOTE_MARKER = "1"

PAGE_W, PAGE_H = A4


@dataclass
class RenderInfo:
    """What a rendered PDF contains besides the text itself.

    ``header_texts`` / ``footer_texts``: the distinct running-header and footer
    strings, in order of first use (footers are one per page, so that list is
    in page order).  None of them belongs to any clause.  ``footnote_text`` is
    the footnote without its marker; on the page it reads
    ``footnote_marker + " " + footnote_text`` and the marker also follows the
    title.  ``soft_hyphenations`` lists words split at a line end with an
    inserted hyphen (to be joined without the hyphen); ``hard_hyphen_breaks``
    lists words that contain their own hyphen and were broken right after it
    (to be joined keeping the hyphen).
    """

    pages: int
    header_texts: list[str] = field(default_factory=list)
    footer_texts: list[str] = field(default_factory=list)
    footnote_text: str | None = None
    layout: str = "plain"
    footnote_marker: str | None = None
    two_column_pages: list[int] = field(default_factory=list)
    soft_hyphenations: list[str] = field(default_factory=list)
    hard_hyphen_breaks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# Reading the text
# --------------------------------------------------------------------------

_ROMAN = r"[IVXLC]+"
_RE_ARTICLE = re.compile(rf"^(Article|ARTICLE)\s+(\d+[A-Za-z]?|{_ROMAN})\b")
_RE_GROUP = re.compile(
    rf"^(PART|Part|CHAPTER|Chapter|SECTION|Section|TITLE)\s+(\d+|{_ROMAN}|[A-Z])\b"
)
_RE_ANNEX = re.compile(r"^(ANNEX|Annex|APPENDIX|Appendix|SCHEDULE|Schedule)\b")
_RE_NOTE = re.compile(r"^Note\s+No\.\s*\d+")
_RE_NUMBERED = re.compile(r"^(\d+\.|\(\d+\))\s")
_RE_LETTER = re.compile(r"^(\(([a-z])\)|([a-z])\))\s")
_RE_ROMAN_ITEM = re.compile(r"^\((i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)\)\s")


@dataclass
class Para:
    """One paragraph (one input line) and how it is typeset."""

    index: int  # 0-based among non-empty lines
    text: str
    kind: str  # "title" | "heading" | "caption" | "body"
    level: int = 0  # 0 body/numbered, 1 lettered, 2 roman
    label: str = ""  # list label such as "(a)" (for the hanging indent)
    group: bool = False  # PART/CHAPTER/ANNEX heading or its caption


def _is_heading_line(s: str) -> bool:
    if len(s) > 70 or s.endswith((".", ";", ",")):
        return False
    return bool(
        _RE_ARTICLE.match(s)
        or _RE_GROUP.match(s)
        or _RE_ANNEX.match(s)
        or _RE_NOTE.match(s)
    )


def parse_paragraphs(text: str) -> list[Para]:
    """Split ``text`` into paragraphs and classify them (see module doc)."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    paras: list[Para] = []
    prev_heading = False
    last_letter = ""
    for i, s in enumerate(lines):
        if i == 0:
            paras.append(Para(i, s, "title"))
            prev_heading = False
            continue
        if _is_heading_line(s):
            group = bool(_RE_GROUP.match(s) or _RE_ANNEX.match(s))
            paras.append(Para(i, s, "heading", group=group))
            # "Article 3 – Scope" carries its caption on the same line.
            prev_heading = not re.search(r"\s[–—-]\s", s) and not _RE_NOTE.match(s)
            continue
        if (
            prev_heading
            and len(s) <= 90
            and not s.endswith((".", ";", ":", ","))
            and not _RE_NUMBERED.match(s)
            and not _RE_LETTER.match(s)
        ):
            paras.append(Para(i, s, "caption", group=paras[-1].group))
            prev_heading = False
            continue
        prev_heading = False
        m_roman = _RE_ROMAN_ITEM.match(s)
        m_letter = _RE_LETTER.match(s)
        if m_roman and not (
            m_letter
            and m_letter.group(2)
            and last_letter
            and ord(m_letter.group(2)) == ord(last_letter) + 1
        ):
            paras.append(Para(i, s, "body", level=2, label=m_roman.group(0).strip()))
        elif m_letter:
            last_letter = m_letter.group(2) or m_letter.group(3)
            paras.append(Para(i, s, "body", level=1, label=m_letter.group(1)))
        else:
            m_num = _RE_NUMBERED.match(s)
            if m_num:
                last_letter = ""
            paras.append(
                Para(i, s, "body", level=0, label=m_num.group(1) if m_num else "")
            )
    return paras


# --------------------------------------------------------------------------
# Characters
# --------------------------------------------------------------------------

_REPLACEMENTS = {
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\u200b": "",
    "\u00ad": "",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "–",
    "\u2015": "—",
    "\u2212": "-",
    "\u2032": "'",
    "\u2033": '"',
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2116": "No.",
    "\u2153": "1/3",
    "\u2154": "2/3",
    "\u0141": "L",
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
    "\u0126": "H",
    "\u0127": "h",
}


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def sanitize(text: str) -> tuple[str, list[str]]:
    """Replace characters outside WinAnsi (cp1252) by close equivalents.

    Returns the text to draw and one note per replaced character.
    """
    out: list[str] = []
    counts: Counter[tuple[str, str]] = Counter()
    for ch in text:
        if ch == "\n" or _encodable(ch):
            out.append(ch)
            continue
        rep = _REPLACEMENTS.get(ch)
        if rep is None:
            base = unicodedata.normalize("NFKD", ch)
            base = "".join(c for c in base if not unicodedata.combining(c))
            rep = base if base and all(_encodable(c) for c in base) else "?"
        out.append(rep)
        counts[(ch, rep)] += 1
    notes = [
        f"U+{ord(ch):04X} {unicodedata.name(ch, '?')} rendered as {rep!r} ({n}x)"
        for (ch, rep), n in sorted(counts.items())
    ]
    return "".join(out), notes


# --------------------------------------------------------------------------
# Hyphenation
# --------------------------------------------------------------------------

_VOWELS = set("aeiouyAEIOUYàáâäèéêëìíîïòóôöùúûüÀÁÂÄÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜ")
_PUNCT = "\"'“”‘’()[],.;:!?"
_RE_CORE = re.compile(r"^([^\w]*)([^\W\d_]+)([^\w]*)$")


def hyphenation_points(word: str, min_side: int = 3) -> list[int]:
    """Break positions in an alphabetic ``word`` (a simple hyphenator).

    A break is allowed between a vowel and a following consonant that is itself
    followed by a vowel (V-CV, "agree-ment", "terri-tory"), with at least
    ``min_side`` letters on either side.  Words under 7 letters and words in
    capitals are never broken.
    """
    if len(word) < 7 or not word.isalpha() or word.isupper():
        return []
    pts = []
    for p in range(min_side, len(word) - min_side + 1):
        a, b = word[p - 1], word[p]
        after = word[p + 1] if p + 1 < len(word) else ""
        if a in _VOWELS and b not in _VOWELS and after and after in _VOWELS:
            pts.append(p)
    return pts


# --------------------------------------------------------------------------
# Layout settings
# --------------------------------------------------------------------------


@dataclass
class _Cfg:
    font: str
    bold: str
    size: float
    leading: float
    gap: float  # space between paragraphs
    first_indent: float  # first-line indent of level-0 paragraphs
    level_indent: float
    margin_l: float
    margin_r: float
    margin_t: float
    margin_b: float
    columns: int = 1
    gutter: float = 20.0
    justify: bool = False
    hyphenate: bool = False
    heading_align: str = "left"
    title_size: float = 14.0
    header: bool = False
    footer: str = "none"  # "none" | "bare" | "dashed"
    footnote: bool = False


def _config(layout: str, seed: int) -> _Cfg:
    if layout == "plain":
        cfg = _Cfg("Helvetica", "Helvetica-Bold", 11, 14, 7, 0, 22, 72, 72, 72, 72)
    elif layout == "two-column":
        cfg = _Cfg(
            "Times-Roman",
            "Times-Bold",
            10,
            12.2,
            5,
            0,
            14,
            54,
            54,
            60,
            64,
            columns=2,
            title_size=13,
            footer="bare",
        )
    elif layout == "justified":
        cfg = _Cfg(
            "Times-Roman",
            "Times-Bold",
            11,
            13.6,
            2.5,
            18,
            22,
            78,
            78,
            72,
            72,
            justify=True,
            hyphenate=True,
            heading_align="center",
        )
    elif layout == "treaty-series":
        cfg = _Cfg(
            "Times-Roman",
            "Times-Bold",
            11,
            14,
            6,
            0,
            22,
            72,
            72,
            86,
            80,
            heading_align="center",
            header=True,
            footer="dashed",
            footnote=True,
        )
    else:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    if seed:
        rng = random.Random(seed)
        if layout == "plain":
            cfg.font, cfg.bold = rng.choice(
                [("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold")]
            )
        shift = rng.uniform(-8, 8)
        cfg.margin_l += shift
        cfg.margin_r -= shift
        cfg.gap *= rng.choice([0.8, 1.0, 1.25])
    return cfg


# --------------------------------------------------------------------------
# Line breaking
# --------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    indent: float  # from the left edge of the frame
    width: float  # available width (for justification)
    justify: bool


class _Breaker:
    def __init__(self, font: str, size: float, hyphenate: bool, threshold: float):
        self.font, self.size = font, size
        self.hyphenate, self.threshold = hyphenate, threshold
        self.soft: list[str] = []
        self.hard: list[str] = []

    def w(self, s: str) -> float:
        return stringWidth(s, self.font, self.size)

    def _compound_splits(self, word: str) -> list[tuple[str, str]]:
        out = []
        for m in re.finditer(r"(?<=[^\W\d_])-(?=[^\W\d_])", word):
            out.append((word[: m.end()], word[m.end() :]))
        return out

    def _soft_splits(self, word: str) -> list[tuple[str, str]]:
        m = _RE_CORE.match(word)
        if not m:
            return []
        pre, core, post = m.groups()
        return [
            (pre + core[:p] + "-", core[p:] + post) for p in hyphenation_points(core)
        ]

    def wrap(
        self, text: str, first_width: float, rest_width: float
    ) -> list[tuple[str, bool]]:
        """Return (line text, is_last_line) pairs."""
        words = text.split()
        lines: list[tuple[str, bool]] = []
        cur: list[str] = []
        while words:
            avail = first_width if not lines else rest_width
            word = words[0]
            trial = " ".join(cur + [word])
            if self.w(trial) <= avail or not cur and self.w(word) > avail:
                cur.append(words.pop(0))
                if not cur[1:] and self.w(word) > avail:  # over-long word
                    lines.append((" ".join(cur), False))
                    cur = []
                continue
            if self.hyphenate:
                broke = self._try_break(cur, words, avail)
                if broke is not None:
                    lines.append((" ".join(broke), False))
                    cur = []
                    continue
            lines.append((" ".join(cur), False))
            cur = []
        if cur:
            lines.append((" ".join(cur), True))
        elif lines:
            lines[-1] = (lines[-1][0], True)
        return lines

    def _try_break(
        self, cur: list[str], words: list[str], avail: float
    ) -> list[str] | None:
        """Choose a hyphenated line end; mutate ``words``; None for no break."""
        word = words[0]
        room = avail - self.w(" ".join(cur) + " ")
        # 1. the overflowing word is a compound: break after its own hyphen
        fits = [s for s in self._compound_splits(word) if self.w(s[0]) <= room]
        if fits:
            head, tail = fits[-1]
            words[0] = tail
            self.hard.append(word.strip(_PUNCT))
            return cur + [head]
        # 2. a compound near the end of the line: break there if the line
        #    stays well filled
        best = None
        for j in range(len(cur) - 1, max(-1, len(cur) - 4), -1):
            for head, tail in self._compound_splits(cur[j]):
                line = cur[:j] + [head]
                lw = self.w(" ".join(line))
                if lw <= avail and lw >= self.threshold * avail:
                    if best is None or lw > best[0]:
                        best = (lw, j, head, tail)
        if best is not None:
            _, j, head, tail = best
            words[:0] = [tail] + cur[j + 1 :]
            self.hard.append(cur[j].strip(_PUNCT))
            return cur[:j] + [head]
        # 3. soft hyphenation of the overflowing word
        fits = [s for s in self._soft_splits(word) if self.w(s[0]) <= room]
        if fits:
            head, tail = fits[-1]
            words[0] = tail
            m = _RE_CORE.match(word)
            self.soft.append(m.group(2) if m else word)
            return cur + [head]
        return None


# --------------------------------------------------------------------------
# Pages and flow
# --------------------------------------------------------------------------


@dataclass
class _Op:
    x: float
    y: float  # baseline
    text: str
    font: str
    size: float
    word_space: float = 0.0


@dataclass
class _Frame:
    x: float
    width: float
    top: float
    bottom: float


@dataclass
class _Page:
    no: int
    columns: int
    frames: list[_Frame]
    ops: list[_Op] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)


class _Flow:
    def __init__(self, cfg: _Cfg, footnote_height: float):
        self.cfg = cfg
        self.footnote_height = footnote_height
        self.pages: list[_Page] = []
        self.fi = 0
        self.y = 0.0

    # geometry -----------------------------------------------------------
    def col_width(self, columns: int) -> float:
        c = self.cfg
        full = PAGE_W - c.margin_l - c.margin_r
        return full if columns == 1 else (full - c.gutter) / 2

    def new_page(self, columns: int) -> None:
        c = self.cfg
        if self.pages and not self.pages[-1].ops:
            self.pages.pop()  # never leave an empty page behind
        no = len(self.pages) + 1
        bottom = c.margin_b + (self.footnote_height if no == 1 else 0)
        top = PAGE_H - c.margin_t
        cw = self.col_width(columns)
        frames = [
            _Frame(c.margin_l + k * (cw + c.gutter), cw, top, bottom)
            for k in range(columns)
        ]
        self.pages.append(_Page(no, columns, frames))
        self.fi = 0
        self.y = top

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    @property
    def frame(self) -> _Frame:
        return self.page.frames[self.fi]

    def at_top(self) -> bool:
        return self.y >= self.frame.top - 0.01

    def fresh_page(self) -> bool:
        return self.fi == 0 and self.at_top()

    def next_frame(self) -> None:
        if self.fi + 1 < len(self.page.frames):
            self.fi += 1
            self.y = self.frame.top
        else:
            self.new_page(self.page.columns)

    def space(self, gap: float) -> None:
        if not self.at_top():
            self.y -= gap

    def room(self) -> float:
        return self.y - self.frame.bottom

    # placing ------------------------------------------------------------
    def place_line(
        self,
        line: _Line,
        font: str,
        size: float,
        leading: float,
        align: str,
        measure: float,
    ) -> _Op:
        if self.y - leading < self.frame.bottom - 0.01:
            self.next_frame()
        self.y -= leading
        base = self.y + (leading - size) * 0.35
        fr = self.frame
        x = fr.x + line.indent
        ws = 0.0
        if align == "center":
            x = fr.x + (fr.width - measure) / 2
        elif line.justify:
            n = line.text.count(" ")
            if n:
                ws = (line.width - measure) / n
        op = _Op(x, base, line.text, font, size, ws)
        self.page.ops.append(op)
        return op

    def span(
        self,
        lines: list[tuple[_Line, str, float, float, str, float]],
        after: float,
    ) -> _Op | None:
        """Place lines across the full text width at the top of a fresh
        two-column page, then start both columns ``after`` points below."""
        c = self.cfg
        full = PAGE_W - c.margin_l - c.margin_r
        op = None
        for line, font, size, leading, align, measure in lines:
            self.y -= leading
            base = self.y + (leading - size) * 0.35
            x = c.margin_l + (full - measure) / 2 if align == "center" else c.margin_l
            op = _Op(x, base, line.text, font, size)
            self.page.ops.append(op)
        self.y -= after
        for fr in self.page.frames:
            fr.top = self.y
        return op


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _find(paras: list[Para], key: int | str | None, start: int = 0) -> int | None:
    if key is None:
        return None
    if isinstance(key, int):
        return key
    for p in paras[start:]:
        if p.text == key:
            return p.index
    for p in paras[start:]:
        if p.text.startswith(key):
            return p.index
    raise ValueError(f"no paragraph starts with {key!r}")


def _layout(
    paras: list[Para],
    cfg: _Cfg,
    threshold: float,
    col_from: int | None,
    col_until: int | None,
    footnote: str | None,
):
    c = cfg
    fn_lines: list[str] = []
    fn_height = 0.0
    fn_size, fn_leading = 8.0, 10.0
    width1 = PAGE_W - c.margin_l - c.margin_r
    if footnote:
        fb = _Breaker(c.font, fn_size, False, 1.0)
        marker_w = stringWidth(FOOTNOTE_MARKER + " ", c.font, fn_size)
        fn_lines = [
            t for t, _ in fb.wrap(footnote, width1 - marker_w, width1 - marker_w)
        ]
        fn_height = len(fn_lines) * fn_leading + 18
    flow = _Flow(c, fn_height)
    breaker = _Breaker(c.font, c.size, c.hyphenate, threshold)
    bold_breaker = _Breaker(c.bold, c.size, False, 1.0)
    title_breaker = _Breaker(c.bold, c.title_size, False, 1.0)

    def columns_for(idx: int) -> int:
        if c.columns == 2:
            return 2
        if (
            col_from is not None
            and idx >= col_from
            and (col_until is None or idx < col_until)
        ):
            return 2
        return 1

    flow.new_page(columns_for(0))
    title_op: _Op | None = None
    i = 0
    while i < len(paras):
        p = paras[i]
        cols = columns_for(p.index)
        if cols != flow.page.columns:
            flow.new_page(cols)
        cw = flow.col_width(cols)
        if p.kind == "title":
            lines = title_breaker.wrap(
                p.text, width1 if cols == 2 else cw, width1 if cols == 2 else cw
            )
            items = [
                (
                    _Line(t, 0, cw, False),
                    c.bold,
                    c.title_size,
                    c.title_size * 1.3,
                    "center",
                    stringWidth(t, c.bold, c.title_size),
                )
                for t, _ in lines
            ]
            if cols == 2:
                title_op = flow.span(items, c.gap * 2.5)
            else:
                for it in items:
                    title_op = flow.place_line(*it)
                flow.y -= c.gap * 2.5
            i += 1
            continue
        if p.kind in ("heading", "caption"):
            # group the heading with its caption; keep them with what follows
            group = [p]
            while (
                i + len(group) < len(paras) and paras[i + len(group)].kind == "caption"
            ):
                group.append(paras[i + len(group)])
            nxt = paras[i + len(group)] if i + len(group) < len(paras) else None
            # an annex or a further note of an exchange starts on a new page
            if (
                (_RE_ANNEX.match(p.text) or _RE_NOTE.match(p.text))
                and paras[i - 1].kind != "title"
                and not flow.fresh_page()
            ):
                flow.new_page(cols)
            spanning = cols == 2 and c.columns == 1 and flow.fresh_page() and p.group
            hw = width1 if spanning else cw
            head_lines = []
            for g in group:
                for t, _ in bold_breaker.wrap(g.text, hw, hw):
                    head_lines.append(
                        (
                            _Line(t, 0, hw, False),
                            c.bold,
                            c.size,
                            c.leading,
                            c.heading_align,
                            stringWidth(t, c.bold, c.size),
                        )
                    )
            if spanning:
                flow.span(
                    [(*hl[:4], "center", hl[5]) for hl in head_lines], c.gap * 1.5
                )
            else:
                flow.space(max(c.gap * 2, c.leading * 0.6))
                need = len(head_lines) * c.leading + c.gap + 2 * c.leading
                if nxt is None:
                    need = len(head_lines) * c.leading
                if flow.room() < need and not flow.at_top():
                    flow.next_frame()
                for hl in head_lines:
                    flow.place_line(*hl)
            i += len(group)
            continue
        # body paragraph
        indent = p.level * c.level_indent
        hang = 0.0
        if p.level >= 1 and p.label:
            hang = stringWidth(p.label + " ", c.font, c.size)
            hang = max(hang, c.level_indent * 0.9)
        first_extra = c.first_indent if p.level == 0 and c.first_indent else 0.0
        first_w = cw - indent - first_extra
        rest_w = cw - indent - hang
        flow.space(c.gap)
        wrapped = breaker.wrap(p.text, first_w, rest_w)
        for k, (t, last) in enumerate(wrapped):
            ind = indent + (first_extra if k == 0 else hang)
            avail = first_w if k == 0 else rest_w
            flow.place_line(
                _Line(t, ind, avail, c.justify and not last),
                c.font,
                c.size,
                c.leading,
                "left",
                stringWidth(t, c.font, c.size),
            )
        i += 1
    return flow, title_op, fn_lines, breaker


def render(
    text: str,
    out: Path,
    layout: str,
    *,
    title: str | None = None,
    header_odd: str | None = None,
    header_even: str | None = None,
    seed: int = 0,
    two_column_from: int | str | None = None,
    two_column_until: int | str | None = None,
    footnote: str | None = None,
) -> RenderInfo:
    """Render ``text`` (one paragraph per line) to the PDF file ``out``.

    ``title``: the PDF's metadata title (default: the first line of the text,
    which is always the typeset title).
    ``header_odd`` / ``header_even`` / ``footnote`` apply to ``treaty-series``
    only (defaults ``DEFAULT_HEADER_ODD``, ``DEFAULT_HEADER_EVEN``,
    ``DEFAULT_FOOTNOTE``).  ``seed`` 0 gives the documented look; other seeds
    vary margins, paragraph spacing and (``plain``) the font family.
    ``two_column_from`` / ``two_column_until``: paragraph index (0-based over
    non-empty lines, title included) or the text a paragraph starts with;
    that range (until is exclusive) is set in two columns.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    out = Path(out)
    cfg = _config(layout, seed)
    drawn, notes = sanitize(text)
    paras = parse_paragraphs(drawn)
    if not paras:
        raise ValueError("empty text")
    col_from = _find(paras, two_column_from)
    col_until = _find(paras, two_column_until, (col_from or 0) + 1)

    fn_text = None
    if cfg.footnote:
        fn_text, fn_notes = sanitize(footnote or DEFAULT_FOOTNOTE)
        notes += [n for n in fn_notes if n not in notes]
    h_odd = h_even = None
    if cfg.header:
        h_odd, n1 = sanitize(header_odd or DEFAULT_HEADER_ODD)
        h_even, n2 = sanitize(header_even or DEFAULT_HEADER_EVEN)
        notes += [n for n in n1 + n2 if n not in notes]

    has_compound = cfg.hyphenate and re.search(r"[^\W\d_]-[^\W\d_]", drawn)
    for threshold in (0.8, 0.7, 0.6, 0.5):
        flow, title_op, fn_lines, breaker = _layout(
            paras, cfg, threshold, col_from, col_until, fn_text
        )
        if not has_compound or breaker.hard:
            break

    pdf_title = title or paras[0].text
    cv = rl_canvas.Canvas(str(out), pagesize=A4, invariant=1, pageCompression=1)
    cv.setTitle(pdf_title)
    cv.setAuthor("treaty-clauses sample renderer")
    cv.setSubject(f"layout: {layout}")
    cv.setCreator("scripts/render_pdf.py")

    info = RenderInfo(pages=len(flow.pages), layout=layout, notes=notes)
    for page in flow.pages:
        if page.columns == 2:
            info.two_column_pages.append(page.no)
        if cfg.header:
            htext = h_odd if page.no % 2 else h_even
            hsize = 9.0
            hw = stringWidth(htext, "Times-Italic", hsize)
            hy = PAGE_H - cfg.margin_t + 30
            cv.setFont("Times-Italic", hsize)
            cv.drawString((PAGE_W - hw) / 2, hy, htext)
            cv.setLineWidth(0.4)
            cv.line(cfg.margin_l, hy - 5, PAGE_W - cfg.margin_r, hy - 5)
            if htext not in info.header_texts:
                info.header_texts.append(htext)
        if cfg.footer != "none":
            ftext = f"- {page.no} -" if cfg.footer == "dashed" else str(page.no)
            fw = stringWidth(ftext, cfg.font, 9.5)
            cv.setFont(cfg.font, 9.5)
            cv.drawString((PAGE_W - fw) / 2, cfg.margin_b - 34, ftext)
            info.footer_texts.append(ftext)
        for op in page.ops:
            t = cv.beginText(op.x, op.y)
            t.setFont(op.font, op.size)
            # Tw is part of the PDF text state and outlives BT/ET: always set it
            t.setWordSpace(op.word_space)
            t.textOut(op.text)
            cv.drawText(t)
        if page.no == 1 and fn_text and fn_lines:
            # reference mark after the title, then the note at the page foot
            if title_op is not None:
                tw = stringWidth(title_op.text, title_op.font, title_op.size)
                cv.setFont(cfg.font, 7.5)
                cv.drawString(title_op.x + tw + 1.2, title_op.y + 5.5, FOOTNOTE_MARKER)
            y = cfg.margin_b + len(fn_lines) * 10.0 + 4
            cv.setLineWidth(0.5)
            cv.line(cfg.margin_l, y + 6, cfg.margin_l + 120, y + 6)
            mw = stringWidth(FOOTNOTE_MARKER, cfg.font, 6) + 4.5
            cv.setFont(cfg.font, 6)
            cv.drawString(cfg.margin_l, y - 8 + 2.5, FOOTNOTE_MARKER)
            cv.setFont(cfg.font, 8)
            for k, ln in enumerate(fn_lines):
                cv.drawString(cfg.margin_l + mw, y - 8 - k * 10.0, ln)
            info.footnote_text = fn_text
            info.footnote_marker = FOOTNOTE_MARKER
        cv.showPage()
    cv.save()
    info.soft_hyphenations = list(breaker.soft)
    info.hard_hyphen_breaks = list(breaker.hard)
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", type=Path, help="UTF-8 text, one paragraph per line")
    ap.add_argument("output", type=Path, help="PDF file to write")
    ap.add_argument("--layout", choices=LAYOUTS, default="plain")
    ap.add_argument("--title")
    ap.add_argument("--header-odd")
    ap.add_argument("--header-even")
    ap.add_argument("--footnote")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--two-column-from", help="paragraph index or text it starts with")
    ap.add_argument("--two-column-until", help="paragraph index or text (exclusive)")
    ap.add_argument("--json", action="store_true", help="print RenderInfo as JSON")
    a = ap.parse_args(argv)

    def key(v: str | None) -> int | str | None:
        return int(v) if v is not None and v.isdigit() else v

    info = render(
        a.input.read_text(encoding="utf-8"),
        a.output,
        a.layout,
        title=a.title,
        header_odd=a.header_odd,
        header_even=a.header_even,
        seed=a.seed,
        two_column_from=key(a.two_column_from),
        two_column_until=key(a.two_column_until),
        footnote=a.footnote,
    )
    if a.json:
        print(json.dumps(asdict(info), ensure_ascii=False, indent=2))
    else:
        print(f"{a.output}: {info.pages} pages, layout {info.layout}")
        for n in info.notes:
            print(f"note: {n}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
