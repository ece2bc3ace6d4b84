"""Recognisers for treaty drafting conventions: headings and enumeration markers.

Pure functions over one paragraph (one line of ``Document.text``); the segmenter
decides what they mean in context. Patterns are tuned on the corpus texts, which
run numbers into words ("1.The"), headings into text ("PreambleThe States") and
drop spaces after punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROMAN = r"[IVXLC]+"
_NUM = rf"(?:\d{{1,3}}|{ROMAN}|premier|1er|[A-Z](?![a-z]))"
_SUFFIX = r"(?:\s*(?:bis|ter|quater|quinquies)\b)?"

ARTICLE_RE = re.compile(
    rf"^\*?(?:(?P<re>Re:?\s+)?(?:Article|ARTICLE|Art\.|Artikel|ARTIKEL))\s*(?P<num>{_NUM}(?:\.\d+)?{_SUFFIX})"
    r"(?P<rest>.*)$"
)
GROUP_RE = re.compile(
    r"^\*?(?P<kind>PART|Part|CHAPTER|Chapter|SECTION|Section|TITLE|Title|TITRE|Titre|"
    r"CHAPITRE|Chapitre|SUB-SECTION|Subsection)\s*"
    rf"(?P<num>\d{{1,3}}|{ROMAN}|[A-Z](?![a-z])|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|"
    r"NINE|TEN)\b"
    # "PART IV (A)", "PART IV (B)": lettered parts (the CWC's Verification Annex)
    r"(?:\s*\((?P<sub>[A-Z])\)(?=\s*$))?\.?(?P<rest>.*)$"
)
CONTAINER_RE = re.compile(
    r"^\*?\s*(?P<kind>ANNEX|Annex|APPENDIX|Appendix|SCHEDULE|Schedule|PROTOCOL|Protocol|"
    r"ATTACHMENT|Attachment|ENCLOSURE|Enclosure|ANNEXE|Annexe|ADDENDUM|Addendum)"
    r"(?P<rest>.*)$"
)
# "Technical Annex" on a line of its own: a qualified annex heading. Only the whole
# line, so that running text ("This Technical Annex contains ...") stays text.
QUALIFIED_CONTAINER_RE = re.compile(
    r"^\*?\s*(?:Technical|Financial|Administrative|Implementing|Security|TECHNICAL|"
    r"FINANCIAL|ADMINISTRATIVE|IMPLEMENTING|SECURITY)\s+"
    r"(?P<kind>ANNEX|Annex|APPENDIX|Appendix|SCHEDULE|Schedule)"
    r"(?P<rest>(?:\s+(?:No\.?\s*)?(?:\d{1,3}|[IVXLC]+|[A-Z]))?)\.?\*?\s*$"
)
LETTER_RE = re.compile(
    r"^(?:Nr\.|No\.|Note No\.?:?|NOTE NO\.?)\s*(?P<num>\d{1,4}|" + ROMAN + r")\s*$"
)
# "PreambleThe States Parties": the corpus runs the heading into the text
PREAMBLE_RE = re.compile(
    r"^\*?\s*(?:PREAMBLE|Preamble|Préambule|PRÉAMBULE)(?![a-z])\*?"
)
AGREED_RE = re.compile(
    r"(?:ha(?:ve|s)\s+agreed|hereby\s+agree|agree(?:d)?)\s+(?:as\s+follows|upon\s+the"
    r"\s+following)\s*:?|sont\s+convenu(?:e)?s\s+de\s+ce\s+qui\s+suit\s*:?|"
    r"ont\s+convenu\s+(?:de\s+ce\s+qui\s+suit|des\s+dispositions\s+suivantes)\s*:?",
    re.IGNORECASE,
)
TESTIMONIUM_RE = re.compile(
    r"^\*?(?:IN\s+WITNESS|In\s+witness|EN\s+FOI|En\s+foi|DONE\s|Done\s|FAIT\s|Fait\s)"
)
SIGNATURE_RE = re.compile(
    r"^\*?(?:\(s(?:d|gd)?\.\)|\(signed\)|\(get\.\)|For\s+the\s|FOR\s+THE\s|Pour\s+le|"
    r"POUR\s+LE|On\s+behalf\s+of|ON\s+BEHALF\s+OF)"
)

# Enumeration markers at the start of a paragraph. Order matters: the first match wins.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dec", re.compile(r"^(\d{1,3}(?:\.\d{1,3})+)\.?(?=\s|[A-Z“\"'(]|$)")),
    ("num", re.compile(r"^(\d{1,3})(?:\.(?!\d)|\)(?!\)))\s*")),
    ("pnum", re.compile(r"^\((\d{1,3})\)\s*")),
    ("roman", re.compile(r"^\(((?:x{0,3})(?:ix|iv|v?i{0,3}))\)\s*")),
    ("alpha", re.compile(r"^\(([a-z]{1,2})\)\s*")),
    ("ALPHA", re.compile(r"^\(([A-Z])\)\s*")),
    # "b)." is how some Dutch-published English texts write "b)"
    (
        "roman",
        re.compile(
            r"^((?:x{0,3})(?:ix|iv|v?i{0,3}))(?:\)\.?|\.)(?=\s|[A-Za-z“\"'])\s*"
        ),
    ),
    ("alpha", re.compile(r"^([a-z])(?:\)\.?|\.)(?=\s|[A-Za-z“\"'*])\s*")),
    ("ROMAN", re.compile(r"^((?:X{0,3})(?:IX|IV|V?I{0,3}))\.(?=\s|[A-Z])\s*")),
    ("ALPHA", re.compile(r"^([A-Z])[.)](?=\s)\s*")),
)

RECITAL_WORDS = (
    "Considering|Recognizing|Recognising|Desiring|Desirous|Wishing|Noting|Aware|"
    "Convinced|Reaffirming|Bearing in mind|Having regard|Mindful|Determined|"
    "Taking into account|Taking account|Acknowledging|Emphasizing|Emphasising|"
    "Believing|Resolved|Recalling|Affirming|Seeking|Welcoming|Concerned|Deeply "
    "concerned|Conscious|Anxious|Guided|Persuaded|Intending|Realizing|Realising|"
    "Stressing|Underlining|Declaring|Basing themselves|Being convinced|In view of|"
    "Further recalling|Recalling also|Noting also|Expressing|Confirming|Reiterating|"
    "Having considered|Having decided|Having examined|Taking note|Observing|Sharing|"
    "Motivated|Inspired|Hoping|Endeavouring|Convaincus|Considérant|Désireux|Soucieux|"
    "Reconnaissant|Rappelant|Conscients|Résolus|Animés|Prenant"
)
RECITAL_START_RE = re.compile(rf"(?:[,;.]\s*|^)(?=(?:{RECITAL_WORDS})\b)")
# a recital also ends at "; " before a capital ("...its members; Recognising ...")
RECITAL_SEMICOLON_RE = re.compile(r";\s*(?=[A-Z])")

_ALPHA_ROMAN_AMBIGUOUS = {"i", "v", "x", "l", "c", "ii"}


@dataclass(frozen=True, slots=True)
class Marker:
    kind: str  # "dec" | "num" | "pnum" | "alpha" | "ALPHA" | "roman"
    value: str  # "2", "1.1", "b", "iv"
    length: int  # characters the marker occupies, trailing space included

    @property
    def depth(self) -> int:
        return self.value.count(".") + 1 if self.kind == "dec" else 1


def find_marker(text: str) -> Marker | None:
    """Enumeration marker at the start of ``text`` ("1.", "(a)", "iv)", "1.1.")."""
    for kind, rx in _MARKERS:
        m = rx.match(text)
        if m and m.group(1):
            value = m.group(1)
            if kind == "num" and int(value) > 300:
                return None  # a year or a quantity, not a paragraph number
            return Marker(
                "num" if kind == "dec" and "." not in value else kind, value, m.end()
            )
    return None


def is_roman_candidate(value: str) -> bool:
    return value in _ALPHA_ROMAN_AMBIGUOUS


def next_alpha(value: str) -> str:
    return chr(ord(value[-1]) + 1) if value else "a"


def roman_to_int(value: str) -> int:
    vals = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total, prev = 0, 0
    for ch in reversed(value.lower()):
        v = vals.get(ch, 0)
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def looks_like_heading(text: str, *, max_words: int = 14, max_chars: int = 160) -> bool:
    """A short title line: no sentence punctuation at the end, starts upper-case."""
    t = text.strip().strip("*").strip()
    if not t or len(t.split()) > max_words or len(t) > max_chars:
        return False
    if t[-1] in ".;:," and not t.endswith("etc."):
        return False
    if find_marker(t) is not None or SIGNATURE_RE.match(t):
        return False
    first = t.lstrip("“\"'(–-— ")[:1]
    return first.isupper() or first.isdigit()


def norm_num(num: str) -> str:
    """'V' -> 'v', '5 bis' -> '5bis', 'premier' -> '1'."""
    num = num.strip().rstrip(".")
    if num in ("premier", "1er"):
        return "1"
    return re.sub(r"\s+", "", num).lower()
