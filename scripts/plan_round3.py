"""Round 3: the labels the corpus holds least of (alliance commitments, consultation).

Takes every not-yet-labelled clause of the UN Charter (the corpus's main source of
use-of-force obligations) and, from the other English texts, the not-yet-labelled
clauses that the round-2 ordering patterns select for those two labels, plus
claims and exercise clauses from the dev and test documents, which hold few.
Patterns only order the work; annotators label every clause by reading it.

    python scripts/plan_round3.py
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_round2 import ORDERING, OUT  # noqa: E402

from pipeline.annotate import CorpusDocs, load_records, tasks_for  # noqa: E402
from pipeline.dataset import load_splits  # noqa: E402
from pipeline.formats import ToolFormat, write_tasks  # noqa: E402
from pipeline.labels import load_labels  # noqa: E402

CHARTER = "BWBV0004143"


def main() -> None:
    rng = random.Random(31)
    splits = load_splits()
    done = {(r.doc_id, r.start, r.end) for r in load_records()}
    docs = CorpusDocs()
    rare = re.compile(
        ORDERING["alliance_commitments"] + "|" + ORDERING["consultation"], re.I
    )
    held_out = re.compile(
        ORDERING["claims_liability"] + "|" + ORDERING["exercises_training"], re.I
    )
    chosen = []
    for doc_id in sorted(splits):
        for t in tasks_for(docs.get(doc_id)):
            if (t.doc_id, t.start, t.end) in done or len(t.text) < 25:
                continue
            if doc_id == CHARTER or rare.search(t.text):
                chosen.append(t)
            elif (
                splits[doc_id] != "train"
                and held_out.search(t.text)
                and rng.random() < 0.5
            ):
                chosen.append(t)
    half = len(chosen) // 2
    write_tasks(chosen[:half], ToolFormat.prodigy, OUT / "r3-kale.jsonl", load_labels())
    write_tasks(chosen[half:], ToolFormat.prodigy, OUT / "r3-lime.jsonl", load_labels())
    print(f"round 3: {len(chosen)} clauses -> {OUT}/r3-kale.jsonl, r3-lime.jsonl")


if __name__ == "__main__":
    main()
