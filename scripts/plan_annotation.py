"""Choose the documents of the first annotation round and split them into batches.

Keyword-free: documents are chosen by the manifest's group and kind (every English
defence agreement, and a spread of arms-control and wider-security treaties), and
batches are balanced by clause count. Writes annotations/tasks/<batch>.docs.txt;
`treaty annotate export --docs-file ... --per-doc N` then writes the tasks.

    python scripts/plan_annotation.py
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCHES = ["r1-alder", "r1-birch", "r1-cedar", "r1-dogwood", "r1-elm", "r1-fir"]
PER_KIND = {"security": 14, "security-extra": 24}  # documents drawn per group


def main() -> None:
    rows = [
        json.loads(line)
        for line in (ROOT / "corpora" / "manifest.jsonl").read_text().splitlines()
    ]
    rows = [
        r
        for r in rows
        if r["collection"] == "main"
        and r["lang"] == "en"
        and r["file"].endswith(".txt")
    ]
    chosen = [r for r in rows if r["group"] == "defense"]
    for group, n in PER_KIND.items():
        by_kind: dict[str, list[dict[str, str]]] = defaultdict(list)
        for r in sorted(
            (r for r in rows if r["group"] == group), key=lambda r: r["doc_id"]
        ):
            by_kind[r["kind"]].append(r)
        picked: list[dict[str, str]] = []
        while len(picked) < n and any(by_kind.values()):  # round robin over kinds
            for kind in sorted(by_kind):
                if by_kind[kind] and len(picked) < n:
                    picked.append(by_kind[kind].pop(0))
        chosen += picked
    out = ROOT / "annotations" / "tasks"
    out.mkdir(parents=True, exist_ok=True)
    weights = {r["doc_id"]: min(r["bytes"], 60000) for r in chosen}
    loads = dict.fromkeys(BATCHES, 0)
    docs: dict[str, list[str]] = {b: [] for b in BATCHES}
    for d in sorted(weights, key=lambda d: -weights[d]):
        b = min(loads, key=lambda k: loads[k])
        loads[b] += weights[d]
        docs[b].append(d)
    for b in BATCHES:
        (out / f"{b}.docs.txt").write_text("\n".join(sorted(docs[b])) + "\n")
    print(f"{len(chosen)} documents in {len(BATCHES)} batches -> {out}")


if __name__ == "__main__":
    main()
