"""Score model directories on one split, on all its clauses and on the clauses first
labelled in rounds 1-3 ("early") or later ("later"), with TF-IDF beside them.

    git worktree add /tmp/m01 0585dc6    # the 0.1.0 model, trained on rounds 1-3
    python scripts/compare_models.py /tmp/m01/models/treaty-minilm-lora \
        models/treaty-minilm-lora --split test

The early subset is what the 0.1.0 model's figures were measured on; comparing on it
and on the whole split separates the model's change from the test set's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.annotate import load_records
from pipeline.classify import ClauseClassifier
from pipeline.evaluate import evaluate_rows, tfidf_baseline
from pipeline.train import annotation_rows

# the annotators of rounds 1-3 (annotations/README.md, "How the corpus was made")
EARLY = set(
    "alder birch cedar dogwood elm fir gorse hazel ivy juniper kale lime".split()
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--split", default="test")
    args = ap.parse_args()
    early = {(r.doc_id, r.start, r.end) for r in load_records() if r.annotator in EARLY}
    rows, labels = annotation_rows()
    split = rows[args.split]
    parts = {
        "all": split,
        "early": [r for r in split if (r["doc_id"], r["start"], r["end"]) in early],
        "later": [r for r in split if (r["doc_id"], r["start"], r["end"]) not in early],
    }
    print("| system | clauses | subset | micro-F1 | macro-F1 |\n|---|---|---|---|---|")
    for m in args.models:
        clf = ClauseClassifier.from_pretrained(m)
        version = f"{clf.config.name}@{clf.config.version}"
        for part, rs in parts.items():
            s = evaluate_rows(clf, rs, labels)
            print(
                f"| {version} | {s['clauses']} | {part} | {s['micro_f']:.3f} | "
                f"{s['macro_f']:.3f} |",
                flush=True,
            )
    for part, rs in parts.items():
        s = tfidf_baseline(rows["train"], rs, labels)
        print(
            f"| TF-IDF | {s['clauses']} | {part} | {s['micro_f']:.3f} | "
            f"{s['macro_f']:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
