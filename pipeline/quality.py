"""How trustworthy a page's text layer is, measured on the text it yielded.

The grade decides what the batch reports: ``no_text`` pages need OCR, ``poor`` pages
are kept but flagged (glyphs that did not map to real characters), ``fair`` and
``good`` pass.
"""

from __future__ import annotations

import re
import unicodedata

from .schema import PageQuality

# A page with fewer non-space characters than this carries no usable text layer: a blank
# page, or a scan whose only "text" is a page number stamped on it ("- 12 -" is four).
MIN_TEXT_CHARS = 5

# Share thresholds (0..1). pdfminer writes "(cid:N)" for each glyph whose font has no
# Unicode map; one such glyph in ten already makes whole words unreadable, while a
# handful (a symbol font's bullet) is harmless, hence 10 % for poor and 1 % for fair.
# The same holds for unprintable characters (private-use, unassigned, U+FFFD).
POOR_CID_SHARE = 0.10
FAIR_CID_SHARE = 0.01
POOR_UNPRINTABLE_SHARE = 0.10
FAIR_UNPRINTABLE_SHARE = 0.01
# Real treaty pages measure 0-5 % implausible tokens (acronyms, names, odd spellings);
# a wrong font encoding ("Ë¨ÌÎ") or doubled overprint ("AARRTT") pushes it past 30 %.
POOR_NONWORD_SHARE = 0.40
FAIR_NONWORD_SHARE = 0.15
# Shares over fewer tokens than this are noise (a page holding a signature block).
MIN_TOKENS_FOR_NONWORD = 20

_CID = re.compile(r"\(cid:\d+\)")
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}.,;:!?*†‡§¶/\\|<>-–—…"
_LATIN_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøœùúûüýÿąęėįųůěő")
_WORD_PARTS = re.compile(r"[-'’./&()\[\]]")
_LONG_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz]{6,}", re.IGNORECASE)


def page_quality(text: str, n_glyphs: int | None = None) -> PageQuality:
    """Grade a page's extracted text.

    Args:
        text: everything the page yielded, furniture included.
        n_glyphs: glyphs drawn on the page, if known; a "(cid:N)" placeholder counts as
            one glyph however many characters it spells.

    Returns:
        The shares and the grade ("good", "fair", "poor" or "no_text").

    Example:
        >>> page_quality("Article 1. The Parties shall cooperate.").grade
        'good'
    """
    n_cid = len(_CID.findall(text))
    plain = _CID.sub("\x00", text)  # one placeholder char per cid glyph
    visible = [c for c in plain if not c.isspace()]
    n_chars = len(visible)
    glyphs = max(n_glyphs or 0, n_chars, 1)
    if n_chars < MIN_TEXT_CHARS:
        return PageQuality(n_chars, 0.0, 0.0, 0.0, "no_text")
    cid_share = n_cid / glyphs
    unprintable = sum(1 for c in visible if c != "\x00" and _is_unprintable(c))
    unprintable_share = unprintable / n_chars
    nonword_share = _nonword_share(plain)
    if (
        cid_share > POOR_CID_SHARE
        or unprintable_share > POOR_UNPRINTABLE_SHARE
        or nonword_share > POOR_NONWORD_SHARE
    ):
        grade = "poor"
    elif (
        cid_share > FAIR_CID_SHARE
        or unprintable_share > FAIR_UNPRINTABLE_SHARE
        or nonword_share > FAIR_NONWORD_SHARE
    ):
        grade = "fair"
    else:
        grade = "good"
    return PageQuality(
        chars=n_chars,
        cid_share=round(cid_share, 4),
        unprintable_share=round(unprintable_share, 4),
        nonword_share=round(nonword_share, 4),
        grade=grade,
    )


def _is_unprintable(c: str) -> bool:
    return c == "\ufffd" or unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn", "Cs")


def _nonword_share(text: str) -> float:
    considered = bad = 0
    for raw in _TOKEN.findall(text):
        token = raw.strip(_EDGE_PUNCT)
        if not token or "\x00" in token:
            continue
        has_alpha = any(c.isalpha() for c in token)
        if not has_alpha:
            # Digits are fine; a run of three or more bare symbols is encoding debris.
            if not any(c.isdigit() for c in token) and len(token) >= 3:
                considered += 1
                bad += 1
            continue
        considered += 1
        if not _plausible_word(token):
            bad += 1
    if considered < MIN_TOKENS_FOR_NONWORD:
        return 0.0
    return bad / considered


def _plausible_word(token: str) -> bool:
    """Script-agnostic shape checks; no dictionary, so French or Spanish pass too."""
    if any(_is_odd_symbol(c) for c in token):
        return False  # mojibake such as "Ã©" or "Ë¨" mixes letters with symbols
    for part in _WORD_PARTS.split(token):
        letters = [c for c in part if c.isalpha()]
        if len(letters) > 1 and all(_is_latin(c) for c in letters):
            if not _plausible_latin("".join(letters)):
                return False
    return True


def _plausible_latin(word: str) -> bool:
    n = len(word)
    if n >= 6 and n % 2 == 0 and all(word[i] == word[i + 1] for i in range(0, n, 2)):
        return False  # overprinted bold read twice: "AARRTTIICCLLEE"
    if _LONG_CONSONANT_RUN.search(word):
        return False
    if word.isupper():
        return True  # acronyms (WTO, CPTPP) need no vowel
    if n >= 4 and not any(c.lower() in _LATIN_VOWELS for c in word):
        return False
    # Case may change only at the start ("Agreement"), or once inside a name
    # ("McDonald", a run-together "ContinuityAgreement"); not "aGreEmEnt".
    inner_caps = sum(1 for c in word[1:] if c.isupper())
    return inner_caps == 0 or (inner_caps == 1 and word[0].isupper())


def _is_odd_symbol(c: str) -> bool:
    cat = unicodedata.category(c)
    return (cat in ("Sk", "So") and c not in "©®™°") or cat in ("Co", "Cn")


def _is_latin(c: str) -> bool:
    return c.isascii() or "LATIN" in unicodedata.name(c, "")
