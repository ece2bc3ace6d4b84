"""PDF text layer to body text: chars -> words -> visual lines -> columns -> paragraphs.

The output convention the segmenter relies on: ``text`` holds one paragraph per line;
the visual lines of a paragraph are joined by one space (a line-end hyphen resolved by
``paragraphs.resolve_hyphen``), and headings are paragraphs of their own. Running
headers, footers and page numbers leave the body and come back as ``Furniture``.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import extract_words

from .errors import EmptyTextError, EncryptedError, IngestError, NeedsOCRError
from .furniture import find_furniture
from .ingest import normalise_text
from .layout import Row, Word, order_rows
from .paragraphs import assemble
from .quality import page_quality
from .schema import Furniture, Line, Page, PageQuality

logger = logging.getLogger(__name__)

# pdfplumber's own defaults: a gap wider than this (pt) between two glyphs, or an
# explicit space, ends a word; tops further apart than Y_TOLERANCE start a new line.
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
# Overprinted bold draws each glyph again 0.5-1 pt to the right; pdfplumber's
# dedupe_chars (tolerance 1 pt) misses the 1.01 pt offsets of 24 pt type in the UN 1994
# PDF and sorts with list.index (quadratic: it doubled the page time). A size-relative
# tolerance stays below the narrowest real advance (about 0.2 em for "i" or ".").
DEDUPE_EM = 0.1
DEDUPE_MIN = 1.0
DEDUPE_MAX = 3.0
# An image covering this share of a textless page makes it a scan, not a blank page.
SCAN_IMAGE_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class ExtractedPdf:
    text: str
    pages: tuple[Page, ...]
    lines: tuple[Line, ...]
    furniture: tuple[Furniture, ...]
    warnings: tuple[str, ...]


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


def extract_pdf(data: bytes, *, name: str, password: str | None = None) -> ExtractedPdf:
    """Lay out every page of a PDF and assemble the body text.

    Args:
        data: the PDF bytes, starting at the ``%PDF`` header.
        name: how to name the file in messages.
        password: user password for encrypted files.

    Returns:
        Text, page ranges, line boxes, furniture and per-page warnings.

    Raises:
        IngestError: and its subclasses, as listed for ``ingest.read_document``.
    """
    warnings: list[str] = []
    pages: list[PageData] = []
    with _open(data, name, password) as pdf:
        try:
            plumber_pages = pdf.pages
        except Exception as e:  # pdfminer raises anything on broken page trees
            raise _translate(e, name, password) from e
        n_pages = len(plumber_pages)
        other_count = _pdfium_page_count(data, password)
        if n_pages == 0:
            hint = f" (pdfium sees {other_count} pages)" if other_count else ""
            raise EmptyTextError(
                f"{name}: the PDF has no readable pages{hint}; it is probably damaged, "
                "re-download it or repair it (e.g. qpdf)."
            )
        if other_count and other_count > n_pages:
            missing = f"{n_pages + 1}-{other_count}"
            if other_count == n_pages + 1:
                missing = str(other_count)
            warnings.append(
                f"page {missing}: missing, the page tree is damaged (pdfminer read "
                f"{n_pages} of the {other_count} pages pdfium sees)"
            )
        for plumber_page in plumber_pages:
            pages.append(_read_page(plumber_page, warnings))
    furniture = find_furniture([(p.page_no, p.frame_height, p.rows) for p in pages])
    for page in pages:
        if page.failed:
            continue
        # Graded on the body: a scan whose only text is a "CamScanner" stamp or a
        # page number has no text layer worth the name.
        page.quality = page_quality(" ".join(r.text for r in page.rows))
        page.is_scan = (
            page.quality.grade == "no_text" and page.image_share >= SCAN_IMAGE_SHARE
        )
        if page.quality.grade == "poor":
            q = page.quality
            warnings.append(
                f"page {page.page_no}: poor text layer (cid {q.cid_share:.0%}, "
                f"unprintable {q.unprintable_share:.0%}, non-words "
                f"{q.nonword_share:.0%}); its text may be garbled, OCR may help"
            )
        elif page.is_scan:
            warnings.append(
                f"page {page.page_no}: scanned image without text; needs OCR"
            )
    _check_has_text(pages, name)
    text, spans, line_spans = assemble([p.rows for p in pages])
    out_pages = tuple(
        Page(p.page_no, start, end, p.width, p.height, p.quality)
        for p, (start, end) in zip(pages, spans, strict=True)
    )
    lines = tuple(
        Line(row.page_no, start, end, row.bbox()) for row, start, end in line_spans
    )
    warnings.sort(key=_page_sort_key)
    return ExtractedPdf(text, out_pages, lines, tuple(furniture), tuple(warnings))


def _open(data: bytes, name: str, password: str | None) -> Any:
    try:
        return pdfplumber.open(io.BytesIO(data), password=password or "")
    except Exception as e:  # pdfminer raises anything, wrapped or bare, on bad input
        raise _translate(e, name, password) from e


def _translate(e: Exception, name: str, password: str | None) -> IngestError:
    cause: BaseException = e
    if isinstance(e, PdfminerException) and e.args and isinstance(e.args[0], Exception):
        cause = e.args[0]
    if isinstance(cause, PDFPasswordIncorrect):
        if password:
            return EncryptedError(
                f"{name}: the password given does not open it; check it."
            )
        return EncryptedError(f"{name}: is encrypted; pass --password.")
    if isinstance(cause, PDFEncryptionError):
        return EncryptedError(
            f"{name}: uses an encryption pdfminer cannot read ({cause}); decrypt it "
            "first (e.g. qpdf --decrypt)."
        )
    reason = " ".join(str(cause).split()) or "no detail"
    return IngestError(
        f"{name}: not a readable PDF ({type(cause).__name__}: {reason}); it may be "
        "truncated or damaged, re-download it or repair it (e.g. qpdf)."
    )


def _pdfium_page_count(data: bytes, password: str | None) -> int | None:
    """A second opinion: pdfminer silently drops pages of damaged page trees."""
    try:
        import pypdfium2  # type: ignore[import-untyped]

        doc = pypdfium2.PdfDocument(data, password=password)
        try:
            return len(doc)
        finally:
            doc.close()
    except Exception:  # only advisory: any failure means "no second opinion"
        return None


def _read_page(page: Any, warnings: list[str]) -> PageData:
    data = PageData(page.page_number, float(page.width), float(page.height))
    try:
        words = _words(_dedupe_chars(page.chars))
        data.rows, data.frame_height = order_rows(
            words, data.page_no, data.width, data.height
        )
        data.image_share = _image_share(page)
    except MemoryError:
        raise
    except Exception as e:  # a broken page must not sink the document
        if isinstance(e, PdfminerException) and e.args:
            if isinstance(e.args[0], MemoryError):
                # out of memory is the worker's state, not the page's: stop the file
                raise e.args[0] from e
        reason = " ".join(str(e).split()) or "no detail"
        if isinstance(e, PdfminerException) and e.args:
            reason = f"{type(e.args[0]).__name__}: {e.args[0]}"
        warnings.append(
            f"page {data.page_no}: could not be read ({reason}); text missing"
        )
        logger.warning("page %s could not be read: %s", data.page_no, reason)
        data.rows, data.failed = [], True
    finally:
        page.close()  # frees pdfminer's layout cache: memory stays flat on long files
    return data


def _dedupe_chars(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop glyphs drawn again at (nearly) the same spot: overprinted bold."""
    kept: list[dict[str, Any]] = []
    grid: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for ch in chars:
        text = ch["text"]
        if text.isspace():
            kept.append(ch)
            continue
        tol = min(DEDUPE_MAX, max(DEDUPE_MIN, DEDUPE_EM * ch["size"]))
        # Cells as wide as the largest tolerance: a twin is in this cell or a neighbour.
        gx, gy = int(ch["x0"] // DEDUPE_MAX), int(ch["doctop"] // DEDUPE_MAX)
        twins = (
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in grid.get((text, gx + dx, gy + dy), ())
        )
        if not any(
            abs(o["x0"] - ch["x0"]) <= tol
            and abs(o["doctop"] - ch["doctop"]) <= tol
            and o["upright"] == ch["upright"]
            for o in twins
        ):
            grid.setdefault((text, gx, gy), []).append(ch)
            kept.append(ch)
    return kept


def _words(chars: list[dict[str, Any]]) -> list[Word]:
    # No extra_attrs: splitting on font changes would cut small caps ("A" + "RTICLE")
    # and bold runs into separate words; size and weight are read from the chars.
    raw = extract_words(
        chars,
        x_tolerance=X_TOLERANCE,
        y_tolerance=Y_TOLERANCE,
        keep_blank_chars=False,
        use_text_flow=False,
        return_chars=True,
    )
    bold_fonts: dict[str, bool] = {}
    words = []
    for w in raw:
        raw_text: str = w["text"]
        # A trailing soft hyphen marks a discretionary break: keep it for the joiner.
        soft = raw_text.endswith("\u00ad")
        text = "".join(normalise_text(raw_text).split())
        if not text:
            continue
        glyphs = w["chars"]
        font = glyphs[len(glyphs) // 2]["fontname"]
        if font not in bold_fonts:
            low = font.lower()
            bold_fonts[font] = any(k in low for k in ("bold", "black", "heavy", "demi"))
        words.append(
            Word(
                text=text + ("\u00ad" if soft else ""),
                x0=float(w["x0"]),
                x1=float(w["x1"]),
                top=float(w["top"]),
                bottom=float(w["bottom"]),
                size=float(max(g["size"] for g in glyphs)),
                bold=bold_fonts[font],
                upright=bool(w["upright"]),
            )
        )
    return words


def _image_share(page: Any) -> float:
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for im in page.images:
        covered += max(0.0, float(im["x1"] - im["x0"])) * max(
            0.0, float(im["bottom"] - im["top"])
        )
    return min(covered / area, 1.0)


def _check_has_text(pages: list[PageData], name: str) -> None:
    if any(p.quality is not None and p.quality.grade != "no_text" for p in pages):
        return
    failed = [p.page_no for p in pages if p.failed]
    if failed:
        raise IngestError(
            f"{name}: no page yielded text and {len(failed)} of {len(pages)} pages "
            "could not be read; the PDF is damaged, repair it (e.g. qpdf) and retry."
        )
    what = "a scanned document" if any(p.is_scan for p in pages) else "blank pages?"
    raise NeedsOCRError(
        f"{name}: no text layer on any of {len(pages)} pages ({what}); add one "
        "with OCR first (e.g. `ocrmypdf in.pdf out.pdf`), then extract the result."
    )


def _page_sort_key(warning: str) -> tuple[int, str]:
    head = warning.split(":", 1)[0].split()
    number = head[1].split("-")[0] if len(head) > 1 else ""
    return (int(number) if number.isdigit() else 0, warning)
