"""Scores: per-label precision, recall, F1, AUPR, precision at 80% recall; micro and
macro F1; calibration error. Baselines (TF-IDF + linear model, keyword rules) are
scored by the same code in the same run."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.calibrate import expected_calibration_error
from pipeline.labels import LabelSet


@dataclass
class PRFScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def average_precision(p: np.ndarray, y: np.ndarray) -> float | None:
    if y.sum() == 0:
        return None
    order = np.argsort(-p, kind="stable")
    ys = y[order]
    hits = np.cumsum(ys)
    precision = hits / np.arange(1, len(ys) + 1)
    return float((precision * ys).sum() / ys.sum())


def precision_at_recall(
    p: np.ndarray, y: np.ndarray, recall: float = 0.8
) -> float | None:
    if y.sum() == 0:
        return None
    order = np.argsort(-p, kind="stable")
    ys = y[order]
    hits = np.cumsum(ys)
    reach = np.nonzero(hits / ys.sum() >= recall)[0]
    k = int(reach[0]) + 1
    return float(hits[k - 1] / k)


def score(
    probs: np.ndarray, chosen: np.ndarray, y: np.ndarray, labels: Sequence[str]
) -> dict[str, Any]:
    """All metrics from scores, decisions and gold (each shape n x labels)."""
    per: dict[str, dict[str, Any]] = {}
    micro = PRFScore()
    f1s = []
    for j, lb in enumerate(labels):
        yj, cj = y[:, j] > 0, chosen[:, j]
        s = PRFScore(int((cj & yj).sum()), int((cj & ~yj).sum()), int((~cj & yj).sum()))
        micro.tp, micro.fp, micro.fn = micro.tp + s.tp, micro.fp + s.fp, micro.fn + s.fn
        ap = average_precision(probs[:, j], yj.astype(float))
        per[lb] = {
            "p": round(s.precision, 4),
            "r": round(s.recall, 4),
            "f": round(s.f1, 4),
            "support": int(yj.sum()),
            "aupr": None if ap is None else round(ap, 4),
            "p_at_r80": _r(precision_at_recall(probs[:, j], yj.astype(float))),
        }
        if yj.sum() > 0:
            f1s.append(s.f1)
    return {
        "clauses": len(y),
        "micro_p": round(micro.precision, 4),
        "micro_r": round(micro.recall, 4),
        "micro_f": round(micro.f1, 4),
        "macro_f": round(float(np.mean(f1s)) if f1s else 0.0, 4),
        "labels_scored": len(f1s),
        "ece": round(expected_calibration_error(probs, y), 4),
        "per_label": per,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _gold(rows: Sequence[dict[str, Any]], labels: Sequence[str]) -> np.ndarray:
    from pipeline.train import label_matrix

    return label_matrix(rows, list(labels))


Decisions = tuple[np.ndarray, np.ndarray]  # scores and decisions, each n x labels


def network_logits(clf: Any, rows: Sequence[dict[str, Any]]) -> np.ndarray:
    return clf.network_logits([r["text"] for r in rows], clf.row_contexts(rows))


def model_decisions(
    clf: Any, rows: Sequence[dict[str, Any]], network: np.ndarray | None = None
) -> Decisions:
    """``network``: the rows' transformer logits, if already computed."""
    if network is None:
        network = network_logits(clf, rows)
    logits = clf.mix(network, [r["text"] for r in rows])
    probs = clf.calibration.probabilities(logits, clf.labels)
    return probs, clf.decisions(probs)


def transformer_decisions(
    clf: Any, dev: Sequence[dict[str, Any]], network: np.ndarray
) -> Decisions:
    """The transformer without the n-gram part (``network``: its logits on the split
    scored), its calibration refitted on dev the same way: what the n-gram part
    adds, measured in the same run."""
    from pipeline.calibrate import fit_calibration
    from pipeline.classify import decide

    labels = clf.labels
    cal = fit_calibration(network_logits(clf, dev), _gold(dev, labels), labels)
    probs = cal.probabilities(network, labels)
    return probs, decide(probs, cal, labels)


def evaluate_rows(
    clf: Any, rows: Sequence[dict[str, Any]], labels: Sequence[str]
) -> dict[str, Any]:
    return score(*model_decisions(clf, rows), _gold(rows, labels), labels)


def tfidf_baseline(
    train: Sequence[dict[str, Any]],
    test: Sequence[dict[str, Any]],
    labels: Sequence[str],
    seed: int = 13,
) -> dict[str, Any]:
    """TF-IDF (word 1-2 grams) + one logistic regression per label."""
    return score(
        *tfidf_decisions(train, test, labels, seed), _gold(test, labels), labels
    )


