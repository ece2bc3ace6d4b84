"""Write corpora/manifest.jsonl: the shared corpus documents by id and sha256.

The project never copies corpus texts; it refers to them by id (the treaty
database id, or a slug for PDFs) and checks them by sha256.

    python scripts/build_manifest.py [--corpus ../shared/corpora]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("title", "parties", "year", "kind", "group", "lang")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=ROOT / "corpora" / "manifest.jsonl")
    args = ap.parse_args()
    rows = []
    for manifest, base, collection in (
        (args.corpus / "manifest.jsonl", args.corpus, "main"),
        (
            args.corpus / "general" / "manifest.jsonl",
            args.corpus / "general",
            "general",
        ),
        (
            args.corpus / "real-pdfs" / "manifest.jsonl",
            args.corpus / "real-pdfs",
            "real-pdfs",
        ),
    ):
        for line in manifest.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            path = base / rec["file"]
            data = path.read_bytes()
            doc_id = rec.get("source_id") or Path(rec["file"]).stem
            rows.append(
                {
                    "doc_id": doc_id,
                    "file": str(path.relative_to(args.corpus)),
                    "collection": collection,
                    **{k: rec.get(k) for k in FIELDS},
                    "license_or_status": rec.get("license_or_status"),
                    "source": rec.get("source") or rec.get("source_repo"),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "bytes": len(data),
                }
            )
    ids = [r["doc_id"] for r in rows]
    dupes = {i for i in ids if ids.count(i) > 1}
    for r in rows:  # a treaty id shared by two files (e.g. text and scan) gets a suffix
        if r["doc_id"] in dupes and r["file"].endswith(".pdf"):
            r["doc_id"] = f"{r['doc_id']}-pdf"
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} documents -> {args.out}")


if __name__ == "__main__":
    main()
