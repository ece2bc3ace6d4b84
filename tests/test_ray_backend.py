"""The Ray backend: the same outputs, records and resume semantics as the local one."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CORPUS, SHARED
from typer.testing import CliRunner

from cli import app
from pipeline.batch import BatchOptions, run_batch
from pipeline.errors import ConfigError
from pipeline.ledger import read_ledger
from pipeline.workers import Limits

BAD = SHARED / "badinputs" / "files"
BAD_INPUTS = [
    BAD / "qpdf__bad1.pdf",
    BAD / "derived__gif-named.pdf",
    BAD / "plumber__password-example.pdf",
    BAD / "synthetic__glyph-flood-4M-chars.pdf",
]
TIMING = ("seconds", "finished")


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[None]:
    """One local Ray instance for the module; RayPool uses it instead of its own."""
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(
        num_cpus=4,
        object_store_memory=256 << 20,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
    )
    yield
    ray.shutdown()


def _small_texts(n: int) -> list[Path]:
    texts = sorted((CORPUS / "texts").glob("*.txt"), key=lambda p: p.stat().st_size)
    return texts[:n]


def _records(out: Path) -> dict[str, dict[str, object]]:
    recs = {}
    for rec in read_ledger(out / "ledger.jsonl"):
        data = rec.to_json()
        for k in TIMING:
            data.pop(k)
        assert rec.input not in recs, f"{rec.input} recorded twice"
        recs[rec.input] = data
    return recs


def _outputs(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(out.glob("*.json"))}


@pytest.mark.slow
@pytest.mark.corpus
def test_ray_backend_writes_what_the_local_backend_writes(
    ray_instance: None, tmp_path: Path
) -> None:
    inputs = [*_small_texts(3), *BAD_INPUTS]
    opts = BatchOptions(classify=True, limits=Limits(timeout=5))
    local = run_batch(inputs, tmp_path / "local", opts)
    ray = run_batch(inputs, tmp_path / "ray", replace(opts, backend="ray"))
    assert _records(tmp_path / "ray") == _records(tmp_path / "local")
    outputs = _outputs(tmp_path / "local")
    assert _outputs(tmp_path / "ray") == outputs
    assert len(outputs) == len(inputs)
    statuses = {r["status"] for r in _records(tmp_path / "ray").values()}
    assert statuses == {"ok", "unsupported", "encrypted", "timeout"}
    labelled = json.loads(outputs[_small_texts(1)[0].name + ".json"])
    assert labelled["classifier"] and labelled["clauses"][0]["labels"]
    assert (ray.statuses, ray.failed) == (local.statuses, local.failed)


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("first,then", [("local", "ray"), ("ray", "local")])
def test_ray_backend_resumes_a_batch_begun_on_the_other_backend(
    ray_instance: None, tmp_path: Path, first: str, then: str
) -> None:
    inputs = [*_small_texts(4), BAD_INPUTS[1]]
    out = tmp_path / "out"
    run_batch(inputs[:2], out, BatchOptions(backend=first, workers=2))
    summary = run_batch(inputs, out, BatchOptions(backend=then, resume=True))
    assert (summary.skipped, summary.processed) == (2, 3)
    recs = _records(out)  # asserts that none is recorded twice
    assert sorted(recs) == sorted(map(str, inputs))
    assert len(_outputs(out)) == len(inputs)


@pytest.mark.slow
@pytest.mark.corpus
def test_ray_backend_retries_the_file_of_a_lost_worker(
    ray_instance: None, tmp_path: Path
) -> None:
    flood, texts = BAD_INPUTS[3], _small_texts(2)
    killed: list[int] = []

    def kill_a_reader_mid_file() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            for pid in _busy_readers():
                time.sleep(2)  # deep inside the glyph flood by then
                if pid in _busy_readers():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.1)

    thread = threading.Thread(target=kill_a_reader_mid_file, daemon=True)
    thread.start()
    opts = BatchOptions(backend="ray", limits=Limits(timeout=10))
    summary = run_batch([flood, *texts], tmp_path / "out", opts)
    thread.join(5)
    assert killed, "no Ray worker was seen reading a file"
    recs = _records(tmp_path / "out")  # once each, though one ran twice
    assert recs[str(flood)]["status"] == "timeout"
    assert [recs[str(t)]["status"] for t in texts] == ["ok", "ok"]
    assert summary.processed == 3 and summary.statuses["timeout"] == 1


def _busy_readers() -> list[int]:
    """Ray workers running a reading task now (Ray titles idle ones ``ray::IDLE``)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes().startswith(
                b"ray::Map(_read)"
            ):
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def test_ray_backend_without_ray_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    text = tmp_path / "a.txt"
    text.write_text("Article 1\nThe Parties shall cooperate.\n")
    with pytest.raises(ConfigError, match=r"pip install 'treaty-clauses\[ray\]'"):
        run_batch([text], tmp_path / "out", BatchOptions(backend="ray"))
    assert not (tmp_path / "out").exists()  # refused before touching anything
    cmd = ["extract", str(text), "--out", str(tmp_path / "out"), "--backend", "ray"]
    result = CliRunner().invoke(app, cmd)
    assert result.exit_code == 2
    assert "pip install 'treaty-clauses[ray]'" in result.output


def test_ray_backend_address_without_ray_backend_is_a_usage_error(
    tmp_path: Path,
) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Article 1\nThe Parties shall cooperate.\n")
    result = CliRunner().invoke(
        app, ["extract", str(text), "--out", str(tmp_path / "o"), "--address", "auto"]
    )
    assert result.exit_code == 2 and "--backend ray" in result.output
