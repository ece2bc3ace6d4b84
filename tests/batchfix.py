"""A small classified batch folder built in code, for the report tests.

Documents are segmented by the real pipeline stages and exported by
``pipeline.export``; the scores come from a word-rule stage (the report reads
scores, it does not care which model made them), so every value is known.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from conftest import make_doc

from pipeline.export import export_document, export_error, write_json_atomic
from pipeline.labels import load_labels
from pipeline.meta import extract_meta
from pipeline.schema import (
    BBox,
    ClassifierInfo,
    Document,
    Furniture,
    Page,
    Prediction,
    Status,
)
from pipeline.segment import RuleSegmenter

LABELS = load_labels().names
THRESHOLDS = dict.fromkeys(LABELS, 0.5) | {"tax_customs": 0.7, "other": 0.2}
# word -> (label, score); the first rule that matches a clause sets that label
RULES = {
    "dispute": ("dispute_resolution", 0.93),
    "tax": ("tax_customs", 0.74),  # 0.04 above its threshold: flagged for review
    "exercise": ("exercises_training", 0.88),
    "means": ("general_provisions", 0.97),
    "force": ("final_provisions", 0.91),
    "script": ("other", 0.45),
}
XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
FORMULA = '=HYPERLINK("http://example.invalid","click")'

TREATY_A = f"""Agreement between the Republic of Arden and the Kingdom of Westmark on Defence Co-operation

The Parties,
Desiring to strengthen their co-operation in defence;
Have agreed as follows:

Article 1
Definitions
For the purposes of this Agreement:
(a) "Host Party" means the Party on whose territory activities take place;
(b) "Force" means the personnel of the Sending Party.

Article 2 – Exercises
1. The Parties shall conduct joint exercises each year.
2. Goods imported for the exercises shall be free of tax and customs duties.

Article 3
1. Any dispute shall be settled by negotiation between the Parties.
2. A note reads: {XSS}
3. {FORMULA}

Article 4
This Agreement shall enter into force on the date of the last notification.
"""

TREATY_B = """Agreement between Caldera and Norvik on Logistics Support

Article 1
1. Any dispute about payments shall be referred to the Joint Committee.
2. The Parties shall exchange liaison officers.
"""


def rule_classifier(doc: Document) -> Document:
    clauses = []
    for c in doc.clauses:
        text = doc.text[c.start : c.end].lower()
        scores = dict.fromkeys(LABELS, 0.01)
        for word, (label, score) in RULES.items():
            if word in text:
                scores[label] = score
                break
        else:
            scores["other"] = 0.3
        preds = tuple(
            Prediction(lb, s, s >= THRESHOLDS[lb]) for lb, s in scores.items()
        )
        clauses.append(dataclasses.replace(c, predictions=preds))
    info = ClassifierInfo("rules", "0", THRESHOLDS)
    return dataclasses.replace(doc, clauses=tuple(clauses), classifier=info)


def build_doc(text: str, path: str, pages: int = 0) -> Document:
    """Segment, describe and score ``text``; with ``pages``, split it into that many
    pages with a running header and a page number removed from each."""
    doc = extract_meta(RuleSegmenter()(make_doc(text, path)))
    if pages:
        size = len(doc.text) // pages + 1
        doc = dataclasses.replace(
            doc,
            pages=tuple(
                Page(i + 1, i * size, min((i + 1) * size, len(doc.text)), 595, 842)
                for i in range(pages)
            ),
            furniture=tuple(
                f
                for i in range(pages)
                for f in (
                    Furniture(i + 1, "header", "TREATY SERIES <b>No. 7</b>"),
                    Furniture(
                        i + 1, "page_number", f"- {i + 1} -", BBox(290, 788, 305, 797)
                    ),
                )
            ),
        )
    return rule_classifier(doc)


def make_batch(out: Path, *, ledger: bool = True) -> dict[str, dict]:
    """Write a batch folder: two documents, a failed input, stray files to ignore.

    Returns the document JSON by its name in the folder.
    """
    docs = {
        "a.txt.json": export_document(build_doc(TREATY_A, "in/a.txt", pages=2)),
        "sub/b.txt.json": export_document(build_doc(TREATY_B, "in/sub/b.txt")),
    }
    for name, data in docs.items():
        write_json_atomic(data, out / name)
    bad = out / "bad.pdf.json"
    write_json_atomic(
        export_error(Path("in/bad.pdf"), Status.UNSUPPORTED, ["in/bad.pdf: not a PDF"]),
        bad,
    )
    # what a reader must ignore: an old report, temporary files, foreign JSON
    (out / "report").mkdir(parents=True, exist_ok=True)
    (out / "report" / "old.json").write_text(json.dumps(docs["a.txt.json"]))
    (out / ".a.txt.json.123.tmp").write_text("{")
    (out / "notes.json").write_text('{"hello": "world"}')
    if ledger:
        lines = [
            _ledger("in/a.txt", "failed", None, ["in/a.txt: killed"], "MemoryError", 1),
            _ledger("in/a.txt", "ok", "a.txt.json", [], None, 2),
            _ledger("in/sub/b.txt", "ok", "sub/b.txt.json", [], None, 1),
            _ledger(
                "in/bad.pdf",
                "unsupported",
                "bad.pdf.json",
                ["in/bad.pdf: not a PDF"],
                "UnsupportedFormatError",
                1,
            ),
        ]
        text = "".join(json.dumps(x) + "\n" for x in lines)
        (out / "ledger.jsonl").write_text(text + '{"input": "in/torn', encoding="utf-8")
    return docs


def _ledger(
    inp: str,
    status: str,
    output: str | None,
    errors: list[str],
    error_type: str | None,
    attempt: int,
) -> dict:
    return {
        "input": inp,
        "sha256": None,
        "key": "0" * 64,
        "status": status,
        "output": output,
        "errors": errors,
        "error_type": error_type,
        "engine": "text",
        "pages": 0,
        "clauses": 0,
        "seconds": 0.1,
        "attempt": attempt,
        "tool_version": "0.1.0",
        "model": "rules@0",
        "finished": "2026-11-26T14:00:00Z",
    }
