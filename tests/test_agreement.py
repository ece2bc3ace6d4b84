from __future__ import annotations

import pytest

from pipeline.agreement import agreement, cohen_kappa, krippendorff_alpha, label_counts
from pipeline.annotate import AnnotationRecord


def test_agreement_cohen_kappa_known_value() -> None:
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.5)
    assert cohen_kappa([1, 0], [1, 0]) == pytest.approx(1.0)
    assert cohen_kappa([0, 0], [0, 0]) is None  # no variation: undefined, not 1


def test_agreement_krippendorff_alpha_known_value() -> None:
    assert krippendorff_alpha([[1, 1], [0, 0], [1, 0]]) == pytest.approx(
        1 - (1 / 3) / 0.6
    )
    assert krippendorff_alpha([[1, 1, 1], [0, 0, 0]]) == pytest.approx(1.0)
    assert krippendorff_alpha([[1]]) is None


def _rec(
    who: str, start: int, labels: tuple[str, ...], ts: str = "2026-01-01"
) -> AnnotationRecord:
    return AnnotationRecord(
        "D1", f"c{start}", start, start + 5, "x" * 64, labels, who, ts, "v1"
    )


def test_agreement_per_label_uses_latest_record_and_three_annotators() -> None:
    recs = [
        _rec("a", 0, ("jurisdiction",)),
        _rec("b", 0, ("jurisdiction",)),
        _rec("a", 10, ("other",)),
        _rec("b", 10, ("jurisdiction",)),
        _rec("b", 10, ("other",), ts="2026-02-01"),
    ]  # b corrected itself
    rows = {r.label: r for r in agreement(recs, ["jurisdiction", "other"])}
    assert rows["jurisdiction"].value == pytest.approx(1.0)
    assert rows["jurisdiction"].items == 2
    recs.append(_rec("c", 0, ("other",)))
    rows = {r.label: r for r in agreement(recs, ["jurisdiction", "other"])}
    assert rows["jurisdiction"].measure == "krippendorff_alpha"
    assert rows["jurisdiction"].value is not None and rows["jurisdiction"].value < 1.0


def test_agreement_label_counts_one_vote_per_clause() -> None:
    recs = [_rec("a", 0, ("jurisdiction",)), _rec("b", 0, ("jurisdiction",))]
    counts = label_counts(recs, {"D1": "train"})
    assert counts["jurisdiction"]["train"] == 1
    assert counts["_clauses"]["train"] == 1
