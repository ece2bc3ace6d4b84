"""Metrics, baselines and document-bootstrap intervals, on small hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.evaluate import (
    average_precision,
    bootstrap_intervals,
    keyword_decisions,
    precision_at_recall,
    score,
    tfidf_baseline,
)
from pipeline.labels import load_labels

LABELS = ["jurisdiction", "tax_customs", "other"]


def test_evaluate_score_counts_by_hand() -> None:
    y = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 0]], dtype=float)
    chosen = np.array(
        [[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=bool
    )  # jurisdiction: tp 2, fp 1; tax_customs: tp 1, fn 1; other: fn 1
    s = score(chosen.astype(float), chosen, y, LABELS)
    assert s["per_label"]["jurisdiction"]["p"] == round(2 / 3, 4)
    assert s["per_label"]["jurisdiction"]["r"] == 1.0
    assert s["per_label"]["tax_customs"]["f"] == round(2 / 3, 4)
    assert s["per_label"]["other"]["f"] == 0.0
    assert s["micro_f"] == round(2 * 3 / (2 * 3 + 1 + 2), 4)  # tp 3, fp 1, fn 2
    assert s["macro_f"] == round((0.8 + 2 / 3 + 0.0) / 3, 4)
    assert s["labels_scored"] == 3


def test_evaluate_labels_without_support_are_left_out_of_macro() -> None:
    y = np.array([[1, 0, 0], [1, 0, 0]], dtype=float)
    chosen = np.array([[1, 0, 0], [1, 0, 1]], dtype=bool)
    s = score(chosen.astype(float), chosen, y, LABELS)
    assert s["labels_scored"] == 1 and s["macro_f"] == 1.0
    assert s["per_label"]["other"]["aupr"] is None


def test_evaluate_ranking_metrics() -> None:
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    y = np.array([1, 0, 1, 0, 1], dtype=float)
    assert average_precision(p, y) == pytest.approx((1 + 2 / 3 + 3 / 5) / 3)
    # 80 % of 3 positives needs all 3: reached at rank 5, precision 3/5
    assert precision_at_recall(p, y) == pytest.approx(3 / 5)
    assert precision_at_recall(p, np.zeros(5)) is None


def test_evaluate_baselines_learn_and_match_phrases() -> None:
    train = [
        {
            "text": f"The receiving State has jurisdiction over offence {i}.",
            "labels": ["jurisdiction"],
        }
        for i in range(6)
    ] + [
        {
            "text": f"Goods {i} are exempt from customs duties and taxes.",
            "labels": ["tax_customs"],
        }
        for i in range(6)
    ]
    test = [
        {
            "text": "The receiving State has jurisdiction over the offence.",
            "labels": ["jurisdiction"],
        },
        {"text": "Vehicles are exempt from customs duties.", "labels": ["tax_customs"]},
    ]
    s = tfidf_baseline(train, test, ["jurisdiction", "tax_customs"])
    assert s["micro_f"] == 1.0
    names = load_labels().names
    _, chosen = keyword_decisions([{"text": "Nothing here at all."}], load_labels())
    assert [names[j] for j in np.nonzero(chosen[0])[0]] == ["other"]


def _two_systems() -> tuple[dict[str, np.ndarray], np.ndarray, list[str]]:
    rng = np.random.default_rng(3)
    y = (rng.random((60, 3)) < 0.3).astype(float)
    good = (y > 0) ^ (rng.random((60, 3)) < 0.1)  # 10 % of decisions wrong
    bad = (y > 0) ^ (rng.random((60, 3)) < 0.4)
    docs = [f"d{i // 6}" for i in range(60)]  # 10 documents of 6 clauses
    return {"good": good, "bad": bad}, y, docs


def test_evaluate_bootstrap_intervals_hold_the_point_and_order_systems() -> None:
    chosen, y, docs = _two_systems()
    ci = bootstrap_intervals(chosen, y, docs, draws=400)
    for name, c in chosen.items():
        point = score(c.astype(float), c, y, LABELS)
        for key in ("micro_f", "macro_f"):
            lo, hi = ci[name][key]
            assert lo <= point[key] <= hi and lo < hi
    lo, hi = ci["good_minus_bad"]["micro_f"]
    assert 0 < lo < hi  # the better system is better on every resample's scale
    assert ci == bootstrap_intervals(chosen, y, docs, draws=400)  # seeded
    assert (ci["unit"], ci["draws"]) == ("document", 400)


def test_evaluate_bootstrap_paired_difference_of_a_system_with_itself_is_zero() -> None:
    chosen, y, docs = _two_systems()
    same = {"a": chosen["bad"], "b": chosen["bad"].copy()}
    ci = bootstrap_intervals(same, y, docs, draws=200)
    assert ci["a_minus_b"] == {"micro_f": [0.0, 0.0], "macro_f": [0.0, 0.0]}


def test_evaluate_bootstrap_resamples_documents_not_clauses() -> None:
    chosen, y, _ = _two_systems()
    one_doc = ["only"] * len(y)  # one document: every resample is the whole split
    ci = bootstrap_intervals({"good": chosen["good"]}, y, one_doc, draws=50)
    point = score(chosen["good"].astype(float), chosen["good"], y, LABELS)
    assert ci["good"]["micro_f"] == [point["micro_f"]] * 2
    assert ci["good"]["macro_f"] == [point["macro_f"]] * 2  # same macro as score


def test_evaluate_report_table_names_intervals_in_its_caption() -> None:
    from rich.console import Console

    from pipeline.report import render_report

    chosen, y, docs = _two_systems()
    systems = {n: score(c.astype(float), c, y, LABELS) for n, c in chosen.items()}
    report = {
        "split": "test",
        "model": "m@1",
        "systems": {"model": systems["good"], "tfidf_logreg": systems["bad"]},
        "intervals": bootstrap_intervals(
            {"model": chosen["good"], "tfidf_logreg": chosen["bad"]}, y, docs, draws=50
        ),
    }
    console = Console(width=200, record=True)
    console.print(render_report(report))
    text = " ".join(console.export_text().split())  # the caption wraps
    ci = report["intervals"]["model_minus_tfidf_logreg"]["micro_f"]
    assert "95% intervals from 50 resamples of the split's documents" in text
    assert f"model minus tfidf_logreg: micro {ci[0]:+.3f} to {ci[1]:+.3f}" in text
