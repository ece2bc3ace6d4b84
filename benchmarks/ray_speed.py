"""Batch throughput: the local backend against the Ray backend, 1 and 2 workers.

The same corpus texts, classification on, each run into a fresh folder; documents per
second of the whole batch (worker start and model load included). Ray is started
before each Ray run, as a cluster would be, and its start-up is timed apart: without
--address, `treaty extract --backend ray` pays it once per batch. The machine's load
average is printed with each run (it is shared). Outputs of all runs are compared.

    python benchmarks/ray_speed.py [--docs 40] [--workers 1 2] [--backends ray local]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT.parent / "shared" / "corpora" / "texts"
sys.path.insert(0, str(ROOT))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(inputs: list[Path], out: Path, backend: str, workers: int) -> float:
    from pipeline.batch import BatchOptions, run_batch

    opts = BatchOptions(classify=True, workers=workers, backend=backend)
    t0 = time.perf_counter()
    summary = run_batch(inputs, out, opts)
    seconds = time.perf_counter() - t0
    assert summary.failed == 0 and summary.processed == len(inputs), summary.statuses
    return seconds


def start_ray(workers: int) -> float:
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    t0 = time.perf_counter()
    ray.init(  # what RayPool starts without --address
        num_cpus=2 * workers,
        object_store_memory=256 << 20,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
    )
    return time.perf_counter() - t0


def outputs(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in out.glob("*.json")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument(
        "--backends", nargs="+", default=["local", "ray"], help="in this order"
    )
    args = ap.parse_args()
    inputs = sorted(TEXTS.glob("*.txt"))[: args.docs]
    size = sum(p.stat().st_size for p in inputs) / 1e6
    print(f"{len(inputs)} texts ({size:.1f} MB) from {TEXTS}, classification on")
    tmp = Path(tempfile.mkdtemp(prefix="ray-speed-"))
    rows = []
    try:
        for backend in args.backends:
            for n in args.workers:
                start = start_ray(n) if backend == "ray" else None
                before = load()
                out = tmp / f"{backend}-{n}"
                seconds = run(inputs, out, backend, n)
                if backend == "ray":
                    import ray

                    ray.shutdown()
                rows.append((backend, n, seconds, start, before, load(), out))
                print(f"  {backend} x{n}: {seconds:.1f} s", flush=True)
        first = outputs(rows[0][-1])
        same = all(outputs(r[-1]) == first for r in rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(
        "| backend | workers | batch time | documents/s | Ray start "
        "| load before/after |\n|---|---|---|---|---|---|"
    )
    for backend, n, seconds, start, before, after, _ in rows:
        ray_start = f"{start:.1f} s" if start is not None else "-"
        print(
            f"| {backend} | {n} | {seconds:.1f} s | {len(inputs) / seconds:.2f} "
            f"| {ray_start} | {before} / {after} |"
        )
    print(f"\noutputs of all runs byte-identical: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
