"""Print annotation statistics and agreement (Markdown) for annotations/README.md.

python scripts/annotation_report.py
"""

from __future__ import annotations

from collections import Counter

from plan_relabel import ROUNDS as RELABEL

from pipeline.agreement import agreement
from pipeline.annotate import latest, load_records
from pipeline.dataset import gold, load_splits
from pipeline.labels import load_labels


def main() -> None:
    records = load_records()
    labels = load_labels().names
    splits = load_splits()
    g = gold(records)
    docs = {d for d, _s, _e in g}
    per: dict[str, Counter[str]] = {lb: Counter() for lb in labels}
    clauses: Counter[str] = Counter()
    for (d, _s, _e), r in g.items():
        clauses[splits.get(d, "unassigned")] += 1
        for lb in r.labels:
            per[lb][splits.get(d, "unassigned")] += 1
    print(
        f"{len(g)} labelled clauses from {len(docs)} documents; "
        f"{len(records)} records by {len({r.annotator for r in records})} annotators.\n"
    )
    print("| label | train | dev | test | total |\n|---|---|---|---|---|")
    print(
        f"| (clauses) | {clauses['train']} | {clauses['dev']} | {clauses['test']} | "
        f"{sum(clauses.values())} |"
    )
    for lb in labels:
        c = per[lb]
        print(f"| {lb} | {c['train']} | {c['dev']} | {c['test']} | {sum(c.values())} |")
    # a relabelling pass reads clauses chosen because the model contradicted their
    # first pass: far harder than a random draw, so it is reported apart, not pooled
    relabel = {who for names in RELABEL.values() for who in names}
    rows = agreement([r for r in records if r.annotator not in relabel], labels)
    print(
        f"\nAgreement on the {rows[0].items} clauses labelled by two annotators "
        f"(first pass vs independent second pass; {rows[0].measure.replace('_', ' ')}, "
        "per label, each label a yes/no decision):\n"
    )
    print("| label | value | positives | raw agreement |\n|---|---|---|---|")
    for r in rows:
        v = "n/a (never given)" if r.value is None else f"{r.value:.3f}"
        print(f"| {r.label} | {v} | {r.positives} | {r.observed:.3f} |")
    _relabel_agreement(records, relabel)


def _relabel_agreement(records: list, relabel: set[str]) -> None:
    first: dict[tuple[str, int, int], set[str]] = {}
    second: dict[tuple[str, int, int], set[str]] = {}
    for (who, doc, s, e), r in sorted(latest(records).items(), key=lambda x: x[1].ts):
        if who.startswith("adjudicat"):
            continue
        (second if who in relabel else first).setdefault((doc, s, e), set(r.labels))
    pairs = [(first[k], v) for k, v in second.items() if k in first]
    if not pairs:
        return
    same = sum(a == b for a, b in pairs)
    tp = sum(len(a & b) for a, b in pairs)
    miss = sum(len(a ^ b) for a, b in pairs)
    f1 = 2 * tp / (2 * tp + miss)
    print(
        f"\nRelabelling passes (not in the table above): {len(pairs)} clauses, the "
        f"same label set on {same}, micro-F1 between passes {f1:.3f}."
    )


if __name__ == "__main__":
    main()
