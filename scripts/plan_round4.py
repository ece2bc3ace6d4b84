"""Rounds 4 and 5: more clauses for the labels the model learns worst; larger dev/test.

The committed model only ORDERS the work (the guideline allows it); the tasks carry
no suggestion and annotators label every clause by reading it, with every label open.

- train documents: 1,500 not-yet-labelled clauses, half those the model is least
  sure of (a label's score nearest its threshold), half those where a weakly learnt
  label scores highest; at most 20 a document so that many documents contribute;
- dev documents: 300 chosen the same way (thresholds are tuned there, and several
  labels had fewer than ten dev examples);
- test documents: 300 drawn at random (an unbiased sample of whole documents).

Round 5 (after round 4 is imported, so its clauses are excluded): 1,500 more train
clauses chosen the same way, and for dev and test at most 15 random clauses from each
document (round 4's random test draw came mostly from one long convention).

Each task also carries `before`: the end of the preceding clause, because list items
are read against their lead-in.

Round 7 (after the 0.2.0 model): 1,500 more train clauses only, the weak-label half
ordered by the labels still below test F1 0.6 (`WEAK7`); dev and test stay as they are
so that models stay comparable.

Round 10 (after the round-9 dev second pass): up to 2,000 more train clauses chosen as
in round 7, 250 an annotator; the cap of 20 a document left 1,463 (six annotators got
tasks, the last two none and no task file).

Round 11 (after classifier 0.5.2): the same again for eight annotators, 190 clauses
each, at most 30 a document (20 left 1,234). Training on the larger train split then
took 3 epochs instead of 5 to stay within the 20-minute budget (README, 0.6.0).

Round 12 (after classifier 0.6.0): the same as round 11, at most 45 a document (30
left 941 of the 4,739 unlabelled train clauses, most of them in a few long conventions).
Round 13 (after classifier 0.7.0): the same again.

    python scripts/plan_round4.py [4|5|7|10|11|12|13]
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_round2 import OUT  # noqa: E402

from pipeline.annotate import CorpusDocs, load_records, tasks_for  # noqa: E402
from pipeline.classify import load_classifier  # noqa: E402
from pipeline.dataset import load_splits  # noqa: E402
from pipeline.formats import ToolFormat, write_tasks  # noqa: E402
from pipeline.labels import load_labels  # noqa: E402

SEED = 41
WEAK = {
    "materiel_procurement",
    "facilities_access",
    "logistics_support",
    "command_operations",
    "technology_transfer",
    "intelligence_sharing",
    "information_security",
    "exercises_training",
    "tax_customs",
    "personnel_status",
    "claims_liability",
}
WEAK7 = {
    "logistics_support",
    "facilities_access",
    "technology_transfer",
    "command_operations",
    "information_security",
    "materiel_procurement",
    "exercises_training",
}
PER_DOC = 20


@dataclasses.dataclass(frozen=True)
class Round:
    """Who reads a round's tasks, and how many."""

    train: list[str]  # one annotator per batch of ``per_annotator`` train clauses
    dev: str | None = None
    test: str | None = None
    per_annotator: int = 250
    per_doc: int = PER_DOC  # train clauses at most from one document


ROUNDS = {
    "4": Round(["mint", "nettle", "oak", "pine", "quince", "rowan"], "sorrel", "tansy"),
    "5": Round(
        ["ulex", "verbena", "willow", "yarrow", "zinnia", "aster"], "bramble", "clover"
    ),
    "7": Round(["acacia", "beech", "cypress", "daphne", "elder", "fern"]),
    "10": Round(
        ["alpaca", "bison", "caribou", "dingo", "eland", "ferret", "gazelle", "heron"]
    ),
    "11": Round(
        ["ibis", "jackal", "koala", "lemur", "marmot", "newt", "otter", "puffin"],
        per_annotator=190,
        per_doc=30,
    ),
    "12": Round(
        ["quail", "raven", "stoat", "tapir", "urial", "vole", "walrus", "yak"],
        per_annotator=190,
        per_doc=45,
    ),
    "13": Round(
        ["addax", "bongo", "civet", "dhole", "genet", "hyrax", "kudu", "lynx"],
        per_annotator=190,
        per_doc=45,
    ),
}


def _margin(clause) -> float:
    """Smallest distance, in log-odds, between a label's score and 0.5 after
    thresholding (the selected flag tells the side)."""
    best = math.inf
    for p in clause.predictions:
        s = min(max(p.score, 1e-6), 1 - 1e-6)
        best = min(best, abs(math.log(s / (1 - s))))
    return best


def _weak_score(clause, weak: set[str] = WEAK) -> float:
    return max((p.score for p in clause.predictions if p.label in weak), default=0.0)


