"""Round 15: every train-document clause still unlabelled, read in document order.

Rounds 10-13 chose train clauses by the model's scores with a cap a document, which
left 2,508 clauses unlabelled, most of them in the longest train documents (the CFE
Treaty, the German supplementary agreement to the NATO SOFA, Additional Protocol I).
The learning curve after 0.9.0 (README) gains about 6 micro-F1 points a doubling of
random train documents, so this round labels the rest rather than a chosen share: then
every clause of every train document has a gold label, and a long document is read
as a document, not as scattered clauses.

The pool (document order) is cut into ``len(ANNOTATORS)`` runs of about equal size,
so each annotator reads consecutive clauses; each task also carries ``before``, the
end of the preceding clause. No model runs: the tasks carry no suggestion.

    python scripts/plan_round15.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_round4 import unlabelled, write_batch  # noqa: E402

from pipeline import corpus  # noqa: E402
from pipeline.annotate import CorpusDocs, load_records  # noqa: E402
from pipeline.dataset import load_splits  # noqa: E402

ANNOTATORS = ["agate", "beryl", "coral", "flint", "galena", "jasper", "mica", "onyx"]


def pool() -> tuple[list, dict[tuple[str, int], str]]:
    """Unlabelled train clauses in document order, and the text before each."""
    splits = load_splits()
    # round 15's own records left out, so that its tasks can be written again
    done = {(r.doc_id, r.start, r.end) for r in load_records(exclude_batches=["r15"])}
    # the corpus's own documents: round 16 added general treaties to train later
    main = {r["doc_id"] for r in corpus.records() if r.get("collection") == "main"}
    train = sorted(d for d, s in splits.items() if s == "train" and d in main)
    before: dict[tuple[str, int], str] = {}
    todo = [t for _, _, t in unlabelled(train, CorpusDocs(), done, before)]
    return todo, before


def main() -> None:
    todo, before = pool()
    cuts = [i * len(todo) // len(ANNOTATORS) for i in range(len(ANNOTATORS) + 1)]
    for who, lo, hi in zip(ANNOTATORS, cuts, cuts[1:]):
        write_batch(f"r15-{who}", todo[lo:hi], before)


if __name__ == "__main__":
    main()
