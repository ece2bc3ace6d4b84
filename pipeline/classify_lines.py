"""`treaty classify`: JSON Lines of clause texts in, a line of labels and scores out.

For downstream tools and annotators who hold clause texts rather than agreements. The
whole file is checked before the model loads, so a bad line costs seconds, not a run,
and the error names every line at fault; results are then written a chunk at a time,
so a large file shows its first lines early and is never held as results in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import LinesError

CONTEXT_FIELDS = (
    "context",
    "title",
    "lead_in",
)  # what `treaty extract` gives the model
SHOWN = 5  # bad lines named in the one-line error; the count says how many more
FIX = 'each line must be a JSON object with "id" and a non-empty "text" string'


def _problem(n: int, line: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        return None, f"line {n}: not JSON ({e.msg}, column {e.colno})"
    if not isinstance(obj, dict):
        return None, f"line {n}: a JSON {type(obj).__name__}, not an object"
    if "id" not in obj:
        return None, f'line {n}: no "id"'
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, f'line {n}: "text" is missing, empty or not a string'
    for key in CONTEXT_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return None, f'line {n}: "{key}" is not a string'
    return obj, None


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The rows of ``path``, checked; blank lines are skipped.

    Raises ``LinesError`` naming the file, the first bad lines and the fix.
    """
    try:
        raw = path.read_text(encoding="utf-8-sig")  # a BOM is not an error
    except UnicodeDecodeError as e:
        raise LinesError(
            f"{path}: not UTF-8 (byte {e.start}); save it as UTF-8 JSON Lines"
        ) from e
    except OSError as e:
        raise LinesError(f"{path}: cannot read ({e.strerror})") from e
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        row, problem = _problem(n, line)
        if problem:
            problems.append(problem)
        elif row is not None:
            rows.append(row)
    if problems:
        more = len(problems) - SHOWN
        shown = "; ".join(problems[:SHOWN]) + (f"; and {more} more" if more > 0 else "")
        raise LinesError(f"{path}: {len(problems)} bad line(s): {shown}; {FIX}")
    if not rows:
        raise LinesError(f"{path}: no lines to classify; {FIX}")
    return rows


def classify_lines(
    clf: Any, rows: Sequence[dict[str, Any]], *, batch_size: int = 32, chunk: int = 512
) -> Iterator[dict[str, Any]]:
    """One output record per row, in input order: ``id``, selected ``labels``,
    every label's calibrated ``scores`` and the ``model`` that gave them."""
    model = f"{clf.config.name}@{clf.config.version}"
    for i in range(0, len(rows), chunk):
        part = rows[i : i + chunk]
        preds = clf.predict(
            [r["text"] for r in part], clf.row_contexts(part), batch_size=batch_size
        )
        for r, p in zip(part, preds):
            yield {
                "id": r["id"],
                "labels": [x.label for x in p if x.selected],
                "scores": {x.label: round(x.score, 4) for x in p},
                "model": model,
            }
