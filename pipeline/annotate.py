"""The annotation store and its round trip through Label Studio, Prodigy and doccano.

Records are append-only JSON Lines in ``annotations/done/<batch>.<annotator>.jsonl``.
A record names the document (corpus id or input sha256), the clause (id and
``start``/``end``), a sha256 of the clause text, the labels, the annotator, the time
and the guideline version. No corpus text is committed: text is resolved from the
corpus folder, and a clause whose text no longer matches its hash is reported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline import corpus
from pipeline.errors import AnnotationError
from pipeline.labels import LabelSet
from pipeline.schema import Clause, Document

ANNOTATIONS_DIR = corpus.PROJECT_ROOT / "annotations"
DONE_DIR = ANNOTATIONS_DIR / "done"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AnnotationRecord:
    doc_id: str
    clause_id: str
    start: int
    end: int
    text_sha256: str
    labels: tuple[str, ...]
    annotator: str
    ts: str
    guideline: str
    source: str = "human"  # "human" | "model"
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["labels"] = list(self.labels)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AnnotationRecord:
        return cls(**{**d, "labels": tuple(d["labels"])})


@dataclass(frozen=True, slots=True)
class Task:
    doc_id: str
    clause_id: str
    start: int
    end: int
    text: str
    context: str  # article and heading, for the annotator
    suggestion: dict[str, float] | None = None  # model scores, when a model exists

    @property
    def text_sha256(self) -> str:
        return sha256_text(self.text)

    def meta(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "clause_id": self.clause_id,
            "start": self.start,
            "end": self.end,
            "text_sha256": self.text_sha256,
            "context": self.context,
        }


class CorpusDocs:
    """Corpus documents by id, read and segmented on first use."""

    def __init__(
        self, corpus_dir: Path | None = None, manifest: Path | None = None
    ) -> None:
        self.dir = corpus_dir or corpus.default_corpus_dir()
        self._files = {
            r["doc_id"]: r["file"] for r in corpus.records(manifest or corpus.MANIFEST)
        }
        self._cache: dict[str, Document] = {}
        self._pipeline: Any = None  # one pipeline (and spaCy) for every document

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._files

    def get(self, doc_id: str) -> Document:
        if doc_id not in self._cache:
            from pipeline.pipeline import Pipeline

            if doc_id not in self._files:
                raise AnnotationError(
                    f"document {doc_id!r} is not in corpora/manifest.jsonl;"
                    " run scripts/build_manifest.py or fix the id"
                )
            path = self.dir / self._files[doc_id]
            if not path.is_file():
                raise AnnotationError(
                    f"{path}: corpus file missing; pass --corpus DIR "
                    "pointing at the shared corpora folder"
                )
            if self._pipeline is None:
                self._pipeline = Pipeline()
            doc = self._pipeline.process(path)
            self._cache[doc_id] = dataclasses.replace(doc, doc_id=doc_id)
        return self._cache[doc_id]


def clause_context(c: Clause) -> str:
    parts = [p for p in (c.article, c.nearest_heading) if p]
    return " — ".join(parts)


def tasks_for(doc: Document, clauses: Iterable[Clause] | None = None) -> list[Task]:
    return [
        Task(
            doc.doc_id,
            c.clause_id,
            c.start,
            c.end,
            doc.text[c.start : c.end],
            clause_context(c),
            {p.label: p.score for p in c.predictions} or None,
        )
        for c in (doc.clauses if clauses is None else clauses)
    ]


# -- store -----------------------------------------------------------------------
def load_records(
    store: Path = DONE_DIR, exclude_batches: Iterable[str] = ()
) -> list[AnnotationRecord]:
    """Every stored record, except those of the batches named (``r15`` leaves out
    ``r15.<annotator>.jsonl``), so a model can be rebuilt from the data it saw."""
    skip = set(exclude_batches)
    out: list[AnnotationRecord] = []
    for f in sorted(store.glob("*.jsonl")) if store.is_dir() else []:
        if f.name.split(".", 1)[0] in skip:
            continue
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(AnnotationRecord.from_dict(json.loads(line)))
    return out


def latest(
    records: Iterable[AnnotationRecord],
) -> dict[tuple[str, str, int, int], AnnotationRecord]:
    """The newest record per (annotator, doc, span): later corrections win."""
    best: dict[tuple[str, str, int, int], AnnotationRecord] = {}
    for r in records:
        key = (r.annotator, r.doc_id, r.start, r.end)
        if key not in best or r.ts >= best[key].ts:
            best[key] = r
    return best


def append_records(
    records: Sequence[AnnotationRecord],
    batch: str,
    annotator: str,
    store: Path = DONE_DIR,
) -> Path:
    store.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in annotator)
    path = store / f"{batch}.{safe}.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    return path


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# -- validation ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Answer:
    """One answer read from a tool's export, before validation."""

    where: str  # "line 12", "task 7": names the record in error messages
    meta: dict[str, Any]
    labels: tuple[str, ...] | None  # None: skipped (ignored / rejected / cancelled)
    annotator: str | None = None
    ts: str | None = None


