from __future__ import annotations

import json
from pathlib import Path

import pytest
from batchfix import make_batch
from conftest import SAMPLES
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_show_prints_the_outline_with_labels_and_scores(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    result = _run("show", tmp_path / "a.txt.json")
    assert result.exit_code == 0, result.output
    out = result.output
    for c in docs["a.txt.json"]["clauses"]:
        assert c["clause_id"] in out
    assert "Article 3" in out and "dispute_resolution 0.93" in out
    assert "<script>window.__pwned = 1</script>" in out  # rich markup escaped
    assert "review" in out


def test_show_filters_by_label_and_score(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    clauses = docs["a.txt.json"]["clauses"]
    result = _run("show", tmp_path / "a.txt.json", "--label", "dispute_resolution")
    assert result.exit_code == 0, result.output
    shown = {c["clause_id"] for c in clauses if c["clause_id"] in result.output.split()}
    assert shown == {
        c["clause_id"] for c in clauses if "dispute_resolution" in c["labels"]
    }
    result = _run("show", tmp_path / "a.txt.json", "--min-score", "0.9")
    shown = {c["clause_id"] for c in clauses if c["clause_id"] in result.output.split()}
    assert shown == {
        c["clause_id"]
        for c in clauses
        if any(c["scores"][lb] >= 0.9 for lb in c["labels"])
    }
    assert "tax_customs" not in result.output  # 0.74


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--label", "nope"], 2, "unknown label(s) nope; the labels are: general_"),
        (["--min-score", "2"], 2, "--min-score"),
    ],
)
def test_show_usage_errors(tmp_path: Path, args, code, message) -> None:
    make_batch(tmp_path)
    result = _run("show", tmp_path / "a.txt.json", *args)
    assert result.exit_code == code
    assert message in " ".join(result.output.split())


def test_show_a_failed_input_exits_1_with_its_reason(tmp_path: Path) -> None:
    make_batch(tmp_path)
    result = _run("show", tmp_path / "bad.pdf.json")
    assert result.exit_code == 1
    assert "not a PDF" in result.output


def test_search_lists_matching_clauses_as_json(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    result = _run("search", tmp_path, "--label", "dispute_resolution", "-f", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    expected = [
        (name, c["clause_id"], c["article"], c["scores"]["dispute_resolution"])
        for name, d in sorted(docs.items())
        for c in d["clauses"]
        if "dispute_resolution" in c["labels"]
    ]
    assert [
        (h["document"], h["clause_id"], h["article"], h["score"]) for h in hits
    ] == expected
    assert len(expected) == 2 and {h["label"] for h in hits} == {"dispute_resolution"}


def test_search_with_words_and_as_a_table(tmp_path: Path) -> None:
    make_batch(tmp_path)
    result = _run(
        "search", tmp_path, "--label", "dispute_resolution", "--text", "PAYMENTS"
    )
    assert result.exit_code == 0, result.output
    assert "1 matching clause(s)" in result.output
    assert "sub/b.txt.json" in result.output and "Article 1" in result.output
    result = _run("search", tmp_path, "--text", "customs duties", "-f", "json")
    [hit] = json.loads(result.stdout)
    assert (hit["document"], hit["label"], hit["pages"]) == (
        "a.txt.json",
        "tax_customs",
        "p. 2",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--label", "nope"], "unknown label(s) nope; the labels are:"),
        (["--label", "other", "-f", "xml"], "--format must be table or json"),
        ([], "give --label, --text or both"),
    ],
)
def test_search_usage_errors_exit_2(tmp_path: Path, args, message) -> None:
    make_batch(tmp_path)
    result = _run("search", tmp_path, *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_search_a_folder_without_documents_exits_1(tmp_path: Path) -> None:
    result = _run("search", tmp_path, "--label", "other")
    assert result.exit_code == 1
    assert "no documents found" in result.output
    assert _run("search", tmp_path / "missing", "--label", "other").exit_code == 2


def test_report_command_writes_the_report(tmp_path: Path) -> None:
    make_batch(tmp_path)
    result = _run("report", tmp_path, "--dest", tmp_path / "r")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "index.html").is_file()
    assert (tmp_path / "r" / "docs" / "sub" / "b.txt.html").is_file()
    assert "2 document(s) and 1 failure(s)" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run("report", empty).exit_code == 1


def test_extract_report_flag_writes_the_report_after_the_batch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(
        "extract",
        SAMPLES / "arden-westmark-sofa.txt",
        "--out",
        out,
        "--no-classify",
        "--report",
    )
    assert result.exit_code == 0, result.output
    assert (out / "report" / "docs" / "arden-westmark-sofa.txt.html").is_file()
    assert (out / "report" / "report.xlsx").is_file()
    result = _run(
        "extract",
        SAMPLES / "arden-westmark-sofa.txt",
        "--format",
        "jsonl",
        "--no-classify",
        "--report",
    )
    assert result.exit_code == 2 and "--report needs --out" in result.output


@pytest.mark.parametrize("cmd", ["report", "show", "search"])
def test_help(cmd: str) -> None:
    result = _run(cmd, "--help")
    assert result.exit_code == 0 and "Usage" in result.output
