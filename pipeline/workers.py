"""Worker processes: every document is parsed where a hang, a crash or a memory blow-up
can be killed without touching the batch. This module is the worker's side: its
limits, its pipeline, one file in and one ``Outcome`` out (``pipeline.pool`` is the
parent's side).

pdfminer cannot be interrupted from inside the process (one ``extract_text`` call on a
glyph flood runs for minutes), and a decompression bomb takes gigabytes before any
Python code could react. So each worker runs under an address-space cap, the parent
holds a wall-clock deadline per file, and a worker that overruns, dies or runs out of
memory is replaced; the file it held gets an error record.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

logger = logging.getLogger(__name__)

MB = 1 << 20
# A worker needs this much address space before it reads a file: Python with the PDF
# libraries takes ~50 MB, the ONNX classifier ~1.7 GB of (mostly reserved) mappings.
DEFAULT_MAX_MEMORY_MB = 4096
DEFAULT_TIMEOUT = 600.0  # OCR takes ~4 s a page on one core: a 100-page scan fits
DEFAULT_MAX_SIZE_MB = 500.0
DEFAULT_MAX_PAGES = 5000


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
    return Pipeline(
        password=spec.password,
        classifier=classifier,
        ocr=spec.ocr,
        max_pages=spec.limits.max_pages,
    )


@dataclass(frozen=True)
class Task:
    id: int
    path: Path
    sha256: str | None = None


def process_file(
    pipe: Any,
    path: Path,
    sha256: str | None = None,
    indent: int | None = 1,
    *,
    keep_document: bool = False,
) -> Outcome:
    """Run one file through ``pipe`` into an ``Outcome``; never raises.

    With ``keep_document`` a file that was read keeps its ``Result`` in the outcome
    instead of a payload: its later stages run elsewhere and then ``finish`` it.
    """
    t0 = time.perf_counter()
    result = pipe(path)
    if keep_document and result.document is not None:
        return Outcome(
            result.status.value, "", seconds=time.perf_counter() - t0, result=result
        )
    return finish(result, sha256, indent, time.perf_counter() - t0)


def finish(
    result: Any,
    sha256: str | None,
    indent: int | None,
    seconds: float,
) -> Outcome:
    """The outcome of a finished ``Result``: its JSON payload and ledger facts."""
    from pipeline.export import dumps, export_result
    from pipeline.schema import Result, Status

    path, doc = result.source, result.document
    error_type = result.error_type
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


def worker_main(conn: Connection, spec: WorkerSpec) -> None:
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
