"""How long `treaty train` would take on this machine, from a sample of its steps.

    python benchmarks/train_speed.py [--steps 120] [--seed 0] [--config F.toml]

A full training run takes 13-20 minutes against a 20-minute budget, and this
machine's speed varies by the hour (the same work took 1,046 s and 1,161 s on one
day). This measures the parts that make up nearly all of it, on a random sample of
the real training clauses with the committed recipe (or the one ``--config`` names):
the frozen layers' pass (once per clause), the optimisation steps (steps per epoch x
epochs) and, when the recipe freezes the lowest adapted layer after some epochs, the
pass that computes its output and the cheaper steps after it. It projects
them to the whole train split in about a minute, so a full run can be judged before
it is started. What it leaves out (model load, the n-gram part, scoring dev,
calibration) is in `train_seconds` of the committed model, printed beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--config", type=Path, help="a TOML recipe, as for `treaty train`")
    args = ap.parse_args()
    import numpy as np

    from pipeline.classify import DEFAULT_MODEL, ClauseClassifier
    from pipeline.train import annotation_rows, fit, load_config

    config = load_config(args.config)
    rows, labels = annotation_rows(exclude_batches=config.exclude_batches)
    train = rows["train"]
    n = min(len(train), args.steps * config.batch_size)
    pick = np.random.default_rng(args.seed).choice(len(train), n, replace=False)
    sample = [train[i] for i in sorted(pick)]

    t0 = time.perf_counter()
    ClauseClassifier.build(labels, config.model)
    build = time.perf_counter() - t0

    # a recipe that freezes a layer is timed on both sides of the freeze
    freeze = 0 < config.freeze_after < config.epochs
    stamps: list[float] = []
    sampled = dataclasses.replace(
        config,
        epochs=2 if freeze else 1,
        freeze_after=1 if freeze else 0,
        model=dataclasses.replace(config.model, ngram_weight=0.0),
    )
    t0 = time.perf_counter()
    fit(
        sample,
        [],
        labels,
        sampled,
        progress=lambda *_: stamps.append(time.perf_counter()),
    )
    per_epoch = math.ceil(n / config.batch_size)
    first = np.diff(stamps[:per_epoch])[5:]  # the first steps warm up the allocator
    step = float(np.mean(first))
    frozen = (stamps[0] - t0 - step - build) / n  # seconds a clause
    full = math.ceil(len(train) / config.batch_size)
    epochs_full = config.freeze_after if freeze else config.epochs
    loop = full * epochs_full * step
    bottom = frozen * len(train)
    print(f"sample: {n} of {len(train)} training clauses, {len(first)} timed steps")
    print(f"step: {step:.3f} s (median {float(np.median(first)):.3f})")
    print(f"frozen layers: {frozen * 1000:.1f} ms a clause")
    if freeze:
        later = np.diff(stamps[per_epoch:])[5:]
        step2 = float(np.mean(later))
        # the pause between the epochs is one step plus the frozen layer's pass
        advance = (stamps[per_epoch] - stamps[per_epoch - 1] - step2) / n
        loop += full * (config.epochs - epochs_full) * step2 + advance * len(train)
        print(
            f"after the freeze: step {step2:.3f} s, "
            f"freezing pass {advance * 1000:.1f} ms a clause"
        )
    steps = full * config.epochs
    committed = json.loads((DEFAULT_MODEL / "metrics.json").read_text())
    print(
        f"projected: frozen pass {bottom:.0f} s + {steps} steps {loop:.0f} s = "
        f"{bottom + loop:.0f} s ({(bottom + loop) / 60:.1f} min)"
    )
    print(
        "committed model's train_seconds (these, model load, n-grams, dev scoring, "
        f"calibration): "
        f"{committed.get('train_seconds')}"
    )


if __name__ == "__main__":
    main()
