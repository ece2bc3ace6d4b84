"""Batch planning: expand the inputs and name each one's output safely.

Output names mirror the inputs' paths below each argument, so two files with one name
in different folders never collide; nothing can climb out of the out folder, and an
input is never a target.
"""

from __future__ import annotations

import glob
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pipeline.errors import ConfigError

SUFFIXES = (".pdf", ".txt", ".text")


class OutputFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"


@dataclass(frozen=True)
class Job:
    source: Path
    output: Path | None  # None when writing JSON Lines


def expand_inputs(inputs: Sequence[str | Path]) -> list[tuple[Path, Path]]:
    """Files, directories (recursive) and globs -> (file, root it was found under)."""
    found: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            cands = [
                (f, p)
                for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in SUFFIXES
            ]
        elif p.exists():
            cands = [(p, p.parent)]
        elif any(ch in str(raw) for ch in "*?["):
            cands = [
                (Path(f), Path(f).parent)
                for f in sorted(glob.glob(str(raw), recursive=True))
                if Path(f).is_file()
            ]
        else:
            raise ConfigError(
                f"{raw}: no such file, directory or matching glob; check the path"
            )
        for f, root in cands:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                found.append((f, root))
    return found


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def output_path(source: Path, root: Path, out_dir: Path) -> Path:
    """Where the JSON of ``source`` goes: its path below ``root``, made safe.

    Keeps sub-folders so that two inputs with one name never collide; strips
    anything that could climb out of ``out_dir``.
    """
    try:
        rel = source.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(source.name)
    parts = [_SAFE.sub("_", part).lstrip(".") or "_" for part in rel.parts]
    target = out_dir.joinpath(*parts[:-1], parts[-1] + ".json")
    base = out_dir.resolve()
    if base not in target.resolve().parents:
        digest = hashlib.sha256(str(source).encode()).hexdigest()[:12]
        target = out_dir / f"{digest}.json"
    return target


def plan(
    inputs: Sequence[str | Path], out_dir: Path | None, fmt: OutputFormat
) -> list[Job]:
    pairs = expand_inputs(inputs)
    jobs = []
    input_set = {f.resolve() for f, _ in pairs}
    used: set[Path] = set()
    for f, root in pairs:
        if fmt is OutputFormat.jsonl or out_dir is None:
            jobs.append(Job(f, None))
            continue
        target = output_path(f, root, out_dir)
        n = 2
        while target in used:  # same relative path under two roots
            target = target.with_name(f"{target.stem}-{n}.json")
            n += 1
        if target.resolve() in input_set:
            raise ConfigError(
                f"{target}: writing there would overwrite an input; "
                "choose another --out"
            )
        used.add(target)
        jobs.append(Job(f, target))
    return jobs
