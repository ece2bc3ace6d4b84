"""Training on a tiny randomly initialised encoder: no download, seconds on CPU."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import TINY_ENCODER  # noqa: E402

from pipeline.classify import ClauseClassifier, ModelConfig  # noqa: E402
from pipeline.errors import ConfigError  # noqa: E402
from pipeline.train import TrainConfig, data_hash, fit, load_config, train  # noqa: E402

TINY = TINY_ENCODER
ROOT = Path(__file__).resolve().parents[1]
LABELS = ["jurisdiction", "tax_customs", "dispute_resolution", "other"]
ROWS = [
    {
        "text": "The Host State shall have the primary right to exercise jurisdiction.",
        "context": "Jurisdiction",
        "labels": ["jurisdiction"],
    },
    {
        "text": "Members of the force shall be tried by military courts.",
        "context": "Jurisdiction",
        "labels": ["jurisdiction"],
    },
    {
        "text": "Goods shall be imported free of customs duties.",
        "context": "Customs",
        "labels": ["tax_customs"],
    },
    {
        "text": "Personal effects are exempt from import taxes and duties.",
        "context": "Customs",
        "labels": ["tax_customs"],
    },
    {
        "text": "Any dispute shall be settled by negotiation between the Parties.",
        "context": "Disputes",
        "labels": ["dispute_resolution"],
    },
    {
        "text": "I avail myself of this opportunity to renew my assurances.",
        "context": "",
        "labels": ["other"],
    },
]


def _config(epochs: int = 40) -> TrainConfig:
    return TrainConfig(
        epochs=epochs,
        batch_size=3,
        lr=1e-2,
        seed=7,
        threads=1,
        model=ModelConfig(
            encoder_config=TINY, lora_rank=4, max_length=24, stride=8, dropout=0.0
        ),
    )


def _accuracy(clf: ClauseClassifier) -> float:
    preds = clf.predict([r["text"] for r in ROWS], [r["context"] for r in ROWS])
    ok = [
        {p.label for p in row if p.selected} == set(r["labels"])
        for row, r in zip(preds, ROWS)
    ]
    return sum(ok) / len(ok)


@pytest.fixture(scope="module")
def trained() -> ClauseClassifier:
    return fit(ROWS, [], LABELS, _config())


def test_train_overfits_tiny_model(trained: ClauseClassifier) -> None:
    assert _accuracy(trained) == 1.0


def test_train_save_load_round_trip_same_predictions(
    trained: ClauseClassifier, tmp_path: Path
) -> None:
    trained.save_pretrained(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert files == [
        "adapter.safetensors",
        "calibration.json",
        "labels.json",
        "model_config.json",
    ]
    again = ClauseClassifier.from_pretrained(tmp_path / "m")
    texts = [r["text"] for r in ROWS]
    np.testing.assert_allclose(trained.scores(texts), again.scores(texts), atol=1e-6)


def test_train_model_saved_before_titles_loads_without_them(
    trained: ClauseClassifier, tmp_path: Path
) -> None:
    import json

    path = trained.save_pretrained(tmp_path / "m")
    config = json.loads((path / "model_config.json").read_text())
    assert config["context_title"] and config["context_lead_in"]
    del config["context_title"], config["context_lead_in"]  # a 0.2.0 directory
    (path / "model_config.json").write_text(json.dumps(config))
    old = ClauseClassifier.from_pretrained(path)
    assert old.config.context_title is False and old.config.context_lead_in == 0
    row = {"text": "t", "context": "H", "title": "T", "lead_in": "L"}
    assert old.row_contexts([row]) == ["H"]
    config["context_title"] = True  # a 0.3.0 directory: title, no lead-in
    (path / "model_config.json").write_text(json.dumps(config))
    assert ClauseClassifier.from_pretrained(path).row_contexts([row]) == ["T | H"]


def test_train_is_deterministic_for_a_seed() -> None:
    a = fit(ROWS, [], LABELS, _config(epochs=3))
    b = fit(ROWS, [], LABELS, _config(epochs=3))
    texts = [r["text"] for r in ROWS]
    np.testing.assert_array_equal(a.logits(texts), b.logits(texts))


def test_train_writes_model_dir_with_metrics(tmp_path: Path) -> None:
    out = train(
        tmp_path / "model",
        _config(epochs=2),
        {"train": ROWS, "dev": ROWS, "test": ROWS},
        LABELS,
    )
    names = {p.name for p in out.iterdir()}
    assert {"metrics.json", "train_config.json", "adapter.safetensors"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names)
    assert len(data_hash(ROWS)) == 64
    card = (out / "README.md").read_text()
    assert "Limitations:" in card and "not a legal determination" in card
    assert "2 epochs (the lowest adapted layer frozen after epoch 1)" in card


def test_model_card_names_unscored_and_weak_labels() -> None:
    from pipeline.report import _limitations

    def lab(f: float, support: int) -> dict:
        return {"f": f, "support": support}

    metrics = {
        "test": {
            "per_label": {
                "jurisdiction": lab(0.9, 40),
                "consultation": lab(0.0, 0),
                "logistics_support": lab(0.35, 24),
            }
        }
    }
    lines = _limitations(metrics)
    assert any("`consultation`" in ln and "Never scored" in ln for ln in lines)
    weak = next(ln for ln in lines if "below 0.6" in ln)
    assert "`logistics_support` (0.35)" in weak and "jurisdiction" not in weak


def test_train_config_exclude_batches_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "train.toml"
    path.write_text('exclude_batches = ["r14", "r15"]\n', encoding="utf-8")
    assert load_config(path).exclude_batches == ("r14", "r15")
    path.write_text("exclude_batches = []\n", encoding="utf-8")
    assert load_config(path).exclude_batches == ()
    # the default rebuilds the committed model, trained without rounds 15 and 16
    committed = json.loads(
        (ROOT / "models/treaty-minilm-lora/train_config.json").read_text()
    )
    assert list(TrainConfig().exclude_batches) == committed["exclude_batches"]


def test_train_config_from_toml_with_overrides(tmp_path: Path) -> None:
    path = tmp_path / "train.toml"
    path.write_text("epochs = 3\n[model]\nlora_rank = 4\n", encoding="utf-8")
    cfg = load_config(path, seed=21, epochs=None)
    assert (cfg.epochs, cfg.seed, cfg.model.lora_rank) == (3, 21, 4)
    assert cfg.model.stride == ModelConfig().stride  # the rest stays default


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("epoch = 3\n", "unexpected keyword argument 'epoch'"),
        ("[model]\nstride = 200\n", "stride at most max_length - 8"),
        ("epochs = 0\n", "bad training config: epochs=0"),
        ('epochs = "five"\n', "epochs must be int, not 'five'"),
        ("lr = true\n", "lr must be float, not True"),
        ("[model]\nuse_context = 1\n", "use_context must be bool, not 1"),
        ("[model]\nngram_weight = 2\n", "ngram_weight must be a number from 0 to 1"),
        ('exclude_batches = "r15"\n', "exclude_batches must be a list of batch"),
        ("exclude_batches = [15]\n", "exclude_batches must be a list of batch"),
        ("exclude_batches = 15\n", "exclude_batches must be a list of batch"),
    ],
)
def test_train_config_errors_name_the_file_and_the_fix(
    tmp_path: Path, toml: str, expected: str
) -> None:
    path = tmp_path / "train.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    msg = str(e.value)
    assert msg.startswith(f"{path}: ") and expected in msg
    assert msg.endswith("see TrainConfig in pipeline/train.py")


def test_train_ngram_weight_follows_the_better_ranker_on_dev() -> None:
    from pipeline.train import NGRAM_WEIGHTS, choose_ngram_weight

    rng = np.random.default_rng(0)
    labels = ["a", "b", "other"]
    y = (rng.random((300, 3)) < 0.3).astype(float)
    signal = 4 * (y - 0.5) + rng.normal(0, 1, y.shape)
    # loud enough that a tenth of it costs F1 beyond chance: with std 2 the weights 0
    # and 0.1 differed by 0.0003-0.0016 in mean F1, and which won was a coin toss
    noise = rng.normal(0, 4, y.shape)
    assert choose_ngram_weight(signal, noise, y, labels) == 0.0
    assert choose_ngram_weight(noise, signal, y, labels) == max(NGRAM_WEIGHTS)


def test_train_writes_the_ngram_part_it_chose(tmp_path: Path) -> None:
    import dataclasses

    from pipeline.ngrams import VOCAB_FILE, WEIGHTS_FILE

    split = {"train": ROWS, "dev": ROWS}
    chosen = train(tmp_path / "m", _config(epochs=2), split, LABELS, evaluate_splits=())
    weight = ClauseClassifier.from_pretrained(chosen).config.ngram_weight
    assert weight is not None and 0 <= weight <= 0.6
    has_part = {VOCAB_FILE, WEIGHTS_FILE} <= {p.name for p in chosen.iterdir()}
    assert has_part == (weight > 0)
    off = _config(epochs=2)
    off.model = dataclasses.replace(off.model, ngram_weight=0.0)
    alone = train(tmp_path / "off", off, split, LABELS, evaluate_splits=())
    assert not (alone / WEIGHTS_FILE).exists()
    assert ClauseClassifier.from_pretrained(alone).ngrams is None
    fixed = _config(epochs=2)
    fixed.model = dataclasses.replace(fixed.model, ngram_weight=0.25)
    mixed = ClauseClassifier.from_pretrained(
        train(tmp_path / "fixed", fixed, split, LABELS, evaluate_splits=())
    )
    assert mixed.config.ngram_weight == 0.25 and mixed.ngrams is not None
    no_dev = fit(ROWS, [], LABELS, fixed)  # a fixed weight needs no dev to choose it
    assert no_dev.config.ngram_weight == 0.25 and no_dev.ngrams is not None
    chosen_without_dev = fit(ROWS, [], LABELS, _config(epochs=1))
    assert chosen_without_dev.config.ngram_weight == 0.0
    assert chosen_without_dev.ngrams is None


def test_frozen_layer_stops_learning_after_freeze_after_epochs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pipeline.train as train_mod

    seen: dict[str, dict[str, np.ndarray]] = {}
    advance = train_mod._advance

    def spy(model, states, layer):  # type: ignore[no-untyped-def]
        seen["frozen"] = _lora(model, layer)
        seen["above"] = _lora(model, layer + 1)
        return advance(model, states, layer)

    monkeypatch.setattr(train_mod, "_advance", spy)
    config = _config(epochs=4)
    config.freeze_after = 2
    clf = fit(ROWS, [], LABELS, config)
    assert seen, "the lowest adapted layer was never frozen"
    after = _lora(clf.model, 0)
    for name, value in seen["frozen"].items():
        np.testing.assert_array_equal(after[name], value)  # weight decay included
    moved = _lora(clf.model, 1)
    assert any(not np.array_equal(moved[k], v) for k, v in seen["above"].items())


def _lora(model, layer: int) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    return {
        k: v.detach().numpy().copy()
        for k, v in model.encoder.encoder.layer[layer].named_parameters()
        if "lora_" in k
    }


def test_frozen_layer_pass_gives_the_logits_of_the_whole_stack() -> None:
    import torch

    from pipeline.train import _advance, _bottom_states, _padded

    clf = ClauseClassifier.build(LABELS, _config().model)
    texts = [r["text"] * 3 for r in ROWS]  # long enough for several windows
    states, windows_of = _bottom_states(clf, texts, None, 0)
    assert max(len(w) for w in windows_of) > 1
    wins = list(range(len(states)))
    clf.model.eval()
    with torch.inference_mode():
        whole = clf.model.top(*_padded(states, wins), 0)
        stepped = clf.model.top(*_padded(_advance(clf.model, states, 0), wins), 1)
    torch.testing.assert_close(stepped, whole, atol=1e-5, rtol=1e-4)
