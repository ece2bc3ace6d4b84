from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from batchfix import FORMULA, make_batch

from pipeline.batchread import load_batch
from pipeline.labels import load_labels
from pipeline.review import review_flags
from pipeline.sheet import csv_safe, write_sheets

LABELS = load_labels().names


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _xlsx(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _expected(data: dict, label: str) -> tuple[int, float, str]:
    ids = [c["clause_id"] for c in data["clauses"] if label in c["labels"]]
    best = max(c["scores"][label] for c in data["clauses"])
    return int(bool(ids)), best, " ".join(ids)


def test_documents_sheet_cells_match_the_json(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    write_sheets(load_batch(tmp_path), LABELS, tmp_path / "r")
    csv_rows = {r["document"]: r for r in _csv(tmp_path / "r" / "components.csv")}
    xlsx_rows = {
        r["document"]: r for r in _xlsx(tmp_path / "r" / "report.xlsx", "documents")
    }
    assert set(csv_rows) == set(xlsx_rows) == set(docs)
    for name, data in docs.items():
        c, x = csv_rows[name], xlsx_rows[name]
        assert c["doc_id"] == x["doc_id"] == data["doc_id"]
        assert int(c["clauses"]) == x["clauses"] == len(data["clauses"])
        for label in LABELS:
            present, best, ids = _expected(data, label)
            assert (
                int(c[label]),
                float(c[f"{label} max_score"]),
                c[f"{label} clauses"],
            ) == (present, best, ids)
            assert (x[label], x[f"{label} max_score"], x[f"{label} clauses"] or "") == (
                present,
                best,
                ids,
            )
            if present:  # the JSON's own components block says the same
                entry = data["components"]["document"][label]
                assert ids.split() == entry["clauses"] and best == entry["max_score"]


def test_clauses_sheet_has_a_row_per_clause_with_scores(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    batch = load_batch(tmp_path)
    write_sheets(batch, LABELS, tmp_path / "r")
    csv_rows = _csv(tmp_path / "r" / "clauses.csv")
    xlsx_rows = _xlsx(tmp_path / "r" / "report.xlsx", "clauses")
    expected = [(n, c) for n, d in sorted(docs.items()) for c in d["clauses"]]
    assert len(csv_rows) == len(xlsx_rows) == len(expected)
    flags = {d.name: review_flags(d.clauses, d.thresholds) for d in batch.documents}
    for (name, clause), c, x in zip(expected, csv_rows, xlsx_rows):
        assert c["document"] == x["document"] == name
        assert c["clause_id"] == x["clause_id"] == clause["clause_id"]
        assert c["labels"] == (x["labels"] or "") == " ".join(clause["labels"])
        assert x["text"] == clause["text"]
        assert bool(c["review"]) == (clause["clause_id"] in flags[name])
        for label in LABELS:
            assert float(c[label]) == x[label] == clause["scores"][label]
    pages = {
        r["clause_id"]: r["pages"] for r in csv_rows if r["document"] == "a.txt.json"
    }
    assert pages["art-1.p1.a"] == "p. 1" and pages["art-2.1"] == "pp. 1\u20132"


def test_failures_sheet_lists_the_ledger_failures(tmp_path: Path) -> None:
    make_batch(tmp_path)
    write_sheets(load_batch(tmp_path), LABELS, tmp_path / "r")
    [c] = _csv(tmp_path / "r" / "failures.csv")
    [x] = _xlsx(tmp_path / "r" / "report.xlsx", "failures")
    assert c["input"] == x["input"] == "in/bad.pdf"
    assert c["status"] == x["status"] == "unsupported"
    assert c["errors"] == x["errors"] == "in/bad.pdf: not a PDF"


def test_untrusted_text_never_becomes_a_formula(tmp_path: Path) -> None:
    docs = make_batch(tmp_path)
    data = docs["sub/b.txt.json"]
    data["clauses"][0]["text"] = FORMULA
    data["meta"]["title"]["value"] = "@SUM(A1)\x01 title"  # a control character too
    (tmp_path / "sub" / "b.txt.json").write_text(json.dumps(data))
    write_sheets(load_batch(tmp_path), LABELS, tmp_path / "r")
    clauses = {r["clause_id"]: r for r in _csv(tmp_path / "r" / "clauses.csv")}
    assert clauses["art-1.1"]["text"] == "'" + FORMULA
    wb = openpyxl.load_workbook(tmp_path / "r" / "report.xlsx")
    cells = [c for row in wb["clauses"].iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    titles = [r[2] for r in wb["documents"].iter_rows(min_row=2, values_only=True)]
    assert "@SUM(A1)\ufffd title" in titles
    assert csv_safe("-1") == "'-1" and csv_safe("Article 1") == "Article 1"
    assert csv_safe(0.5) == 0.5
