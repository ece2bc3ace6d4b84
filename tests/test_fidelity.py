"""PDF fidelity: held-out corpus texts printed in four layouts come back as the same
clauses (word similarity >= 0.98) with no running header, footer or page number
inside any clause. The PDFs are rendered here with reportlab (scripts/render_pdf.py)."""

from __future__ import annotations

import re
import sys
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
render_pdf = pytest.importorskip("render_pdf")

from pipeline import extract  # noqa: E402
from pipeline.dataset import load_splits  # noqa: E402

LAYOUTS = ["plain", "two-column", "justified", "treaty-series"]
# test-split documents the classifier never saw, of several shapes (letters,
# conventions with chapters, a SOFA); short enough to render quickly
HELD_OUT = ["BWBV0001525", "BWBV0004383", "BWBV0002806", "BWBV0005369"]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def _corpus_text(doc_id: str) -> Path:
    (path,) = (CORPUS / "texts").glob(f"nl-{doc_id.lower()}-*.txt")
    return path


@pytest.mark.corpus
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("doc_id", HELD_OUT)
def test_fidelity_rendered_pdf_matches_source(
    doc_id: str, layout: str, tmp_path: Path
) -> None:
    assert load_splits().get(doc_id) == "test"
    src = _corpus_text(doc_id)
    source = extract(src)
    pdf = tmp_path / f"{doc_id}-{layout}.pdf"
    # header texts that no agreement contains, so finding one in a clause is a leak
    info = render_pdf.render(
        src.read_text(encoding="utf-8"),
        pdf,
        layout,
        header_odd="TREATY SERIES — No. 99 — Fidelity Run",
        header_even="Collected Agreements, Volume Nine",
    )
    got = extract(pdf)
    want_text = "\n".join(source.text[c.start : c.end] for c in source.clauses)
    got_text = "\n".join(got.text[c.start : c.end] for c in got.clauses)
    score = similarity(want_text, got_text)
    assert score >= 0.98, f"{doc_id} {layout}: word similarity {score:.4f}"
    furniture = [t for t in info.header_texts + info.footer_texts if t.strip()]
    for c in got.clauses:
        text = got.text[c.start : c.end]
        for f in furniture:
            if re.search(r"[A-Za-z]", f):  # running headers: never inside a clause
                assert f not in text, (layout, c.clause_id, f)
            else:  # page numbers: never a clause of their own, never at its end
                assert text.strip() != f.strip(), (layout, c.clause_id, f)
                assert not text.endswith(" " + f.strip()), (layout, c.clause_id, f)
