"""Round trip through Label Studio, Prodigy and doccano, and every rejection path.

The tool outputs below are shaped exactly as each tool writes its export.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.annotate import CorpusDocs, load_records
from pipeline.errors import AnnotationError
from pipeline.formats import ToolFormat, detect_format, labelstudio_config, read_answers
from pipeline.labels import load_labels
from pipeline.roundtrip import (
    agreement_report,
    export_tasks,
    import_annotations,
    stats_report,
)

TEXT = """Agreement between Arden and Westmark on Training

Article 1

Each Party shall bear its own costs.

Article 2

1. Joint exercises shall be held annually.
2. Any dispute shall be settled by negotiation.
"""


def _corpus(tmp_path: Path, doc_id: str, text: str) -> CorpusDocs:
    """A one-document corpus with its manifest, as ../shared lays them out."""
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    f = corpus / "texts" / "t.txt"
    f.write_text(text, encoding="utf-8")
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        json.dumps(
            {
                "doc_id": doc_id,
                "file": "texts/t.txt",
                "kind": "SOFA",
                "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
            }
        )
        + "\n"
    )
    return CorpusDocs(corpus, manifest)


@pytest.fixture()
def docs(tmp_path: Path) -> CorpusDocs:
    return _corpus(tmp_path, "TEST0001", TEXT)


LABELS = {
    "art-1.p1": ["cost_sharing"],
    "art-2.1": ["exercises_training"],
    "art-2.2": ["dispute_resolution"],
}


def _export(docs: CorpusDocs, fmt: ToolFormat, tmp_path: Path) -> Path:
    out = (
        tmp_path
        / f"tasks.{fmt.value}.json{'l' if fmt is not ToolFormat.labelstudio else ''}"
    )
    export_tasks(["TEST0001"], fmt, out, docs=docs)
    return out


def _labelstudio_export(
    tasks: list[dict[str, Any]], who: int = 1
) -> list[dict[str, Any]]:
    out = []
    for i, t in enumerate(tasks, 1):
        choices = LABELS.get(t["data"]["clause_id"], ["other"])
        out.append(
            {
                "id": i,
                "annotations": [
                    {
                        "id": 100 + i,
                        "completed_by": who,
                        "result": [
                            {
                                "value": {"choices": choices},
                                "id": f"r{i}",
                                "from_name": "labels",
                                "to_name": "text",
                                "type": "choices",
                                "origin": "manual",
                            }
                        ],
                        "was_cancelled": False,
                        "ground_truth": False,
                        "created_at": "2026-11-26T12:00:00.000000Z",
                        "updated_at": "2026-11-26T12:00:05.000000Z",
                        "draft_created_at": None,
                        "lead_time": 4.2,
                        "prediction": {},
                        "result_count": 0,
                        "unique_id": f"u{i}",
                        "import_id": None,
                        "last_action": None,
                        "task": i,
                        "project": 3,
                        "updated_by": who,
                        "parent_prediction": None,
                        "parent_annotation": None,
                        "last_created_by": None,
                    }
                ],
                "file_upload": "tasks.json",
                "drafts": [],
                "predictions": [],
                "data": t["data"],
                "meta": {},
                "created_at": "2026-11-26T11:59:00.000000Z",
                "updated_at": "2026-11-26T12:00:05.000000Z",
                "inner_id": i,
                "total_annotations": 1,
                "cancelled_annotations": 0,
                "total_predictions": 0,
                "comment_count": 0,
                "unresolved_comment_count": 0,
                "last_comment_updated_at": None,
                "project": 3,
                "updated_by": who,
                "comment_authors": [],
            }
        )
    return out


def _prodigy_answers(lines: list[dict[str, Any]], who: str) -> list[dict[str, Any]]:
    return [
        {
            **t,
            "_input_hash": 11 + i,
            "_task_hash": 22 + i,
            "_view_id": "choice",
            "config": {"choice_style": "multiple"},
            "accept": LABELS.get(t["meta"]["clause_id"], ["other"]),
            "answer": "accept",
            "_timestamp": 1795000000 + i,
            "_annotator_id": who,
            "_session_id": who,
        }
        for i, t in enumerate(lines)
    ]


def _doccano_export(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": 40 + i,
            "text": t["text"],
            "Comments": [],
            "label": LABELS.get(t["clause_id"], ["other"]),
            **{k: v for k, v in t.items() if k not in ("text", "label")},
        }
        for i, t in enumerate(lines)
    ]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_annotate_labelstudio_round_trip(docs: CorpusDocs, tmp_path: Path) -> None:
    tasks_file = _export(docs, ToolFormat.labelstudio, tmp_path)
    tasks = json.loads(tasks_file.read_text())
    assert {t["data"]["clause_id"] for t in tasks} >= set(LABELS)
    config = tasks_file.with_suffix(".config.xml").read_text()
    assert 'choice="multiple"' in config and 'value="cost_sharing"' in config
    export = tmp_path / "project-3-at-2026.json"
    export.write_text(json.dumps(_labelstudio_export(tasks)))
    assert detect_format(export) is ToolFormat.labelstudio
    store = tmp_path / "done"
    rep = import_annotations(export, docs=docs, store=store, annotator="alice")
    assert rep.imported == len(tasks)
    recs = {r.clause_id: r for r in load_records(store)}
    assert recs["art-2.2"].labels == ("dispute_resolution",)
    # a batch can be left out (store files are <batch>.<annotator>.jsonl)
    (batch_file,) = store.glob("*.jsonl")
    batch = batch_file.name.split(".")[0]
    assert load_records(store, exclude_batches=[batch]) == []
    assert len(load_records(store, exclude_batches=["other"])) == len(recs)
    assert recs["art-2.2"].annotator == "alice" and recs["art-2.2"].guideline == "v1"
    doc = docs.get("TEST0001")
    r = recs["art-1.p1"]
    assert doc.text[r.start : r.end] == "Each Party shall bear its own costs."


def test_annotate_prodigy_and_doccano_round_trip_and_agreement(
    docs: CorpusDocs, tmp_path: Path
) -> None:
    store = tmp_path / "done"
    prodigy_tasks = [
        json.loads(x)
        for x in _export(docs, ToolFormat.prodigy, tmp_path).read_text().splitlines()
    ]
    assert prodigy_tasks[0]["options"][0] == {
        "id": "general_provisions",
        "text": "general_provisions",
    }
    answers = _jsonl(
        tmp_path / "prodigy.jsonl", _prodigy_answers(prodigy_tasks, "ds-bob")
    )
    assert detect_format(answers) is ToolFormat.prodigy
    assert import_annotations(answers, docs=docs, store=store).imported == len(LABELS)
    doccano_tasks = [
        json.loads(x)
        for x in _export(docs, ToolFormat.doccano, tmp_path).read_text().splitlines()
    ]
    rows = _doccano_export(doccano_tasks)
    rows[0]["label"] = ["final_provisions"]  # carol disagrees on art-1.p1
    dfile = _jsonl(tmp_path / "admin.jsonl", rows)
    assert detect_format(dfile) is ToolFormat.doccano
    import_annotations(dfile, docs=docs, store=store, annotator="carol")
    by_label = {a.label: a for a in agreement_report(store)}
    assert by_label["dispute_resolution"].value == pytest.approx(1.0)
    assert by_label["dispute_resolution"].measure == "cohen_kappa"
    assert by_label["cost_sharing"].observed < 1.0
    assert by_label["cost_sharing"].value is not None
    assert by_label["cost_sharing"].value < 1.0
    stats = stats_report(store)
    assert sum(stats["dispute_resolution"].values()) == 1


def _one_answer(docs: CorpusDocs, tmp_path: Path, **change: Any) -> Path:
    lines = [
        json.loads(x)
        for x in _export(docs, ToolFormat.prodigy, tmp_path).read_text().splitlines()
    ]
    good = _prodigy_answers(lines, "dan")
    bad = good[1]
    for k, v in change.items():
        if k in bad["meta"]:
            bad["meta"][k] = v
        else:
            bad[k] = v
    return _jsonl(tmp_path / "answers.jsonl", good)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"accept": ["made_up"]}, "unknown label"),
        ({"accept": []}, "empty answer"),
        ({"accept": ["other", "cost_sharing"]}, "used alone"),
        ({"text_sha256": "0" * 64}, "has changed"),
        ({"doc_id": "NOPE"}, "unknown document"),
        ({"start": 10_000, "end": 10_010}, "unknown clause"),
    ],
)
def test_annotate_rejections_import_nothing(
    docs: CorpusDocs, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    store = tmp_path / "done"
    path = _one_answer(docs, tmp_path, **change)
    with pytest.raises(AnnotationError, match=message) as err:
        import_annotations(path, docs=docs, store=store)
    assert "line 2" in str(err.value)
    assert load_records(store) == []


def test_annotate_duplicates_rejected(docs: CorpusDocs, tmp_path: Path) -> None:
    store = tmp_path / "done"
    path = _one_answer(docs, tmp_path)
    lines = path.read_text().splitlines()
    _jsonl(path, [json.loads(x) for x in lines + lines[:1]])
    with pytest.raises(AnnotationError, match="duplicate answer"):
        import_annotations(path, docs=docs, store=store)
    _jsonl(path, [json.loads(x) for x in lines])
    import_annotations(path, docs=docs, store=store)
    with pytest.raises(AnnotationError, match="duplicate of a stored record"):
        import_annotations(path, docs=docs, store=store)


def test_annotate_skipped_answers_and_bad_json(
    docs: CorpusDocs, tmp_path: Path
) -> None:
    path = _one_answer(docs, tmp_path, answer="ignore")
    rep = import_annotations(path, docs=docs, store=tmp_path / "done")
    assert rep.skipped == 1
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "x", "label": ["other"]}\n{not json\n')
    with pytest.raises(AnnotationError, match="not valid JSON"):
        read_answers(broken, ToolFormat.doccano)


def test_annotate_labelstudio_config_lists_every_label() -> None:
    labels = load_labels()
    config = labelstudio_config(labels)
    assert config.count("<Choice ") == len(labels.names) == 20


def test_annotate_store_to_datasets(docs: CorpusDocs, tmp_path: Path) -> None:
    from pipeline.dataset import build_dataset

    store = tmp_path / "done"
    import_annotations(_one_answer(docs, tmp_path), docs=docs, store=store)
    ds = build_dataset(load_records(store), load_labels(), docs, {"TEST0001": "train"})
    assert ds["train"].num_rows == 3 and ds["test"].num_rows == 0
    names = ds["train"].features["labels"].feature.names
    assert names == load_labels().names
    row = ds["train"][0]
    assert row["text"] == "Each Party shall bear its own costs."
    assert docs.get("TEST0001").text[row["start"] : row["end"]] == row["text"]
    meta_title = docs.get("TEST0001").meta.title
    assert row["title"] == (meta_title.value if meta_title else "")
    assert [names[i] for i in row["labels"]] == ["cost_sharing"]


LIST_TEXT = """Agreement between Arden and Westmark on Fuel

