"""OCR of scanned pages: a scan made in the test, mixed documents, the missing engine.

Tests that run Tesseract are skipped when it is not installed; CI installs it
(scripts/install-system.sh, run by `make test`).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pypdfium2
import pytest
from conftest import CORPUS
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline import ocr
from pipeline.errors import EmptyTextError, NeedsOCRError
from pipeline.ingest import read_document
from pipeline.pipeline import Pipeline

needs_tesseract = pytest.mark.skipif(
    not ocr.available(), reason="Tesseract (tesseract-ocr) or pytesseract missing"
)

TREATY = [
    ("Article 1", True),
    ("The Parties shall cooperate in matters of defence and security.", False),
    ("Article 2", True),
    ("This Agreement shall enter into force on the date of signature.", False),
]
SCANS = CORPUS / "pdfs"


def _text_pdf(lines: list[tuple[str, bool]]) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    y = 760.0
    for text, bold in lines:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", 12)
        c.drawString(72, y, text)
        y -= 28
    c.save()
    return out.getvalue()


def _scan(pdf: bytes, path: Path, dpi: int = 200) -> Path:
    """Render a PDF to images and wrap them into a PDF again: a scan, no text layer."""
    doc = pypdfium2.PdfDocument(pdf)
    images = [
        doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))
    ]
    doc.close()
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def test_ocr_words_land_in_pdf_points() -> None:
    data = {  # Tesseract's image_to_data for one line of two words, 300 dpi
        "level": [4, 5, 5, 5],
        "block_num": [1, 1, 1, 1],
        "par_num": [1, 1, 1, 1],
        "line_num": [1, 1, 1, 1],
        "left": [300, 300, 600, 900],
        "top": [600, 600, 610, 600],
        "width": [600, 250, 200, 100],
        "height": [50, 50, 40, 50],
        "conf": [-1, 96.0, 90.0, 10.0],
        "text": ["", "Article", "ﬁve", ";:"],
    }
    words, confidence = ocr._words(data, 72 / 300, 72 / 300)
    assert [w.text for w in words] == ["Article", "five"]  # ligature undone, junk gone
    first = words[0]
    assert (first.x0, first.top) == pytest.approx((72.0, 144.0))
    assert first.x1 == pytest.approx(132.0) and first.size == pytest.approx(12.0)
    assert confidence == pytest.approx(0.93)


def test_blank_page_is_not_ocred() -> None:
    from PIL import Image

    result = ocr.ocr_image(Image.new("L", (200, 300), 255), 595.0, 842.0)
    assert result.blank and result.words == [] and result.confidence is None


def test_scan_without_engine_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _scan(_text_pdf(TREATY), tmp_path / "scan.pdf")
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(NeedsOCRError) as info:
        read_document(path)
    message = str(info.value)
    assert "apt install tesseract-ocr" in message
    assert "pip install treaty-clauses[ocr]" in message and "\n" not in message
    result = Pipeline()(path)
    assert result.status.value == "needs_ocr" and "tesseract-ocr" in result.errors[0]


def test_ocr_off_keeps_needs_ocr(tmp_path: Path) -> None:
    path = _scan(_text_pdf(TREATY), tmp_path / "scan.pdf")
    result = Pipeline(ocr=False)(path)
    assert result.status.value == "needs_ocr" and "OCR is off" in result.errors[0]


@needs_tesseract
def test_scanned_pdf_is_ocred_into_clauses(tmp_path: Path) -> None:
    path = _scan(_text_pdf(TREATY), tmp_path / "scan.pdf")
    result = Pipeline()(path)
    assert result.status.value == "ok", result.errors
    doc = result.document
    assert doc is not None and doc.source.engine == "tesseract"
    text = " ".join(c.text(doc) for c in doc.clauses)
    for word in ("Parties", "cooperate", "defence", "Agreement", "signature"):
        assert word in text
    assert [c.article for c in doc.clauses] == ["Article 1", "Article 2"]
    quality = doc.pages[0].quality
    assert quality is not None and quality.engine == "tesseract"
    assert quality.ocr_confidence is not None and quality.ocr_confidence > 0.8
    box = doc.boxes(doc.clauses[0].start, doc.clauses[0].end)[0]
    assert box.page_no == 1
    # the clause's line was drawn at x = 72 pt, baseline 110 pt from the top
    assert box.bbox.x0 == pytest.approx(72, abs=3) and 100 < box.bbox.bottom < 116


@needs_tesseract
def test_mixed_document_ocrs_only_the_scanned_page(tmp_path: Path) -> None:
    text_page = _text_pdf(TREATY[:2])
    scanned = _scan(_text_pdf(TREATY[2:]), tmp_path / "page2.pdf")
    merged = pypdfium2.PdfDocument.new()
    merged.import_pages(pypdfium2.PdfDocument(text_page))
    merged.import_pages(pypdfium2.PdfDocument(scanned))
    path = tmp_path / "mixed.pdf"
    merged.save(path)
    doc = read_document(path)
    assert doc.source.engine == "pdfplumber+tesseract"
    assert [p.quality.engine for p in doc.pages if p.quality] == [
        "pdfplumber",
        "tesseract",
    ]
    assert doc.pages[0].quality and doc.pages[0].quality.ocr_confidence is None
    assert "enter into force" in doc.text[doc.pages[1].start : doc.pages[1].end]
    assert doc.warnings == ()


@needs_tesseract
def test_specks_are_no_text(tmp_path: Path) -> None:
    with pytest.raises(EmptyTextError, match="OCR found none"):
        read_document(Path(__file__).parent / "data" / "scanned_page.pdf")


@pytest.mark.slow
@pytest.mark.corpus
@needs_tesseract
@pytest.mark.parametrize(
    "name",
    [
        "ng-instrument-of-ratification-of-the-sixth-international-tin-agreement.pdf",
        "ng-memorandum-of-understanding-national-institute-of-transport-technology-nigeria-t.pdf",
    ],
)
def test_real_scans_are_read(name: str) -> None:
    t0 = time.perf_counter()
    result = Pipeline()(SCANS / name)
    seconds = time.perf_counter() - t0
    assert result.status.value in ("ok", "partial"), result.errors
    doc = result.document
    assert doc is not None and "tesseract" in (doc.source.engine or "")
    words = doc.text.lower()
    assert "nigeria" in words and ("agreement" in words or "memorandum" in words)
    for page in doc.pages:
        assert page.quality is not None and page.quality.engine == "tesseract"
        assert page.quality.ocr_confidence is not None
        assert page.quality.ocr_confidence > 0.6
    print(f"{name}: {len(doc.pages)} pages OCR-ed in {seconds:.1f} s")


@pytest.mark.slow
@pytest.mark.corpus
@needs_tesseract
def test_real_scan_recitals_are_whole_clauses() -> None:
    # OCR line boxes on this scan are 9-28 pt high while the lines are 15-16 pt
    # apart; compared as font sizes they cut recitals in two mid-sentence
    name = "ng-instrument-of-ratification-of-the-agreement-establishing-the-common-fund"
    result = Pipeline()(SCANS / f"{name}-for-com.pdf")
    doc = result.document
    assert doc is not None, result.errors
    texts = [" ".join(c.text(doc).split()) for c in doc.clauses]
    recital = [t for t in texts if "Article 57" in t]
    assert len(recital) == 1
    assert recital[0].startswith("Whereas it is provided in Article 57")
    assert recital[0].endswith("subject to the proviso set out therein;")
    assert any(
        t.startswith("Whereas the Agreement Establishing")
        and t.endswith("20th day of July, 1981 ;")
        for t in texts
    )


def test_scan_edges_read_as_bars_are_no_words() -> None:
    # Tesseract's own output shape (level 5 = word), as on the Benin-Nigeria-Togo scan:
    # a binding-margin "|" at confidence 95 and a seal's "}" beside real words
    data = _tesseract_lines(
        [
            [("|", 95), ("The", 96), ("Alliance", 96), ("}", 88), ("shall", 96)]
            + [("i|", 60), ("=", 40), ("meet.", 90)]
        ]
    )
    kept, confidence = ocr._words(data, 1.0, 1.0)
    assert [w.text for w in kept] == ["The", "Alliance", "shall", "i|", "meet."]
    assert confidence == pytest.approx((96 + 96 + 96 + 60 + 90) / 5 / 100)


def _tesseract_lines(lines: list[list[tuple[str, float]]]) -> dict[str, list]:
    """Tesseract's image_to_data shape: a level-4 row per line, level-5 per word."""
    keys = "level block_num par_num line_num text conf left top width height"
    data: dict[str, list] = {k: [] for k in keys.split()}
    for n, line in enumerate(lines, 1):
        rows = [(4, "", -1.0)] + [(5, t, c) for t, c in line]
        for i, (level, text, conf) in enumerate(rows):
            for k, v in zip(
                data,
                (level, 1, 1, n, text, conf, 10 * i, 20 * n, 8 if i else 900, 12),
            ):
                data[k].append(v)
    return data


def test_smudge_lines_are_dropped_faint_words_kept() -> None:
    data = _tesseract_lines(
        [
            [("ee", 38), ("Ne", 32)],  # a seal read as letters
            [("Signed", 45), ("by:", 40)],  # faint, but a word
            [("The", 95), ("Alliance", 96), ("shal]", 44)],  # sure words carry it
            [
                ("a", 33),
                ("fei", 40),
                ("ee", 35),
                ("ra", 31),
                ("es", 36),
                ("ae", 38),
                ("oe", 39),
            ],  # long lines are kept whatever they score
        ]
    )
    kept, _ = ocr._words(data, 1.0, 1.0)
    assert " ".join(w.text for w in kept) == (
        "Signed by: The Alliance shal] a fei ee ra es ae oe"
    )
