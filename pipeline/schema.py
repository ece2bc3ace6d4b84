"""Typed data that flows from stage to stage.

Every span is a half-open character range into ``Document.text`` (Python slice
semantics); pages and line boxes are derived from those offsets, never stored twice.
Geometry uses pdfplumber's convention: PDF points, top-left origin, ``x0, top, x1,
bottom`` and 1-based ``page_no``.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class BBox:
    x0: float
    top: float
    x1: float
    bottom: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of body text in a PDF: its character range and its box."""

    page_no: int
    start: int
    end: int
    bbox: BBox


@dataclass(frozen=True, slots=True)
class PageQuality:
    chars: int
    cid_share: float  # share of "(cid:N)" placeholders among glyphs
    unprintable_share: float
    nonword_share: float  # share of alphabetic tokens that are not plausible words
    grade: str  # "good" | "fair" | "poor" | "no_text"
    ocr_confidence: float | None = None  # mean OCR word confidence 0..1, OCR-ed pages
    engine: str | None = None  # "pdfplumber" | "pypdfium2" | "tesseract"

    @property
    def needs_ocr(self) -> bool:
        return self.grade == "no_text"


@dataclass(frozen=True, slots=True)
class Page:
    page_no: int  # 1-based
    start: int
    end: int
    width: float
    height: float
    quality: PageQuality | None = None


@dataclass(frozen=True, slots=True)
class Furniture:
    """Running header, footer or page number removed from the body text."""

    page_no: int
    kind: str  # "header" | "footer" | "page_number"
    text: str
    bbox: BBox | None = None


@dataclass(frozen=True, slots=True)
class SourceInfo:
    path: str
    sha256: str
    size: int
    media_type: str  # "application/pdf" | "text/plain"
    encoding: str | None = None  # for text files: the encoding the bytes were read as
    # which engines produced the text: "text", "pdfplumber", "pypdfium2",
    # "tesseract", or several joined by "+" ("pdfplumber+tesseract")
    engine: str | None = None


@dataclass(frozen=True, slots=True)
class MetaField:
    """A metadata value with the evidence span it was read from (None if inferred)."""

    value: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class TreatyMeta:
    title: MetaField | None = None
    parties: tuple[MetaField, ...] = ()
    place: MetaField | None = None
    date: MetaField | None = None  # ISO 8601 where it could be parsed, else verbatim
    language: MetaField | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    """A structural heading (article number, part title...). Context, not a clause."""

    start: int
    end: int
    path: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    score: float  # 0..1, calibrated where the model has calibration
    selected: bool  # score passed the label's threshold


@dataclass(frozen=True, slots=True)
class Clause:
    clause_id: str  # from the structural path, e.g. "art-5.2.b"; unique per document
    start: int
    end: int
    kind: str  # "paragraph" | "subparagraph" | "recital" | "definition" | ...
    path: tuple[str, ...]  # ("art-5", "2", "b")
    parent: str | None  # clause_id or heading path of the enclosing unit
    article: str | None = None  # e.g. "Article 5"
    article_heading: str | None = None
    heading: str | None = None  # heading of the nearest enclosing unit
    predictions: tuple[Prediction, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.predictions if p.selected)

    @property
    def nearest_heading(self) -> str | None:
        """The article's heading, else the enclosing unit's: what a reader (and the
        classifier) takes as the clause's topic."""
        return self.article_heading or self.heading

    def text(self, doc: Document) -> str:
        return doc.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class ClassifierInfo:
    name: str
    version: str
    thresholds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    text: str
    source: SourceInfo
    pages: tuple[Page, ...] = ()
    lines: tuple[Line, ...] = ()
    furniture: tuple[Furniture, ...] = ()
    headings: tuple[Heading, ...] = ()
    clauses: tuple[Clause, ...] = ()
    meta: TreatyMeta = field(default_factory=TreatyMeta)
    classifier: ClassifierInfo | None = None
    warnings: tuple[str, ...] = ()

    @property
    def title(self) -> str | None:
        return self.meta.title.value if self.meta.title else None

    def lead_ins(self) -> tuple[str | None, ...]:
        """Per clause, the text of the clause it hangs from (a list item's lead-in),
        or None where its parent is a heading."""
        by_id = {c.clause_id: c for c in self.clauses}
        parents = [by_id.get(c.parent) if c.parent else None for c in self.clauses]
        return tuple(p.text(self) if p else None for p in parents)

    def page_nos(self, start: int, end: int) -> tuple[int, ...]:
        """1-based pages that the half-open range [start, end) touches."""
        if not self.pages:
            return ()
        starts = [p.start for p in self.pages]
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        last = max(bisect.bisect_right(starts, max(end - 1, start)) - 1, 0)
        return tuple(p.page_no for p in self.pages[first : last + 1])

    def boxes(self, start: int, end: int) -> tuple[Line, ...]:
        """Line boxes overlapping [start, end) (PDF input only)."""
        if not self.lines:
            return ()
        starts = [ln.start for ln in self.lines]
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        out = []
        for ln in self.lines[i:]:
            if ln.start >= end:
                break
            if ln.end > start:
                out.append(ln)
        return tuple(out)


class Status(str, Enum):
    OK = "ok"
    PARTIAL = "partial"
    NEEDS_OCR = "needs_ocr"
    EMPTY = "empty"
    ENCRYPTED = "encrypted"
    UNSUPPORTED = "unsupported"
    FAILED = "failed"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"

    @property
    def is_success(self) -> bool:
        return self in (Status.OK, Status.PARTIAL)


@dataclass(frozen=True, slots=True)
class Result:
    source: Path
    status: Status
    document: Document | None
    errors: tuple[str, ...] = ()
    output: Path | None = None
    seconds: float = 0.0
    error_type: str | None = None  # the exception's class name, for failures


class Stage(Protocol):
    def __call__(self, doc: Document) -> Document: ...


def to_plain(obj: Any) -> Any:
    """Dataclass tree to JSON-ready builtins (tuples become lists)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_plain(getattr(obj, k)) for k in obj.__dataclass_fields__}
    if isinstance(obj, Mapping):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, Enum):
        return obj.value
    return obj