def _pick(
    cands: list,
    n: int,
    rng: random.Random,
    weak: set[str] = WEAK,
    cap: int = PER_DOC,
) -> list:
    """Half by uncertainty, half by weak-label score, ``cap`` at most per document."""
    chosen: list = []
    seen: set = set()
    per_doc: dict[str, int] = {}

    def take(order: list, quota: int) -> None:
        got = 0
        for doc, _c, t in order:
            if got >= quota:
                return
            if id(t) in seen or per_doc.get(doc.doc_id, 0) >= cap:
                continue
            seen.add(id(t))
            per_doc[doc.doc_id] = per_doc.get(doc.doc_id, 0) + 1
            chosen.append(t)
            got += 1

    take(sorted(cands, key=lambda x: _margin(x[1])), n // 2)
    take(sorted(cands, key=lambda x: -_weak_score(x[1], weak)), n - len(chosen))
    rng.shuffle(chosen)
    return chosen


MIN_CHARS = 25  # shorter spans are headings and numbers


def unlabelled(
    doc_ids: Iterable[str],
    docs: CorpusDocs,
    done: set[tuple[str, int, int]],
    before: dict[tuple[str, int], str],
    clf: Any = None,
) -> Iterator[tuple[Any, Any, Any]]:
    """(document, clause, task) for each clause not in ``done`` of ``MIN_CHARS`` or
    more, in document order; ``before`` gets the text preceding every clause.

    With ``clf`` the document and clause are the classified ones (their scores order
    the work), but the task is always cut from the unclassified document, so that it
    carries no suggestion.
    """
    for doc_id in doc_ids:
        raw = docs.get(doc_id)
        doc = clf.classify_document(raw) if clf is not None else raw
        tasks = tasks_for(raw)
        before.update(preceding(tasks))
        for c, t in zip(doc.clauses, tasks):
            if (doc_id, c.start, c.end) not in done and len(t.text) >= MIN_CHARS:
                yield doc, c, t


def preceding(tasks: list) -> dict[tuple[str, int], str]:
    """The end of the clause before each task, keyed by (doc_id, start)."""
    prev = [""] + [t.text[-300:] for t in tasks[:-1]]
    return {(t.doc_id, t.start): p for t, p in zip(tasks, prev)}


def _with_before(path: Path, before: dict[tuple[str, int], str]) -> None:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        m = d["meta"]
        m["before"] = before.get((m["doc_id"], m["start"]), "")
        lines.append(json.dumps(d, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_batch(name: str, tasks: list, before: dict[tuple[str, int], str]) -> None:
    """``tasks/NAME.jsonl`` (Prodigy format), each task with the end of the clause
    before it."""
    path = OUT / f"{name}.jsonl"
    write_tasks(tasks, ToolFormat.prodigy, path, load_labels())
    _with_before(path, before)
    print(f"{name}: {len(tasks)} clauses -> {path}")


def _per_doc_random(cands: list, per_doc: int, rng: random.Random) -> list:
    by_doc: dict[str, list] = {}
    for doc, _, t in cands:
        by_doc.setdefault(doc.doc_id, []).append(t)
    out = []
    for doc_id in sorted(by_doc):
        ts = by_doc[doc_id]
        out += rng.sample(ts, min(per_doc, len(ts)))
    return out


def main() -> None:
    round_ = sys.argv[1] if len(sys.argv) > 1 else "4"
    plan = ROUNDS[round_]
    rng = random.Random(SEED + int(round_))
    splits = load_splits()
    done = {(r.doc_id, r.start, r.end) for r in load_records()}
    docs = CorpusDocs()
    clf = load_classifier()
    pools: dict[str, list] = {"train": [], "dev": [], "test": []}
    before: dict[tuple[str, int], str] = {}
    for doc, c, t in unlabelled(sorted(splits), docs, done, before, clf):
        pools[splits[doc.doc_id]].append((doc, c, t))
    size = plan.per_annotator
    weak = WEAK if round_ in ("4", "5") else WEAK7
    train = _pick(pools["train"], size * len(plan.train), rng, weak, plan.per_doc)
    dev: list = []
    test: list = []
    if round_ == "4":
        dev = _pick(pools["dev"], 300, rng)
        test = [t for _, _, t in rng.sample(pools["test"], 300)]
    elif round_ == "5":
        dev = _per_doc_random(pools["dev"], 15, rng)
        test = _per_doc_random(pools["test"], 15, rng)
    batches = {
        f"r{round_}-{who}": train[i * size : (i + 1) * size]
        for i, who in enumerate(plan.train)
    }
    if plan.dev:
        batches[f"r{round_}-{plan.dev}"] = dev
    if plan.test:
        batches[f"r{round_}-{plan.test}"] = test
    for name, tasks in batches.items():
        if not tasks:  # the per-document cap ran the pool dry
            print(f"{name}: no clauses left, no task file")
            continue
        write_batch(name, sorted(tasks, key=lambda t: (t.doc_id, t.start)), before)


if __name__ == "__main__":
    main()
