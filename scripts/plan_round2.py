"""Round 2 of annotation: an independent second pass and a rare-label round.

1. Second pass: clauses already labelled in round 1, sampled evenly across the six
   batches, re-labelled blind by two new annotators (agreement is measured on them).
2. Rare labels: clauses not yet labelled, from every English corpus text. Keyword
   patterns only ORDER the work here (the guideline allows that): they pick clauses
   likely to hold the labels round 1 found few of. The annotators label each clause
   by reading it, with every label open to them, and the tasks carry no suggestion.

    python scripts/plan_round2.py
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from pipeline.annotate import CorpusDocs, load_records, tasks_for
from pipeline.formats import ToolFormat, write_tasks
from pipeline.labels import load_labels

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "annotations" / "tasks"
SEED = 29
ORDERING = {  # label -> pattern that makes a clause worth reading in this round
    "alliance_commitments": r"armed attack|use of force|self-defence|aggression|"
    r"peaceful means|threat to the peace|collective measures",
    "consultation": r"\bconsult",
    "dispute_resolution": r"\bdisputes?\b",
    "command_operations": r"command|operational control|boarding|rules of engagement|"
    r"peacekeeping|mission|operations?\b",
    "exercises_training": r"exercise|training|courses?\b|instructor",
    "intelligence_sharing": r"exchange (of )?information|intelligence|early warning",
    "facilities_access": r"facilit|premises|airspace|ports?\b|territory of",
    "claims_liability": r"claims?\b|damage|compensat|indemn",
    "materiel_procurement": r"procure|defen[cs]e (articles|equipment|material)|arms\b",
    "consultation_security": r"security .{0,40}threat|threat.{0,40}security",
}


def main() -> None:
    rng = random.Random(SEED)
    labels = load_labels()
    records = load_records()
    done = {(r.doc_id, r.start, r.end) for r in records}
    # 1. second pass: 460 clauses, evenly over the round-1 annotators
    by_who: dict[str, list] = {}
    for r in sorted(records, key=lambda r: (r.annotator, r.doc_id, r.start)):
        by_who.setdefault(r.annotator, []).append(r)
    picked = []
    for who in sorted(by_who):
        picked += rng.sample(by_who[who], 77)
    docs = CorpusDocs()
    second = []
    for r in sorted(picked, key=lambda r: (r.doc_id, r.start)):
        doc = docs.get(r.doc_id)
        clause = next(c for c in doc.clauses if (c.start, c.end) == (r.start, r.end))
        second += tasks_for(doc, [clause])
    rng.shuffle(second)
    half = len(second) // 2
    write_tasks(
        sorted(second[:half], key=lambda t: (t.doc_id, t.start)),
        ToolFormat.prodigy,
        OUT / "r2-gorse.jsonl",
        labels,
    )
    write_tasks(
        sorted(second[half:], key=lambda t: (t.doc_id, t.start)),
        ToolFormat.prodigy,
        OUT / "r2-hazel.jsonl",
        labels,
    )
    # 2. rare labels from clauses nobody has labelled yet
    manifest = [
        json.loads(x)
        for x in (ROOT / "corpora" / "manifest.jsonl").read_text().splitlines()
    ]
    ids = [
        m["doc_id"]
        for m in manifest
        if m["collection"] == "main"
        and m["lang"] == "en"
        and m["file"].endswith(".txt")
    ]
    pool = [
        t
        for d in ids
        for t in tasks_for(docs.get(d))
        if (t.doc_id, t.start, t.end) not in done and len(t.text) > 40
    ]
    chosen: dict[tuple[str, int], object] = {}
    for _label, pattern in ORDERING.items():
        hits = [t for t in pool if re.search(pattern, t.text, re.I)]
        for t in rng.sample(hits, min(70, len(hits))):
            chosen[(t.doc_id, t.start)] = t
    for t in rng.sample(pool, 80):  # unordered clauses, so the round is not all hits
        chosen[(t.doc_id, t.start)] = t
    rare = sorted(chosen.values(), key=lambda t: (t.doc_id, t.start))  # type: ignore[attr-defined]
    half = len(rare) // 2
    write_tasks(rare[:half], ToolFormat.prodigy, OUT / "r2-ivy.jsonl", labels)
    write_tasks(rare[half:], ToolFormat.prodigy, OUT / "r2-juniper.jsonl", labels)
    print(f"second pass {len(second)} clauses, rare-label round {len(rare)} clauses")


if __name__ == "__main__":
    main()
