"""The batch on Ray: the same files, outputs and ledger as the local backend, spread
over the cores of a cluster.

The driver (``run_batch``) still plans the batch, hashes the inputs and writes every
output and ledger line; only the work moves. Inputs are a Ray Data dataset of paths,
one file per block so that a lost worker costs only the file it held. Reading and
segmentation run as Ray tasks, each through a worker process of the local backend
(``WorkerPool``, kept for the life of the Ray worker): the per-file timeout, the
address-space cap and the page limit are enforced there, and a hostile file kills
that process, never the Ray worker or the job. Classification runs in a pool of
actors that load the model once each. Documents reach an actor a few at a time and
their clauses are scored together in shared batches; a clause's scores do not depend
on its batch neighbours (see ``OnnxClassifier.window_logits``), so outputs stay
identical to the local backend's.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, PipelineError
from pipeline.pool import WorkerPool, error_outcome
from pipeline.workers import Outcome, Task, WorkerSpec, set_torch_threads

INSTALL_HINT = "pip install 'treaty-clauses[ray]'"
DOCS_PER_CALL = 4  # documents per actor call: amortises the call, keeps latency low
OBJECT_STORE_MB = 256  # of a local instance; documents pass through it once each
# reserved per classifier actor (it holds ~0.6 GB with the model loaded); the
# reservation also keeps Ray Data from fusing reading into the actors, which would
# tie the number of readers to the number of models in memory
ACTOR_MEMORY_MB = 1024
QUIET = logging.ERROR  # Ray's notes and warnings would garble the progress bar


def require_ray() -> Any:
    """The ``ray`` module, or a ``ConfigError`` that says how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError(
            f"--backend ray needs Ray, which is not installed; run `{INSTALL_HINT}`"
        ) from None
    return ray


