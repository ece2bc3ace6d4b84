"""Classifier speed on this machine: torch vs ONNX Runtime (int8), model load time,
agreement of their decisions on the test split, and `treaty --help` start-up.

    python benchmarks/classify_speed.py [--threads 2] [--batch 32]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def clauses_per_second(clf, texts: list[str], contexts: list[str], batch: int) -> float:
    clf.scores(texts[:batch], contexts[:batch], batch_size=batch)  # warm up
    t0 = time.perf_counter()
    clf.scores(texts, contexts, batch_size=batch)
    return len(texts) / (time.perf_counter() - t0)


def help_startup(repeat: int = 5) -> float:
    exe = Path(sys.executable).with_name("treaty")
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    os.environ["TREATY_THREADS"] = str(args.threads)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    from pipeline.classify import ClauseClassifier
    from pipeline.onnx_backend import OnnxClassifier
    from pipeline.train import annotation_rows

    rows, _labels = annotation_rows()
    test = rows["test"]
    texts = [r["text"] for r in test]
    tokens = [len(t.split()) for t in texts]
    print(f"test split: {len(texts)} clauses, median {int(np.median(tokens))} words")

    t0 = time.perf_counter()
    torch_clf = ClauseClassifier.from_pretrained()
    t_load_torch = time.perf_counter() - t0
    contexts = torch_clf.row_contexts(test)
    OnnxClassifier.from_pretrained()  # builds the cached ONNX file if missing
    t0 = time.perf_counter()
    onnx_clf = OnnxClassifier.from_pretrained()
    t_load_onnx = time.perf_counter() - t0

    cps_torch = clauses_per_second(torch_clf, texts, contexts, args.batch)
    cps_onnx = clauses_per_second(onnx_clf, texts, contexts, args.batch)
    a = torch_clf.to_predictions(torch_clf.scores(texts, contexts))
    b = onnx_clf.to_predictions(onnx_clf.scores(texts, contexts))
    same = sum(x.selected == y.selected for ra, rb in zip(a, b) for x, y in zip(ra, rb))
    total = sum(len(r) for r in a)
    print(
        f"torch: {cps_torch:.1f} clauses/s; ONNX int8: {cps_onnx:.1f} clauses/s "
        f"({args.threads} threads, batch {args.batch})"
    )
    print(f"model load: torch {t_load_torch:.2f} s, ONNX (cached) {t_load_onnx:.2f} s")
    print(f"torch vs ONNX decisions on test: {same}/{total} = {same / total:.4f}")
    print(f"`treaty --help` start-up: {help_startup():.3f} s (best of 5)")


if __name__ == "__main__":
    main()
