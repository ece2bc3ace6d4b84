"""Worker processes: every document is parsed where a hang, a crash or a memory blow-up
can be killed without touching the batch.

pdfminer cannot be interrupted from inside the process (one ``extract_text`` call on a
glyph flood runs for minutes), and a decompression bomb takes gigabytes before any
Python code could react. So each worker runs under an address-space cap, the parent
holds a wall-clock deadline per file, and a worker that overruns, dies or runs out of
memory is replaced; the file it held gets an error record.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, PipelineError

logger = logging.getLogger(__name__)

MB = 1 << 20
# A worker needs this much address space before it reads a file: Python with the PDF
# libraries takes ~50 MB, the ONNX classifier ~1.7 GB of (mostly reserved) mappings.
DEFAULT_MAX_MEMORY_MB = 4096
DEFAULT_TIMEOUT = 600.0  # OCR takes ~4 s a page on one core: a 100-page scan fits
DEFAULT_MAX_SIZE_MB = 500.0
DEFAULT_MAX_PAGES = 5000
STARTUP_TIMEOUT = 300.0  # import and model load in a fresh worker on a loaded machine


@dataclass(frozen=True)
class Limits:
    """Per-file limits. ``None`` switches a limit off."""

    timeout: float | None = DEFAULT_TIMEOUT
    max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB
    max_size_mb: float | None = DEFAULT_MAX_SIZE_MB
    max_pages: int | None = DEFAULT_MAX_PAGES


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs to build its own pipeline (sent at start-up)."""

    password: str | None = None
    ocr: bool = True
    classify: bool = False
    model: str | None = None
    runtime: str = "auto"
    threads: int = 0  # per worker; 0 = the library's default
    limits: Limits = field(default_factory=Limits)
    indent: int | None = 1  # of the JSON payload; None for JSON Lines
    # hand back the read document unexported: it is classified elsewhere (Ray actors)
    keep_document: bool = False


@dataclass(frozen=True)
class Outcome:
    """What became of one file: its status and the JSON to write for it."""

    status: str
    payload: str  # the document JSON, or the error record's
    errors: tuple[str, ...] = ()
    error_type: str | None = None
    engine: str | None = None
    pages: int = 0
    clauses: int = 0
    seconds: float = 0.0
    recycle: bool = False  # the worker should not be trusted with another file
    result: Any = None  # with ``keep_document``: the Result still to classify


def build_pipeline(spec: WorkerSpec) -> Any:
    from pipeline.pipeline import Pipeline

    classifier = None
    if spec.classify:
        from pipeline.classify import load_classifier

        classifier = load_classifier(spec.model, spec.runtime)
    return Pipeline(password=spec.password, classifier=classifier, ocr=spec.ocr)


@dataclass(frozen=True)
class Task:
    id: int
    path: Path
    sha256: str | None = None


def process_file(
    pipe: Any,
    path: Path,
    limits: Limits,
    sha256: str | None = None,
    indent: int | None = 1,
    *,
    keep_document: bool = False,
) -> Outcome:
    """Run one file through ``pipe`` into an ``Outcome``; never raises.

    With ``keep_document`` a file that was read keeps its ``Result`` in the outcome
    instead of a payload: its later stages run elsewhere and then ``finish`` it.
    """
    from pipeline.schema import Result, Status

    t0 = time.perf_counter()
    too_many = _too_many_pages(path, limits.max_pages)
    if too_many:
        result = Result(path, Status.TOO_LARGE, None, (too_many,))
        error_type: str | None = "TooLargeError"
    else:
        result = pipe(path)
        error_type = result.error_type
    if keep_document and result.document is not None:
        return Outcome(
            result.status.value, "", seconds=time.perf_counter() - t0, result=result
        )
    return finish(result, sha256, indent, time.perf_counter() - t0, error_type)


def finish(
    result: Any,
    sha256: str | None,
    indent: int | None,
    seconds: float,
    error_type: str | None = None,
) -> Outcome:
    """The outcome of a finished ``Result``: its JSON payload and ledger facts."""
    from pipeline.export import dumps, export_result
    from pipeline.schema import Result, Status

    path, doc = result.source, result.document
    error_type = error_type or result.error_type
    try:
        payload = dumps(export_result(result, sha256=sha256), indent=indent)
    except Exception as e:  # an exporter bug must not cost the batch either
        result = Result(path, Status.FAILED, None, (f"{path}: export failed: {e}",))
        payload = dumps(export_result(result, sha256=sha256), indent=indent)
        error_type, doc = type(e).__name__, None
    return Outcome(
        status=result.status.value,
        payload=payload,
        errors=result.errors,
        error_type=error_type,
        engine=doc.source.engine if doc is not None else None,
        pages=len(doc.pages) if doc is not None else 0,
        clauses=len(doc.clauses) if doc is not None else 0,
        seconds=seconds,
        recycle=error_type in ("MemoryError", "RecursionError"),
    )


def _too_many_pages(path: Path, max_pages: int | None) -> str | None:
    """Counted by pdfium from the cross-reference table, before anything is parsed."""
    if max_pages is None:
        return None
    try:
        with path.open("rb") as fh:
            if b"%PDF-" not in fh.read(1024):
                return None
        import pypdfium2  # type: ignore[import-untyped]

        doc = pypdfium2.PdfDocument(str(path))
        try:
            n = len(doc)
        finally:
            doc.close()
    except Exception:  # unreadable here: the real reader will say why
        return None
    if n > max_pages:
        return (
            f"{path}: {n} pages, over the limit of {max_pages}; split the file or "
            "raise --max-pages"
        )
    return None


def _worker_main(conn: Connection, spec: WorkerSpec) -> None:
    # The parent decides what Ctrl-C means; a worker just dies with the batch.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # page-level problems reach the record as warnings; printed too, they would
    # tear through the parent's progress bar
    logging.getLogger().addHandler(logging.NullHandler())
    _die_with_parent()
    if spec.threads:
        os.environ["TREATY_THREADS"] = str(spec.threads)
        os.environ["OMP_NUM_THREADS"] = str(spec.threads)
    try:
        pipe = build_pipeline(spec)
        if spec.threads and spec.classify:
            set_torch_threads(spec.threads)
        _cap_memory(spec.limits.max_memory_mb)
    except BaseException as e:
        conn.send(("error", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        task: Task = msg
        outcome = process_file(
            pipe,
            task.path,
            spec.limits,
            task.sha256,
            spec.indent,
            keep_document=spec.keep_document,
        )
        conn.send(("done", task.id, outcome))
        if outcome.recycle:
            return


def _die_with_parent() -> None:
    """SIGKILL this worker when its parent dies (Linux), even mid-file.

    The parent holds the file's deadline; without it (a batch killed with SIGKILL, a
    Ray worker lost) an orphan would go on parsing a hostile file for minutes.
    """
    import ctypes
    import multiprocessing

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the worker still ends at its next EOF
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)  # the parent died before the signal was armed


def set_torch_threads(n: int) -> None:
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)


def _cap_memory(max_mb: int | None) -> None:
    if not max_mb:
        return
    import resource

    used = _vm_size()
    limit = max_mb * MB
    if used and used >= limit:
        raise ConfigError(
            f"--max-memory {max_mb} MB is below what a worker needs before reading "
            f"any file ({used // MB} MB of address space with the model loaded); "
            "raise --max-memory"
        )
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _vm_size() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class _Worker:
    def __init__(self, ctx: Any, spec: WorkerSpec) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, spec), daemon=True)
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
            limits, indent = self.spec.limits, self.spec.indent
            yield task, process_file(self.pipe, task.path, limits, task.sha256, indent)
