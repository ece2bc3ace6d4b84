"""`treaty classify`: lines checked before the model loads, one line out per line in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from conftest import TINY_ENCODER  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from cli import app  # noqa: E402
from pipeline.classify import ClauseClassifier, ModelConfig  # noqa: E402
from pipeline.classify_lines import classify_lines, read_lines  # noqa: E402
from pipeline.errors import LinesError  # noqa: E402

LABELS = ["jurisdiction", "tax_customs", "other"]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.model import build_model

    config = ModelConfig(
        encoder_config=TINY_ENCODER, lora_rank=4, max_length=32, stride=8
    )
    model = build_model(
        len(LABELS), rank=4, alpha=8, seed=5, encoder_config=TINY_ENCODER
    )
    path = tmp_path_factory.mktemp("model") / "tiny"
    ClauseClassifier(model, LABELS, config).save_pretrained(path)
    return path


def _write(tmp_path: Path, lines: list[str], name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_classify_lines_reads_rows_and_skips_blank_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            '{"id": "a", "text": "Goods are free of duties.", "context": "Customs"}',
            "",
            '{"id": 7, "text": "Offences are tried here.", "title": null}',
        ],
    )
    rows = read_lines(path)
    assert [r["id"] for r in rows] == ["a", 7]
    assert rows[0]["context"] == "Customs"


def test_classify_lines_names_every_bad_line_with_its_number(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            '{"id": "a", "text": "Fine."}',
            "",
            "not json",
            "[1, 2]",
            '{"text": "no id"}',
            '{"id": "e", "text": "  "}',
            '{"id": "f", "text": "ok", "context": 3}',
        ],
    )
    with pytest.raises(LinesError) as e:
        read_lines(path)
    msg = str(e.value)
    assert msg.startswith(f"{path}: 5 bad line(s): line 3: not JSON")
    for part in (
        "line 4: a JSON list, not an object",
        'line 5: no "id"',
        'line 6: "text" is missing, empty or not a string',
        'line 7: "context" is not a string',
        'each line must be a JSON object with "id"',
    ):
        assert part in msg
    assert "\n" not in msg


def test_classify_lines_counts_bad_lines_beyond_those_it_names(tmp_path: Path) -> None:
    path = _write(tmp_path, ["{}"] * 8)
    with pytest.raises(LinesError, match=r"8 bad line\(s\): .*line 5: .*; and 3 more;"):
        read_lines(path)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe{}\n", "not UTF-8 (byte 0); save it as UTF-8 JSON Lines"),
        (
            b"\n\n",
            'no lines to classify; each line must be a JSON object with "id" and a '
            'non-empty "text" string',
        ),
    ],
)
def test_classify_lines_refuses_undecodable_or_empty_files(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    with pytest.raises(LinesError) as e:
        read_lines(path)
    assert str(e.value) == f"{path}: {expected}"


def test_classify_lines_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes('\ufeff{"id": "a", "text": "Fine."}\n'.encode())
    assert read_lines(path) == [{"id": "a", "text": "Fine."}]


def test_classify_lines_gives_one_record_per_row_in_order(tiny_dir: Path) -> None:
    clf = ClauseClassifier.from_pretrained(tiny_dir)
    rows = [
        {"id": i, "text": f"Clause number {i} on customs duties."} for i in range(7)
    ]
    out = list(classify_lines(clf, rows, batch_size=2, chunk=3))  # chunks of 3, 3, 1
    assert [r["id"] for r in out] == list(range(7))
    for r in out:
        assert set(r["scores"]) == set(LABELS)
        assert r["labels"] and set(r["labels"]) <= set(LABELS)
        assert r["model"] == "treaty-minilm-lora@" + clf.config.version
    whole = list(classify_lines(clf, rows, chunk=512))
    assert [r["scores"] for r in whole] == [r["scores"] for r in out]


def test_classify_cli_writes_json_lines_to_stdout(
    tiny_dir: Path, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        [
            '{"id": "a", "text": "The receiving State has jurisdiction."}',
            '{"id": "b", "text": "Goods are free of duties.", "context": "Customs"}',
        ],
    )
    result = CliRunner().invoke(
        app, ["classify", str(path), "--model", str(tiny_dir), "--runtime", "torch"]
    )
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in out] == ["a", "b"]
    assert all(set(r["scores"]) == set(LABELS) for r in out)


def test_classify_cli_bad_lines_fail_before_the_model_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, ['{"id": "a", "text": "Fine."}', "[1]"])
    # the model directory does not exist: the input error must come first
    result = CliRunner().invoke(
        app, ["classify", str(path), "--model", str(tmp_path / "none")]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "line 2: a JSON list, not an object" in result.stderr


def test_classify_cli_unknown_runtime_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, ['{"id": "a", "text": "Fine."}'])
    result = CliRunner().invoke(app, ["classify", str(path), "--runtime", "gpu"])
    assert result.exit_code == 2
    assert "--runtime must be auto, onnx or torch" in result.stderr
