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
    assert f"model minus tfidf: micro {ci[0]:+.3f} to {ci[1]:+.3f}" in text


def test_evaluate_report_table_fits_80_columns_with_whole_numbers() -> None:
    from rich.console import Console

    from pipeline.report import render_report

    chosen, y, docs = _two_systems()
    systems = {n: score(c.astype(float), c, y, LABELS) for n, c in chosen.items()}
    names = ("model", "transformer_only", "tfidf_logreg", "keyword_rules")
    report = {
        "split": "test",
        "model": "m@1",
        "systems": {n: systems["good" if n == "model" else "bad"] for n in names},
    }
    console = Console(width=80, record=True)
    console.print(render_report(report))
    text = console.export_text()
    lines = text.splitlines()
    head = next(ln for ln in lines if ln.split()[:1] == ["label"])
    assert head.split() == "label n P R F1 AUPR P@80 net tfidf kw".split()
    micro = next(ln for ln in lines if ln.split()[:1] == ["micro-F1"])
    f1 = [f"{systems[k]['micro_f']:.3f}" for k in ("good", "bad", "bad", "bad")]
    assert micro.split() == ["micro-F1", *f1]  # no number cut to "0.…"
    assert "…" not in "".join(lines)
    assert "tfidf: F1 of TF-IDF" in text


def test_evaluate_transformer_alone_is_recalibrated_on_dev() -> None:
    from pipeline.calibrate import fit_calibration
    from pipeline.evaluate import transformer_decisions

    rng = np.random.default_rng(1)
    gold = {f"c{i}": rng.random(3) < 0.4 for i in range(120)}
    z = {t: 3 * (g - 0.5) + rng.normal(0, 1, 3) for t, g in gold.items()}

    class Net:  # a classifier's transformer part, without the n-gram part
        labels = LABELS

        def row_contexts(self, rows: list[dict]) -> list[str]:
            return [""] * len(rows)

        def network_logits(self, texts: list[str], contexts: list[str]) -> np.ndarray:
            return np.array([z[t] for t in texts])

    def rows(names: list[str]) -> list[dict]:
        return [
            {"text": t, "labels": [lb for lb, g in zip(LABELS, gold[t]) if g]}
            for t in names
        ]

    dev, test = rows(list(gold)[:80]), rows(list(gold)[80:])
    network = np.array([z[r["text"]] for r in test])  # the split's logits, given
    probs, chosen = transformer_decisions(Net(), dev, network)
    cal = fit_calibration(
        np.array([z[r["text"]] for r in dev]),
        np.array([gold[r["text"]] for r in dev], dtype=float),
        LABELS,
    )
    np.testing.assert_allclose(
        probs, cal.probabilities(np.array([z[r["text"]] for r in test]), LABELS)
    )
    assert chosen.any(axis=1).all()  # every clause gets a label
    assert not (chosen[:, 2] & (chosen.sum(axis=1) > 1)).any()  # `other` alone
    assert score(probs, chosen, _gold_of(test), LABELS)["micro_f"] > 0.6


def _gold_of(rows: list[dict]) -> np.ndarray:
    return np.array([[lb in r["labels"] for lb in LABELS] for r in rows], dtype=float)
