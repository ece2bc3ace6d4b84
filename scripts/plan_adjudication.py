"""Adjudication: every double-labelled clause on which the two passes disagree.

The adjudicator sees the clause, its heading and both label sets, reads the clause
against the current guideline (`annotations/GUIDELINES.md`) and records the final
labels under an ``adjudicator-*`` name; ``dataset.gold`` prefers those records.

    python scripts/plan_adjudication.py [NAME]   # -> annotations/tasks/NAME.jsonl

Clauses an adjudicator has already decided are left out, so a later run (``adj2-moss``
after the round-6 second pass) holds only the new disagreements.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from pipeline.annotate import CorpusDocs, latest, load_records, tasks_for
from pipeline.formats import ToolFormat, write_tasks
from pipeline.labels import load_labels

TASKS = Path(__file__).resolve().parents[1] / "annotations" / "tasks"


def main() -> None:
    out = TASKS / f"{sys.argv[1] if len(sys.argv) > 1 else 'adj-moss'}.jsonl"
    by_clause: dict[tuple[str, int, int], dict[str, tuple[str, ...]]] = defaultdict(
        dict
    )
    for (who, doc, s, e), r in latest(load_records()).items():
        by_clause[(doc, s, e)][who] = r.labels
    docs = CorpusDocs()
    tasks = []
    for (doc_id, s, e), votes in sorted(by_clause.items()):
        if len(votes) < 2 or len(set(votes.values())) == 1:
            continue
        if any(who.startswith("adjudicat") for who in votes):
            continue
        doc = docs.get(doc_id)
        clause = next(c for c in doc.clauses if (c.start, c.end) == (s, e))
        (task,) = tasks_for(doc, [clause])
        tasks.append((task, sorted({",".join(v) for v in votes.values()})))
    write_tasks([t for t, _ in tasks], ToolFormat.prodigy, out, load_labels())
    # the candidate label sets go beside the tasks, for the adjudicator to weigh
    out.with_suffix(".candidates.txt").write_text(
        "".join(f"{i}\t{' | '.join(c)}\n" for i, (_, c) in enumerate(tasks))
    )
    print(f"{len(tasks)} disagreements -> {out}")


if __name__ == "__main__":
    main()
