"""Batches: run every file of a plan (``pipeline.plan``), account for each one.

Every input ends as exactly one output (its document or an error record) and one
ledger line; both are written only when complete, so a batch killed at any moment can
be resumed without redoing finished files or trusting half-written ones.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Protocol

from pipeline.errors import ConfigError
from pipeline.export import write_text_atomic
from pipeline.ledger import (
    LEDGER_NAME,
    Ledger,
    Record,
    drop_torn_tail,
    file_sha256,
    job_key,
)
from pipeline.plan import Job, OutputFormat, plan
from pipeline.pool import InlinePool, WorkerPool, error_outcome
from pipeline.workers import Limits, Outcome, Task, WorkerSpec


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs; everything but ``workers``, ``limits``, ``resume`` and where
    it runs (``isolate``, ``backend``, ``address``) is part of each input's ledger key
    (a different model or password is new work; a batch started on this machine can
    be resumed on a Ray cluster and back)."""

    fmt: OutputFormat = OutputFormat.json
    password: str | None = None
    ocr: bool = True
    classify: bool = False
    model: str | None = None
    runtime: str = "auto"  # classifier runtime: auto, onnx or torch
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    resume: bool = False
    isolate: bool = True  # False: parse in this process (trusted files, tests)
    backend: str = "local"  # local: worker processes here; ray: a Ray cluster
    address: str | None = None  # of the Ray cluster; None starts one here

    def key_options(self) -> dict[str, object]:
        return {
            "format": self.fmt.value,
            "password": bool(self.password),
            "ocr": self.ocr,
            "classify": self.classify,
            "runtime": self.runtime if self.classify else None,
        }


@dataclass
class BatchSummary:
    documents: int = 0  # inputs found
    processed: int = 0  # finished in this run
    skipped: int = 0  # done in an earlier run (--resume)
    pages: int = 0
    clauses: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[Record] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    ledger: Path | None = None

    @property
    def failed(self) -> int:
        return len(self.failures)

    def add(self, rec: Record, *, fresh: bool = True) -> None:
        self.statuses[rec.status] += 1
        self.pages += rec.pages
        self.clauses += rec.clauses
        if fresh:
            self.processed += 1
        else:
            self.skipped += 1
        if rec.status not in ("ok", "partial"):
            self.failures.append(rec)


class Pool(Protocol):
    """Runs tasks, yielding each with its outcome as it finishes (workers.py)."""

    def __enter__(self) -> Pool: ...

    def __exit__(self, *exc: object) -> None: ...

    def run(self, jobs: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]: ...


class Progress(Protocol):
    def start(self, total: int, skipped: int) -> None: ...

    def advance(self, record: Record) -> None: ...


def model_identity(options: BatchOptions) -> str | None:
    """The model a batch labels with, as its ledger keys record it."""
    if not options.classify:
        return None
    from pipeline.classify import model_identity as identity

    return identity(options.model)


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: Path | None,
    options: BatchOptions | None = None,
    *,
    progress: Progress | None = None,
) -> BatchSummary:
    """Process every input; one output (document or error record) per input.

    Args:
        inputs: files, directories and globs.
        out_dir: folder for the JSON files and the ledger; for ``jsonl`` the lines
            go to ``out_dir/documents.jsonl``, or to stdout when it is None.
        options: format, password, classifier, workers, limits, resume.
        progress: told the total, then every finished record.

    Returns:
        The summary; ``interrupted`` is set when Ctrl-C or SIGTERM stopped the
        batch (finished outputs are kept, ``--resume`` goes on from there).
    """
    opts = options or BatchOptions()
    _check_backend(opts)
    if opts.fmt is OutputFormat.json and out_dir is None:
        raise ConfigError("--out is required with --format json; give a folder")
    if opts.resume and out_dir is None:
        raise ConfigError("--resume needs --out: the ledger lives in the out folder")
    model = model_identity(opts)
    jobs = plan(inputs, out_dir, opts.fmt)
    summary = BatchSummary(documents=len(jobs))
    t0 = time.perf_counter()
    with _Outputs(out_dir, opts) as outputs, _stop_on_sigterm():
        summary.ledger = outputs.ledger.path if outputs.ledger else None
        tasks: list[Task] = []
        pending: dict[int, tuple[Job, str, int]] = {}  # task id -> job, key, attempt
        for i, job in enumerate(jobs):
            sha = file_sha256(job.source)
            key = job_key(sha, model, opts.key_options())
            attempt = outputs.next_attempt(job, key)
            if attempt is None:
                prev = outputs.previous(job, key)
                assert prev is not None
                summary.add(prev, fresh=False)
                continue
            tasks.append(Task(i, job.source, sha))
            pending[i] = (job, key, attempt)
        if progress:
            progress.start(len(jobs), summary.skipped)
        try:
            for task, outcome in _run(tasks, opts):
                job, key, attempt = pending[task.id]
                rec = outputs.write(job, task, outcome, key, attempt, model)
                summary.add(rec)
                if progress:
                    progress.advance(rec)
        except KeyboardInterrupt:
            summary.interrupted = True
        summary.outputs = outputs.written
    summary.seconds = time.perf_counter() - t0
    return summary


