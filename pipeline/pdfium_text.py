"""The second PDF engine: pypdfium2 (Chrome's PDFium) for what pdfminer cannot read.

pdfminer gives up on some damaged files that PDFium repairs on load (a missing
``startxref``, a bad xref offset, an xref ``/Prev`` loop) and silently drops pages of
broken page trees. PDFium's glyphs are turned into pdfplumber-style char dicts, so
the page goes through the same words -> lines -> paragraphs path and keeps its boxes.
PDFium also renders the pages that OCR reads.
"""

from __future__ import annotations

import logging
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c

logger = logging.getLogger(__name__)

# PDFium reports glyphs whose font has no Unicode map; they count as unprintable,
# as pdfminer's "(cid:N)" placeholders do, so the page grade sees the damage.
UNMAPPED = "\ufffd"
# Off-page glyphs (a label drawn at y = -20) are not part of the page, as in pdfplumber.
OFF_PAGE_SLACK = 1.0


class PasswordError(Exception):
    """PDFium could not open the file without (or with the given) password."""


def open_document(data: bytes, password: str | None) -> pypdfium2.PdfDocument | None:
    """Open with PDFium, or None when PDFium cannot read the file either.

    Raises:
        PasswordError: the file needs a user password that was not given (or is
            wrong). pdfminer opens some such files with an empty owner password; a
            reader that honours the user password (Acrobat, Chrome) asks for it.
    """
    try:
        return pypdfium2.PdfDocument(data, password=password or None)
    except pypdfium2.PdfiumError as e:
        if "password" in str(e).lower():
            raise PasswordError(str(e)) from e
        logger.info("pdfium cannot open the file either: %s", e)
        return None


def page_chars(
    doc: pypdfium2.PdfDocument, index: int
) -> tuple[list[dict[str, Any]], float, float, float]:
    """The glyphs of page ``index`` (0-based) as pdfplumber-style char dicts.

    Returns:
        The chars (top-left origin, PDF points), the page's width and height, and
        the share of the page that images cover.
    """
    page = doc[index]
    try:
        width, height = (float(v) for v in page.get_size())
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage, width, height)
        finally:
            textpage.close()
        return chars, width, height, _image_share(page, width, height)
    finally:
        page.close()


def _image_share(page: Any, width: float, height: float) -> float:
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_pos()
        covered += max(0.0, min(right, width) - max(left, 0.0)) * max(
            0.0, min(top, height) - max(bottom, 0.0)
        )
    return min(covered / (width * height or 1.0), 1.0)


def _chars(textpage: Any, width: float, height: float) -> list[dict[str, Any]]:
    raw = textpage.raw
    chars: list[dict[str, Any]] = []
    for i in range(textpage.count_chars()):
        # Spaces and line breaks PDFium inserts between words are its guesses; the
        # word builder makes its own from the gaps, as it does for pdfplumber.
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        text = chr(code) if 0 < code < 0x110000 else UNMAPPED
        if pdfium_c.FPDFText_HasUnicodeMapError(raw, i) == 1:
            text = UNMAPPED
        if text in "\r\n":
            continue
        # The loose box spans the advance width and the font's ascent and descent, as
        # pdfminer's does; the tight glyph box leaves gaps that split words.
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        x0, x1 = float(left), float(right)
        y_top, y_bottom = height - float(top), height - float(bottom)
        if (
            x1 < -OFF_PAGE_SLACK
            or x0 > width + OFF_PAGE_SLACK
            or y_bottom < -OFF_PAGE_SLACK
            or y_top > height + OFF_PAGE_SLACK
        ):
            continue
        size = float(pdfium_c.FPDFText_GetFontSize(raw, i)) or (y_bottom - y_top)
        bold = pdfium_c.FPDFText_GetFontWeight(raw, i) >= 600
        chars.append(
            {
                "text": text,
                "x0": x0,
                "x1": max(x1, x0),
                "top": y_top,
                "bottom": max(y_bottom, y_top),
                "doctop": y_top,
                "upright": True,
                "size": size,
                "fontname": "pdfium-bold" if bold else "pdfium",
            }
        )
    return chars