def tfidf_decisions(
    train: Sequence[dict[str, Any]],
    test: Sequence[dict[str, Any]],
    labels: Sequence[str],
    seed: int = 13,
) -> Decisions:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    xtr = vec.fit_transform([r["text"] for r in train])
    xte = vec.transform([r["text"] for r in test])
    ytr = _gold(train, labels)
    probs = np.zeros((len(test), len(labels)), dtype=float)
    for j in range(len(labels)):
        if 0 < ytr[:, j].sum() < len(train):
            m = LogisticRegression(
                C=4.0, class_weight="balanced", max_iter=2000, random_state=seed
            )
            m.fit(xtr, ytr[:, j])
            probs[:, j] = m.predict_proba(xte)[:, 1]
    return probs, _at_least_one(probs >= 0.5, probs)


def keyword_decisions(test: Sequence[dict[str, Any]], labels: LabelSet) -> Decisions:
    """Rules from the guideline's typical wording: a label if a phrase of it occurs."""
    phrases = {
        lb.name: [
            p.lower().strip(" .,…")
            for p in re.findall(r'"([^"]+)"', lb.typical_wording)
        ]
        for lb in labels.labels
    }
    names = labels.names
    chosen = np.zeros((len(test), len(names)), dtype=bool)
    for i, r in enumerate(test):
        text = r["text"].lower()
        for j, lb in enumerate(names):
            chosen[i, j] = any(_phrase_hit(p, text) for p in phrases[lb] if p)
        if not chosen[i].any():
            chosen[i, names.index("other")] = True
    return chosen.astype(float), chosen


def _phrase_hit(phrase: str, text: str) -> bool:
    # "..." in the guideline marks a gap: every fragment must occur, in order
    parts = [p.strip() for p in phrase.split("...") if p.strip()]
    pos = 0
    for part in parts:
        k = text.find(part, pos)
        if k < 0:
            return False
        pos = k + len(part)
    return True


def _at_least_one(chosen: np.ndarray, probs: np.ndarray) -> np.ndarray:
    chosen = chosen.copy()
    empty = ~chosen.any(1)
    chosen[empty, probs[empty].argmax(1)] = True
    return chosen


def bootstrap_intervals(
    chosen: dict[str, np.ndarray],
    y: np.ndarray,
    docs: Sequence[str],
    *,
    draws: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """95 % intervals of micro- and macro-F1 for each system, and of each system's
    difference from the first, from resampling whole documents.

    Documents, not clauses, are the independent units of a split (clauses of one
    agreement share its drafting), so an interval from resampled clauses would be
    too narrow. Differences are paired: each draw scores every system on the same
    documents.
    """
    names = list(chosen)
    doc_ids, index = np.unique(np.asarray(docs), return_inverse=True)
    gold = y > 0
    # per document and label: true positives, false positives, false negatives
    counts = {}
    for n, c in chosen.items():
        per = np.stack([c & gold, c & ~gold, ~c & gold], axis=-1).astype(float)
        counts[n] = np.zeros((len(doc_ids), *per.shape[1:]))
        np.add.at(counts[n], index, per)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(doc_ids), [1 / len(doc_ids)] * len(doc_ids), draws)
    f1 = {n: _f1s(np.einsum("wd,dlk->wlk", weights, counts[n])) for n in names}
    out: dict[str, Any] = {"draws": draws, "unit": "document", "level": 0.95}
    for n in names:
        out[n] = {k: _interval(v) for k, v in f1[n].items()}
    for n in names[1:]:
        out[f"{names[0]}_minus_{n}"] = {
            k: _interval(f1[names[0]][k] - f1[n][k]) for k in ("micro_f", "macro_f")
        }
    return out


def _f1s(c: np.ndarray) -> dict[str, np.ndarray]:
    """Micro- and macro-F1 per draw from summed counts (draws x labels x 3); macro
    over the labels with gold support in the draw, as ``score`` does."""
    tp, fp, fn = c[..., 0], c[..., 1], c[..., 2]
    micro = 2 * tp.sum(1) / np.maximum(1, 2 * tp.sum(1) + fp.sum(1) + fn.sum(1))
    support = (tp + fn) > 0
    f = np.where(support, 2 * tp / np.maximum(1, 2 * tp + fp + fn), 0.0)
    macro = f.sum(1) / np.maximum(1, support.sum(1))
    return {"micro_f": micro, "macro_f": macro}


def _interval(v: np.ndarray) -> list[float]:
    return [
        round(float(np.quantile(v, 0.025)), 4),
        round(float(np.quantile(v, 0.975)), 4),
    ]
