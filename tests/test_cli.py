from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import DATA, SAMPLES
from typer.testing import CliRunner

from cli import app
from pipeline.json_schema import document_schema

runner = CliRunner()
COMMANDS = [
    [],
    ["extract"],
    ["schema"],
    ["labels"],
    ["train"],
    ["evaluate"],
    ["classify"],
    ["annotate"],
    ["annotate", "export"],
    ["annotate", "import"],
    ["annotate", "agreement"],
    ["annotate", "stats"],
    ["annotate", "dataset"],
]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c) or "treaty")
def test_cli_help_for_every_command(cmd: list[str]) -> None:
    result = runner.invoke(app, [*cmd, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_cli_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("treaty-clauses ")


def test_cli_extract_writes_valid_json_per_input(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["extract", str(SAMPLES), "--out", str(tmp_path), "--no-classify"]
    )
    assert result.exit_code == 0, result.output
    outs = sorted(tmp_path.rglob("*.json"))
    assert len(outs) == len(list(SAMPLES.glob("*.txt"))) + len(
        list(SAMPLES.glob("*.pdf"))
    )
    validator = jsonschema.Draft202012Validator(document_schema())
    for f in outs:
        validator.validate(json.loads(f.read_text()))


def test_cli_extract_failure_exits_1_and_keeps_going(tmp_path: Path) -> None:
    bad = tmp_path / "in" / "fake.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"GIF89a" + b"\0" * 50)
    good = tmp_path / "in" / "good.txt"
    good.write_text((DATA / "tiny_treaty.txt").read_text())
    result = runner.invoke(
        app,
        [
            "extract",
            str(tmp_path / "in"),
            "--out",
            str(tmp_path / "out"),
            "--no-classify",
        ],
    )
    assert result.exit_code == 1
    err = json.loads((tmp_path / "out" / "fake.pdf.json").read_text())
    assert err["status"] == "unsupported" and "fake.pdf" in err["errors"][0]
    ok = json.loads((tmp_path / "out" / "good.txt.json").read_text())
    assert ok["status"] == "ok" and ok["clauses"]


def test_cli_extract_jsonl_to_stdout(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "extract",
            str(DATA / "tiny_treaty.txt"),
            "--format",
            "jsonl",
            "--no-classify",
        ],
    )
    assert result.exit_code == 0
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1 and json.loads(lines[0])["clauses"]


@pytest.mark.parametrize(
    "args",
    [
        ["extract", "does/not/exist.txt", "--out", "x", "--no-classify"],
        ["extract", str(DATA / "tiny_treaty.txt"), "--no-classify"],  # json needs --out
        ["extract", str(DATA / "tiny_treaty.txt"), "--format", "xml", "--no-classify"],
        ["evaluate", "--split", "validation"],  # refused before the corpus is read
    ],
)
def test_cli_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(("error:", "Usage:"))


def test_cli_schema_and_labels() -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    labels = json.loads(runner.invoke(app, ["labels", "--json"]).stdout)
    assert len(labels["labels"]) == 20 and labels["version"] == "v1"


def test_cli_never_overwrites_an_input(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text((DATA / "tiny_treaty.txt").read_text())
    trap = tmp_path / "a.txt.json"
    trap.write_text("{}")  # an input that an output name would collide with
    result = runner.invoke(
        app, ["extract", str(src), str(trap), "--out", str(tmp_path), "--no-classify"]
    )
    assert result.exit_code == 2
    assert trap.read_text() == "{}"