class RayPool:
    """``WorkerPool``'s interface on Ray: ``run`` yields ``(task, outcome)`` pairs.

    Args:
        spec: as for ``WorkerPool``; ``classify`` moves into the actors.
        n: parallel reading tasks and classifier actors (one CPU each).
        address: an existing cluster (``auto``, ``ray://host:10001``, ...); None
            starts a Ray instance on this machine for the batch and stops it after.
    """

    def __init__(self, spec: WorkerSpec, n: int = 1, address: str | None = None):
        if n < 1:
            raise ConfigError(f"--workers must be at least 1, not {n}")
        if address:  # each actor holds one of the cluster's CPUs: one thread each
            spec = replace(spec, threads=1)
        self.spec, self.n, self.address = spec, n, address
        self.ray = require_ray()
        self._connected = False

    def __enter__(self) -> RayPool:
        ray = self.ray
        if not ray.is_initialized():  # else the caller's instance (tests, notebooks)
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no phoning home
            self._start(ray)
            self._connected = True
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # the batch has its own
        ctx.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # "bars disabled"
        return self

    def _start(self, ray: Any) -> None:
        main = threading.current_thread() is threading.main_thread()
        # ray.init makes SIGTERM a plain exit; the batch's own handler stops it the
        # way Ctrl-C does (summary, exit 130, --resume), as on the local backend
        on_term = signal.getsignal(signal.SIGTERM) if main else None
        try:
            if self.address:
                ray.init(address=self.address, log_to_driver=False, logging_level=QUIET)
            else:
                ray.init(
                    num_cpus=2 * self.n,  # n reading tasks beside n actors
                    object_store_memory=OBJECT_STORE_MB << 20,
                    include_dashboard=False,
                    log_to_driver=False,
                    _node_ip_address="127.0.0.1",  # nothing leaves this machine
                    logging_level=QUIET,
                )
        finally:
            if on_term is not None:
                signal.signal(signal.SIGTERM, on_term)

    def __exit__(self, *exc: object) -> None:
        if self._connected:
            self.ray.shutdown()  # stops a local instance; only detaches from a cluster
            self._connected = False

    def run(self, jobs: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        """Yield ``(task, outcome)`` for every task, in the order they finish; each
        task once, even when Ray ran it twice after losing a worker."""
        tasks = {t.id: t for t in jobs}
        if not tasks:
            return
        try:
            for row in self._dataset(list(tasks.values())).iter_rows():
                task = tasks.pop(int(row["id"]), None)
                if task is not None:
                    yield task, pickle.loads(row["outcome"])
        except self.ray.exceptions.RayError as e:
            raise PipelineError(f"the Ray batch stopped: {_first_line(e)}") from e
        for task in tasks.values():  # never expected: Ray retries lost work itself
            yield task, _lost_outcome(task, self.spec)

    def _dataset(self, tasks: list[Task]) -> Any:
        data = self.ray.data
        rows = [{"id": t.id, "path": str(t.path), "sha256": t.sha256} for t in tasks]
        reader = replace(self.spec, classify=False, keep_document=self.spec.classify)
        ds = data.from_items(rows, override_num_blocks=len(rows)).map(
            _read,
            fn_kwargs={"spec": reader},
            compute=data.TaskPoolStrategy(size=self.n),
            num_cpus=1,
        )
        if not self.spec.classify:
            return ds
        return ds.map_batches(
            _Classify,
            fn_constructor_kwargs={"spec": self.spec},
            batch_size=DOCS_PER_CALL,
            batch_format="numpy",
            compute=data.ActorPoolStrategy(size=self.n),
            num_cpus=1,
            memory=ACTOR_MEMORY_MB << 20,
        )


# One reading process per Ray worker, kept across its tasks: starting one costs
# seconds, a file usually milliseconds. Keyed by spec: one Ray instance may serve
# batches with different limits.
_READER: tuple[WorkerSpec, WorkerPool] | None = None


def _read(row: dict[str, Any], spec: WorkerSpec) -> dict[str, Any]:
    global _READER
    if _READER is None or _READER[0] != spec:
        if _READER is not None:
            _READER[1].close()
        _READER = (spec, WorkerPool(spec, 1))
    task = Task(int(row["id"]), Path(row["path"]), row["sha256"] or None)
    ((_, outcome),) = list(_READER[1].run([task]))
    return {"id": task.id, "sha256": row["sha256"], "outcome": pickle.dumps(outcome)}


class _Classify:
    """An actor: the model loaded once, then documents classified as they come."""

    def __init__(self, spec: WorkerSpec) -> None:
        from pipeline.classify import load_classifier
        from pipeline.pipeline import Pipeline

        if spec.threads:  # as in a local worker process
            os.environ["TREATY_THREADS"] = str(spec.threads)
            os.environ["OMP_NUM_THREADS"] = str(spec.threads)
        self.spec = spec
        self.clf = load_classifier(spec.model, spec.runtime)
        self.pipe = Pipeline([], classifier=self.clf)
        self.done = Pipeline([])  # status and checks only: stages already ran
        if spec.threads:
            set_torch_threads(spec.threads)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import time

        import numpy as np

        from pipeline.workers import finish

        reads: list[Outcome] = [pickle.loads(blob) for blob in batch["outcome"]]
        shas = [sha or None for sha in batch["sha256"]]
        live = [i for i, r in enumerate(reads) if r.result is not None]
        t0 = time.perf_counter()
        results = self._classify([reads[i].result for i in live])  # type: ignore[misc]
        share = (time.perf_counter() - t0) / max(len(live), 1)
        out = [pickle.dumps(r) for r in reads]  # failed before classification: final
        for i, result in zip(live, results):
            seconds = reads[i].seconds + share
            out[i] = pickle.dumps(finish(result, shas[i], self.spec.indent, seconds))
        return {"id": batch["id"], "outcome": np.array(out, dtype=object)}

    def _classify(self, reads: list[Any]) -> list[Any]:
        """Clauses of all the call's documents in shared batches; should that fail,
        each document on its own, so the failure lands on the file that caused it."""
        try:
            docs = self.clf.classify_documents([r.document for r in reads])
        except Exception:
            return [self.pipe.resume(r.document, r.source) for r in reads]
        return [self.done.resume(d, r.source) for d, r in zip(docs, reads)]


def _lost_outcome(task: Task, spec: WorkerSpec) -> Outcome:
    return error_outcome(
        task,
        "failed",
        f"{task.path}: Ray returned no result for it; check the nodes' memory and "
        "the Ray logs, then run again with --resume",
        "WorkerLost",
        indent=spec.indent,
    )


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[-1] if text else type(e).__name__
