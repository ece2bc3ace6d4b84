"""Annotations + corpus -> a Hugging Face ``DatasetDict`` with document-level splits.

Splits are by document, never by clause, so no agreement leaks from train to test;
they are stratified by agreement kind so each split holds every kind the corpus has.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import corpus
from pipeline.annotate import ANNOTATIONS_DIR, AnnotationRecord, CorpusDocs, latest
from pipeline.labels import LabelSet

if TYPE_CHECKING:
    from datasets import DatasetDict

    from pipeline.schema import Clause

SPLITS_FILE = ANNOTATIONS_DIR / "splits.json"
SPLIT_NAMES = ("train", "dev", "test")


def make_splits(
    doc_ids: Iterable[str],
    *,
    seed: int = 13,
    shares: tuple[float, float, float] = (0.7, 0.15, 0.15),
    label_counts: dict[str, dict[str, int]] | None = None,
) -> dict[str, str]:
    """Assign whole documents to train/dev/test.

    Greedy iterative stratification over two kinds of features: the manifest's
    agreement ``kind`` (so each split holds every kind that has three or more
    documents) and, when given, each document's annotated label counts (so rare
    labels reach dev and test). Documents with the rarest features are placed
    first, each where its features are most needed; ``seed`` breaks ties.
    """
    kinds = {r["doc_id"]: r.get("kind") or "unknown" for r in corpus.records()}
    docs = sorted(set(doc_ids))
    feats: dict[str, dict[str, float]] = {}
    for d in docs:
        f = {f"kind:{kinds.get(d, 'unknown')}": 5.0}
        for lb, n in (label_counts or {}).get(d, {}).items():
            f[f"label:{lb}"] = float(n)
        feats[d] = f
    totals: dict[str, float] = defaultdict(float)
    for f in feats.values():
        for k, v in f.items():
            totals[k] += v
    have = {s: defaultdict(float) for s in SPLIT_NAMES}
    rng = random.Random(seed)
    tiebreak = {d: rng.random() for d in docs}
    order = sorted(
        docs,
        key=lambda d: (-sum(v / totals[k] for k, v in feats[d].items()), tiebreak[d]),
    )
    out: dict[str, str] = {}
    for d in order:

        def need(split: str, d: str = d) -> float:
            share = shares[SPLIT_NAMES.index(split)]
            return sum(
                v * (share * totals[k] - have[split][k]) / totals[k]
                for k, v in feats[d].items()
            )

        best = max(SPLIT_NAMES, key=lambda s: (need(s), -SPLIT_NAMES.index(s)))
        out[d] = best
        for k, v in feats[d].items():
            have[best][k] += v
    _cover_kinds(out, kinds, feats)
    return dict(sorted(out.items()))


def _cover_kinds(
    out: dict[str, str], kinds: dict[str, str], feats: dict[str, dict[str, float]]
) -> None:
    """Move light documents so each kind with 3+ documents is in every split."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for d in out:
        by_kind[kinds.get(d, "unknown")].append(d)
    for _kind, docs in sorted(by_kind.items()):
        if len(docs) < 3:
            continue
        for split in SPLIT_NAMES:
            if any(out[d] == split for d in docs):
                continue
            counts = {s: sum(out[d] == s for d in docs) for s in SPLIT_NAMES}
            donor = max(SPLIT_NAMES, key=lambda s: counts[s])
            movable = [d for d in docs if out[d] == donor]
            lightest = min(movable, key=lambda d: (sum(feats[d].values()), d))
            out[lightest] = split


def load_splits(path: Path = SPLITS_FILE) -> dict[str, str]:
    return (
        json.loads(path.read_text(encoding="utf-8"))["documents"]
        if path.is_file()
        else {}
    )


def save_splits(
    splits: dict[str, str], path: Path = SPLITS_FILE, seed: int = 13
) -> None:
    path.write_text(
        json.dumps(
            {
                "seed": seed,
                "unit": "document",
                "stratified_by": "kind",
                "documents": splits,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def gold(
    records: Iterable[AnnotationRecord],
) -> dict[tuple[str, int, int], AnnotationRecord]:
    """One record per clause: an adjudicator's if any, else the earliest pass."""
    out: dict[tuple[str, int, int], AnnotationRecord] = {}
    for r in sorted(latest(records).values(), key=lambda r: r.ts):
        key = (r.doc_id, r.start, r.end)
        if key not in out or r.annotator.startswith("adjudicat"):
            out[key] = r
    return out


def _overlapping(clauses: Sequence[Clause], s: int, e: int) -> int | None:
    """Index of the clause sharing most characters with [s, e).

    A record made under an earlier segmentation keeps its span; it still sits
    under an article, and the model reads that article's heading at run time.
    """
    best, most = None, 0
    for i, c in enumerate(clauses):
        n = min(e, c.end) - max(s, c.start)
        if n > most:
            best, most = i, n
    return best


def build_rows(
    records: Iterable[AnnotationRecord], docs: CorpusDocs, splits: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLIT_NAMES}
    # per document: clause index by span, and each clause's lead-in
    seen: dict[str, tuple[dict[tuple[int, int], int], tuple[str | None, ...]]] = {}
    for (doc_id, s, e), r in sorted(gold(records).items()):
        split = splits.get(doc_id)
        if split not in rows:
            continue
        doc = docs.get(doc_id)
        if doc_id not in seen:
            spans = {(c.start, c.end): i for i, c in enumerate(doc.clauses)}
            seen[doc_id] = (spans, doc.lead_ins())
        spans, lead_ins = seen[doc_id]
        i = spans.get((s, e))
        if i is None:
            i = _overlapping(doc.clauses, s, e)
        clause = doc.clauses[i] if i is not None else None
        context = (clause.nearest_heading or "") if clause else ""
        lead_in = (lead_ins[i] or "") if i is not None else ""
        rows[split].append(
            {
                "doc_id": doc_id,
                "clause_id": r.clause_id,
                "start": s,
                "end": e,
                "text": doc.text[s:e],
                "context": context,
                "title": doc.title or "",
                "lead_in": lead_in,
                "labels": list(r.labels),
            }
        )
    return rows


def build_dataset(
    records: Iterable[AnnotationRecord],
    labels: LabelSet,
    docs: CorpusDocs,
    splits: dict[str, str],
) -> DatasetDict:
    """``DatasetDict``: doc_id, clause_id, start, end, text, context, title, lead_in,
    labels."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Sequence, Value

    features = Features(
        {
            "doc_id": Value("string"),
            "clause_id": Value("string"),
            "start": Value("int64"),  # character offsets into the document text
            "end": Value("int64"),
            "text": Value("string"),
            "context": Value("string"),
            "title": Value("string"),
            "lead_in": Value("string"),
            "labels": Sequence(ClassLabel(names=labels.names)),
        }
    )
    rows = build_rows(records, docs, splits)
    # from_list cannot infer columns from an empty split; from_dict can
    return DatasetDict(
        {
            s: Dataset.from_dict(
                {k: [r[k] for r in rows[s]] for k in features}, features=features
            )
            for s in SPLIT_NAMES
        }
    )
