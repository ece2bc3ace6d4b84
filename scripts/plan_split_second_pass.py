"""A blind second pass over every single-labelled clause of one split.

Most test clauses were labelled once, so a test figure measured against them also
measures that one annotator's slips. Each clause goes, without its first answer or any
model score, to one of the new annotators; `plan_adjudication.py` then collects the
disagreements for an adjudicator, whose record becomes the gold label.

    python scripts/plan_split_second_pass.py test r8 garnet hawthorn indigo jade
    python scripts/plan_split_second_pass.py dev r9 kestrel linnet magpie nightjar

Only clauses the current segmenter produces can be shown; a record whose span came
from an earlier segmentation keeps its one pass. Round 8 did this for test; round 9
for dev, whose labels tune the thresholds and
the calibration, so that they are fitted to gold made the same way as test's.
"""

from __future__ import annotations

import sys
from collections import Counter

from plan_round2 import OUT
from plan_round4 import _with_before, preceding

from pipeline.annotate import CorpusDocs, load_records, tasks_for
from pipeline.dataset import load_splits
from pipeline.formats import ToolFormat, write_tasks
from pipeline.labels import load_labels


def main() -> None:
    split, tag, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    splits = load_splits()
    passes = Counter((r.doc_id, r.start, r.end) for r in load_records())
    docs = CorpusDocs()
    tasks, before = [], {}
    for doc_id in sorted(d for d, s in splits.items() if s == split):
        doc = docs.get(doc_id)
        doc_tasks = tasks_for(doc)
        before.update(preceding(doc_tasks))
        tasks += [t for t in doc_tasks if passes.get((doc_id, t.start, t.end)) == 1]
    # whole documents to each annotator, so that lead-ins and items stay together
    parts: dict[str, list] = {n: [] for n in names}
    by_doc: dict[str, list] = {}
    for t in tasks:
        by_doc.setdefault(t.doc_id, []).append(t)
    for doc_id in sorted(by_doc, key=lambda d: -len(by_doc[d])):
        smallest = min(names, key=lambda n: len(parts[n]))
        parts[smallest] += by_doc[doc_id]
    for name, part in parts.items():
        path = OUT / f"{tag}-{name}.jsonl"
        part.sort(key=lambda t: (t.doc_id, t.start))
        write_tasks(part, ToolFormat.prodigy, path, load_labels())
        _with_before(path, before)
        print(f"{tag}-{name}: {len(part)} clauses -> {path}")


if __name__ == "__main__":
    main()
