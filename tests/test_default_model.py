"""The committed default model: small, safetensors only, and it labels documents.

The loading tests are marked slow (they build the real encoder); the ONNX agreement
test also reads the corpus for the test split.
"""

from __future__ import annotations

import json

import pytest
from conftest import DATA, ROOT

from pipeline.labels import load_labels

MODEL = ROOT / "models" / "treaty-minilm-lora"


def test_default_model_dir_is_small_safetensors_and_complete() -> None:
    names = {p.name for p in MODEL.iterdir()}
    assert {
        "adapter.safetensors",
        "labels.json",
        "calibration.json",
        "model_config.json",
        "train_config.json",
        "metrics.json",
        "README.md",
    } <= names
    assert not any(
        n.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle")) for n in names
    )
    # the base encoder comes from its package: what is committed stays a few MB
    assert sum(p.stat().st_size for p in MODEL.iterdir()) < 5_000_000
    config = json.loads((MODEL / "model_config.json").read_text())
    if config.get("ngram_weight"):
        assert {"ngram_vocab.json", "ngrams.safetensors"} <= names
    assert (
        json.loads((MODEL / "labels.json").read_text())["labels"] == load_labels().names
    )
    cal = json.loads((MODEL / "calibration.json").read_text())
    assert set(cal["thresholds"]) == set(load_labels().names)


@pytest.mark.slow
def test_default_model_labels_every_clause_of_a_document() -> None:
    from pipeline import extract
    from pipeline.export import export_document

    doc = extract(DATA / "tiny_treaty.txt", classify=True)
    assert doc.classifier is not None
    assert all(c.labels for c in doc.clauses)
    data = export_document(doc)
    assert data["components"]["document"]
    by_id = {c.clause_id: c for c in doc.clauses}
    assert "dispute_resolution" in by_id["art-3.1"].labels
    assert "final_provisions" in by_id["art-3.2"].labels


@pytest.mark.slow
@pytest.mark.corpus
def test_default_model_onnx_agrees_with_torch_on_test_split() -> None:
    pytest.importorskip("onnxruntime")
    from pipeline.classify import ClauseClassifier
    from pipeline.onnx_backend import OnnxClassifier
    from pipeline.train import annotation_rows

    rows, _ = annotation_rows()
    texts = [r["text"] for r in rows["test"]]
    torch_clf = ClauseClassifier.from_pretrained(MODEL)
    ctx = torch_clf.row_contexts(rows["test"])
    onnx_clf = OnnxClassifier.from_pretrained(MODEL)
    a = torch_clf.to_predictions(torch_clf.scores(texts, ctx))
    b = onnx_clf.to_predictions(onnx_clf.scores(texts, ctx))
    same = sum(x.selected == y.selected for ra, rb in zip(a, b) for x, y in zip(ra, rb))
    total = sum(len(r) for r in a)
    assert same / total >= 0.99, f"{same}/{total}"
