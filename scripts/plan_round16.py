"""Round 16: clauses of general treaties, new documents for the train split.

Round 15 labelled the 2,508 train-document clauses that were left and moved nothing
(README, Evaluation): more clauses of documents the model had already learnt from.
The learning curve had added whole documents. The corpus's English defence and
security texts are all in a split, so the documents new to the model can only come
from the 500 general treaties (tax, air services, privileges and immunities, science
and technology, ...): outside the defence domain, but they hold most labels' clauses
(final, dispute and general provisions, privileges and status, customs, costs,
technical cooperation) and the hard negatives of the defence labels.

The same number of clauses as round 15, chosen as in rounds 7-13 by the committed
model (half those it is least sure of, half those where a weakly learnt label scores
highest; the model only orders the work, the tasks carry no suggestion), at most
``PER_DOC`` a document so that many documents contribute. Documents that get tasks are
added to ``annotations/splits.json`` as train; dev and test stay as they are.

    python scripts/plan_round16.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_round4 import WEAK7, _pick, unlabelled, write_batch  # noqa: E402

from pipeline import corpus  # noqa: E402
from pipeline.annotate import CorpusDocs, load_records  # noqa: E402
from pipeline.classify import load_classifier  # noqa: E402
from pipeline.dataset import load_splits, save_splits  # noqa: E402

ANNOTATORS = ["amber", "basalt", "chert", "dolomite", "epidote", "feldspar", "gneiss"]
PER_ANNOTATOR = 358  # 7 x 358 = 2,506, about round 15's 2,508
PER_DOC = 15
SEED = 41 + 16


def main() -> None:
    rng = random.Random(SEED)
    splits = load_splits()
    done = {(r.doc_id, r.start, r.end) for r in load_records(exclude_batches=["r16"])}
    general = sorted(
        r["doc_id"]
        for r in corpus.records()
        if r.get("collection") == "general"  # never dev or test
    )
    before: dict[tuple[str, int], str] = {}
    pool = list(unlabelled(general, CorpusDocs(), done, before, load_classifier()))
    chosen = _pick(pool, PER_ANNOTATOR * len(ANNOTATORS), rng, WEAK7, PER_DOC)
    for i, who in enumerate(ANNOTATORS):
        batch = chosen[i * PER_ANNOTATOR : (i + 1) * PER_ANNOTATOR]
        batch.sort(key=lambda t: (t.doc_id, t.start))
        write_batch(f"r16-{who}", batch, before)
    for t in chosen:
        splits.setdefault(t.doc_id, "train")
    save_splits(dict(sorted(splits.items())))
    print(f"{len({t.doc_id for t in chosen})} general documents added to train")


if __name__ == "__main__":
    main()
