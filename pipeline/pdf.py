"""PDF to body text: chars -> words -> visual lines -> columns -> paragraphs.

The output convention the segmenter relies on: ``text`` holds one paragraph per line;
the visual lines of a paragraph are joined by one space (a line-end hyphen resolved by
``paragraphs.resolve_hyphen``), and headings are paragraphs of their own. Running
headers, footers and page numbers leave the body and come back as ``Furniture``.

Three engines, each where the one before it fails: pdfplumber reads the text layer,
pypdfium2 reads files and pages pdfminer cannot (``pdfium_text``), and Tesseract reads
pages without a usable text layer (``ocr``). Each page records its engine.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from . import pdfium_text
from .errors import EmptyTextError, EncryptedError, IngestError, TooLargeError
from .layout import order_rows
from .paragraphs import assemble
from .pdf_pages import PageData, finish_pages, read_pdfium_page, text_chars
from .pdf_salvage import rebuild
from .pdfwords import chars_to_words, dedupe_chars
from .quality import MIN_TEXT_CHARS
from .schema import Furniture, Line, Page

logger = logging.getLogger(__name__)

# pdfminer only logs these, yet each means text is missing from the page: a corrupt
# Flate stream is cut where the damage starts, a circular content stream is skipped.
_LOGGED_DAMAGE = (
    "Data-loss while decompressing corrupted data",
    "circular reference to content stream",
)


class _DamageLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for damage in _LOGGED_DAMAGE:
            if damage in message and damage not in self.seen:
                self.seen.append(damage)


@dataclass(frozen=True, slots=True)
class ExtractedPdf:
    text: str
    pages: tuple[Page, ...]
    lines: tuple[Line, ...]
    furniture: tuple[Furniture, ...]
    warnings: tuple[str, ...]
    engine: str = "pdfplumber"  # "pdfplumber", "pypdfium2", "pdfplumber+tesseract"...


@dataclass(slots=True)
class _Read:
    pages: list[PageData] = field(default_factory=list)
    error: IngestError | None = None


def extract_pdf(
    data: bytes,
    *,
    name: str,
    password: str | None = None,
    ocr: bool = True,
    max_pages: int | None = None,
) -> ExtractedPdf:
    """Lay out every page of a PDF and assemble the body text.

    Args:
        data: the PDF bytes, starting at the ``%PDF`` header.
        name: how to name the file in messages.
        password: user password for encrypted files.
        ocr: OCR pages without a usable text layer when Tesseract is installed.
        max_pages: refuse a longer file (counted by pdfium from its cross-reference
            table, before any page is parsed).

    Returns:
        Text, page ranges, line boxes, furniture, per-page warnings and the engines
        that produced the text.

    Raises:
        IngestError: and its subclasses, as listed for ``ingest.read_document``.
    """
    warnings: list[str] = []
    try:
        other = pdfium_text.open_document(data, password)
    except pdfium_text.PasswordError as e:
        raise _password_error(name, password) from e
    if max_pages is not None and other is not None and len(other) > max_pages:
        n = len(other)
        other.close()
        raise TooLargeError(
            f"{name}: {n} pages, over the limit of {max_pages}; split the file or "
            "raise --max-pages"
        )
    damage: IngestError | None = None  # why the file had to be rebuilt
    try:
        try:
            pages = _read_pages(data, name, password, other, warnings)
        except EncryptedError:
            raise
        except IngestError as e:
            if other is not None:
                other.close()
            damage, other = e, None
            other, pages = _salvage(data, name, password, e, warnings)
        furniture = finish_pages(pages, other, name, ocr, warnings)
    except IngestError as e:
        if damage is None or e is damage:
            raise
        raise damage from e  # the rebuilt file holds no text: report the damage
    finally:
        if other is not None:
            other.close()
    text, spans, line_spans = assemble(
        [p.rows for p in pages], [p.engine == "tesseract" for p in pages]
    )
    out_pages = tuple(
        Page(p.page_no, start, end, p.width, p.height, p.quality)
        for p, (start, end) in zip(pages, spans, strict=True)
    )
    lines = tuple(
        Line(row.page_no, start, end, row.bbox()) for row, start, end in line_spans
    )
    warnings.sort(key=_page_sort_key)
    engines = dict.fromkeys(p.engine for p in pages if text_chars(p.rows))
    return ExtractedPdf(
        text,
        out_pages,
        lines,
        tuple(furniture),
        tuple(warnings),
        "+".join(engines) or pages[0].engine,
    )


def _salvage(
    data: bytes, name: str, password: str | None, e: IngestError, warnings: list[str]
) -> tuple[Any, list[PageData]]:
    """Rebuild a cut-off file's page tree; the original error stands if that fails."""
    rebuilt = rebuild(data) if type(e) is IngestError else None
    if rebuilt is None:
        raise e
    data, n_pages = rebuilt
    other = pdfium_text.open_document(data, password)
    try:
        pages = _read_pages(data, name, password, other, warnings)
    except IngestError as again:
        if other is not None:
            other.close()
        raise e from again
    reason = str(e).removeprefix(f"{name}: ")
    warnings.append(
        f"file: cut off or its end damaged ({reason}); rebuilt from the {n_pages} "
        "complete page objects left, pages after the cut are missing"
    )
    return other, pages