Article 1 Supply of fuel

1. The following shall apply to fuel supplied to the force:
(a) bills shall be payable within thirty days;
(b) prices shall be those paid by the host armed forces.
"""


def test_annotate_rows_carry_lead_in_and_heading_of_old_spans(
    tmp_path: Path,
) -> None:
    from pipeline.annotate import AnnotationRecord, sha256_text
    from pipeline.dataset import build_rows

    docs = _corpus(tmp_path, "F1", LIST_TEXT)
    doc = docs.get("F1")
    item = next(c for c in doc.clauses if c.text(doc).startswith("(a)"))
    lead = next(c for c in doc.clauses if c.clause_id == item.parent)

    def record(s: int, e: int, ts: str) -> AnnotationRecord:
        text = LIST_TEXT[s:e]
        return AnnotationRecord(
            "F1", "x", s, e, sha256_text(text), ("cost_sharing",), "dan", ts, "r1"
        )

    # the second spans both items: a clause of an earlier segmentation
    old_end = LIST_TEXT.index("forces.") + len("forces.")
    rows = build_rows(
        [record(item.start, item.end, "1"), record(item.start, old_end, "2")],
        docs,
        {"F1": "train"},
    )["train"]
    by_end = {r["end"]: r for r in rows}
    assert by_end[item.end]["lead_in"] == lead.text(doc)
    assert lead.text(doc).startswith("1. The following shall apply to fuel")
    assert by_end[item.end]["context"] == "Supply of fuel"
    # the old span still reads its article's heading and its list's lead-in
    assert by_end[old_end]["context"] == "Supply of fuel"
    assert by_end[old_end]["lead_in"] == lead.text(doc)
