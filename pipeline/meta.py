"""Document metadata (title, parties, place and date of signature, language).

Every value keeps the character span it was read from, so an analyst can check it.
Runs after segmentation because it reads the title heading, the preamble and the
testimonium ("Done at ... on ...").
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from pipeline.schema import Document, MetaField, TreatyMeta

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split()
    )
}
_MONTHS_FR = {
    m: i + 1
    for i, m in enumerate(
        "janvier février mars avril mai juin juillet août septembre octobre novembre "
        "décembre".split()
    )
}
_DATE_RE = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th|er)?(?:\s+day\s+of)?\s+(?P<m>[A-Za-zéû]+),?\s+(?P<y>\d{4})"
    r"|(?P<m2>[A-Z][a-z]+)\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4})"
)
_DONE_RE = re.compile(
    r"\b(?:DONE|Done|FAIT|Fait)\b(?:\s+in\s+(?:duplicate|triplicate|\w+\s+originals?))?"
    r",?\s+(?:at|in|à)\s+(?P<place>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})"
)
_PARTY = (
    r"(?:the\s+)?(?:Government\s+of\s+(?:the\s+)?|Kingdom\s+of\s+|Republic\s+of\s+|"
    r"State\s+of\s+|United\s+|Federal\s+|Grand\s+Duchy\s+of\s+|Swiss\s+|French\s+|"
    r"Italian\s+|Hellenic\s+|Principality\s+of\s+|Sultanate\s+of\s+|"
    r"European\s+|North\s+Atlantic\s+|International\s+|Organi[sz]ation\s+)"
    r"[A-Z][\w'’-]*(?:\s+(?:of\s+|the\s+|and\s+Northern\s+|for\s+)?[A-Z][\w'’-]*){0,7}"
)
_BETWEEN_RE = re.compile(rf"\b[Bb]etween\s+(?P<a>{_PARTY})\s+and\s+(?P<b>{_PARTY})")
_PREAMBLE_PARTIES_RE = re.compile(
    rf"^(?P<a>{_PARTY})(?:\s*\([^)]*\))?,?\s+and\s+(?P<b>{_PARTY})"
)
_EN_WORDS = {"the", "of", "and", "shall", "to", "in", "this", "agreement", "be", "any"}
_FR_WORDS = {"le", "la", "les", "de", "des", "et", "du", "présent", "accord", "sont"}


def extract_meta(doc: Document) -> Document:
    """Fill ``doc.meta`` from the segmented text; returns a new Document."""
    text = doc.text
    title = next((h for h in doc.headings if h.kind == "title"), None)
    title_field = (
        MetaField(text[title.start : title.end].strip("* "), title.start, title.end)
        if title
        else None
    )
    parties = _parties(doc, title_field)
    place, when = _signature(doc)
    return dataclasses.replace(
        doc,
        meta=TreatyMeta(
            title=title_field,
            parties=parties,
            place=place,
            date=when,
            language=_language(text),
        ),
    )


def _parties(doc: Document, title: MetaField | None) -> tuple[MetaField, ...]:
    found: list[MetaField] = []
    sources: list[tuple[int, str]] = []
    if title and title.start is not None:
        sources.append((title.start, title.value))
    for c in doc.clauses[:3]:
        if c.kind == "recital":
            sources.append((c.start, doc.text[c.start : c.end]))
    for offset, s in sources:
        m = _BETWEEN_RE.search(s) or _PREAMBLE_PARTIES_RE.search(s)
        if not m:
            continue
        for g in ("a", "b"):
            value = _clean_party(m[g])
            if value and all(value != f.value for f in found):
                found.append(MetaField(value, offset + m.start(g), offset + m.end(g)))
        if found:
            break
    return tuple(found)


def _clean_party(s: str) -> str:
    s = re.sub(r"^the\s+", "", s.strip())
    s = re.sub(r"^Government\s+of\s+(the\s+)?", "", s)
    return re.sub(r"\s+(?:on|concerning|regarding|relating|for|in)$", "", s).strip(" ,")


def _signature(doc: Document) -> tuple[MetaField | None, MetaField | None]:
    text = doc.text
    for c in doc.clauses:
        if c.kind not in ("testimonium", "signature", "letter", "paragraph"):
            continue
        seg = text[c.start : c.end]
        m = _DONE_RE.search(seg)
        if not m:
            continue
        place = MetaField(
            m["place"], c.start + m.start("place"), c.start + m.end("place")
        )
        d = _DATE_RE.search(seg, m.end())
        when = None
        if d:
            when = MetaField(
                _iso(d) or d.group(0), c.start + d.start(), c.start + d.end()
            )
        return place, when
    return None, None


def _iso(m: re.Match[str]) -> str | None:
    day, month, year = (
        (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
    )
    mon = _MONTHS.get(month.lower()) or _MONTHS_FR.get(month.lower())
    try:
        return date(int(year), mon, int(day)).isoformat() if mon else None
    except ValueError:
        return None


def _language(text: str) -> MetaField | None:
    words = re.findall(r"[a-zéèàû]+", text[:20000].lower())
    if not words:
        return None
    en = sum(w in _EN_WORDS for w in words)
    fr = sum(w in _FR_WORDS for w in words)
    return MetaField("fr" if fr > en else "en")
