"""Annotations + corpus -> a Hugging Face ``DatasetDict`` with document-level splits.

Splits are by document, never by clause, so no agreement leaks from train to test;
they are stratified by agreement kind so each split holds every kind the corpus has.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import corpus
from pipeline.annotate import ANNOTATIONS_DIR, AnnotationRecord, CorpusDocs, latest
from pipeline.labels import LabelSet

if TYPE_CHECKING:
    from datasets import DatasetDict

SPLITS_FILE = ANNOTATIONS_DIR / "splits.json"
SPLIT_NAMES = ("train", "dev", "test")


def make_splits(doc_ids: Iterable[str], *, seed: int = 13,
                shares: tuple[float, float, float] = (0.7, 0.15, 0.15)) -> dict[str, str]:
    """Assign documents to train/dev/test, stratified by the manifest's ``kind``.

    Within each kind, documents are shuffled with ``seed``; a kind with three or
    more documents puts at least one in each split.
    """
    kinds = {r["doc_id"]: r.get("kind") or "unknown" for r in corpus.records()}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for d in sorted(set(doc_ids)):
        by_kind[kinds.get(d, "unknown")].append(d)
    rng = random.Random(seed)
    out: dict[str, str] = {}
    for kind in sorted(by_kind):
        docs = by_kind[kind]
        rng.shuffle(docs)
        n = len(docs)
        n_test = max(1, round(n * shares[2])) if n >= 3 else 0
        n_dev = max(1, round(n * shares[1])) if n >= 3 else (1 if n == 2 else 0)
        for i, d in enumerate(docs):
            out[d] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    return dict(sorted(out.items()))


def load_splits(path: Path = SPLITS_FILE) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))["documents"] if path.is_file() else {}


def save_splits(splits: dict[str, str], path: Path = SPLITS_FILE, seed: int = 13) -> None:
    path.write_text(json.dumps({"seed": seed, "unit": "document",
                                "stratified_by": "kind", "documents": splits},
                               indent=1) + "\n", encoding="utf-8")


def gold(records: Iterable[AnnotationRecord]) -> dict[tuple[str, int, int], AnnotationRecord]:
    """One record per clause: an adjudicator's if any, else the earliest pass."""
    out: dict[tuple[str, int, int], AnnotationRecord] = {}
    for r in sorted(latest(records).values(), key=lambda r: r.ts):
        key = (r.doc_id, r.start, r.end)
        if key not in out or r.annotator.startswith("adjudicat"):
            out[key] = r
    return out


def build_rows(records: Iterable[AnnotationRecord], docs: CorpusDocs,
               splits: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLIT_NAMES}
    for (doc_id, s, e), r in sorted(gold(records).items()):
        split = splits.get(doc_id)
        if split not in rows:
            continue
        doc = docs.get(doc_id)
        clause = next((c for c in doc.clauses if (c.start, c.end) == (s, e)), None)
        context = " ".join(p for p in ((clause.article_heading or clause.heading)
                                       if clause else None,) if p)
        rows[split].append({"doc_id": doc_id, "clause_id": r.clause_id,
                            "text": doc.text[s:e], "context": context,
                            "labels": list(r.labels)})
    return rows


def build_dataset(records: Iterable[AnnotationRecord], labels: LabelSet, docs: CorpusDocs,
                  splits: dict[str, str]) -> DatasetDict:
    """``DatasetDict`` with features text, context, labels (Sequence of ClassLabel)."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Sequence, Value

    features = Features({"doc_id": Value("string"), "clause_id": Value("string"),
                         "text": Value("string"), "context": Value("string"),
                         "labels": Sequence(ClassLabel(names=labels.names))})
    rows = build_rows(records, docs, splits)
    return DatasetDict({s: Dataset.from_list(rows[s], features=features)
                        for s in SPLIT_NAMES})
