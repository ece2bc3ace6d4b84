"""Soak: a batch of 500+ good, broken and hostile files, killed midway and resumed.

Builds a folder of symlinks to ../shared (general treaties, defence texts, real and
scanned PDFs, every bad input), runs `treaty extract` on it in a child process, kills
the whole process group with SIGKILL once a share of the inputs is done (a power cut,
not a polite Ctrl-C), resumes with --resume, and reports:

- throughput (documents/s) of each leg, and of the whole;
- peak memory of the whole run: the largest sum of RSS over the batch's process tree,
  sampled every 0.2 s, and the largest single process;
- records by status;
- the resume check: every input has exactly one final record, no input finished
  twice, every JSON output parses, no temporary file is left.

    python benchmarks/soak.py [--kill-at 0.4] [--workers 2] [--classify] [--timeout 60]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SUCCESS = {"ok", "partial"}


def build_inputs(folder: Path) -> int:
    groups = {
        "general": sorted((SHARED / "corpora" / "general" / "texts").glob("*.txt")),
        "defence": sorted((SHARED / "corpora" / "texts").glob("*.txt"))[:60],
        "pdf": sorted((SHARED / "corpora" / "real-pdfs").glob("*.pdf"))[:4],
        "scanned": sorted((SHARED / "corpora" / "pdfs").glob("*.pdf")),
        "bad": sorted((SHARED / "badinputs" / "files").iterdir()),
    }
    n = 0
    for name, files in groups.items():
        sub = folder / name
        sub.mkdir(parents=True)
        for f in files:
            # bad inputs keep odd suffixes (.xml); name them .txt so the folder scan
            # takes them, as a mis-named download would arrive
            suffix = f.suffix if f.suffix.lower() in (".pdf", ".txt") else ".txt"
            (sub / (f.stem + suffix)).symlink_to(f.resolve())
            n += 1
    return n


def tree_rss(root_pid: int) -> tuple[int, int]:
    """(sum, max) RSS in bytes over root_pid and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            pages = int((d / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
        rss[int(d.name)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, biggest, todo = 0, 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        biggest = max(biggest, rss.get(pid, 0))
        todo.extend(children.get(pid, []))
    return total, biggest


def run_leg(cmd: list[str], ledger: Path, kill_after: int | None) -> dict[str, float]:
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
    )
    peak_sum = peak_one = 0
    killed = False
    while proc.poll() is None:
        s, m = tree_rss(proc.pid)
        peak_sum, peak_one = max(peak_sum, s), max(peak_one, m)
        if kill_after is not None and ledger.exists():
            if sum(1 for _ in ledger.open()) >= kill_after:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                break
        time.sleep(0.2)
    proc.wait()
    err = proc.stderr.read() if proc.stderr else ""
    if not killed and proc.returncode not in (0, 1):
        sys.exit(f"batch failed with exit code {proc.returncode}:\n{err[-2000:]}")
    return {
        "seconds": time.monotonic() - t0,
        "peak_tree_mb": peak_sum / 2**20,
        "peak_process_mb": peak_one / 2**20,
        "exit": proc.returncode,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kill-at", type=float, default=0.4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--max-memory", type=int, default=4096)
    ap.add_argument("--classify", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs, out = Path(tmp) / "in", Path(tmp) / "out"
        n = build_inputs(inputs)
        cmd = [
            sys.executable,
            "-c",
            "from cli import app; app()",
            "extract",
            str(inputs),
            "--out",
            str(out),
            "--workers",
            str(args.workers),
            "--timeout",
            str(args.timeout),
            "--max-memory",
            str(args.max_memory),
        ]
        if not args.classify:
            cmd.append("--no-classify")
        ledger = out / "ledger.jsonl"
        first = run_leg(cmd, ledger, int(n * args.kill_at))
        done_first = sum(1 for _ in ledger.open())
        second = run_leg([*cmd, "--resume"], ledger, None)
        records = [json.loads(line) for line in ledger.open()]
        final: dict[str, dict] = {}
        finished = Counter()
        for r in records:
            final[r["input"]] = r
            if r["status"] not in ("failed", "timeout"):
                finished[r["input"]] += 1
        twice = [i for i, c in finished.items() if c > 1]
        outputs = list(out.rglob("*.json"))
        bad_json = []
        for p in outputs:
            try:
                json.loads(p.read_text())
            except (json.JSONDecodeError, UnicodeDecodeError):
                bad_json.append(p)
        tmp_left = list(out.rglob("*.tmp"))
        statuses = Counter(r["status"] for r in final.values())
        total = first["seconds"] + second["seconds"]
        print(
            f"inputs: {n}  (workers {args.workers}, timeout {args.timeout:g} s, "
            f"max-memory {args.max_memory} MB, classify {args.classify})"
        )
        print(
            f"leg 1: killed (SIGKILL) after {done_first} records, "
            f"{first['seconds']:.1f} s"
        )
        print(
            f"leg 2: --resume, {len(records) - done_first} records, "
            f"{second['seconds']:.1f} s, exit {second['exit']}"
        )
        print(f"throughput: {n / total:.2f} documents/s over both legs")
        tree = max(first["peak_tree_mb"], second["peak_tree_mb"])
        one = max(first["peak_process_mb"], second["peak_process_mb"])
        print(
            f"peak memory: whole process tree {tree:.0f} MB, largest process "
            f"{one:.0f} MB"
        )
        print(
            "records by status: "
            + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        )
        print(
            f"resume check: {len(final)}/{n} inputs with a final record, "
            f"{len(twice)} finished twice, {len(outputs)} JSON outputs, "
            f"{len(bad_json)} unparsable, {len(tmp_left)} temporary files left"
        )
        for r in sorted(final.values(), key=lambda r: (r["status"], r["input"])):
            if r["status"] not in SUCCESS:
                reason = (r["errors"] or [""])[0].split(": ", 1)[-1][:90]
                print(f"  {r['status']:<11} {Path(r['input']).name[:40]:<40} {reason}")
        ok = len(final) == n == len(outputs) and not twice and not bad_json
        ok = ok and not tmp_left
        print("RESULT:", "pass" if ok else "FAIL")
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
