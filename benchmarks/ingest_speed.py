"""Ingestion speed and memory: `treaty extract`'s reader against raw pdfplumber.

For each PDF, in one run: pages per second of pipeline.ingest.read_document and of
pdfplumber's page.extract_text() (pages closed after use, as a careful user would),
and their ratio; then peak memory (max RSS, each reader in a fresh child process) for
a short and a long PDF, to show whether memory grows with page count.

    python benchmarks/ingest_speed.py [--memory-only] [PDF ...]

(default PDFs: ../shared/corpora/real-pdfs and a 127-page rendered treaty)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpora" / "real-pdfs"
LONG_TEXT = ROOT.parent / "shared" / "corpora" / "texts"


def raw_pdfplumber(path: Path) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
            n += 1
    return n


def ours(path: Path) -> int:
    from pipeline.ingest import read_document

    return len(read_document(path).pages)


def timed(fn, path: Path, repeat: int = 1) -> tuple[int, float]:
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        pages = fn(path)
        best = min(best, time.perf_counter() - t0)
    return pages, best


def child_peak(reader: str, path: Path) -> float:
    """Max RSS (MB) of a fresh interpreter that runs one reader on one file."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent process
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        f"from benchmarks.ingest_speed import {reader}; {reader}(__import__('pathlib')"
        f".Path({str(path)!r})); "
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[-2]) / 1024


def long_pdf(tmp: Path) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    from render_pdf import render

    (src,) = LONG_TEXT.glob("nl-bwbv0001193-*.txt")  # the Chemical Weapons Convention
    out = tmp / "cwc-plain.pdf"
    render(src.read_text(encoding="utf-8"), out, "plain")
    return out


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    args = [a for a in sys.argv[1:] if a != "--memory-only"]
    pdfs = [Path(p) for p in args] or sorted(REAL.glob("*.pdf")) + [long_pdf(tmp)]
    if "--memory-only" in sys.argv:
        for pdf in pdfs:
            print(
                f"peak RSS {pdf.name}: ours {child_peak('ours', pdf):.1f} MB, raw "
                f"pdfplumber {child_peak('raw_pdfplumber', pdf):.1f} MB"
            )
        return
    rows = []
    tot_ours = tot_raw = 0.0
    tot_pages = 0
    for pdf in pdfs:
        pages, t_raw = timed(raw_pdfplumber, pdf)
        _, t_ours = timed(ours, pdf)
        tot_ours, tot_raw, tot_pages = (
            tot_ours + t_ours,
            tot_raw + t_raw,
            tot_pages + pages,
        )
        rows.append(
            {
                "file": pdf.name,
                "pages": pages,
                "raw_pages_s": round(pages / t_raw, 1),
                "ours_pages_s": round(pages / t_ours, 1),
                "ratio": round(t_ours / t_raw, 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    print(
        f"\nall files: {tot_pages} pages; raw pdfplumber "
        f"{tot_pages / tot_raw:.1f} pages/s, "
        f"treaty extract ingestion {tot_pages / tot_ours:.1f} pages/s, "
        f"cost ratio {tot_ours / tot_raw:.2f}x"
    )
    by_pages = sorted(rows, key=lambda r: r["pages"])
    short, long = by_pages[0], by_pages[-1]
    for r in (short, long):
        path = next(p for p in pdfs if p.name == r["file"])
        r["peak_mb_ours"] = round(child_peak("ours", path), 1)
        r["peak_mb_raw"] = round(child_peak("raw_pdfplumber", path), 1)
        print(
            f"peak RSS {r['file']} ({r['pages']} pages): ours {r['peak_mb_ours']} MB, "
            f"raw pdfplumber {r['peak_mb_raw']} MB"
        )


if __name__ == "__main__":
    main()
