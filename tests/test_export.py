from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from conftest import DATA, SAMPLES

from pipeline import extract
from pipeline.export import export_document, export_error, write_json_atomic
from pipeline.json_schema import document_schema
from pipeline.labels import load_labels
from pipeline.schema import Status

GOLDEN = DATA / "golden" / "tiny_treaty.document.json"
UPDATE = os.environ.get("TREATY_UPDATE_GOLDEN") == "1"
VALIDATOR = jsonschema.Draft202012Validator(document_schema(load_labels().names))


def _stable(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    data["source"]["path"] = "tiny_treaty.txt"
    data["tool"]["version"] = "X"
    return data


def test_export_matches_golden_file() -> None:
    data = _stable(export_document(extract(DATA / "tiny_treaty.txt")))
    if UPDATE:
        GOLDEN.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    assert data == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_update_golden_flag_is_off() -> None:
    assert not UPDATE, "TREATY_UPDATE_GOLDEN must not be set in a committed run"


def test_export_validates_against_schema() -> None:
    VALIDATOR.validate(export_document(extract(DATA / "tiny_treaty.txt")))
    Draft = jsonschema.Draft202012Validator
    Draft.check_schema(document_schema())


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_export_samples_validate_and_offsets_hold(sample: Path) -> None:
    data = export_document(extract(sample))
    VALIDATOR.validate(data)
    for c in data["clauses"]:
        assert data["text"][c["start"] : c["end"]] == c["text"]
    assert len({c["clause_id"] for c in data["clauses"]}) == len(data["clauses"])


def test_export_error_record_validates(tmp_path: Path) -> None:
    f = tmp_path / "x.pdf"
    f.write_bytes(b"GIF89a")
    rec = export_error(f, Status.UNSUPPORTED, ["x.pdf: not a PDF"])
    VALIDATOR.validate(rec)
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate({**rec, "errors": []})


def test_export_schema_rejects_unknown_label() -> None:
    data = export_document(extract(DATA / "tiny_treaty.txt"))
    data["clauses"][0]["labels"] = ["not_a_label"]
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(data)


def test_export_write_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "a" / "doc.json"
    write_json_atomic({"x": 1}, target)
    assert json.loads(target.read_text()) == {"x": 1}
    assert [p.name for p in target.parent.iterdir()] == ["doc.json"]
