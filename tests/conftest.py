"""Shared fixtures: offline caches, the shared corpus, documents built in code."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipeline.schema import Document, SourceInfo

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora"
SAMPLES = ROOT / "corpora" / "samples"
DATA = Path(__file__).parent / "data"
# a randomly initialised tiny BERT: classifier tests run without the real weights
TINY_ENCODER = {
    "vocab_size": 30522,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "max_position_embeddings": 128,
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="run tests marked slow")


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    skip_slow = pytest.mark.skip(reason="slow: run with --slow")
    skip_corpus = pytest.mark.skip(reason=f"corpus not found at {CORPUS}")
    for item in items:
        if "slow" in item.keywords and not config.getoption("--slow"):
            item.add_marker(skip_slow)
        if "corpus" in item.keywords and not CORPUS.is_dir():
            item.add_marker(skip_corpus)


@pytest.fixture(autouse=True, scope="session")
def _offline(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HOME"] = str(tmp_path_factory.mktemp("hf_home"))
    os.environ["HF_DATASETS_CACHE"] = str(tmp_path_factory.mktemp("hf_datasets"))
    os.environ["TREATY_CACHE"] = str(tmp_path_factory.mktemp("treaty_cache"))


def make_doc(text: str, path: str = "<memory>") -> Document:
    """A text Document built in code, as the text reader would make it."""
    sha = hashlib.sha256(text.encode()).hexdigest()
    return Document(
        doc_id=sha[:16],
        text=text,
        source=SourceInfo(path, sha, len(text.encode()), "text/plain", "utf-8", "text"),
    )
