"""Train the default recipe on a random share of the train documents: a learning curve.

Dev and test stay whole, so each run's figures compare with the committed model's.
Shares are of documents, never clauses (as the splits are), drawn with
``random.Random(draw)`` over the sorted train document ids; each run writes a
complete model directory whose ``metrics.json`` holds dev and test.

    python scripts/learning_curve.py 0.25 0.5 0.75 --draw 0 --out /tmp/curve
    # -> /tmp/curve/share-0.25-draw-0/ ... and one line of figures a run
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from pipeline.train import annotation_rows, load_config, train


def share_of_documents(
    rows: list[dict[str, Any]], share: float, draw: int
) -> list[dict[str, Any]]:
    docs = sorted({r["doc_id"] for r in rows})
    keep = set(random.Random(draw).sample(docs, round(len(docs) * share)))
    return [r for r in rows if r["doc_id"] in keep]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shares", nargs="+", type=float, help="e.g. 0.25 0.5 0.75")
    ap.add_argument("--draw", type=int, default=0, help="seed of the document draw")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--config", type=Path, help="a TOML recipe, as for treaty train")
    args = ap.parse_args()
    config = load_config(args.config)
    rows, labels = annotation_rows(exclude_batches=config.exclude_batches)
    for share in args.shares:
        subset = dict(rows, train=share_of_documents(rows["train"], share, args.draw))
        out = args.out / f"share-{share}-draw-{args.draw}"
        train(out, config, subset, labels)
        m = json.loads((out / "metrics.json").read_text())
        figures = "  ".join(
            f"{split} {m[split]['micro_f']:.3f} / {m[split]['macro_f']:.3f}"
            for split in ("dev", "test")
        )
        print(
            f"share {share} draw {args.draw}: {len(subset['train'])} train clauses, "
            f"{figures}, {m['train_seconds']} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
