"""External corpus documents known to the project, by id and sha256.

``corpora/manifest.jsonl`` lists the agreements of ``../shared/corpora`` (and any
other collection) without copying their text; a file whose sha256 is listed gets
the corpus id (e.g. ``BWBV0001034``) as its ``doc_id``, so annotations and outputs
line up across machines.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = PROJECT_ROOT / "corpora" / "manifest.jsonl"


def default_corpus_dir() -> Path:
    """The shared corpus: $TREATY_CORPUS, else ../shared/corpora beside the project."""
    env = os.environ.get("TREATY_CORPUS")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "corpora"


@lru_cache(maxsize=4)
def _load(manifest: Path) -> dict[str, dict[str, str]]:
    if not manifest.is_file():
        return {}
    by_sha: dict[str, dict[str, str]] = {}
    with manifest.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                by_sha[rec["sha256"]] = rec
    return by_sha


def lookup(sha256: str, manifest: Path = MANIFEST) -> dict[str, str] | None:
    """The manifest record of a file with this sha256, if the project knows it."""
    return _load(manifest).get(sha256)


def records(manifest: Path = MANIFEST) -> list[dict[str, str]]:
    return list(_load(manifest).values())
