"""Windowing, calibration, thresholds, predictions and the ONNX path (tiny model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch")

from conftest import TINY_ENCODER, make_doc  # noqa: E402

from pipeline.calibrate import (  # noqa: E402
    POOL_WEIGHT,
    Calibration,
    best_f1,
    expected_calibration_error,
    fit_calibration,
    fit_platt,
    half_f1_threshold,
    sigmoid,
)
from pipeline.classify import (  # noqa: E402
    ClauseClassifier,
    ModelConfig,
    _tokenizer,
    encode_windows,
    model_context,
    pool_windows,
)
from pipeline.segment import RuleSegmenter  # noqa: E402

TINY = TINY_ENCODER
LABELS = ["jurisdiction", "tax_customs", "other"]


@pytest.fixture(scope="module")
def tiny() -> ClauseClassifier:
    from pipeline.model import build_model

    config = ModelConfig(encoder_config=TINY, lora_rank=4, max_length=32, stride=8)
    model = build_model(len(LABELS), rank=4, alpha=8, seed=3, encoder_config=TINY)
    return ClauseClassifier(model, LABELS, config)


def test_classify_long_clause_is_windowed_not_truncated() -> None:
    tok = _tokenizer(ModelConfig())
    long = " ".join(f"word{i}" for i in range(300))
    arrays, mapping = encode_windows(
        tok, [long, "short clause"], ["Heading", "H"], 64, 16
    )
    windows = int((mapping == 0).sum())
    assert windows > 4 and int((mapping == 1).sum()) == 1
    seen = set()
    for row, owner in zip(arrays["input_ids"], mapping):
        if owner == 0:
            seen.update(tok.convert_ids_to_tokens([t for t in row if t > 103]))
    words = set(tok.tokenize(long))
    assert words <= seen  # every token of the clause is in some window


def test_classify_overlong_context_is_cut_and_the_clause_kept_whole() -> None:
    tok = _tokenizer(ModelConfig())
    heading = " ".join(f"heading{i}" for i in range(80))  # far over half a window
    clause = " ".join(f"word{i}" for i in range(100))
    arrays, mapping = encode_windows(
        tok, [clause, "short clause"], [heading, "Customs"], 64, 16
    )
    first = arrays["token_type_ids"] == 0
    mask = arrays["attention_mask"] == 1
    # the context keeps at most 32 tokens (+ [CLS], [SEP]); a short one is untouched
    assert int((first & mask)[mapping == 0].sum(1).max()) == 32 + 2
    short = arrays["input_ids"][mapping == 1][0]
    assert tok.decode(short[: int((first & mask)[mapping == 1][0].sum())]) == (
        "[CLS] customs [SEP]"
    )
    seen = set()
    for row, owner in zip(arrays["input_ids"], mapping):
        if owner == 0:
            seen.update(tok.convert_ids_to_tokens([t for t in row if t > 103]))
    assert set(tok.tokenize(clause)) <= seen


def test_classify_pool_windows_takes_max() -> None:
    logits = np.array([[0.1, 2.0], [0.5, -1.0], [3.0, 0.0]])
    out = pool_windows(logits, np.array([0, 0, 1]), 2)
    np.testing.assert_allclose(out, [[0.5, 2.0], [3.0, 0.0]])


def test_classify_platt_recovers_known_slope() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(0, 2, 4000)
    y = (rng.random(4000) < sigmoid(0.5 * z - 1.0)).astype(float)
    a, b = fit_platt(z, y)
    assert a == pytest.approx(0.5, abs=0.08) and b == pytest.approx(-1.0, abs=0.15)
    raw = expected_calibration_error(sigmoid(z)[:, None], y[:, None])
    fitted = expected_calibration_error(sigmoid(a * z + b)[:, None], y[:, None])
    assert fitted < raw and fitted < 0.03


def test_classify_threshold_and_fallbacks() -> None:
    p = np.array([0.1, 0.3, 0.35, 0.8, 0.9])
    y = np.array([0, 0, 1, 1, 1])
    f, t = best_f1(p, y)
    assert f == pytest.approx(1.0) and t == pytest.approx(0.35)
    # the decision threshold is half the best F1 (calibrated scores), not its argmax
    assert half_f1_threshold(p, y) == pytest.approx(0.5)
    f2, _ = best_f1(p, np.array([0, 1, 0, 1, 1]))  # best: p >= 0.3, F1 6/7
    assert half_f1_threshold(p, np.array([0, 1, 0, 1, 1])) == pytest.approx(f2 / 2)
    assert f2 == pytest.approx(6 / 7)
    logits = np.zeros((10, 2))
    y2 = np.zeros((10, 2))
    y2[:2, 0] = 1  # too few positives: identity map, threshold 0.5
    cal = fit_calibration(logits, y2, ["a", "b"])
    assert cal.thresholds == {"a": 0.5, "b": 0.5} and cal.a["a"] == 1.0


def test_classify_calibration_shrinks_rare_labels_toward_the_pooled_fit() -> None:
    # a common label whose logits are over-confident (true slope 0.5) and a rare one
    # whose 6 positives would fit any slope: the rare one ends near the pooled fit
    rng = np.random.default_rng(3)
    z = rng.normal(0, 3, (3000, 2))
    y = np.zeros((3000, 2))
    y[:, 0] = rng.random(3000) < sigmoid(0.5 * z[:, 0])
    y[rng.choice(np.flatnonzero(z[:, 1] > 4), 6, replace=False), 1] = 1
    cal = fit_calibration(z, y, ["common", "rare"])
    pooled = fit_platt(z.ravel(), y.ravel())
    own = [fit_platt(z[:, j], y[:, j]) for j in range(2)]
    n = y.sum(0)
    for j, lb in enumerate(["common", "rare"]):
        w = n[j] / (n[j] + POOL_WEIGHT)
        assert cal.a[lb] == pytest.approx(w * own[j][0] + (1 - w) * pooled[0])
        assert cal.b[lb] == pytest.approx(w * own[j][1] + (1 - w) * pooled[1])
    assert cal.a["common"] == pytest.approx(own[0][0], rel=0.02)  # ~1,500 positives
    assert abs(cal.b["rare"] - pooled[1]) < abs(own[1][1] - pooled[1]) / 3


def test_classify_predictions_other_alone_and_never_empty(
    tiny: ClauseClassifier,
) -> None:
    tiny.calibration = Calibration(
        thresholds={"jurisdiction": 0.4, "tax_customs": 0.9, "other": 0.4}
    )
    preds = tiny.to_predictions(np.array([[0.5, 0.2, 0.6], [0.1, 0.2, 0.3]]))
    assert [p.label for p in preds[0] if p.selected] == ["jurisdiction"]
    assert [p.label for p in preds[1] if p.selected] == ["other"]  # argmax fallback
    assert all(len(row) == 3 for row in preds)


def test_classify_context_title_only_when_trained_with_it() -> None:
    title = "Agreement between A and B on the status of their forces " + "x " * 20
    on, off = ModelConfig(), ModelConfig(context_title=False)
    assert model_context(off, "Article 3 Customs", title) == "Article 3 Customs"
    led = model_context(on, "Article 3 Customs", title)
    assert led.endswith(" | Article 3 Customs")
    assert led.split(" | ")[0].split() == title.split()[:12]
    assert model_context(on, None, None) == "" and model_context(on, "H", "") == "H"


def test_classify_context_lead_in_follows_the_heading() -> None:
    lead = "1. The following shall apply to fuel supplied to the force: " + "y " * 30
    on, off = ModelConfig(), ModelConfig(context_lead_in=0)
    ctx = model_context(on, "Supply", "Treaty of Z", lead)
    first, heading, words = ctx.split(" | ")
    assert (first, heading) == ("Treaty of Z", "Supply")
    assert words.split() == lead.split()[: on.context_lead_in]
    assert model_context(off, "Supply", "Treaty of Z", lead) == "Treaty of Z | Supply"
    assert model_context(on, None, None, lead).split() == words.split()


def test_classify_document_reads_list_items_with_their_lead_in(
    tiny: ClauseClassifier,
) -> None:
    doc = RuleSegmenter()(
        make_doc("Article 1\n1. The following shall apply:\n(a) bills are payable.")
    )
    item = doc.clauses[-1]
    assert doc.text[item.start : item.end] == "(a) bills are payable."
    assert doc.lead_ins() == (None, "1. The following shall apply:")
    got = [p.score for p in tiny.classify_document(doc).clauses[-1].predictions]
    row = {"text": "(a) bills are payable.", "lead_in": "1. The following shall apply:"}
    want = tiny.predict([row["text"]], tiny.row_contexts([row]))[0]
    assert got == pytest.approx([p.score for p in want])
    bare = tiny.predict([row["text"]], [""])[0]
    assert got != pytest.approx([p.score for p in bare])


def test_classify_document_passes_its_title_to_the_model(
    tiny: ClauseClassifier,
) -> None:
    import dataclasses

    from pipeline.schema import MetaField, TreatyMeta

    doc = RuleSegmenter()(make_doc("Article 1\n1. Each Party waives claims."))
    titled = dataclasses.replace(doc, meta=TreatyMeta(title=MetaField("Treaty of Z")))

    def variant(context_title: bool) -> ClauseClassifier:
        config = dataclasses.replace(tiny.config, context_title=context_title)
        return ClauseClassifier(
            tiny.model, tiny.labels, config, tiny.calibration, tiny.tokenizer
        )

    with_title, without = variant(True), variant(False)

    def scores(clf: ClauseClassifier, d) -> list[float]:
        return [p.score for p in clf.classify_document(d).clauses[0].predictions]

    assert scores(without, titled) == scores(without, doc)  # a pre-0.3.0 model
    assert scores(with_title, titled) != scores(with_title, doc)
    c = doc.clauses[0]
    text = doc.text[c.start : c.end]
    row = {
        "text": text,
        "context": c.article_heading or c.heading,
        "title": "Treaty of Z",
    }
    expected = with_title.predict([text], with_title.row_contexts([row]))[0]
    assert [p.score for p in expected] == pytest.approx(scores(with_title, titled))


def test_classify_document_fills_every_clause(tiny: ClauseClassifier) -> None:
    doc = RuleSegmenter()(
        make_doc(
            "Article 1\n1. Each Party waives claims.\n2. Goods are free of duties."
        )
    )
    out = tiny.classify_document(doc)
    assert all(len(c.predictions) == 3 and c.labels for c in out.clauses)
    assert out.classifier is not None and out.classifier.name == "treaty-minilm-lora"


def test_classify_onnx_agrees_with_torch(
    tiny: ClauseClassifier, tmp_path: Path
) -> None:
    pytest.importorskip("onnxruntime")
    import onnxruntime as ort

    from pipeline.onnx_backend import OnnxClassifier, export_onnx

    texts = [
        "The receiving State shall have jurisdiction over offences.",
        "Imports for the force are exempt from customs duties and taxes. " * 20,
        "I avail myself of this opportunity.",
    ]
    path = export_onnx(tiny, tmp_path / "m.onnx", quantize=False)
    onnx = OnnxClassifier(
        tiny.model, tiny.labels, tiny.config, tiny.calibration, tiny.tokenizer
    )
    onnx.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(
        onnx.logits(texts, ["", "", ""]), tiny.logits(texts, ["", "", ""]), atol=1e-4
    )
    q = export_onnx(tiny, tmp_path / "q.onnx", quantize=True)
    assert q.stat().st_size < path.stat().st_size
    # int8: a clause's scores must not depend on the clauses batched with it
    onnx.session = ort.InferenceSession(str(q), providers=["CPUExecutionProvider"])
    together = onnx.logits(texts, ["", "", ""], batch_size=3)
    alone = np.vstack([onnx.logits([t], [""]) for t in texts])
    np.testing.assert_array_equal(together, alone)


def test_classify_documents_together_equals_one_by_one(
    tiny: ClauseClassifier,
) -> None:
    seg = RuleSegmenter()
    docs = [
        seg(make_doc("Article 1\n1. Each Party waives claims.\n2. Goods are free.")),
        seg(make_doc("Article 4\nDisputes shall be settled by consultation.")),
    ]
    together = tiny.classify_documents(docs, batch_size=2)
    for doc, joint in zip(docs, together):
        alone = tiny.classify_document(doc)
        assert [c.clause_id for c in joint.clauses] == [
            c.clause_id for c in doc.clauses
        ]
        for a, b in zip(alone.clauses, joint.clauses):
            assert [p.label for p in a.predictions] == [p.label for p in b.predictions]
            np.testing.assert_allclose(
                [p.score for p in a.predictions],
                [p.score for p in b.predictions],
                atol=1e-5,
            )


def test_classify_split_forward_equals_full_forward(tiny: ClauseClassifier) -> None:
    import torch

    arrays, _ = encode_windows(
        tiny.tokenizer, ["A short clause.", "A longer clause " * 6], ["H", "H"], 32, 8
    )
    t = {k: torch.from_numpy(v) for k, v in arrays.items()}
    tiny.model.eval()
    with torch.inference_mode():
        full = tiny.model(**t)
        h = tiny.model.bottom(
            t["input_ids"], t["attention_mask"], t["token_type_ids"], 1
        )
        split = tiny.model.top(h, t["attention_mask"], 1)
    torch.testing.assert_close(full, split)


def _ngram_part(labels: list[str]) -> Any:
    from pipeline.ngrams import NgramModel

    texts = [
        "The receiving State shall have jurisdiction over offences.",
        "The sending State shall have jurisdiction over its members.",
        "Imports of the force are exempt from customs duties.",
        "Exports of the force are exempt from customs duties.",
        "I avail myself of this opportunity to renew my assurances.",
        "I avail myself of this opportunity.",
    ]
    y = np.repeat(np.eye(len(labels)), 2, axis=0)
    return NgramModel.fit(texts, y, seed=3), texts


def _mixed(tiny: ClauseClassifier, weight: float) -> tuple[ClauseClassifier, Any, list]:
    """The tiny transformer with an n-gram part at ``weight``."""
    import dataclasses

    ngrams, texts = _ngram_part(LABELS)
    config = dataclasses.replace(tiny.config, ngram_weight=weight)
    clf = ClauseClassifier(
        tiny.model, LABELS, config, tokenizer=tiny.tokenizer, ngrams=ngrams
    )
    return clf, ngrams, texts


def test_classify_logits_mix_transformer_and_ngram_log_odds(
    tiny: ClauseClassifier,
) -> None:
    mixed, ngrams, texts = _mixed(tiny, 0.3)
    ctx = [""] * len(texts)
    network = tiny.network_logits(texts, ctx)
    np.testing.assert_allclose(
        mixed.logits(texts, ctx), 0.7 * network + 0.3 * ngrams.decision(texts)
    )
    np.testing.assert_array_equal(tiny.logits(texts, ctx), network)  # weight None
    assert mixed.logits([], []).shape == (0, len(LABELS))


def test_classify_model_dir_with_ngrams_round_trips_and_needs_its_file(
    tiny: ClauseClassifier, tmp_path: Path
) -> None:
    import dataclasses

    from pipeline.classify import model_identity
    from pipeline.errors import ModelLoadError
    from pipeline.ngrams import WEIGHTS_FILE

    mixed, ngrams, texts = _mixed(tiny, 0.4)
    path = mixed.save_pretrained(tmp_path / "m")
    again = ClauseClassifier.from_pretrained(path)
    assert again.config.ngram_weight == 0.4 and again.ngrams is not None
    # (the tiny encoder is not saved, so only the n-gram part can be compared)
    np.testing.assert_array_equal(again.ngrams.decision(texts), ngrams.decision(texts))
    before = model_identity(path)
    doubled = dataclasses.replace(ngrams, coef=ngrams.coef * 2)
    doubled.save(path)  # a different n-gram part is a different model for ledgers
    assert model_identity(path) != before
    (path / WEIGHTS_FILE).unlink()
    with pytest.raises(ModelLoadError, match=f"{WEIGHTS_FILE} is missing"):
        ClauseClassifier.from_pretrained(path)


@pytest.mark.parametrize("weight", [1.5, -0.1, "half", True])
def test_classify_ngram_weight_must_be_a_share(weight: Any) -> None:
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="ngram_weight must be a number from 0 to 1"):
        ModelConfig(ngram_weight=weight)


def test_classify_onnx_path_mixes_the_ngram_part_too(
    tiny: ClauseClassifier, tmp_path: Path
) -> None:
    pytest.importorskip("onnxruntime")
    from pipeline.onnx_backend import OnnxClassifier

    mixed, ngrams, texts = _mixed(tiny, 0.5)
    path = mixed.save_pretrained(tmp_path / "m")
    onnx = OnnxClassifier.from_pretrained(path)
    assert onnx.ngrams is not None
    np.testing.assert_allclose(
        onnx.logits(texts) - 0.5 * onnx.network_logits(texts),
        0.5 * ngrams.decision(texts),
        atol=1e-6,
    )
