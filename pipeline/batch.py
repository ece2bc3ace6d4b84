"""Batches: expand inputs, name outputs safely, run every file, account for each one."""

from __future__ import annotations

import glob
import hashlib
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.export import export_result, write_json_atomic, write_jsonl_line
from pipeline.pipeline import Pipeline
from pipeline.schema import Result, Stage

SUFFIXES = (".pdf", ".txt", ".text")


class OutputFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"


@dataclass
class BatchSummary:
    documents: int = 0
    pages: int = 0
    clauses: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[Path, str, str]] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def add(self, result: Result) -> None:
        self.documents += 1
        self.statuses[result.status.value] += 1
        if result.document is not None:
            self.pages += len(result.document.pages)
            self.clauses += len(result.document.clauses)
        if not result.status.is_success:
            self.failures.append(
                (
                    result.source,
                    result.status.value,
                    result.errors[0] if result.errors else "",
                )
            )


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


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: Path | None,
    fmt: OutputFormat = OutputFormat.json,
    *,
    password: str | None = None,
    progress: Callable[[Iterable[Job], int], Iterable[Job]] | None = None,
    classifier: Stage | None = None,
) -> BatchSummary:
    """Process every input; one output (document or error record) per input.

    Args:
        inputs: files, directories and globs.
        out_dir: folder for the JSON files; for ``jsonl`` the lines go to
            ``out_dir/documents.jsonl``, or to stdout when it is None.
        fmt: ``json`` (a file per input) or ``jsonl`` (a line per input).
        password: for encrypted PDFs.
        progress: wraps the job iterator (the CLI passes a progress bar).
        classifier: labels clauses (loaded once for the whole batch).
    """
    if fmt is OutputFormat.json and out_dir is None:
        raise ConfigError("--out is required with --format json; give a folder")
    jobs = plan(inputs, out_dir, fmt)
    pipe = Pipeline(password=password, classifier=classifier)
    summary = BatchSummary()
    t0 = time.perf_counter()
    sink = None
    if fmt is OutputFormat.jsonl:
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / "documents.jsonl"
            sink = target.open("w", encoding="utf-8")
            summary.outputs.append(target)
        else:
            sink = sys.stdout
    try:
        for job in progress(jobs, len(jobs)) if progress else jobs:
            result = pipe(job.source)
            summary.add(result)
            data = export_result(result)
            if sink is not None:
                write_jsonl_line(data, sink)
            elif job.output is not None:
                write_json_atomic(data, job.output)
                summary.outputs.append(job.output)
    finally:
        if sink is not None and sink is not sys.stdout:
            sink.close()
    summary.seconds = time.perf_counter() - t0
    return summary
