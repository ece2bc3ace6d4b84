"""Turn an annotator's decisions file into a Prodigy answers file for import.

Annotators who work from a task file without the Prodigy UI write one line per task:
``<index>\\t<label,label>\\t<note>``. This pairs each line with its task (checked:
every task answered once, in order) and writes what ``prodigy db-out`` would, so
that ``treaty annotate import`` validates and stores it like any tool's export.

    python scripts/decisions_to_answers.py annotations/tasks/r4-mint.jsonl \\
        annotations/incoming/r4-mint.decisions.tsv mint \\
        > annotations/incoming/r4-mint.answers.jsonl
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def answers(tasks: Path, decisions: Path, annotator: str) -> list[dict]:
    lines = tasks.read_text(encoding="utf-8").splitlines()
    rows = [r.split("\t") for r in decisions.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r and r[0].strip()]
    if [int(r[0]) for r in rows] != list(range(len(lines))):
        raise SystemExit(f"{decisions}: indices must be 0..{len(lines) - 1} in order")
    now = int(time.time())
    out = []
    for line, row in zip(lines, rows):
        task = json.loads(line)
        labels = [x.strip() for x in row[1].split(",") if x.strip()]
        note = row[2].strip() if len(row) > 2 else ""
        task["accept"] = labels
        task["meta"] = {k: v for k, v in task["meta"].items() if k != "before"}
        if note:
            task["meta"]["note"] = note
        task.update(
            answer="accept",
            _annotator_id=annotator,
            _session_id=annotator,
            _timestamp=now,
        )
        out.append(task)
    return out


def main() -> None:
    tasks, decisions, annotator = sys.argv[1:4]
    for a in answers(Path(tasks), Path(decisions), annotator):
        print(json.dumps(a, ensure_ascii=False))


if __name__ == "__main__":
    main()
