"""A blind second pass over the train clauses the committed model fits worst.

Train clauses have one annotation pass (dev and test have two and an adjudicator).
Where the committed model, which has seen them, still decides otherwise than their
one pass, either the clause is hard or the pass was wrong. This draws those clauses,
most confident disagreement first, at most ``PER_DOC`` a document, and gives them to
new annotators exactly as a first pass sees them (text, heading, the end of the
clause before; nothing of either the pass or the model). Where the second pass
differs from the first, ``plan_adjudication.py`` then collects them for an
adjudicator, whose record ``dataset.gold`` prefers.

    python scripts/plan_relabel.py 14   # -> annotations/tasks/r14-NAME.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_round4 import preceding, write_batch  # noqa: E402

from pipeline.annotate import CorpusDocs, load_records, tasks_for  # noqa: E402
from pipeline.classify import load_classifier  # noqa: E402
from pipeline.dataset import gold, load_splits  # noqa: E402

ROUNDS = {"14": ["finch", "lark", "plover", "swift", "tern", "shrike"]}
PER_ANNOTATOR = 200
PER_DOC = 60


def disagreement(clause, labels: tuple[str, ...]) -> float:
    """How sure the model is of its most confident decision against the pass: the
    score of a label it selects that the pass does not give, or one minus the score
    of a label the pass gives that it does not select (0 if they agree)."""
    worst = 0.0
    for p in clause.predictions:
        if p.selected and p.label not in labels:
            worst = max(worst, p.score)
        elif not p.selected and p.label in labels:
            worst = max(worst, 1 - p.score)
    return worst


def main() -> None:
    round_ = sys.argv[1] if len(sys.argv) > 1 else "14"
    names = ROUNDS[round_]
    splits = load_splits()
    records = load_records()
    passes: dict[tuple[str, int, int], int] = {}
    for r in records:
        key = (r.doc_id, r.start, r.end)
        passes[key] = passes.get(key, 0) + 1
    first = gold(records)
    docs = CorpusDocs()
    clf = load_classifier()
    cands = []
    before: dict[tuple[str, int], str] = {}
    for doc_id in sorted(d for d, s in splits.items() if s == "train"):
        raw = docs.get(doc_id)
        doc = clf.classify_document(raw)
        raw_tasks = tasks_for(raw)  # no suggestion in what annotators see
        before.update(preceding(raw_tasks))
        for c, t in zip(doc.clauses, raw_tasks):
            key = (doc_id, c.start, c.end)
            if key not in first or passes[key] > 1:
                continue
            score = disagreement(c, first[key].labels)
            if score > 0:
                cands.append((score, doc_id, c.start, t))
    cands.sort(key=lambda x: (-x[0], x[1], x[2]))
    print(f"{len(cands)} one-pass train clauses the model decides otherwise")
    chosen, per_doc = [], {}
    for _score, doc_id, _start, t in cands:
        if len(chosen) == PER_ANNOTATOR * len(names):
            break
        if per_doc.get(doc_id, 0) < PER_DOC:
            per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
            chosen.append(t)
    # whole documents to one annotator, so each reads a clause among its neighbours
    chosen.sort(key=lambda t: (t.doc_id, t.start))
    size = -(-len(chosen) // len(names))
    for i, who in enumerate(names):
        write_batch(f"r{round_}-{who}", chosen[i * size : (i + 1) * size], before)


if __name__ == "__main__":
    main()
