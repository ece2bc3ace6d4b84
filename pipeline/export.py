"""Structured output: one JSON document per input, and error records for failures.

The shape is published as a JSON Schema (``pipeline.json_schema``); every dict built
here validates against it. Writes go to a temporary file renamed into place, so a
reader never sees half a document.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.schema import (
    SCHEMA_VERSION,
    Document,
    MetaField,
    Result,
    Status,
    to_plain,
)
from pipeline.segment import SEGMENTER_NAME

TOOL = "treaty-clauses"


def _tool() -> dict[str, str]:
    return {"name": TOOL, "version": __version__, "segmenter": SEGMENTER_NAME}


def _meta_field(f: MetaField | None) -> dict[str, Any] | None:
    return None if f is None else {"value": f.value, "start": f.start, "end": f.end}


def export_document(doc: Document, status: Status = Status.OK) -> dict[str, Any]:
    """The JSON-ready dict of a processed document.

    Example:
        >>> from pipeline import extract
        >>> data = export_document(extract("corpora/samples/arden-westmark-sofa.txt"))
        >>> data["schema_version"]
        '1.0'
    """
    text = doc.text
    clauses = []
    for c in doc.clauses:
        clauses.append(
            {
                "clause_id": c.clause_id,
                "kind": c.kind,
                "path": list(c.path),
                "parent": c.parent,
                "article": c.article,
                "article_heading": c.article_heading,
                "heading": c.heading,
                "start": c.start,
                "end": c.end,
                "text": text[c.start : c.end],
                "pages": list(doc.page_nos(c.start, c.end)),
                "boxes": [
                    {"page_no": ln.page_no, **ln.bbox.to_dict()}
                    for ln in doc.boxes(c.start, c.end)
                ],
                "labels": list(c.labels),
                "scores": {p.label: round(p.score, 4) for p in c.predictions},
            }
        )
    meta = doc.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": _tool(),
        "status": status.value,
        "doc_id": doc.doc_id,
        "source": to_plain(doc.source),
        "page_count": len(doc.pages),
        "pages": [
            {
                "page_no": p.page_no,
                "start": p.start,
                "end": p.end,
                "width": round(p.width, 2),
                "height": round(p.height, 2),
                "quality": to_plain(p.quality),
            }
            for p in doc.pages
        ],
        "warnings": list(doc.warnings),
        "meta": {
            "title": _meta_field(meta.title),
            "parties": [_meta_field(p) for p in meta.parties],
            "place": _meta_field(meta.place),
            "date": _meta_field(meta.date),
            "language": _meta_field(meta.language),
        },
        "furniture": [
            {
                "page_no": f.page_no,
                "kind": f.kind,
                "text": f.text,
                "bbox": f.bbox.to_dict() if f.bbox else None,
            }
            for f in doc.furniture
        ],
        "classifier": to_plain(doc.classifier),
        "components": components(doc) if doc.classifier else None,
        "headings": [
            {
                "kind": h.kind,
                "path": list(h.path),
                "start": h.start,
                "end": h.end,
                "text": text[h.start : h.end],
            }
            for h in doc.headings
        ],
        "clauses": clauses,
        "text": text,
    }


def components(doc: Document) -> dict[str, Any]:
    """Which components the agreement has, per document and per article.

    A component is present where at least one clause carries its label; the entry
    lists those clauses and the highest score among them.
    """
    doc_level: dict[str, dict[str, Any]] = {}
    articles: dict[str, dict[str, list[str]]] = {}
    for c in doc.clauses:
        art = ".".join(p for p in c.path if p.startswith(("art-", "re-art-"))) or None
        for p in c.predictions:
            if not p.selected:
                continue
            entry = doc_level.setdefault(p.label, {"clauses": [], "max_score": 0.0})
            entry["clauses"].append(c.clause_id)
            entry["max_score"] = round(max(entry["max_score"], p.score), 4)
            if art:
                articles.setdefault(art, {}).setdefault(p.label, []).append(c.clause_id)
    return {"document": dict(sorted(doc_level.items())), "articles": articles}


def export_error(
    source: Path,
    status: Status,
    errors: Iterable[str],
    sha256: str | None = None,
    error_type: str | None = None,
) -> dict[str, Any]:
    """The record written in place of a document that could not be processed."""
    try:
        size = source.stat().st_size if source.is_file() else None
    except OSError:
        size = None
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": _tool(),
        "status": status.value,
        "source": {"path": str(source), "sha256": sha256, "size": size},
        "errors": list(errors),
    }
    if error_type:
        data["error_type"] = error_type
    return data


def export_result(result: Result, sha256: str | None = None) -> dict[str, Any]:
    """The document's JSON, or its error record (``sha256`` names the input there)."""
    if result.document is not None and result.status.is_success:
        data = export_document(result.document, result.status)
        if result.errors:
            data["warnings"] = [*data["warnings"], *result.errors]
        return data
    if result.document is not None:
        sha256 = result.document.source.sha256
    return export_error(
        result.source, result.status, result.errors, sha256, result.error_type
    )


def dumps(data: dict[str, Any], *, indent: int | None = None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


def write_json_atomic(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    write_text_atomic(dumps(data, indent=1), path)


def write_text_atomic(text: str, path: Path) -> None:
    """Write ``text`` and a final newline through a temporary file renamed into place.

    The data is on disk (fsync) before the rename, so a crash leaves either the old
    file or the whole new one, and a ledger line written afterwards never lies.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; outputs are not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