def _read_pages(
    data: bytes, name: str, password: str | None, other: Any, warnings: list[str]
) -> list[PageData]:
    """pdfplumber's pages, or pypdfium2's where pdfminer fails or drops pages."""
    first = _read_plumber(data, name, password)
    n_read, n_other = len(first.pages), len(other) if other is not None else 0
    every = f"page 1-{n_other}" if n_other > 1 else "page 1"
    if first.error is None and n_read and n_read >= n_other:
        _recover_pages(first.pages, other, warnings)
        return first.pages
    second = [read_pdfium_page(other, i) for i in range(n_other)]
    got, got_other = _total(first.pages), _total(second)
    if first.error is not None:
        if got_other < MIN_TEXT_CHARS:
            raise first.error
        reason = str(first.error).removeprefix(f"{name}: ")
        warnings.append(f"{every}: read with pypdfium2, pdfplumber failed: {reason}")
        return second
    if n_read == 0:
        if not n_other:
            raise EmptyTextError(
                f"{name}: the PDF has no readable pages; it is probably damaged, "
                "re-download it or repair it (e.g. qpdf)."
            )
        if got_other:
            warnings.append(
                f"{every}: read with pypdfium2, pdfplumber found no pages "
                "(damaged page tree)"
            )
        return second
    missing = f"{n_read + 1}-{n_other}" if n_other > n_read + 1 else str(n_other)
    if got_other > got:
        warnings.append(
            f"{every}: read with pypdfium2, pdfminer saw only {n_read} of the "
            f"{n_other} pages (damaged page tree)"
        )
        return second
    warnings.append(
        f"page {missing}: missing, the page tree is damaged (pdfminer read "
        f"{n_read} of the {n_other} pages pdfium sees)"
    )
    _recover_pages(first.pages, other, warnings)
    return first.pages


def _read_plumber(data: bytes, name: str, password: str | None) -> _Read:
    out = _Read()
    try:
        with _open(data, name, password) as pdf:
            try:
                plumber_pages = pdf.pages
            except Exception as e:  # pdfminer raises anything on broken page trees
                raise _translate(e, name, password) from e
            for plumber_page in plumber_pages:
                out.pages.append(_read_page(plumber_page))
    except EncryptedError:
        raise
    except IngestError as e:
        out.error = e
    return out


def _recover_pages(pages: list[PageData], other: Any, warnings: list[str]) -> None:
    """Pages pdfminer could not read, or found no text on, from pypdfium2."""
    for page in pages:
        if other is None or page.page_no > len(other):
            continue
        if not page.failed and text_chars(page.rows) >= MIN_TEXT_CHARS:
            continue
        alt = read_pdfium_page(other, page.page_no - 1)
        if alt.failed or text_chars(alt.rows) < MIN_TEXT_CHARS:
            continue
        why = "pdfplumber found no text"
        if page.failed:
            why = f"pdfplumber failed ({page.error})"
        warnings.append(f"page {page.page_no}: read with pypdfium2, {why}")
        page.rows, page.frame_height = alt.rows, alt.frame_height
        page.engine, page.failed, page.error = alt.engine, False, None


def _total(pages: list[PageData]) -> int:
    return sum(text_chars(p.rows) for p in pages)


def _open(data: bytes, name: str, password: str | None) -> Any:
    try:
        return pdfplumber.open(io.BytesIO(data), password=password or "")
    except Exception as e:  # pdfminer raises anything, wrapped or bare, on bad input
        raise _translate(e, name, password) from e


def _password_error(name: str, password: str | None) -> EncryptedError:
    if password:
        return EncryptedError(f"{name}: the password given does not open it; check it.")
    return EncryptedError(f"{name}: is encrypted; pass --password.")


def _translate(e: Exception, name: str, password: str | None) -> IngestError:
    cause: BaseException = e
    if isinstance(e, PdfminerException) and e.args and isinstance(e.args[0], Exception):
        cause = e.args[0]
    if isinstance(cause, PDFPasswordIncorrect):
        return _password_error(name, password)
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


def _read_page(page: Any) -> PageData:
    data = PageData(page.page_number, float(page.width), float(page.height))
    damage = _DamageLog()
    pdfminer_log = logging.getLogger("pdfminer")
    pdfminer_log.addHandler(damage)
    try:
        words = chars_to_words(dedupe_chars(page.chars))
        data.rows, data.frame_height = order_rows(
            words, data.page_no, data.width, data.height
        )
        data.image_share = _image_share(page)
    except MemoryError:
        raise
    except Exception as e:  # a broken page must not sink the document
        reason = " ".join(str(e).split()) or "no detail"
        if isinstance(e, PdfminerException) and e.args:
            if isinstance(e.args[0], MemoryError):
                # out of memory is the worker's state, not the page's: stop the file
                raise e.args[0] from e
            reason = f"{type(e.args[0]).__name__}: {e.args[0]}"
        logger.warning("page %s could not be read: %s", data.page_no, reason)
        data.rows, data.failed, data.error = [], True, reason
    finally:
        pdfminer_log.removeHandler(damage)
        page.close()  # frees pdfminer's layout cache: memory stays flat on long files
    data.damage = "; ".join(damage.seen)
    return data


def _image_share(page: Any) -> float:
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for im in page.images:
        covered += max(0.0, float(im["x1"] - im["x0"])) * max(
            0.0, float(im["bottom"] - im["top"])
        )
    return min(covered / area, 1.0)


def _page_sort_key(warning: str) -> tuple[int, str]:
    head = warning.split(":", 1)[0].split()
    number = head[1].split("-")[0].split(",")[0] if len(head) > 1 else ""
    return (int(number) if number.isdigit() else 0, warning)
