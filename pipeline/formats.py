"""Annotation tool formats: tasks out, answers back in.

- Label Studio: a JSON list of tasks (``data`` + ``predictions``) and a labelling
  config with ``<Choices choice="multiple">``; its JSON export adds ``annotations``.
- Prodigy: ``textcat.manual``-style JSONL with ``options`` (``accept`` pre-filled with
  the model's labels); answers carry ``answer`` and ``accept``.
- doccano: text-classification JSONL with ``text`` and ``label``; the task fields are
  kept as extra columns, which doccano returns on export.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from pipeline.annotate import Answer, Task
from pipeline.errors import AnnotationError
from pipeline.labels import LabelSet

FROM_NAME, TO_NAME = "labels", "text"


class ToolFormat(str, Enum):
    labelstudio = "labelstudio"
    prodigy = "prodigy"
    doccano = "doccano"


def _pre(task: Task, threshold: float = 0.5) -> tuple[list[str], float | None]:
    if not task.suggestion:
        return [], None
    chosen = [k for k, v in task.suggestion.items() if v >= threshold]
    return chosen, max(task.suggestion.values())


def labelstudio_config(labels: LabelSet) -> str:
    choices = "\n".join(
        f"    <Choice value={quoteattr(lb.name)} hint={quoteattr(lb.description)}/>"
        for lb in labels.labels
    )
    return (
        '<View>\n  <Header value="$context"/>\n'
        f'  <Text name="{TO_NAME}" value="$text"/>\n'
        f'  <Choices name="{FROM_NAME}" toName="{TO_NAME}" choice="multiple" '
        f'showInLine="false">\n{choices}\n  </Choices>\n</View>\n'
    )


def write_tasks(
    tasks: Sequence[Task],
    fmt: ToolFormat,
    out: Path,
    labels: LabelSet,
    model_version: str | None = None,
) -> list[Path]:
    """Write ``tasks`` for ``fmt``; returns the files written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is ToolFormat.labelstudio:
        items = []
        for t in tasks:
            item: dict[str, Any] = {"data": {"text": t.text, **t.meta()}}
            chosen, score = _pre(t)
            if chosen:
                item["predictions"] = [
                    {
                        "model_version": model_version or "model",
                        "score": score,
                        "result": [
                            {
                                "from_name": FROM_NAME,
                                "to_name": TO_NAME,
                                "type": "choices",
                                "value": {"choices": chosen},
                            }
                        ],
                    }
                ]
            items.append(item)
        out.write_text(
            json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        config = out.with_suffix(".config.xml")
        config.write_text(labelstudio_config(labels), encoding="utf-8")
        return [out, config]
    with out.open("w", encoding="utf-8") as fh:
        for t in tasks:
            chosen, _ = _pre(t)
            if fmt is ToolFormat.prodigy:
                rec: dict[str, Any] = {
                    "text": t.text,
                    "options": [{"id": n, "text": n} for n in labels.names],
                    "accept": chosen,
                    "meta": t.meta(),
                }
                if t.suggestion:
                    rec["meta"]["scores"] = {
                        k: round(v, 3) for k, v in t.suggestion.items()
                    }
            else:
                rec = {"text": t.text, "label": chosen, **t.meta()}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return [out]


def detect_format(path: Path) -> ToolFormat:
    with path.open(encoding="utf-8") as fh:
        first = fh.readline().strip()
    if first.startswith("["):
        return ToolFormat.labelstudio
    try:
        rec = json.loads(first) if first else {}
    except json.JSONDecodeError as e:
        raise AnnotationError(
            f"{path}: line 1 is not JSON ({e}); pass the file the tool exported"
        ) from e
    if "answer" in rec or "options" in rec:
        return ToolFormat.prodigy
    if "label" in rec:
        return ToolFormat.doccano
    raise AnnotationError(
        f"{path}: cannot tell which tool wrote it; pass --format "
        "labelstudio|prodigy|doccano"
    )


def read_answers(path: Path, fmt: ToolFormat | None = None) -> list[Answer]:
    """Parse a tool's export into answers (validation happens in ``annotate``)."""
    fmt = fmt or detect_format(path)
    try:
        if fmt is ToolFormat.labelstudio:
            return _labelstudio(json.loads(path.read_text(encoding="utf-8")))
        lines = [
            (i, json.loads(line))
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip()
        ]
    except json.JSONDecodeError as e:
        raise AnnotationError(
            f"{path}: not valid JSON ({e}); export it again from {fmt.value}"
        ) from e
    return [
        _prodigy(i, r) if fmt is ToolFormat.prodigy else _doccano(i, r)
        for i, r in lines
    ]


def _labelstudio(items: list[dict[str, Any]]) -> list[Answer]:
    out = []
    for n, item in enumerate(items, 1):
        meta = dict(item.get("data", {}))
        for ann in item.get("annotations", []):
            where = f"task {item.get('id', n)}, annotation {ann.get('id', '?')}"
            if ann.get("was_cancelled"):
                out.append(Answer(where, meta, None))
                continue
            choices: list[str] = []
            for res in ann.get("result", []):
                if res.get("type") == "choices" and res.get("from_name") == FROM_NAME:
                    choices.extend(res.get("value", {}).get("choices", []))
            who = ann.get("completed_by")
            if isinstance(who, dict):
                who = who.get("email") or who.get("id")
            out.append(
                Answer(
                    where,
                    meta,
                    tuple(choices),
                    None
                    if who is None
                    else f"labelstudio-{who}"
                    if isinstance(who, int)
                    else str(who),
                    ann.get("updated_at") or ann.get("created_at"),
                )
            )
    return out


def _prodigy(i: int, rec: dict[str, Any]) -> Answer:
    where = f"line {i}"
    if rec.get("answer") != "accept":
        return Answer(where, rec.get("meta", {}), None)
    ts = rec.get("_timestamp")
    return Answer(
        where,
        rec.get("meta", {}),
        tuple(rec.get("accept", [])),
        rec.get("_annotator_id") or rec.get("_session_id"),
        datetime.fromtimestamp(ts, timezone.utc).isoformat() if ts else None,
    )


def _doccano(i: int, rec: dict[str, Any]) -> Answer:
    meta = {
        **rec.get("meta", {}),
        **{k: v for k, v in rec.items() if k not in ("text", "label", "meta")},
    }
    labels = rec.get("label", [])
    if labels and isinstance(labels[0], list):  # span labels: the wrong project type
        raise AnnotationError(
            f"line {i}: span labels found; export from a text-classification project"
        )
    return Answer(f"line {i}", meta, tuple(labels), rec.get("user") or None)
