"""Read a batch folder back: its documents, its error records and its ledger.

A batch folder is what ``treaty extract --out OUT`` wrote (see the ledger spec): one
JSON per input (a document, or an error record when the input failed), optionally
``documents.jsonl`` (``--format jsonl``) and ``ledger.jsonl``. Anything else in the
folder (the ``report/`` folder, temporary files) is ignored, and a batch without a
ledger is read from its error records alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import BatchReadError
from pipeline.ledger import Record, current_records

LEDGER = "ledger.jsonl"
JSONL = "documents.jsonl"
REPORT_DIR = "report"
SUCCESS = ("ok", "partial")


@dataclass(frozen=True, slots=True)
class BatchDoc:
    """One processed document: where its JSON is and what it holds."""

    name: str  # path of the JSON relative to the batch folder ("a/b.pdf.json")
    data: dict[str, Any]

    @property
    def title(self) -> str:
        meta = self.data.get("meta") or {}
        title = (meta.get("title") or {}).get("value")
        return title or Path(self.data["source"]["path"]).name

    @property
    def clauses(self) -> list[dict[str, Any]]:
        return self.data.get("clauses") or []

    @property
    def thresholds(self) -> dict[str, float]:
        return (self.data.get("classifier") or {}).get("thresholds") or {}


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that gave no document, with the reasons recorded for it."""

    input: str
    status: str
    errors: tuple[str, ...]
    error_type: str | None = None
    output: str | None = None
    attempt: int | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    folder: Path
    documents: tuple[BatchDoc, ...]
    failures: tuple[Failure, ...]
    statuses: dict[str, int]
    has_ledger: bool
    skipped: tuple[str, ...] = ()  # files that looked like output but could not be read
    # outputs the ledger does not name: left in the folder by an earlier batch
    stale: tuple[str, ...] = ()


def _is_record(data: Any) -> bool:
    return isinstance(data, dict) and "schema_version" in data and "status" in data


def _json_files(folder: Path) -> Iterator[Path]:
    for f in sorted(folder.rglob("*.json")):
        rel = f.relative_to(folder)
        # temporary files start with a dot; report/ is ours, not the batch's
        if rel.parts[0] == REPORT_DIR or any(p.startswith(".") for p in rel.parts):
            continue
        yield f


def _records(folder: Path, skipped: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for f in _json_files(folder):
        name = f.relative_to(folder).as_posix()
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            skipped.append(name)
            continue
        if _is_record(data):
            yield name, data
    jsonl = folder / JSONL
    if jsonl.is_file():
        for n, line in enumerate(jsonl.read_text(encoding="utf-8").splitlines(), 1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                skipped.append(f"{JSONL}:{n}")
                continue
            if _is_record(data):
                yield f"{JSONL}#{n}", data


def _failure_from_ledger(rec: Record) -> Failure:
    return Failure(
        input=rec.input,
        status=rec.status,
        errors=rec.errors,
        error_type=rec.error_type,
        output=rec.output,
        attempt=rec.attempt,
    )


def _failure_from_record(name: str, data: dict[str, Any]) -> Failure:
    return Failure(
        input=str((data.get("source") or {}).get("path", name)),
        status=str(data["status"]),
        errors=tuple(str(e) for e in data.get("errors") or ()),
        output=name,
    )


def load_batch(folder: Path) -> Batch:
    """Documents, failures and status counts of the batch written to ``folder``.

    Raises:
        BatchReadError: ``folder`` is not a folder.
    """
    if not folder.is_dir():
        raise BatchReadError(
            f"{folder}: not a folder; give the --out folder of `treaty extract`"
        )
    skipped: list[str] = []
    docs: list[BatchDoc] = []
    error_records: list[Failure] = []
    statuses: Counter[str] = Counter()
    for name, data in _records(folder, skipped):
        statuses[data["status"]] += 1
        if data["status"] in SUCCESS and "clauses" in data:
            docs.append(BatchDoc(name, data))
        else:
            error_records.append(_failure_from_record(name, data))
    ledger = folder / LEDGER
    stale: list[str] = []
    if ledger.is_file():
        # the ledger says what this batch wrote; a rerun without --resume into the
        # same folder leaves the earlier batch's files beside it
        current = current_records(ledger)
        failures = [_failure_from_ledger(r) for r in current if r.status not in SUCCESS]
        statuses = Counter(r.status for r in current)
        named = {r.output for r in current if r.output}
        lines = any(r.output is None for r in current)  # a JSON Lines batch
        kept = []
        for d in docs:
            if d.name in named or (lines and d.name.startswith(f"{JSONL}#")):
                kept.append(d)
            else:
                stale.append(d.name)
        docs = kept
    else:
        failures = error_records
    return Batch(
        folder=folder,
        documents=tuple(docs),
        failures=tuple(failures),
        statuses=dict(sorted(statuses.items())),
        has_ledger=ledger.is_file(),
        skipped=tuple(skipped),
        stale=tuple(stale),
    )


def load_document(path: Path) -> BatchDoc:
    """One document JSON (as ``extract`` writes it).

    Raises:
        BatchReadError: the file is unreadable, not a document, or an error record.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BatchReadError(
            f"{path}: cannot read it as JSON ({e}); give a file `treaty extract` wrote"
        ) from e
    if not _is_record(data):
        raise BatchReadError(
            f"{path}: not a document written by `treaty extract` (no schema_version)"
        )
    if data["status"] not in SUCCESS or "clauses" not in data:
        reasons = "; ".join(data.get("errors") or ()) or "no reason recorded"
        raise BatchReadError(f"{path}: input failed ({data['status']}): {reasons}")
    return BatchDoc(path.name, data)