def _run(tasks: list[Task], opts: BatchOptions) -> Iterator[tuple[Task, Outcome]]:
    spec = WorkerSpec(
        password=opts.password,
        ocr=opts.ocr,
        classify=opts.classify,
        model=opts.model,
        runtime=opts.runtime,
        threads=max(1, _cores() // opts.workers) if opts.workers > 1 else 0,
        limits=opts.limits,
        indent=None if opts.fmt is OutputFormat.jsonl else 1,
    )
    runnable = []
    for task in tasks:
        refused = _size_refusal(task, spec)
        if refused is not None:
            yield task, refused
        else:
            runnable.append(task)
    if not runnable:
        return
    with _pool(spec, opts) as pool:
        yield from pool.run(runnable)


def _check_backend(opts: BatchOptions) -> None:
    """Refuse a backend that cannot run before anything is written (or truncated)."""
    if opts.backend not in ("local", "ray"):
        raise ConfigError(f"--backend must be local or ray, not {opts.backend!r}")
    if opts.address and opts.backend != "ray":
        raise ConfigError("--address names a Ray cluster; add --backend ray")
    if opts.backend == "ray":
        from pipeline.ray_backend import require_ray

        require_ray()


def _pool(spec: WorkerSpec, opts: BatchOptions) -> Pool:
    if opts.backend == "ray":
        from pipeline.ray_backend import RayPool

        return RayPool(spec, opts.workers, opts.address)
    return (WorkerPool if opts.isolate else InlinePool)(spec, opts.workers)


def _size_refusal(task: Task, spec: WorkerSpec) -> Outcome | None:
    limit = spec.limits.max_size_mb
    try:
        size = task.path.stat().st_size
    except OSError:
        return None  # the worker reports unreadable files with their reason
    if limit is None or size <= limit * (1 << 20):
        return None
    return error_outcome(
        task,
        "too_large",
        f"{task.path}: {size / (1 << 20):.0f} MB, over the limit of {limit:g} MB; "
        "split the file or raise --max-size",
        "TooLargeError",
        indent=spec.indent,
    )


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


class _Outputs:
    """Where finished work goes: JSON files or JSON Lines, and the ledger."""

    def __init__(self, out_dir: Path | None, opts: BatchOptions) -> None:
        self.out_dir = out_dir
        self.opts = opts
        self.written: list[Path] = []
        self.ledger: Ledger | None = None
        self.sink: IO[str] | None = None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            self.ledger = Ledger(out_dir / LEDGER_NAME, resume=opts.resume)
        if opts.fmt is OutputFormat.jsonl:
            if out_dir is None:
                self.sink = sys.stdout
            else:
                target = out_dir / "documents.jsonl"
                if opts.resume and target.exists():
                    drop_torn_tail(target)
                self.sink = target.open("a" if opts.resume else "w", encoding="utf-8")
                self.written.append(target)

    def __enter__(self) -> _Outputs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.sink is not None and self.sink is not sys.stdout:
            self.sink.close()
        if self.ledger is not None:
            self.ledger.close()

    def next_attempt(self, job: Job, key: str) -> int | None:
        if self.ledger is None:
            return 1
        return self.ledger.next_attempt(str(job.source), key, self.out_dir)

    def previous(self, job: Job, key: str) -> Record | None:
        return self.ledger.previous(str(job.source), key) if self.ledger else None

    def write(
        self,
        job: Job,
        task: Task,
        outcome: Outcome,
        key: str,
        attempt: int,
        model: str | None,
    ) -> Record:
        output: str | None = None
        if self.sink is not None:
            self.sink.write(outcome.payload + "\n")
            self.sink.flush()
        elif job.output is not None:
            write_text_atomic(outcome.payload, job.output)
            self.written.append(job.output)
            assert self.out_dir is not None
            output = job.output.relative_to(self.out_dir).as_posix()
        rec = Record(
            input=str(job.source),
            sha256=task.sha256,
            key=key,
            status=outcome.status,
            output=output,
            errors=outcome.errors,
            error_type=outcome.error_type,
            engine=outcome.engine,
            pages=outcome.pages,
            clauses=outcome.clauses,
            seconds=round(outcome.seconds, 3),
            attempt=attempt,
            model=model,
        )
        if self.ledger is not None:
            self.ledger.append(rec)
        return rec


class _stop_on_sigterm:
    """SIGTERM stops the batch the way Ctrl-C does: finished work kept, none torn."""

    def __enter__(self) -> None:
        self.old = None
        if threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGTERM, _raise_interrupt)

    def __exit__(self, *exc: object) -> None:
        if self.old is not None:
            signal.signal(signal.SIGTERM, self.old)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
