"""Batches: worker isolation, limits, the ledger, resume and clean interruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, ROOT, SHARED

from pipeline.batch import BatchOptions, OutputFormat, run_batch
from pipeline.ledger import Ledger, Record, read_ledger
from pipeline.pool import WorkerPool
from pipeline.segment import SEGMENTER_NAME
from pipeline.workers import Limits, Task, WorkerSpec

BAD = SHARED / "badinputs" / "files"
GLYPH_FLOOD = BAD / "synthetic__glyph-flood-4M-chars.pdf"
TREATY = "Article 1\nThe Parties shall cooperate in defence matters.\n"


def _texts(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"agreement-{i}.txt"
        p.write_text(f"Article 1\nThe Parties, in accord {i}, shall cooperate.\n")
        paths.append(p)
    return paths


def _ledger(out: Path) -> list[Record]:
    return read_ledger(out / "ledger.jsonl")


def test_batch_ledger_records_every_input_once_with_its_output(tmp_path: Path) -> None:
    inputs = _texts(tmp_path / "in", 3)
    (tmp_path / "in" / "bad.pdf").write_bytes(b"GIF89a not a pdf")
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, BatchOptions(isolate=False))
    recs = _ledger(out)
    assert sorted(r.input for r in recs) == sorted(
        str(p) for p in [*inputs, tmp_path / "in" / "bad.pdf"]
    )
    by_input = {Path(r.input).name: r for r in recs}
    assert by_input["bad.pdf"].status == "unsupported"
    assert by_input["bad.pdf"].error_type == "UnsupportedFormatError"
    for p in inputs:
        rec = by_input[p.name]
        assert rec.status == "ok" and rec.clauses == 1 and rec.engine == "text"
        data = json.loads((out / rec.output).read_text())
        assert data["source"]["sha256"] == rec.sha256
    bad = json.loads((out / by_input["bad.pdf"].output).read_text())
    assert bad["status"] == "unsupported" and bad["source"]["sha256"] == (
        by_input["bad.pdf"].sha256
    )
    assert summary.failed == 1 and summary.statuses["ok"] == 3


def test_batch_ledger_retries_a_failure_once_and_skips_finished_work(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.jsonl"
    with Ledger(path, resume=False) as led:
        led.append(Record("a.txt", "s1", "k1", "ok", output="a.txt.json"))
        led.append(Record("b.pdf", "s2", "k2", "timeout"))
    (tmp_path / "a.txt.json").write_text("{}")
    with path.open("a") as fh:
        fh.write('{"input": "c.pdf", "sta')  # torn by a crash mid-line
    led = Ledger(path, resume=True)
    assert led.next_attempt("a.txt", "k1", tmp_path) is None
    assert led.next_attempt("a.txt", "other-key", tmp_path) == 1  # changed file
    assert led.next_attempt("b.pdf", "k2", tmp_path) == 2
    led.append(Record("b.pdf", "s2", "k2", "timeout", attempt=2))
    assert led.next_attempt("b.pdf", "k2", tmp_path) is None  # retried once only
    led.close()
    assert [r.input for r in read_ledger(path)] == ["a.txt", "b.pdf", "b.pdf"]
    (tmp_path / "a.txt.json").unlink()
    assert Ledger(path, resume=True).next_attempt("a.txt", "k1", tmp_path) == 2


def test_batch_resume_processes_only_what_is_missing(tmp_path: Path) -> None:
    inputs = _texts(tmp_path / "in", 4)
    out = tmp_path / "out"
    run_batch(inputs[:2], out, BatchOptions(isolate=False))
    summary = run_batch(inputs, out, BatchOptions(isolate=False, resume=True))
    assert (summary.skipped, summary.processed) == (2, 2)
    assert sorted(r.input for r in _ledger(out)) == sorted(map(str, inputs))
    # a fresh run (no --resume) starts the ledger afresh
    run_batch(inputs[:1], out, BatchOptions(isolate=False))
    assert [r.input for r in _ledger(out)] == [str(inputs[0])]


def test_batch_resume_redoes_outputs_of_an_earlier_segmenter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a new segmenter version may cut other clauses and ids: outputs made by the old
    # one must not be kept as finished
    inputs = _texts(tmp_path / "in", 2)
    out = tmp_path / "out"
    monkeypatch.setattr("pipeline.segment.SEGMENTER_NAME", "treaty.segmenter.rules.v0")
    run_batch(inputs, out, BatchOptions(isolate=False))
    monkeypatch.undo()
    summary = run_batch(inputs, out, BatchOptions(isolate=False, resume=True))
    assert (summary.skipped, summary.processed) == (0, 2)
    again = run_batch(inputs, out, BatchOptions(isolate=False, resume=True))
    assert (again.skipped, again.processed) == (2, 0)
    doc = json.loads((out / "agreement-0.txt.json").read_text())
    assert doc["tool"]["segmenter"] == SEGMENTER_NAME
    segmenters = [r.segmenter for r in _ledger(out)]
    assert segmenters == ["treaty.segmenter.rules.v0"] * 2 + [SEGMENTER_NAME] * 2


def test_batch_jsonl_resume_appends_after_a_torn_line(tmp_path: Path) -> None:
    inputs = _texts(tmp_path / "in", 3)
    out = tmp_path / "out"
    opts = BatchOptions(fmt=OutputFormat.jsonl, isolate=False)
    run_batch(inputs[:2], out, opts)
    with (out / "documents.jsonl").open("a") as fh:
        fh.write('{"schema_version": "1.0", "tool"')
    run_batch(inputs, out, BatchOptions(fmt=OutputFormat.jsonl, resume=True))
    lines = (out / "documents.jsonl").read_text().splitlines()
    paths = [json.loads(line)["source"]["path"] for line in lines]
    assert sorted(paths) == sorted(map(str, inputs))


def test_batch_size_and_page_limits_refuse_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(TREATY * 20_000)  # ~1 MB
    opts = BatchOptions(limits=Limits(max_size_mb=0.5, max_pages=1), isolate=False)
    run_batch([big, DATA / "tiny_treaty.pdf"], tmp_path / "out", opts)
    recs = {Path(r.input).name: r for r in _ledger(tmp_path / "out")}
    assert recs["big.txt"].status == "too_large"
    assert "--max-size" in recs["big.txt"].errors[0]
    assert recs["tiny_treaty.pdf"].status == "too_large"
    assert "2 pages" in recs["tiny_treaty.pdf"].errors[0]


def test_batch_workers_process_in_parallel_and_agree_with_inline(
    tmp_path: Path,
) -> None:
    inputs = [*_texts(tmp_path / "in", 3), DATA / "tiny_treaty.pdf"]
    run_batch(inputs, tmp_path / "a", BatchOptions(isolate=False))
    run_batch(inputs, tmp_path / "b", BatchOptions(workers=2))
    for rec in _ledger(tmp_path / "a"):
        a = json.loads((tmp_path / "a" / rec.output).read_text())
        b = json.loads((tmp_path / "b" / rec.output).read_text())
        assert a["clauses"] == b["clauses"] and a["status"] == b["status"] == "ok"


@pytest.mark.corpus
def test_batch_timeout_kills_a_hostile_file_and_the_batch_goes_on(
    tmp_path: Path,
) -> None:
    good = _texts(tmp_path / "in", 2)
    opts = BatchOptions(limits=Limits(timeout=3))
    t0 = time.monotonic()
    summary = run_batch([GLYPH_FLOOD, *good], tmp_path / "out", opts)
    assert time.monotonic() - t0 < 60
    recs = {Path(r.input).name: r for r in _ledger(tmp_path / "out")}
    flood = recs[GLYPH_FLOOD.name]
    assert (flood.status, flood.error_type) == ("timeout", "TimeoutError")
    record = json.loads((tmp_path / "out" / flood.output).read_text())
    assert record["status"] == "timeout" and record["source"]["sha256"]
    assert summary.statuses["ok"] == 2


@pytest.mark.corpus
def test_batch_a_worker_killed_mid_file_becomes_that_files_record(
    tmp_path: Path,
) -> None:
    spec = WorkerSpec(limits=Limits(timeout=60))
    with WorkerPool(spec, 1) as pool:
        results = pool.run([Task(0, GLYPH_FLOOD), Task(1, DATA / "tiny_treaty.txt")])

        def killer() -> None:
            time.sleep(3)  # the worker is deep inside pdfminer by then
            for w in pool._workers:
                if w.job is not None and w.job.id == 0:
                    os.kill(w.proc.pid, signal.SIGKILL)

        threading.Thread(target=killer, daemon=True).start()
        outcomes = {task.id: out for task, out in results}
    assert outcomes[0].status == "failed"
    assert outcomes[0].error_type == "WorkerCrash"
    assert "SIGKILL" in outcomes[0].errors[0]
    assert outcomes[1].status == "ok"  # a fresh worker took the next file


@pytest.mark.slow
@pytest.mark.corpus
def test_batch_memory_cap_stops_a_glyph_flood_with_an_error_record(
    tmp_path: Path,
) -> None:
    # Uncapped, this 4.5 KB file grows to 8 GB before pdfminer gives up.
    opts = BatchOptions(limits=Limits(timeout=240, max_memory_mb=600))
    run_batch([GLYPH_FLOOD, DATA / "tiny_treaty.txt"], tmp_path / "out", opts)
    recs = {Path(r.input).name: r for r in _ledger(tmp_path / "out")}
    assert recs["tiny_treaty.txt"].status == "ok"
    flood = recs[GLYPH_FLOOD.name]
    assert flood.status == "failed"
    assert "MemoryError" in " ".join(flood.errors) + str(flood.error_type)


@pytest.mark.slow
@pytest.mark.corpus
def test_batch_ctrl_c_keeps_finished_work_and_resume_completes(
    tmp_path: Path,
) -> None:
    # all of them: the batch must still be running when the signal comes
    texts = sorted((CORPUS / "texts").glob("*.txt"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from cli import app; app()", "extract"]
    cmd += [*map(str, texts), "--out", str(out), "--no-classify"]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
        # a shell starts background jobs with SIGINT ignored, and the child would
        # inherit that: give it the disposition a terminal's Ctrl-C meets
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    ledger = out / "ledger.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if ledger.exists() and len(ledger.read_text().splitlines()) >= 5:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err
    done = _ledger(out)
    assert 5 <= len(done) < len(texts)
    assert not list(out.rglob("*.tmp"))
    files = sorted(p for p in out.glob("*.json"))
    assert len(files) == len(done)
    for f in files:
        assert json.loads(f.read_text())["status"] == "ok"
    resumed = subprocess.run(
        [*cmd, "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    inputs = [r.input for r in _ledger(out)]
    assert sorted(inputs) == sorted(map(str, texts))  # none twice, none missing
