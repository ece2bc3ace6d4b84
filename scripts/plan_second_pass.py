"""A blind second pass over rounds 4 and 5, to measure how well they agree.

Draws the same number of clauses from every round-4/5 first-pass annotator and
splits them between two new annotators, who see the task as the first pass did
(text, heading, the preceding clause) and nothing of its answer.

    python scripts/plan_second_pass.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / "annotations" / "tasks"
FIRST = ["mint", "nettle", "oak", "pine", "quince", "rowan", "sorrel", "tansy"]
FIRST += ["ulex", "verbena", "willow", "zinnia", "aster", "bramble", "clover"]
PER_ANNOTATOR = 20
SEED = 53


def main() -> None:
    rng = random.Random(SEED)
    picked: list[str] = []
    for who in FIRST:
        (path,) = TASKS.glob(f"r[45]-{who}.jsonl")
        picked += rng.sample(
            path.read_text(encoding="utf-8").splitlines(), PER_ANNOTATOR
        )
    rng.shuffle(picked)
    half = len(picked) // 2
    for name, part in (("r6-wren", picked[:half]), ("r6-yew", picked[half:])):
        part = sorted(
            part,
            key=lambda x: (
                json.loads(x)["meta"]["doc_id"],
                json.loads(x)["meta"]["start"],
            ),
        )
        (TASKS / f"{name}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
        print(f"{name}: {len(part)} clauses")


if __name__ == "__main__":
    main()
