from __future__ import annotations

import json
from pathlib import Path

import pytest
from batchfix import make_batch

from pipeline.batchread import load_batch, load_document
from pipeline.errors import BatchReadError
from pipeline.ledger import current_records


def test_load_batch_reads_documents_and_ledger_and_ignores_the_rest(
    tmp_path: Path,
) -> None:
    docs = make_batch(tmp_path)
    batch = load_batch(tmp_path)
    assert [d.name for d in batch.documents] == sorted(docs)
    assert batch.documents[0].data == docs["a.txt.json"]
    assert batch.has_ledger
    # the retried input's last line (ok) wins; the torn last line is skipped
    assert batch.statuses == {"ok": 2, "unsupported": 1}
    [fail] = batch.failures
    assert (fail.input, fail.status, fail.error_type, fail.attempt) == (
        "in/bad.pdf",
        "unsupported",
        "UnsupportedFormatError",
        1,
    )
    assert fail.errors == ("in/bad.pdf: not a PDF",)
    assert batch.skipped == ()


def test_load_batch_leaves_out_an_earlier_batchs_files(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    # a file an earlier batch wrote into the same folder: not in this ledger
    (tmp_path / "old.txt.json").write_text(
        json.dumps(docs["a.txt.json"]), encoding="utf-8"
    )
    batch = load_batch(tmp_path)
    assert [d.name for d in batch.documents] == sorted(docs)
    assert batch.stale == ("old.txt.json",)


def test_load_batch_without_ledger_uses_error_records(tmp_path: Path) -> None:
    make_batch(tmp_path, ledger=False)
    batch = load_batch(tmp_path)
    assert not batch.has_ledger
    assert batch.statuses == {"ok": 2, "unsupported": 1}
    [fail] = batch.failures
    assert (fail.input, fail.status, fail.output) == (
        "in/bad.pdf",
        "unsupported",
        "bad.pdf.json",
    )
    assert fail.errors == ("in/bad.pdf: not a PDF",)


def test_load_batch_reads_jsonl_output_and_reports_broken_files(
    tmp_path: Path,
) -> None:
    docs = make_batch(tmp_path / "src", ledger=False)
    lines = [json.dumps(docs["a.txt.json"]), "{broken"]
    (tmp_path / "documents.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "cut.json").write_text('{"schema_version": "1.0", "sta')
    batch = load_batch(tmp_path)
    names = [d.name for d in batch.documents]
    assert "documents.jsonl#1" in names
    assert {"documents.jsonl:2", "cut.json"} <= set(batch.skipped)


def test_read_ledger_keeps_the_last_line_per_input(tmp_path: Path) -> None:
    f = tmp_path / "ledger.jsonl"
    lines = [
        {"input": "a", "status": "failed"},
        {"input": "b", "status": "ok"},
        {"input": "a", "status": "ok"},
    ]
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert [(r.input, r.status) for r in current_records(f)] == [
        ("b", "ok"),
        ("a", "ok"),
    ]


def test_load_document_and_its_errors(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    assert load_document(tmp_path / "a.txt.json").data == docs["a.txt.json"]
    with pytest.raises(BatchReadError, match="unsupported.*not a PDF"):
        load_document(tmp_path / "bad.pdf.json")
    with pytest.raises(BatchReadError, match="no schema_version"):
        load_document(tmp_path / "notes.json")
    with pytest.raises(BatchReadError, match="cannot read it as JSON"):
        load_document(tmp_path / ".a.txt.json.123.tmp")
    with pytest.raises(BatchReadError, match="not a folder"):
        load_batch(tmp_path / "nowhere")