def validate(
    answers: Sequence[Answer],
    labels: LabelSet,
    docs: CorpusDocs,
    *,
    annotator: str | None,
    guideline: str,
    existing: Iterable[AnnotationRecord] = (),
) -> list[AnnotationRecord]:
    """Check every answer; raise one ``AnnotationError`` listing all failures."""
    errors: list[str] = []
    records: list[AnnotationRecord] = []
    seen: set[tuple[str, str, int, int]] = set()
    old = {(r.annotator, r.doc_id, r.start, r.end): r.labels for r in existing}
    for a in answers:
        if a.labels is None:
            continue
        who = annotator or a.annotator
        m = a.meta
        try:
            doc_id, cid = str(m["doc_id"]), str(m["clause_id"])
            start, end, sha = int(m["start"]), int(m["end"]), str(m["text_sha256"])
        except (KeyError, TypeError, ValueError):
            errors.append(
                f"{a.where}: no doc_id/clause_id/start/end/text_sha256; "
                "export tasks with `treaty annotate export`"
            )
            continue
        if not who:
            errors.append(f"{a.where}: no annotator; pass --annotator NAME")
            continue
        if doc_id not in docs:
            errors.append(f"{a.where}: unknown document {doc_id!r}")
            continue
        doc = docs.get(doc_id)
        if not 0 <= start < end <= len(doc.text):
            errors.append(
                f"{a.where}: unknown clause {cid!r} (span {start}-{end} is "
                f"outside the {len(doc.text)}-character text)"
            )
            continue
        if sha256_text(doc.text[start:end]) != sha:
            errors.append(
                f"{a.where}: text of clause {cid!r} in {doc_id} has changed "
                "since export; re-export the task and label it again"
            )
            continue
        if not a.labels:
            errors.append(
                f"{a.where}: empty answer for {cid!r}; choose at least one "
                "label (`other` when none applies)"
            )
            continue
        unknown = labels.check(list(a.labels))
        if unknown:
            errors.append(
                f"{a.where}: unknown label(s) {unknown} for {cid!r} "
                f"(known: {labels.names})"
            )
            continue
        if "other" in a.labels and len(a.labels) > 1:
            errors.append(
                f"{a.where}: `other` is used alone (guideline v1), got "
                f"{list(a.labels)} for {cid!r}"
            )
            continue
        key = (who, doc_id, start, end)
        if key in seen:
            errors.append(
                f"{a.where}: duplicate answer by {who} for {cid!r} in {doc_id}"
            )
            continue
        if old.get(key) == tuple(sorted(a.labels)):
            errors.append(
                f"{a.where}: duplicate of a stored record by {who} for {cid!r} "
                f"in {doc_id} (same labels); remove it from the file"
            )
            continue
        seen.add(key)
        records.append(
            AnnotationRecord(
                doc_id,
                cid,
                start,
                end,
                sha,
                tuple(sorted(a.labels)),
                who,
                a.ts or now(),
                guideline,
                note=m.get("note"),
            )
        )
    if errors:
        raise AnnotationError(
            f"{len(errors)} problem(s); nothing was imported:\n" + "\n".join(errors)
        )
    return records
