"""What the ``treaty annotate`` commands do: export tasks, import answers, report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.agreement import LabelAgreement, agreement, label_counts
from pipeline.annotate import (
    DONE_DIR,
    CorpusDocs,
    Task,
    append_records,
    load_records,
    tasks_for,
    validate,
)
from pipeline.dataset import load_splits
from pipeline.errors import AnnotationError
from pipeline.formats import ToolFormat, read_answers, write_tasks
from pipeline.labels import LabelSet, load_labels


@dataclass(frozen=True)
class ImportReport:
    path: Path
    imported: int
    skipped: int
    store: Path | None


def select_tasks(
    doc_ids: Sequence[str],
    docs: CorpusDocs,
    *,
    select: str = "document",
    limit: int | None = None,
    store: Path = DONE_DIR,
    annotator: str | None = None,
    scorer: Any = None,
    per_doc: int | None = None,
) -> list[Task]:
    """Clauses to annotate next.

    Args:
        select: ``document`` (every clause of the documents, in order),
            ``unlabelled`` (only clauses with no record yet, or none by
            ``annotator`` when given), ``uncertain`` (the clauses the model is
            least sure of first; needs ``scorer``).
        scorer: anything with ``classify_document(doc) -> Document`` (the
            classifier), used for pre-annotations and for ``uncertain``.
        per_doc: at most this many clauses from one document, spread evenly over
            it (so a long convention does not crowd out the others).
    """
    if select not in ("document", "unlabelled", "uncertain"):
        raise AnnotationError(
            f"--select must be document, unlabelled or uncertain, not {select!r}"
        )
    if select == "uncertain" and scorer is None:
        raise AnnotationError("--select uncertain needs a model; pass --model DIR")
    done = {
        (r.doc_id, r.start, r.end)
        for r in load_records(store)
        if annotator is None or r.annotator == annotator
    }
    tasks: list[Task] = []
    for doc_id in doc_ids:
        doc = docs.get(doc_id)
        if scorer is not None:
            doc = scorer.classify_document(doc)
        doc_tasks = [
            t
            for t in tasks_for(doc)
            if select == "document" or (t.doc_id, t.start, t.end) not in done
        ]
        if per_doc and len(doc_tasks) > per_doc:
            step = len(doc_tasks) / per_doc
            doc_tasks = [doc_tasks[int(i * step)] for i in range(per_doc)]
        tasks.extend(doc_tasks)
    if select == "uncertain":
        tasks.sort(
            key=lambda t: min(
                abs(v - 0.5) for v in (t.suggestion or {"": 0.0}).values()
            )
        )
    return tasks[:limit] if limit else tasks


def export_tasks(
    doc_ids: Sequence[str],
    fmt: ToolFormat,
    out: Path,
    *,
    docs: CorpusDocs | None = None,
    select: str = "document",
    limit: int | None = None,
    labels: LabelSet | None = None,
    scorer: Any = None,
    annotator: str | None = None,
    per_doc: int | None = None,
) -> list[Path]:
    tasks = select_tasks(
        doc_ids,
        docs or CorpusDocs(),
        select=select,
        limit=limit,
        scorer=scorer,
        annotator=annotator,
        per_doc=per_doc,
    )
    if not tasks:
        raise AnnotationError("no clauses to export for that selection")
    version = getattr(scorer, "version", None)
    return write_tasks(tasks, fmt, out, labels or load_labels(), model_version=version)


def import_annotations(
    path: Path,
    *,
    fmt: ToolFormat | None = None,
    annotator: str | None = None,
    batch: str | None = None,
    docs: CorpusDocs | None = None,
    store: Path = DONE_DIR,
    labels: LabelSet | None = None,
) -> ImportReport:
    """Validate every answer in ``path``; append them all, or nothing."""
    labels = labels or load_labels()
    answers = read_answers(path, fmt)
    existing = load_records(store)
    records = validate(
        answers,
        labels,
        docs or CorpusDocs(),
        annotator=annotator,
        guideline=labels.version,
        existing=existing,
    )
    skipped = sum(a.labels is None for a in answers)
    if not records:
        return ImportReport(path, 0, skipped, None)
    by_who: dict[str, list[Any]] = {}
    for r in records:
        by_who.setdefault(r.annotator, []).append(r)
    target = None
    for who, recs in by_who.items():
        target = append_records(recs, batch or path.stem.split(".")[0], who, store)
    return ImportReport(path, len(records), skipped, target)


def agreement_report(
    store: Path = DONE_DIR, labels: LabelSet | None = None
) -> list[LabelAgreement]:
    labels = labels or load_labels()
    return agreement(load_records(store), labels.names)


def stats_report(store: Path = DONE_DIR) -> dict[str, dict[str, int]]:
    counts = label_counts(load_records(store), load_splits())
    return {label: dict(c) for label, c in sorted(counts.items())}


def export_dataset(out_dir: Path, *, docs: CorpusDocs | None = None) -> list[Path]:
    """Write the gold annotations as a ``datasets`` dataset and a Parquet per split."""
    from pipeline.dataset import build_dataset

    labels = load_labels()
    ds = build_dataset(load_records(), labels, docs or CorpusDocs(), load_splits())
    out_dir.mkdir(parents=True, exist_ok=True)
    ds.save_to_disk(str(out_dir / "dataset"))
    paths = []
    for split, part in ds.items():
        path = out_dir / f"{split}.parquet"
        part.to_parquet(str(path))
        paths.append(path)
    return paths
