"""Per-page work after the text layer is read: furniture, grades, OCR, warnings.

A page's grade is taken on its body (furniture removed): a scan whose only text is a
"CamScanner" stamp or a page number has no text layer worth the name. Pages graded
``no_text`` (and not blank) or ``poor`` are OCR-ed when Tesseract is installed and OCR
is on; a garbled page keeps its text layer unless OCR reads it better.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from . import ocr as ocr_engine
from . import pdfium_text
from .errors import EmptyTextError, IngestError, NeedsOCRError
from .furniture import find_furniture
from .layout import Row, order_rows
from .pdfwords import chars_to_words, dedupe_chars
from .quality import MIN_TEXT_CHARS, page_quality
from .schema import Furniture, PageQuality

logger = logging.getLogger(__name__)

# An image covering this share of a textless page makes it a scan, not a blank page.
SCAN_IMAGE_SHARE = 0.3
# Mean word confidence (0..1) under which an OCR-ed page is flagged: the corpus scans
# read at 0.85-0.90; a photo or a smudged fax comes out below 0.6.
LOW_OCR_CONFIDENCE = 0.6


@dataclass(slots=True)
class PageData:
    page_no: int
    width: float
    height: float
    rows: list[Row] = field(default_factory=list)
    frame_height: float = 0.0  # the page height, or its width when read turned
    quality: PageQuality | None = None
    image_share: float = 0.0
    is_scan: bool = False
    failed: bool = False
    error: str | None = None  # why the page could not be read
    engine: str = "pdfplumber"
    ocr: str = ""  # "" not tried, "read", "blank", "nothing", "worse"
    ocr_confidence: float | None = None
    garbled: PageQuality | None = None  # the text layer's grade when OCR replaced it
    raw_chars: int = 0  # text-layer characters before furniture was removed
    damage: str = ""  # damage pdfminer only logged ("Data-loss while decompressing")


def text_chars(rows: list[Row]) -> int:
    return sum(len(w.text) for r in rows for w in r.words)


def read_pdfium_page(doc: Any, index: int) -> PageData:
    """Page ``index`` (0-based) read by pypdfium2, through the same word builder."""
    data = PageData(index + 1, 0.0, 0.0, engine="pypdfium2")
    try:
        chars, data.width, data.height, data.image_share = pdfium_text.page_chars(
            doc, index
        )
        data.rows, data.frame_height = order_rows(
            chars_to_words(dedupe_chars(chars)), data.page_no, data.width, data.height
        )
    except MemoryError:
        raise
    except Exception as e:  # pdfium fails per page too ("Failed to load page.")
        data.failed, data.error = True, " ".join(str(e).split()) or type(e).__name__
    return data


def finish_pages(
    pages: list[PageData], doc: Any, name: str, ocr: bool, warnings: list[str]
) -> list[Furniture]:
    """Remove furniture, grade every page, OCR the pages that need it, and warn.

    Args:
        doc: the pypdfium2 document (renders pages for OCR), or None.
        ocr: whether OCR may run.

    Raises:
        NeedsOCRError, EmptyTextError, IngestError: when no page yields text.
    """
    for page in pages:
        page.raw_chars = text_chars(page.rows)
    furniture = find_furniture([(p.page_no, p.frame_height, p.rows) for p in pages])
    for page in pages:
        _grade(page)
    todo = [p for p in pages if _wants_ocr(p)]
    flagged = todo or any(p.quality and p.quality.grade == "no_text" for p in pages)
    why_not = _why_no_ocr(ocr, doc) if flagged else ""
    if todo and not why_not:
        done = [p for p in todo if _ocr(p, doc)]
        if done:
            # The text layer's stamps on these pages were read again by OCR.
            numbers = {p.page_no for p in done}
            furniture = [f for f in furniture if f.page_no not in numbers]
            furniture += find_furniture(
                [(p.page_no, p.frame_height, p.rows) for p in done]
            )
            furniture.sort(key=lambda f: f.page_no)
            for page in done:
                _grade(page)
    warnings.extend(_warnings(pages, why_not))
    _check_has_text(pages, name, why_not)
    return furniture


def _wants_ocr(page: PageData) -> bool:
    q = page.quality
    if q is None or q.grade not in ("no_text", "poor"):
        return False
    # A page whose text layer held only running headers or page numbers is not a scan
    # ("Potato 1", "Potato 2"... on every page): OCR would read the same again.
    return q.grade == "poor" or page.is_scan or page.raw_chars < MIN_TEXT_CHARS


def _why_no_ocr(ocr: bool, doc: Any) -> str:
    if not ocr:
        return "OCR is off"
    if doc is None:
        return "pypdfium2 cannot render this file for OCR"
    if not ocr_engine.available():
        return f"OCR needs Tesseract: {ocr_engine.INSTALL_HINT}"
    return ""


def _grade(page: PageData) -> None:
    if page.failed:
        return
    quality = page_quality(" ".join(r.text for r in page.rows))
    page.quality = dataclasses.replace(
        quality, engine=page.engine, ocr_confidence=page.ocr_confidence
    )
    page.is_scan = (
        page.quality.grade == "no_text" and page.image_share >= SCAN_IMAGE_SHARE
    )


def _ocr(page: PageData, doc: Any) -> bool:
    """OCR one page; True when its rows were replaced by the OCR-ed ones."""
    assert page.quality is not None
    if page.page_no > len(doc):
        return False
    try:
        result = ocr_engine.ocr_page(doc, page.page_no - 1, page.width, page.height)
    except MemoryError:
        raise
    except Exception as e:  # Tesseract crashing on one page must not sink the file
        logger.warning("page %s: OCR failed: %s", page.page_no, e)
        page.ocr = f"failed ({type(e).__name__}: {' '.join(str(e).split())})"
        return False
    if result.blank or not result.words:
        page.ocr = "blank" if result.blank else "nothing"
        return False
    rows, frame_height = order_rows(result.words, page.page_no, page.width, page.height)
    if page.quality.grade == "poor":
        read = page_quality(" ".join(r.text for r in rows))
        if read.grade not in ("good", "fair"):
            page.ocr = "worse"
            return False
        page.garbled = page.quality
    page.rows, page.frame_height = rows, frame_height
    page.engine, page.ocr, page.ocr_confidence = "tesseract", "read", result.confidence
    return True


def _warnings(pages: list[PageData], why_not: str) -> list[str]:
    out: list[str] = []
    for page in pages:
        q, n = page.quality, page.page_no
        if page.failed:
            out.append(f"page {n}: could not be read ({page.error}); text missing")
            continue
        assert q is not None
        if page.damage and page.engine == "pdfplumber":
            out.append(f"page {n}: damaged ({page.damage}); some text may be missing")
        if page.garbled is not None:
            out.append(f"page {n}: {_garbled(page.garbled)}; replaced by OCR")
        elif q.grade == "poor":
            hint = f"OCR may help ({why_not})" if why_not else "OCR read it no better"
            out.append(f"page {n}: {_garbled(q)}; its text may be garbled, {hint}")
        if page.ocr.startswith("failed"):
            out.append(f"page {n}: OCR {page.ocr}; text missing")
        elif page.is_scan and page.ocr == "nothing":
            out.append(f"page {n}: scanned image, but OCR found no text on it")
        elif page.is_scan and not page.ocr:
            out.append(f"page {n}: scanned image without text; needs OCR ({why_not})")
        conf = page.ocr_confidence
        if page.ocr == "read" and conf is not None and conf < LOW_OCR_CONFIDENCE:
            out.append(
                f"page {n}: OCR confidence {conf:.2f} is low; words may be misread"
            )
    return out


def _garbled(q: PageQuality) -> str:
    return (
        f"poor text layer (cid {q.cid_share:.0%}, unprintable "
        f"{q.unprintable_share:.0%}, non-words {q.nonword_share:.0%})"
    )


def _check_has_text(pages: list[PageData], name: str, why_not: str) -> None:
    if any(p.quality is not None and p.quality.grade != "no_text" for p in pages):
        return
    n = len(pages)
    failed = [p.page_no for p in pages if p.failed]
    if failed:
        raise IngestError(
            f"{name}: no page yielded text and {len(failed)} of {n} pages "
            "could not be read; the PDF is damaged, repair it (e.g. qpdf) and retry."
        )
    scans = any(p.is_scan for p in pages)
    broken = [p.ocr for p in pages if p.ocr.startswith("failed")]
    if broken:
        raise IngestError(
            f"{name}: no text layer on any of {n} pages and OCR {broken[0]}; check "
            "the Tesseract install (`tesseract --version`)."
        )
    if any(p.ocr == "nothing" for p in pages):
        raise EmptyTextError(
            f"{name}: no text on any of {n} pages, and OCR found none in what they "
            "show; check that the pages are legible (300 dpi or better)."
        )
    if not scans and sum(p.raw_chars for p in pages) >= MIN_TEXT_CHARS:
        raise EmptyTextError(
            f"{name}: its {n} pages hold only running headers, footers or page "
            "numbers; no body text to read."
        )
    if scans and why_not:
        raise NeedsOCRError(
            f"{name}: no text layer on any of {n} pages (a scanned document); "
            f"{why_not}, or add a text layer first (e.g. `ocrmypdf in.pdf out.pdf`)."
        )
    raise EmptyTextError(
        f"{name}: no text on any of {n} pages (blank pages); if they show text, it "
        "is drawn as shapes: OCR it (e.g. `ocrmypdf --force-ocr in.pdf out.pdf`)."
    )
