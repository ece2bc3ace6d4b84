"""Inter-annotator agreement per label, and corpus statistics.

Each label is a binary decision per clause (given or not). Two annotators: Cohen's
kappa; more: Krippendorff's alpha (nominal), which also copes with clauses that
not every annotator saw.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.annotate import AnnotationRecord, latest


@dataclass(frozen=True, slots=True)
class LabelAgreement:
    label: str
    measure: str  # "cohen_kappa" | "krippendorff_alpha"
    value: float | None  # None when undefined (no variation at all)
    items: int  # clauses seen by at least two annotators
    positives: int  # (annotator, clause) pairs with the label
    observed: float  # raw share of clauses where all annotators agree


def cohen_kappa(a: list[int], b: list[int]) -> float | None:
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe == 1:
        return None  # both annotators constant and equal: kappa is undefined
    return (po - pe) / (1 - pe)


def krippendorff_alpha(units: list[list[int]]) -> float | None:
    """Nominal alpha; each unit lists the values the annotators gave it."""
    units = [u for u in units if len(u) >= 2]
    n = sum(len(u) for u in units)
    if n == 0:
        return None
    totals: Counter[int] = Counter()
    disagree = 0.0
    for u in units:
        c = Counter(u)
        totals.update(c)
        m = len(u)
        disagree += sum(c[v] * (m - c[v]) for v in c) / (m - 1)
    do = disagree / n
    de = sum(totals[v] * (n - totals[v]) for v in totals) / (n * (n - 1))
    if de == 0:
        return None
    return 1 - do / de


def agreement(
    records: Iterable[AnnotationRecord], labels: list[str]
) -> list[LabelAgreement]:
    """Per-label agreement on clauses labelled by two or more independent annotators.

    Adjudicators (``adjudicator-*``) saw the other labels, so they are left out.
    """
    by_clause: dict[tuple[str, int, int], dict[str, tuple[str, ...]]] = defaultdict(
        dict
    )
    for (who, doc, s, e), r in latest(records).items():
        if who.startswith("adjudicat"):
            continue
        by_clause[(doc, s, e)][who] = r.labels
    shared = {k: v for k, v in by_clause.items() if len(v) >= 2}
    annotators = sorted({w for v in shared.values() for w in v})
    out = []
    for label in labels:
        units = [[int(label in labs) for labs in v.values()] for v in shared.values()]
        agree = sum(len(set(u)) == 1 for u in units) / len(units) if units else 0.0
        pos = sum(sum(u) for u in units)
        if len(annotators) == 2:
            a1, a2 = annotators
            pairs = [
                (int(label in v[a1]), int(label in v[a2]))
                for v in shared.values()
                if a1 in v and a2 in v
            ]
            value = cohen_kappa([p[0] for p in pairs], [p[1] for p in pairs])
            measure = "cohen_kappa"
        else:
            value = krippendorff_alpha(units)
            measure = "krippendorff_alpha"
        out.append(LabelAgreement(label, measure, value, len(units), pos, agree))
    return out


def label_counts(
    records: Iterable[AnnotationRecord],
    splits: dict[str, str],
    annotator: str | None = None,
) -> dict[str, Counter[str]]:
    """Clause counts per label and split (one vote per clause: the primary pass)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    seen: set[tuple[str, int, int]] = set()
    for (who, doc, s, e), r in sorted(latest(records).items()):
        if annotator and who != annotator:
            continue
        if (doc, s, e) in seen:
            continue
        seen.add((doc, s, e))
        split = splits.get(doc, "unassigned")
        for lb in r.labels:
            counts[lb][split] += 1
        counts["_clauses"][split] += 1
    return counts
