"""The batch ledger: one JSON line per finished attempt, so a batch can be resumed.

A line is flushed and fsync-ed as soon as its output is in place, so whatever kills
the batch (Ctrl-C, a lost machine) the ledger never claims work that is not on disk.
Inputs are keyed by content, tool version, segmenter version, model version and
options: a changed file, a segmenter that cuts clauses differently or a different
model is new work, a renamed copy of a finished file is not.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from pipeline import __version__, segment

LEDGER_NAME = "ledger.jsonl"
# Statuses worth one more try on --resume: the next attempt may differ (a worker
# killed by a neighbour's memory use, a machine under load). The rest are verdicts
# on the file itself and would come out the same.
RETRYABLE = frozenset({"failed", "timeout"})
MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class Record:
    input: str
    sha256: str | None
    key: str
    status: str
    output: str | None = None
    errors: tuple[str, ...] = ()
    error_type: str | None = None
    engine: str | None = None
    pages: int = 0
    clauses: int = 0
    seconds: float = 0.0
    attempt: int = 1
    tool_version: str = __version__
    segmenter: str | None = field(default_factory=lambda: segment.SEGMENTER_NAME)
    model: str | None = None
    finished: str = field(
        default_factory=lambda: datetime.now(timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = list(self.errors)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["errors"] = tuple(known.get("errors") or ())
        known.setdefault("sha256", None)
        known.setdefault("key", "")
        known.setdefault("segmenter", None)  # ledgers written before it was recorded
        return cls(**known)


def file_sha256(path: Path, chunk: int = 1 << 20) -> str | None:
    """The file's sha256, or None when it cannot be read (the worker will say why)."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while block := fh.read(chunk):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def job_key(sha256: str | None, model: str | None, options: dict[str, Any]) -> str:
    blob = json.dumps(
        {
            "sha256": sha256,
            "tool": __version__,
            "segmenter": segment.SEGMENTER_NAME,
            "model": model,
            "options": options,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class Ledger:
    """Reads earlier records (with ``resume``) and appends new ones.

    Without ``resume`` an existing ledger is started afresh: the batch reprocesses
    everything, and the old ledger would only mislead a later ``--resume``.
    """

    def __init__(self, path: Path, *, resume: bool) -> None:
        self.path = path
        self.latest: dict[tuple[str, str], Record] = {}
        self.attempts: dict[tuple[str, str], int] = {}
        if resume and path.exists():
            for rec in read_ledger(path):
                self._remember(rec)
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and path.exists():
            drop_torn_tail(path)
        self._fh: IO[str] = path.open("a" if resume else "w", encoding="utf-8")

    def _remember(self, rec: Record) -> None:
        k = (rec.input, rec.key)
        self.latest[k] = rec
        self.attempts[k] = self.attempts.get(k, 0) + 1

    def next_attempt(self, input: str, key: str, out_dir: Path | None) -> int | None:
        """The attempt number to run, or None when the input is done."""
        prev = self.latest.get((input, key))
        if prev is None:
            return 1
        n = self.attempts[(input, key)]
        if prev.status in RETRYABLE:
            return n + 1 if n < MAX_ATTEMPTS else None
        if prev.output and out_dir is not None and not (out_dir / prev.output).exists():
            return n + 1  # finished once, but its output has since gone
        return None

    def previous(self, input: str, key: str) -> Record | None:
        return self.latest.get((input, key))

    def append(self, rec: Record) -> None:
        self._fh.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._remember(rec)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_ledger(path: Path) -> list[Record]:
    """Every complete record; a line torn by a crash is skipped."""
    records = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                records.append(Record.from_json(json.loads(line)))
            except (json.JSONDecodeError, TypeError, AttributeError):
                continue  # torn by a crash, or not a record
    return records


def current_records(path: Path) -> list[Record]:
    """The current record of every input: the last line written for it, in the
    order inputs were first finished."""
    current: dict[str, Record] = {}
    for rec in read_ledger(path):
        current.pop(rec.input, None)
        current[rec.input] = rec
    return list(current.values())


def drop_torn_tail(path: Path) -> None:
    """Cut a last line left without its newline, so the next record starts clean."""
    with path.open("rb+") as fh:
        data = fh.read()
        if data and not data.endswith(b"\n"):
            fh.truncate(data.rfind(b"\n") + 1)
