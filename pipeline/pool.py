"""The parent's side of the worker processes: hand out files, hold each file's
deadline, and replace a worker that overran, died or ran out of memory.

The worker's side (what runs in the process, under its memory cap) is in
``pipeline.workers``.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from typing import Any

from pipeline.errors import ConfigError, PipelineError
from pipeline.workers import (
    Outcome,
    Task,
    WorkerSpec,
    build_pipeline,
    process_file,
    worker_main,
)

STARTUP_TIMEOUT = 300.0  # import and model load in a fresh worker on a loaded machine


class _Worker:
    def __init__(self, ctx: Any, spec: WorkerSpec) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child, spec), daemon=True)
        self.proc.start()
        child.close()
        self.job: Task | None = None
        self.deadline: float | None = None
        self.ready = False

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class WorkerPool:
    """``n`` worker processes fed one file at a time; a lost worker is replaced."""

    def __init__(self, spec: WorkerSpec, n: int = 1) -> None:
        if n < 1:
            raise ConfigError(f"--workers must be at least 1, not {n}")
        self.spec = spec
        self.n = n
        self._ctx = mp.get_context("spawn")  # fork would copy locks and threads
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for w in self._workers:
            if w.proc.is_alive() and w.job is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self._workers:
            w.proc.join(1)
            w.kill()
        self._workers.clear()

    def _start(self) -> _Worker:
        w = _Worker(self._ctx, self.spec)
        self._workers.append(w)
        return w

    def _await_ready(self, w: _Worker) -> None:
        if not w.conn.poll(STARTUP_TIMEOUT):
            self._retire(w)
            raise PipelineError(
                f"a worker did not start within {STARTUP_TIMEOUT:.0f} s; "
                "check that the machine is not out of memory"
            )
        try:
            kind, detail = w.conn.recv()
        except EOFError:
            self._retire(w)
            raise PipelineError(
                f"a worker died while starting (exit code {w.proc.exitcode}); "
                "run with --workers 1 and check the model directory"
            ) from None
        if kind == "error":
            self._retire(w)
            raise PipelineError(f"a worker could not start: {detail}")
        w.ready = True

    def run(self, jobs: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        """Yield ``(task, outcome)`` for every task, in the order they finish."""
        pending = iter(jobs)
        exhausted = False
        busy: list[_Worker] = []
        idle: list[_Worker] = [w for w in self._workers if w.job is None]
        while True:
            while not exhausted and len(busy) < self.n:
                nxt = next(pending, None)
                if nxt is None:
                    exhausted = True
                    break
                w = idle.pop() if idle else self._start()
                if not w.ready:
                    self._await_ready(w)
                self._dispatch(w, nxt)
                busy.append(w)
            if not busy:
                return
            yield from self._collect(busy, idle)

    def _dispatch(self, w: _Worker, task: Task) -> None:
        w.job = task
        timeout = self.spec.limits.timeout
        w.deadline = time.monotonic() + timeout if timeout else None
        w.conn.send(task)

    def _collect(
        self, busy: list[_Worker], idle: list[_Worker]
    ) -> Iterator[tuple[Task, Outcome]]:
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], wait_for)
        now = time.monotonic()
        for w in list(busy):
            task = w.job
            assert task is not None
            if w.conn in ready and w.conn.poll():
                try:
                    _, _, outcome = w.conn.recv()
                except (EOFError, OSError):
                    outcome = None
                if outcome is not None:
                    busy.remove(w)
                    w.job = None
                    if outcome.recycle:
                        self._retire(w)
                    else:
                        idle.append(w)
                    yield task, outcome
                    continue
            if w.proc.sentinel in ready or not w.proc.is_alive():
                busy.remove(w)
                self._retire(w)
                yield task, _crash_outcome(task, w.proc.exitcode, self.spec)
            elif w.deadline is not None and now >= w.deadline:
                busy.remove(w)
                self._retire(w)
                yield task, _timeout_outcome(task, self.spec)

    def _retire(self, w: _Worker) -> None:
        w.kill()
        self._workers.remove(w)


def error_outcome(
    task: Task,
    status: str,
    reason: str,
    error_type: str,
    seconds: float = 0.0,
    indent: int | None = 1,
) -> Outcome:
    """An outcome decided outside the worker (a timeout, a crash, a size limit)."""
    from pipeline.export import dumps, export_error
    from pipeline.schema import Status

    record = export_error(task.path, Status(status), [reason], task.sha256, error_type)
    payload = dumps(record, indent=indent)
    return Outcome(status, payload, (reason,), error_type, seconds=seconds)


def _timeout_outcome(task: Task, spec: WorkerSpec) -> Outcome:
    path, limits = task.path, spec.limits
    return error_outcome(
        task,
        "timeout",
        f"{path}: still running after {limits.timeout:.0f} s and stopped; the file "
        "may be hostile (e.g. millions of glyphs) or raise --timeout",
        "TimeoutError",
        seconds=limits.timeout or 0.0,
        indent=spec.indent,
    )


def _crash_outcome(task: Task, exitcode: int | None, spec: WorkerSpec) -> Outcome:
    path, limits = task.path, spec.limits
    if exitcode is not None and exitcode < 0:
        sig = signal.Signals(-exitcode).name
        how = f"killed by {sig}"
        if sig == "SIGKILL":
            how += " (out of memory?)"
    else:
        how = f"exit code {exitcode}"
    cap = f" under a {limits.max_memory_mb} MB cap" if limits.max_memory_mb else ""
    return error_outcome(
        task,
        "failed",
        f"{path}: the worker reading it died ({how}{cap}); the file is probably "
        "damaged or hostile, repair it (e.g. qpdf) or raise --max-memory",
        "WorkerCrash",
        indent=spec.indent,
    )


class InlinePool:
    """The same interface in this process: no isolation, for trusted files and tests."""

    def __init__(self, spec: WorkerSpec, n: int = 1) -> None:
        self.spec = spec
        self.pipe = build_pipeline(spec)

    def __enter__(self) -> InlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def run(self, jobs: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        for task in jobs:
            yield (
                task,
                process_file(self.pipe, task.path, task.sha256, self.spec.indent),
            )
