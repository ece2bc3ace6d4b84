"""The published JSON Schema (draft 2020-12) of what ``treaty extract`` writes.

Downstream tools rely on it: a change that breaks a reader bumps ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from typing import Any

from pipeline.schema import SCHEMA_VERSION, Status

SCHEMA_ID = f"https://treaty-clauses.invalid/schema/document-{SCHEMA_VERSION}.json"

_INT = {"type": "integer", "minimum": 0}
_NULLABLE_STR = {"type": ["string", "null"]}
_SPAN = {"start": _INT, "end": _INT}
_BOX = {
    "x0": {"type": "number"},
    "top": {"type": "number"},
    "x1": {"type": "number"},
    "bottom": {"type": "number"},
}


def _obj(
    props: dict[str, Any], required: list[str] | None = None, extra: bool = False
) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required if required is not None else list(props),
        "additionalProperties": extra,
    }


def _meta_field() -> dict[str, Any]:
    return {
        "oneOf": [
            {"type": "null"},
            _obj(
                {
                    "value": {"type": "string"},
                    "start": {"type": ["integer", "null"], "minimum": 0},
                    "end": {"type": ["integer", "null"], "minimum": 0},
                }
            ),
        ]
    }


def document_schema(labels: list[str] | None = None) -> dict[str, Any]:
    """The schema; ``labels`` (from annotations/labels.json) become an enum."""
    label = {"type": "string", "enum": labels} if labels else {"type": "string"}
    tool = _obj(
        {
            "name": {"const": "treaty-clauses"},
            "version": {"type": "string"},
            "segmenter": {
                "type": "string",
                "description": "Versioned name of the segmenter; clause ids and "
                "spans are stable for one name and may differ between names",
            },
        },
        ["name", "version"],
        extra=True,
    )
    quality = {
        "oneOf": [
            {"type": "null"},
            _obj(
                {
                    "chars": _INT,
                    "cid_share": {"type": "number", "minimum": 0, "maximum": 1},
                    "unprintable_share": {"type": "number", "minimum": 0, "maximum": 1},
                    "nonword_share": {"type": "number", "minimum": 0, "maximum": 1},
                    "grade": {"enum": ["good", "fair", "poor", "no_text"]},
                    "ocr_confidence": {
                        "type": ["number", "null"],
                        "minimum": 0,
                        "maximum": 1,
                    },
                    "engine": _NULLABLE_STR,
                }
            ),
        ]
    }
    clause = _obj(
        {
            "clause_id": {"type": "string", "pattern": r"^\S+$"},
            "kind": {"type": "string"},
            "path": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "parent": _NULLABLE_STR,
            "article": _NULLABLE_STR,
            "article_heading": _NULLABLE_STR,
            "heading": _NULLABLE_STR,
            **_SPAN,
            "text": {"type": "string", "minLength": 1},
            "pages": {"type": "array", "items": {"type": "integer", "minimum": 1}},
            "boxes": {
                "type": "array",
                "items": _obj({"page_no": {"type": "integer", "minimum": 1}, **_BOX}),
            },
            "labels": {"type": "array", "items": label, "uniqueItems": True},
            "scores": {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
            },
        }
    )
    document = _obj(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "tool": tool,
            "status": {"enum": [Status.OK.value, Status.PARTIAL.value]},
            "doc_id": {"type": "string", "minLength": 1},
            "source": _obj(
                {
                    "path": {"type": "string"},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "size": _INT,
                    "media_type": {"enum": ["application/pdf", "text/plain"]},
                    "encoding": _NULLABLE_STR,
                    "engine": _NULLABLE_STR,
                }
            ),
            "page_count": _INT,
            "pages": {
                "type": "array",
                "items": _obj(
                    {
                        "page_no": {"type": "integer", "minimum": 1},
                        **_SPAN,
                        "width": {"type": "number"},
                        "height": {"type": "number"},
                        "quality": quality,
                    }
                ),
            },
            "warnings": {"type": "array", "items": {"type": "string"}},
            "meta": _obj(
                {
                    "title": _meta_field(),
                    "parties": {"type": "array", "items": _meta_field()},
                    "place": _meta_field(),
                    "date": _meta_field(),
                    "language": _meta_field(),
                }
            ),
            "furniture": {
                "type": "array",
                "items": _obj(
                    {
                        "page_no": {"type": "integer", "minimum": 1},
                        "kind": {"enum": ["header", "footer", "page_number"]},
                        "text": {"type": "string"},
                        "bbox": {"oneOf": [{"type": "null"}, _obj(_BOX)]},
                    }
                ),
            },
            "classifier": {
                "oneOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "name": {"type": "string"},
                            "version": {"type": "string"},
                            "thresholds": {
                                "type": "object",
                                "additionalProperties": {"type": "number"},
                            },
                        },
                        ["name", "version"],
                        extra=True,
                    ),
                ]
            },
            "components": {
                "oneOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "document": {
                                "type": "object",
                                "propertyNames": label,
                                "additionalProperties": _obj(
                                    {
                                        "clauses": {
                                            "type": "array",
                                            "items": {"type": "string"},
                                            "minItems": 1,
                                        },
                                        "max_score": {
                                            "type": "number",
                                            "minimum": 0,
                                            "maximum": 1,
                                        },
                                    }
                                ),
                            },
                            "articles": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "object",
                                    "propertyNames": label,
                                    "additionalProperties": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                },
                            },
                        }
                    ),
                ]
            },
            "headings": {
                "type": "array",
                "items": _obj(
                    {
                        "kind": {"type": "string"},
                        "path": {"type": "array", "items": {"type": "string"}},
                        **_SPAN,
                        "text": {"type": "string"},
                    }
                ),
            },
            "clauses": {"type": "array", "items": clause},
            "text": {"type": "string"},
        }
    )
    error = _obj(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "tool": tool,
            "status": {"enum": [s.value for s in Status if not s.is_success]},
            "source": _obj(
                {
                    "path": {"type": "string"},
                    "sha256": {"type": ["string", "null"]},
                    "size": {"type": ["integer", "null"]},
                }
            ),
            "errors": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "error_type": {
                "type": "string",
                "description": "Class of the exception behind the failure "
                "(e.g. PdfminerException, MemoryError, TimeoutError).",
            },
        },
        required=["schema_version", "tool", "status", "source", "errors"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "treaty-clauses document",
        "description": "One agreement split into clauses with their place in its "
        "structure, or the error record of an input that failed.",
        "oneOf": [document, error],
    }
