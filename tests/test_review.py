from __future__ import annotations

from batchfix import THRESHOLDS, make_batch

from pipeline.batchread import load_batch
from pipeline.labels import load_labels
from pipeline.review import components, page_ref, review_flag, review_flags


def test_components_match_the_json_components(tmp_path) -> None:
    docs = make_batch(tmp_path)
    names = load_labels().names
    for data in docs.values():
        comps = {c.label: c for c in components(data["clauses"], names)}
        assert set(comps) == set(names)
        present = {lb for lb, c in comps.items() if c.present}
        assert present == set(data["components"]["document"])
        for lb, entry in data["components"]["document"].items():
            assert list(comps[lb].clause_ids) == entry["clauses"]
            assert comps[lb].max_score == entry["max_score"]
        for lb in set(names) - present:
            assert comps[lb].clause_ids == ()
            assert comps[lb].max_score == max(c["scores"][lb] for c in data["clauses"])


def test_review_flags_borderline_and_weak_clauses(tmp_path) -> None:
    make_batch(tmp_path)
    doc = load_batch(tmp_path).documents[0]
    flags = review_flags(doc.clauses, doc.thresholds)
    by_text = {c["clause_id"]: c["text"] for c in doc.clauses}
    # tax_customs 0.74 against a threshold of 0.70: within the margin
    [tax] = [cid for cid, t in by_text.items() if "tax" in t]
    assert any("tax_customs 0.74 just above" in r for r in flags[tax].reasons)
    # best score 0.45 (other): below the floor
    [weak] = [cid for cid, t in by_text.items() if "<script>" in t]
    assert any("best score 0.45" in r for r in flags[weak].reasons)
    # a clear 0.93 dispute clause is not flagged
    [dispute] = [cid for cid, t in by_text.items() if "dispute" in t]
    assert dispute not in flags


def test_review_margin_is_in_log_odds() -> None:
    clause = {"clause_id": "x", "scores": {"a": 0.9, "b": 0.15}}
    # 0.15 against 0.10 is 0.46 log-odds away: borderline; 0.9 is sure
    flag = review_flag(clause, {"a": 0.5, "b": 0.1})
    assert flag is not None and flag.reasons == (
        "b 0.15 just above its threshold 0.10",
    )
    assert (
        review_flag(
            {"clause_id": "y", "scores": {"a": 0.9, "b": 0.3}}, {"a": 0.5, "b": 0.1}
        )
        is None
    )
    assert review_flag({"clause_id": "z", "scores": {}}, THRESHOLDS) is None


def test_page_ref() -> None:
    assert page_ref([]) == ""
    assert page_ref([3]) == "p. 3"
    assert page_ref([3, 4]) == "pp. 3\u20134"
