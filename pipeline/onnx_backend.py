"""Fast CPU inference: the fine-tuned model exported to ONNX with int8 weights.

The ONNX file is derived, not committed: it is built once from the base weights and
the committed adapters (LoRA merged), quantised per channel, and cached under
``$TREATY_CACHE`` (default ``~/.cache/treaty-clauses``), keyed by the adapter's hash.
Tokenisation, window pooling, calibration and thresholds are shared with the torch
path, so only the encoder arithmetic differs.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.classify import ADAPTER_FILE, ClauseClassifier, encode_windows
from pipeline.errors import ModelLoadError

logger = logging.getLogger(__name__)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir() -> Path:
    return Path(
        os.environ.get("TREATY_CACHE", Path.home() / ".cache" / "treaty-clauses")
    )


def onnx_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_onnx(clf: ClauseClassifier, path: Path, *, quantize: bool = True) -> Path:
    """Write the merged model as ONNX (int8 per-channel weights when ``quantize``)."""
    import torch

    from pipeline.model import merge_lora

    model = copy.deepcopy(clf.model).eval()
    merge_lora(model)
    # the SDPA mask helpers of recent transformers do not trace; eager attention does
    model.encoder.config._attn_implementation = "eager"
    arrays, _ = encode_windows(
        clf.tokenizer,
        ["The Parties shall consult."],
        ["Heading"],
        clf.config.max_length,
        clf.config.stride,
    )
    example = tuple(torch.from_numpy(arrays[k]) for k in INPUTS)
    path.parent.mkdir(parents=True, exist_ok=True)
    fp32 = path.with_suffix(".fp32.onnx")
    dynamic = {k: {0: "batch", 1: "tokens"} for k in INPUTS}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on shapes; checked by tests
        torch.onnx.export(
            model,
            example,
            str(fp32),
            input_names=list(INPUTS),
            output_names=["logits"],
            dynamic_axes=dynamic,
            opset_version=17,
            dynamo=False,
        )
    if not quantize:
        fp32.replace(path)
        return path
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs advice on the root logger
    try:
        quantize_dynamic(
            str(fp32), str(path), per_channel=True, weight_type=QuantType.QInt8
        )
    finally:
        root.setLevel(level)
    fp32.unlink(missing_ok=True)
    return path


class OnnxClassifier(ClauseClassifier):
    """ClauseClassifier whose logits come from an ONNX Runtime session."""

    session: Any

    @classmethod
    def from_pretrained(cls, path: Path | str | None = None) -> OnnxClassifier:
        import onnxruntime as ort

        base = ClauseClassifier.from_pretrained(path)
        model_dir = Path(path) if path else None
        key = _model_key(model_dir, base)
        onnx_path = cache_dir() / "onnx" / f"{base.config.name}-{key}.int8.onnx"
        if not onnx_path.is_file():
            logger.info("building %s (once per model)", onnx_path)
            tmp = onnx_path.with_name(onnx_path.name + f".{os.getpid()}.tmp")
            export_onnx(base, tmp)
            tmp.replace(onnx_path)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(os.environ.get("TREATY_THREADS", "0"))
        try:
            session = ort.InferenceSession(
                str(onnx_path), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # a corrupt cache file: rebuild next time
            onnx_path.unlink(missing_ok=True)
            raise ModelLoadError(
                f"{onnx_path}: cannot load ({e}); run again to rebuild it"
            ) from e
        clf = cls(
            base.model,
            base.labels,
            base.config,
            base.calibration,
            base.tokenizer,
            base.ngrams,
        )
        clf.session = session
        return clf

    def window_logits(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """One window per run, without padding.

        Dynamic int8 quantisation scales activations by the range of the whole input
        tensor, so in a padded batch a clause's scores would shift with its
        neighbours (by up to 0.35, flipping about 0.5 % of decisions): one document's
        labels would depend on which others share its batch.
        """
        lengths = arrays["attention_mask"].sum(axis=1)
        out = []
        for i, n in enumerate(lengths):
            feed = {k: arrays[k][i : i + 1, : int(n)] for k in INPUTS}
            (win,) = self.session.run(["logits"], feed)
            out.append(win[0])
        return np.asarray(out, dtype=np.float64).reshape(len(lengths), -1)


def _model_key(model_dir: Path | None, clf: ClauseClassifier) -> str:
    from pipeline.classify import DEFAULT_MODEL

    h = hashlib.sha256((model_dir or DEFAULT_MODEL).joinpath(ADAPTER_FILE).read_bytes())
    h.update(repr(clf.config).encode())
    return h.hexdigest()[:16]
