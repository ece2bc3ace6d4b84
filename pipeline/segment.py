"""Clause segmentation: a structure parser for treaty drafting conventions.

Input is a ``Document`` whose text holds one paragraph per line (text files as they
come, PDFs as ingestion rebuilds them). Each paragraph is either a heading (context,
recorded in ``Document.headings``) or part of a clause. A clause is the smallest
numbered or paragraph unit; its id comes from its structural path (``art-5.2.b``).

spaCy (a blank English pipeline, no downloaded model) stays inside this module: it
splits the long run-on paragraphs of letters and notes into sentences, where
structure alone gives no boundary. Preambles are cut into recitals by their own
convention (a participle after a comma or semicolon).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline import markers as mk
from pipeline.errors import SegmentationError
from pipeline.schema import Clause, Document, Heading

if TYPE_CHECKING:
    from spacy.language import Language

# Clause ids and spans are stable within a version: it goes up whenever the output on
# any corpus text changes (tests/test_segment.py keeps a fingerprint of that output),
# so JSON consumers can tell which ids they hold and a batch's --resume redoes the
# files (the ledger key includes this name). v2 (2026-12-03): every fix since v1;
# v3: a part's second title line is a heading (21 one-line clauses in 7 texts).
SEGMENTER_NAME = "treaty.segmenter.rules.v3"
_GROUP_RANK = {
    "part": 0,
    "title": 0,
    "titre": 0,
    "chapter": 1,
    "chapitre": 1,
    "section": 2,
    "division": 2,
    "sub-section": 3,
    "subsection": 3,
}
_DEFINITION_RE = re.compile(
    r"^\W{0,3}[“\"'‘*][^”\"'’]{1,80}[”\"'’*]+\W{0,3}\s*(?:shall\s+)?"
    r"(?:means?|includes?|refers?|has the meaning|désigne)\b"
)
# a full stop after these is no sentence end ("No. 28", "Art. 5", "e.g. the")
_ABBREV_END_RE = re.compile(
    r"\b(?:No|Nr|Nos|Art|Arts|para|paras|Mr|Mrs|Ms|Dr|St|p|pp|"
    r"e\.g|i\.e|cf|etc|viz|Vol|Ref)\.\s*$",
    re.IGNORECASE,
)
_LONG_LETTER_PARA = 400  # chars; shorter letter paragraphs stay whole
_BARE_CAPITAL = re.compile(r"[A-Z]\.?")  # "C" alone on a line letters a section


def _section_marker(t: str) -> mk.Marker | None:
    """The marker of a lettered or roman-numbered section title ("A. GENERAL
    PROVISIONS", "II. Scope"), else None."""
    marker = mk.find_marker(t)
    rest = t[marker.length :] if marker else ""
    if (
        marker
        and marker.kind in ("ROMAN", "ALPHA")
        and mk.looks_like_heading(rest, max_words=10)
        and rest.strip()[:1].isupper()
        and not t.rstrip().endswith(",")
    ):
        return marker
    return None


@dataclass
class _State:
    container: str | None = None  # "annex-a", "letter-1", "protocol-2", "final"...
    groups: dict[str, str] = field(default_factory=dict)  # kind -> "chapter-ii"
    article: str | None = None  # "art-5"
    article_label: str | None = None  # "Article 5"
    article_heading: str | None = None
    heading: str | None = None  # nearest heading text
    stack: list[tuple[tuple[str, int], str]] = field(default_factory=list)
    region: str = "start"  # start | preamble | body | letter | final
    # what the next line may be: the title line of an "article", "group", "section"
    # or "container" heading, or a part title's second line ("subtitle")
    pending: str | None = None
    counters: dict[str, int] = field(default_factory=dict)


class RuleSegmenter:
    """Callable stage ``Document -> Document`` that fills headings and clauses."""

    name = SEGMENTER_NAME

    def __init__(self) -> None:
        self._nlp: Language | None = None

    def __call__(self, doc: Document) -> Document:
        try:
            headings, clauses = _Parser(doc.text, self._sentences).run()
        except RecursionError as e:  # pragma: no cover - defensive
            raise SegmentationError(
                f"{doc.source.path}: structure too deep ({e})"
            ) from e
        return dataclasses.replace(
            doc, headings=tuple(headings), clauses=tuple(clauses)
        )

    def _sentences(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans (start, end) within ``text``, from spaCy's sentencizer."""
        if self._nlp is None:
            import spacy

            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?"]})
            self._nlp = nlp
        spans = [(s.start_char, s.end_char) for s in self._nlp(text).sents]
        return spans or [(0, len(text))]


def segment_document(doc: Document, segmenter: RuleSegmenter | None = None) -> Document:
    """Split ``doc`` into headings and clauses.

    Example:
        >>> from pipeline.ingest import document_from_text
        >>> text = "Article 1\\n1. The Parties agree."
        >>> doc = segment_document(document_from_text(text))
        >>> [c.clause_id for c in doc.clauses]
        ['art-1.1']
    """
    return (segmenter or RuleSegmenter())(doc)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(line) + 1


class _Parser:
    def __init__(self, text: str, sentences: object) -> None:
        self.text = text
        self.sentences = sentences
        self.st = _State()
        self.headings: list[Heading] = []
        self.clauses: list[Clause] = []
        self.ids: set[str] = set()
        # a bare paragraph number (start, end, number) waiting for its text
        self.carry: tuple[int, int, str] | None = None
        self.used_articles: set[tuple[str | None, str]] = set()
        self.protocol: str | None = None  # the latest protocol container

    # -- driver -------------------------------------------------------------
    def run(self) -> tuple[list[Heading], list[Clause]]:
        paras = list(_paragraphs(self.text))
        for i, (s, e) in enumerate(paras):
            nxt = (
                self.text[paras[i + 1][0] : paras[i + 1][1]]
                if i + 1 < len(paras)
                else ""
            )
            self._paragraph(s, e, nxt)
        if self.carry is not None:  # the text ended on a bare number: keep it
            start, end, num = self.carry
            self._body(start, end, f"{num}.")
        return self.headings, self.clauses

    def _paragraph(self, s: int, e: int, nxt: str) -> None:
        t = self.text[s:e]
        st = self.st
        if self.carry is not None:
            start, end, num = self.carry
            self.carry = None
            if not self._is_structural(t):
                self._body(start, e, f"{num}. {t}")
                return
            self._body(start, end, f"{num}.")
        if st.region == "start":
            st.region = "preamble"
            if self._structural(s, e, t, nxt):
                return
            if mk.looks_like_heading(
                t, max_words=60, max_chars=450
            ) and not mk.AGREED_RE.search(t):
                self._heading(s, e, "title")
                return
        if st.pending == "subtitle":
            st.pending = None
            if self._subtitle(t, nxt):
                self._title_line(s, e, t)
                return
        if st.pending and mk.looks_like_heading(t) and not self._is_structural(t):
            self._title_line(s, e, t)
            return
        if st.pending == "container" and _names_container(t):
            # "Protocol" / "Protocol to the Agreement on ...": one protocol, titled
            self._title_line(s, e, t)
            return
        if st.pending == "container" and _BELONGS_TO.match(t):
            self._belongs_to(s, e, t)
            return
        st.pending = None
        if self._structural(s, e, t, nxt):
            return
        if st.region == "preamble":
            self._preamble(s, e)
        elif t.startswith("|"):
            self._table(s, e)
        elif st.region in ("body", "letter") and mk.TESTIMONIUM_RE.match(t):
            self._enter_final()
            self._clause(s, e, "testimonium", self._unnumbered_id())
        elif st.region == "final":
            kind = (
                "testimonium"
                if mk.TESTIMONIUM_RE.match(t)
                else "signature"
                if mk.SIGNATURE_RE.match(t) or len(t) < 80
                else "testimonium"
            )
            self._clause(s, e, kind, self._unnumbered_id())
        elif (
            st.region == "letter"
            and e - s > _LONG_LETTER_PARA
            and mk.find_marker(t) is None  # an item stays whole, as in an article
        ):
            for a, b in self._split_sentences(s, e):
                self._clause(a, b, "letter", self._unnumbered_id())
        else:
            self._body(s, e, t)

    # -- headings -----------------------------------------------------------
    def _is_structural(self, t: str) -> bool:
        return bool(mk.ARTICLE_RE.match(t) and _heading_rest(mk.ARTICLE_RE.match(t)))  # type: ignore[arg-type]

    def _structural(self, s: int, e: int, t: str, nxt: str) -> bool:
        st = self.st
        if mk.PREAMBLE_RE.match(t):
            m = mk.PREAMBLE_RE.match(t)
            assert m
            self._heading(s, s + m.end(), "preamble")
            st.region = "preamble"
            rest = _skip_space(self.text, s + m.end(), e)
            if rest < e:
                self._preamble(rest, e)
            return True
        m = mk.LETTER_RE.match(t)
        if m:
            self._new_container(f"letter-{mk.norm_num(m['num'])}")
            self.st.region = "letter"
            self._heading(s, e, "letter")
            return True
        qualified = mk.QUALIFIED_CONTAINER_RE.match(t)
        m = mk.CONTAINER_RE.match(t) or qualified
        named_ok = st.region in ("body", "final") and st.pending != "container"
        if m and _container_rest_ok(m["rest"], named_ok):
            kind = m["kind"].lower().replace("annexe", "annex")
            num = _first_token_num(m["rest"])
            self._new_container(self._unique_container(kind, num))
            if qualified or _named_rest(m["rest"]):  # "Protocol on inspection"
                self.st.heading = t.strip("*. ")
            self._heading(s, e, "container")
            self.st.pending = (
                None if num is None and len(m["rest"].split()) > 1 else "container"
            )
            return True
        m = mk.ARTICLE_RE.match(t)
        if m:
            rest = "" if m["re"] else _heading_rest(m)
            if rest is not None:
                num = ("re-" if m["re"] else "") + mk.norm_num(m["num"])
                self._new_article(num, t[: m.start("rest")].strip("* "))
                if rest == "":
                    self._heading(s, e, "article")
                    st.pending = "article"
                elif mk.looks_like_heading(rest):
                    st.article_heading = st.heading = rest.strip("*.-–—: ")
                    self._heading(s, e, "article")
                else:  # "Article 1 The Parties shall ..." : heading then body text
                    cut = s + m.start("rest")
                    self._heading(s, cut, "article")
                    self._body(
                        _skip_space(self.text, cut, e), e, rest.lstrip(" .:-–—*")
                    )
                return True
        m = mk.GROUP_RE.match(t)
        if m and (m["rest"].strip() == "" or mk.looks_like_heading(m["rest"])):
            num = mk.norm_num(m["num"]) + (f"-{m['sub'].lower()}" if m["sub"] else "")
            self._new_group(m["kind"].lower(), num, m["rest"])
            self._heading(s, e, "group")
            return True
        if re.fullmatch(r"[IVXL]{1,6}\.?", t) and st.region != "final":
            # a bare roman numeral on its own line numbers the section that follows
            self._new_group("division", t.rstrip(".").lower(), "")
            self._heading(s, e, "group")
            return True
        if re.fullmatch(r"\d{1,3}\.?", t):
            if mk.looks_like_heading(nxt) and not mk.find_marker(nxt):
                # letter style "1" / "Scope" / "1.1. ...": a numbered section heading
                self._new_article(t.rstrip("."), t)
                self._heading(s, e, "article")
                st.pending = "article"
            else:  # a paragraph number on a line of its own: it numbers the next line
                self.carry = (s, e, t.rstrip("."))
            return True
        if (
            _BARE_CAPITAL.fullmatch(t)
            and st.region == "body"
            and mk.looks_like_heading(nxt)
        ):
            # a bare capital on its own line letters the section whose title follows
            # ("C" / "TRANSFERS TO STATES NOT PARTY ..." in the CWC's annex): the title
            # is the heading the clauses read; their numbering runs on as before
            self._heading(s, e, "subheading")
            st.pending = "section"
            return True
        marker = _section_marker(t)
        if marker and st.region != "final":
            if st.article and marker.kind == "ALPHA" and not mk.ARTICLE_RE.match(nxt):
                self._article_section(t[marker.length :])
            else:
                self._new_group("division", marker.value.lower(), t[marker.length :])
            self._heading(s, e, "group")
            return True
        if (
            len(t) < 120
            and t.startswith("*")
            and t.rstrip().endswith("*")
            and st.region not in ("final", "letter")
        ):
            st.heading = t.strip("* ")
            self._heading(s, e, "subheading")
            return True
        return False

    def _title_line(self, s: int, e: int, t: str) -> None:
        st = self.st
        title = t.strip("* ")
        if st.pending == "article":
            st.article_heading = title
        st.heading = title
        self._heading(s, e, "heading")
        # a part's title can run on a second line (the CWC's Verification Annex:
        # "PART VII" / "Activities not prohibited ..." / "Regime for Schedule 2 ...")
        st.pending = "subtitle" if st.pending == "group" else None

    def _subtitle(self, t: str, nxt: str) -> bool:
        """A heading-like line after a part's title, right before the part's first
        section or article: the title's second line, not a clause of its own."""
        if not mk.looks_like_heading(t) or any(
            r.match(t) for r in (mk.ARTICLE_RE, mk.GROUP_RE, mk.CONTAINER_RE)
        ):
            return False
        nxt = nxt.strip()
        marker = _section_marker(nxt)
        return bool(
            _BARE_CAPITAL.fullmatch(nxt)
            or mk.ARTICLE_RE.match(nxt)
            or mk.GROUP_RE.match(nxt)
            or (marker and marker.kind == "ALPHA")
        )

    def _belongs_to(self, s: int, e: int, t: str) -> None:
        """A line such as "to the Protocol" after "Annex 1" says whose annex this
        is (it was a one-line clause). An annex of a protocol earlier in the text is
        numbered in it (the CTBT's ``protocol.annex-1``, not a second ``annex-1``).
        The heading the annex's clauses read stays as it was: the line names no
        subject."""
        st = self.st
        proto = self.protocol
        if (
            proto
            and st.container
            and not st.container.startswith(proto)
            and _OF_PROTOCOL.match(t)
        ):
            base = re.sub(r"~\d+$", "", st.container)  # "annex-1~2": a 2nd "Annex 1"
            st.container = self._unique_name(f"{proto}.{base}")
            # the annex line, the heading just before this one, moves with it
            last = self.headings[-1]
            self.headings[-1] = dataclasses.replace(last, path=(st.container,))
        self._heading(s, e, "heading")
        st.pending = None

    def _heading(self, s: int, e: int, kind: str) -> None:
        self.headings.append(Heading(s, e, self._base_path(), kind))

    def _new_container(self, name: str) -> None:
        self.st = _State(container=name, counters=self.st.counters, region="body")

    def _unique_container(self, kind: str, num: str | None) -> str:
        # a second unnumbered "Annex" is annex-2; a second "Annex 1" is annex-1~2
        name = self._unique_name(f"{kind}-{num}" if num else kind, "~" if num else "-")
        if kind == "protocol":
            self.protocol = name
        return name

    def _unique_name(self, key: str, sep: str = "~") -> str:
        n = self.st.counters.get("@" + key, 0) + 1
        self.st.counters["@" + key] = n
        return key if n == 1 else f"{key}{sep}{n}"

    def _enter_final(self) -> None:
        st = self.st
        prefix = st.container if st.container and st.container != "final" else None
        self.st = _State(
            container=f"{prefix}.final" if prefix else "final",
            counters=st.counters,
            region="final",
        )

    def _new_article(self, num: str, label: str) -> None:
        st = self.st
        if st.region in ("preamble", "start", "final"):
            st.region = "body"
            if st.container and st.container.endswith("final"):
                # an article after the signatures: a new instrument bundled in the file
                st.container = st.container.removesuffix("final").rstrip(".") or None
        art = f"re-art-{num[3:]}" if num.startswith("re-") else f"art-{num}"
        if (st.container, art) in self.used_articles:
            # numbering restarts (regulations after a convention, "Re Article V"
            # notes): keep ids unique at the article, not at every clause
            group = list(st.groups.values())[-1] if st.groups else None
            if group and (st.container, f"{group}.{art}") not in self.used_articles:
                art = f"{group}.{art}"
            else:
                n = 2
                while (st.container, f"{art}~{n}") in self.used_articles:
                    n += 1
                art = f"{art}~{n}"
        self.used_articles.add((st.container, art))
        st.article, st.article_label = art, " ".join(label.split())
        st.article_heading = st.heading = None
        st.stack = []

    def _new_group(self, kind: str, num: str, rest: str) -> None:
        st = self.st
        if st.region in ("preamble", "start"):
            st.region = "body"
        rank = _GROUP_RANK.get(kind, 2)
        st.groups = {k: v for k, v in st.groups.items() if _GROUP_RANK.get(k, 2) < rank}
        st.groups[kind] = f"{kind}-{num}"
        st.article = st.article_label = st.article_heading = None
        title = rest.strip(" .:-–—*")
        st.heading = title or None
        st.pending = None if title else "group"
        st.stack = []

    def _article_section(self, rest: str) -> None:
        """A lettered section inside an article ("Article VIII" / "A. GENERAL
        PROVISIONS" / "1. ..." in the CWC and the CTBT): its paragraphs keep the
        article in their ids (``art-viii.23``, numbered on through the sections, as
        they are cited), and read the section's title as their heading, as they did
        when such a section stood on its own (the article's heading stays on the
        article's heading line)."""
        st = self.st
        st.article_heading = None
        st.heading = rest.strip(" .:-–—*")
        st.stack = []

    # -- clauses --------------------------------------------------------------
    def _base_path(self) -> tuple[str, ...]:
        st = self.st
        parts: list[str] = [st.container] if st.container else []
        if st.article:
            parts.append(st.article)
        elif st.groups:
            parts.append(list(st.groups.values())[-1])
        elif st.region == "preamble":
            parts.append("preamble")
        return tuple(parts)

    def _unnumbered_id(self) -> str:
        base = ".".join(self._base_path()) or "text"
        if self.st.stack:
            base = base + "." + self.st.stack[0][1]
            self.st.stack = self.st.stack[:1]
        n = self.st.counters.get(base, 0) + 1
        self.st.counters[base] = n
        return f"{base}.{n}" if self.st.region == "preamble" else f"{base}.p{n}"

    def _preamble(self, s: int, e: int) -> None:
        t = self.text[s:e]
        m = mk.AGREED_RE.search(t)
        cut = s + m.start() if m else e
        if cut > s:
            for a, b in self._recitals(s, cut):
                self._clause(a, b, "recital", self._unnumbered_id())
        if m:
            end = s + m.end()
            self._clause(cut, end, "recital", self._unnumbered_id())
            self.st.region = "body"
            rest = _skip_space(self.text, end, e)
            if rest < e:
                self._body(rest, e, self.text[rest:e])

    def _recitals(self, s: int, e: int) -> list[tuple[int, int]]:
        """Cut a preamble into recitals: before each participle that opens one, and
        at "; " before a capital. Full stops are not cuts: "ETS No. 173" and
        "Art. 8" would split a recital in two."""
        t = self.text[s:e]
        cuts = {0}
        for m in mk.RECITAL_START_RE.finditer(t):
            cuts.add(m.end())
        for m in mk.RECITAL_SEMICOLON_RE.finditer(t):
            cuts.add(m.end())
        return _trimmed_spans(self.text, s, e, sorted(cuts))

    def _split_sentences(self, s: int, e: int) -> list[tuple[int, int]]:
        t = self.text[s:e]
        starts = [
            a
            for a, _b in self.sentences(t)  # type: ignore[operator]
            if not _ABBREV_END_RE.search(t[:a])
            and not t[a : a + 1].isdigit()
            and not t[a : a + 1].islower()
        ]
        return _trimmed_spans(self.text, s, e, starts)

    def _table(self, s: int, e: int) -> None:
        last = self.clauses[-1] if self.clauses else None
        if last and last.kind == "table" and self.text[last.end : s].count("\n") <= 1:
            self.clauses[-1] = dataclasses.replace(last, end=e)
        else:
            self._clause(s, e, "table", self._unnumbered_id())

    def _body(self, s: int, e: int, t: str) -> None:
        st = self.st
        if st.region == "start":
            st.region = "body"
        marker = mk.find_marker(t)
        if marker is None or marker.kind == "ROMAN":
            if t[:1].islower() and self._extend_last(e):
                return
            kind = "definition" if _DEFINITION_RE.match(t) else "paragraph"
            self._clause(s, e, kind, self._unnumbered_id())
            return
        if not st.stack and marker.value in ("1", "a", "i", "A"):
            last = self.clauses[-1] if self.clauses else None
            if (
                last
                and last.path[:-1] == self._base_path()
                and last.path[-1].startswith("p")
                and self.text[last.end - 1] == ":"
            ):
                # a list restarting after a lead-in ("... the following:") nests in it
                st.stack.append((("lead", 0), last.path[-1]))
        key, value = self._place(marker)
        part = value
        if key == ("dec", marker.depth) and st.article and marker.depth > 1:
            art_num = st.article[4:]
            if value.split(".")[0] == art_num:
                part = value[len(art_num) + 1 :]
        st.stack.append((key, part))
        base = ".".join(self._base_path()) or "text"
        cid = base + "." + ".".join(p for _k, p in st.stack)
        rest = t[marker.length :]
        kind = (
            "definition"
            if _DEFINITION_RE.match(rest)
            else "paragraph"
            if len(st.stack) == 1
            else "subparagraph"
        )
        self._clause(s, e, kind, cid)

    def _extend_last(self, e: int) -> bool:
        """Join a paragraph that starts in lower case to the clause before it.

        Page breaks in PDFs and hard wraps in texts split sentences; a heading in
        between means the text really is new.
        """
        last = self.clauses[-1] if self.clauses else None
        if last is None or last.kind in ("recital", "table"):
            return False
        if self.headings and self.headings[-1].start > last.start:
            return False
        self.clauses[-1] = dataclasses.replace(last, end=e)
        return True

    def _place(self, m: mk.Marker) -> tuple[tuple[str, int], str]:
        """Pop the stack to where marker ``m`` belongs; return its key and value."""
        st = self.st
        kind, value = m.kind, m.value
        if kind == "roman" and mk.is_roman_candidate(value):
            for (k, _d), v in reversed(st.stack):
                if k == "alpha" and mk.next_alpha(v) == value:
                    kind = "alpha"  # "(i)" after "(h)" is a letter, not a numeral
                    break
        if kind == "num":
            kind = "dec"
        key = (kind, m.depth)
        for j, (k, _v) in enumerate(st.stack):
            if k == key:
                st.stack = st.stack[:j]
                break
        return key, value

    def _clause(self, s: int, e: int, kind: str, cid: str) -> None:
        st = self.st
        if cid in self.ids:
            n = 2
            while f"{cid}~{n}" in self.ids:
                n += 1
            cid = f"{cid}~{n}"
        self.ids.add(cid)
        path = tuple(cid.split("."))
        parent_ids = [".".join(path[:i]) for i in range(len(path) - 1, 0, -1)]
        parent = next(
            (p for p in parent_ids if p in self.ids), ".".join(path[:-1]) or None
        )
        self.clauses.append(
            Clause(
                clause_id=cid,
                start=s,
                end=e,
                kind=kind,
                path=path,
                parent=parent,
                article=st.article_label,
                article_heading=st.article_heading,
                heading=st.heading,
            )
        )


def _heading_rest(m: re.Match[str]) -> str | None:
    """The heading text after "Article 5", or None if this is running text."""
    rest = m["rest"]
    stripped = rest.strip()
    if not stripped or stripped.strip("*") == "":
        return ""
    first = stripped.lstrip("*")[:1]
    if rest[:1] in ".:-–—*" or rest[:1].isspace() or first.isupper() or first in '“"(':
        body = stripped.lstrip("*.:-–—) ")
        if body[:1].islower():
            return None
        return body
    return None


# "Protocol on inspection", "Annex to the Protocol on ...", "Annex on the protection
# of confidential information": a named annex or protocol (the CFE Treaty, the CTBT,
# the CWC). Lower-case words after "Annex" are otherwise running text.
_NAMED_CONTAINER = re.compile(r"(?:on|to|concerning|relating to|regarding)\s+\S")


def _named_rest(rest: str) -> bool:
    """What follows "Protocol"/"Annex" names a subject: "on inspection", not a sentence
    ("Annex to Article 14.")."""
    r = rest.strip(" *.:-–—")
    return bool(
        _NAMED_CONTAINER.match(r)
        and not rest.rstrip(" *").endswith(".")
        and mk.looks_like_heading(r[:1].upper() + r[1:], max_words=25)
    )


def _names_container(t: str) -> bool:
    m = mk.CONTAINER_RE.match(t)
    return bool(m and _named_rest(m["rest"]))


def _container_rest_ok(rest: str, named: bool = False) -> bool:
    """``named``: whether a named annex may start here (after the body has begun; at
    the top, "Protocol to the North Atlantic Treaty ..." is the document's title)."""
    r = rest.strip(" *.:-–—")
    if not r:
        return True
    if named and _named_rest(rest):
        return True
    return mk.looks_like_heading(r, max_words=25) and not r[:1].islower()


# "Annex" / "to the Treaty": the line after an annex heading saying whose it is
_BELONGS_TO = re.compile(r"^\W{0,2}(?:to|of)\s+(?:the|this)\s+[A-Z][^.;:]{0,150}$")
_OF_PROTOCOL = re.compile(r"\W*(?:to|of)\s+(?:the|this)\s+Protocol\s*\W*$", re.I)


def _first_token_num(rest: str) -> str | None:
    m = re.match(r"^\s*(?:No\.?\s*)?([0-9]{1,3}|[IVXLC]+|[A-Z])\b", rest.strip(" *"))
    return m.group(1).lower() if m else None


def _skip_space(text: str, i: int, end: int) -> int:
    while i < end and text[i].isspace():
        i += 1
    return i


def _trimmed_spans(
    text: str, s: int, e: int, starts: list[int]
) -> list[tuple[int, int]]:
    """Cut [s, e) at the relative offsets in ``starts``; trim the edges."""
    out = []
    bounds = sorted(set(starts) | {0}) + [e - s]
    for a, b in zip(bounds, bounds[1:]):
        a2, b2 = s + a, s + b
        while a2 < b2 and text[a2].isspace():
            a2 += 1
        while b2 > a2 and text[b2 - 1].isspace():
            b2 -= 1
        if b2 > a2:
            out.append((a2, b2))
    return out
