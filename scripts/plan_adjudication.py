"""Adjudication: every double-labelled clause on which the two passes disagree.

The adjudicator sees the clause, its heading and both label sets, reads the clause
against the current guideline (revision 2) and records the final labels under an
``adjudicator-*`` name; ``dataset.gold`` prefers those records.

    python scripts/plan_adjudication.py
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pipeline.annotate import CorpusDocs, latest, load_records, tasks_for
from pipeline.formats import ToolFormat, write_tasks
from pipeline.labels import load_labels

OUT = Path(__file__).resolve().parents[1] / "annotations" / "tasks" / "adj-moss.jsonl"


def main() -> None:
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
        doc = docs.get(doc_id)
        clause = next(c for c in doc.clauses if (c.start, c.end) == (s, e))
        (task,) = tasks_for(doc, [clause])
        tasks.append((task, sorted({",".join(v) for v in votes.values()})))
    write_tasks([t for t, _ in tasks], ToolFormat.prodigy, OUT, load_labels())
    # the candidate label sets go beside the tasks, for the adjudicator to weigh
    OUT.with_suffix(".candidates.txt").write_text(
        "".join(f"{i}\t{' | '.join(c)}\n" for i, (_, c) in enumerate(tasks))
    )
    print(f"{len(tasks)} disagreements -> {OUT}")


if __name__ == "__main__":
    main()
