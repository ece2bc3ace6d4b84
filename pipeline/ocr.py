"""OCR of pages without a usable text layer: PDFium renders, Tesseract reads.

Tesseract comes from the system's packages (``apt install tesseract-ocr``) and is
driven through pytesseract (``pip install treaty-clauses[ocr]``). Its words come back
as layout ``Word``s in PDF points, so OCR-ed pages go through the same lines ->
columns -> paragraphs path as text-layer pages and their clauses get pages and boxes.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
from dataclasses import dataclass
from typing import Any

from .ingest import normalise_text
from .layout import Word
from .paragraphs import WORD_ZIPF, word_zipf

logger = logging.getLogger(__name__)

INSTALL_HINT = (
    "install Tesseract (`apt install tesseract-ocr`) and the OCR extra "
    "(`pip install treaty-clauses[ocr]`)"
)
# 300 dpi read the corpus scans (about 200 dpi originals) more cleanly than 200 dpi:
# at 200 dpi Tesseract split lines mid-word ("executi", "priva'"); 4.0 s against
# 2.7 s a page on this machine's 2 cores.
DPI = 300
LANG = "eng"
# Tesseract scores each word 0-100. Below this it reads specks, photos and stamps as
# "words" (";:", "ee"); real but faint text on the corpus scans scores above 50.
MIN_WORD_CONFIDENCE = 30.0
# A "word" made only of these is a scan's edge, a ruled line or a stamp's frame read
# as text ("|" down the binding margin, "}" beside a seal): 148 of the 10,247 words
# Tesseract kept on the corpus scans, at confidences up to 96, so the confidence floor
# cannot catch them. Treaty text never has one standing alone.
ARTEFACT_CHARS = frozenset("|{}=!~_\\<>¦")
# A short line whose words average below this and that holds no real word is a seal, a
# signature or a smudge read as letters ("ee Ne", "eo aap", "Pa va" on the corpus
# scans); "Signed by:" or "ABUJA, NIGERIA:" read as faintly stay.
NOISE_LINE_CONFIDENCE = 50.0
NOISE_LINE_WORDS = 6
# Share of dark pixels under which a rendered page is blank paper, not worth OCR.
MIN_INK_SHARE = 0.00002
DARK = 128


@dataclass(frozen=True, slots=True)
class OcrPage:
    words: list[Word]
    confidence: float | None  # mean word confidence, 0..1; None when no word
    blank: bool  # nothing drawn on the page: OCR was not run


@functools.cache
def available() -> bool:
    """Whether pytesseract is installed and finds a working ``tesseract``."""
    try:
        import pytesseract  # type: ignore[import-untyped]
    except ImportError:
        return False
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return False
    try:
        pytesseract.get_tesseract_version()
    except Exception:  # a broken install reads as "not installed"
        return False
    return LANG in pytesseract.get_languages(config="")


def ocr_page(doc: Any, index: int, width: float, height: float) -> OcrPage:
    """Render page ``index`` (0-based) of a pypdfium2 document and OCR it.

    Args:
        doc: the ``pypdfium2.PdfDocument``.
        index: which page.
        width, height: the page size in points, as the text layer measures it; the
            words' boxes are scaled to it.
    """
    page = doc[index]
    try:
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()
    finally:
        page.close()
    return ocr_image(image, width, height)


def ocr_image(image: Any, width: float, height: float) -> OcrPage:
    """OCR a page image; words come back in PDF points of a width x height page."""
    import pytesseract

    gray = image.convert("L")
    histogram = gray.histogram()
    if sum(histogram[:DARK]) < MIN_INK_SHARE * gray.width * gray.height:
        return OcrPage([], None, blank=True)
    # One Tesseract thread: parallelism comes from one worker process per document,
    # and OpenMP threads fighting over 2 cores doubled the time per page.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(
        gray, lang=LANG, output_type=pytesseract.Output.DICT
    )
    return OcrPage(*_words(data, width / gray.width, height / gray.height), False)


def _words(
    data: dict[str, list[Any]], sx: float, sy: float
) -> tuple[list[Word], float | None]:
    # Level 4 rows are lines; their height stands in for the font size (a word's own
    # box depends on its letters: "on" is shorter than "Article"). Line heights vary
    # with the letters too, so the paragraph builder only scales line spacing by
    # them and does not compare them between lines (paragraphs.OCR_PITCH).
    line_height: dict[tuple[int, int, int], float] = {}
    for i, level in enumerate(data["level"]):
        if level == 4:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            line_height[key] = data["height"][i] * sy
    kept: list[tuple[tuple[int, int, int], Word, float]] = []
    lines: dict[tuple[int, int, int], list[tuple[str, float]]] = {}
    for i, level in enumerate(data["level"]):
        text = "".join(normalise_text(str(data["text"][i])).split())
        conf = float(data["conf"][i])
        if level != 5 or not text or conf < MIN_WORD_CONFIDENCE:
            continue
        if set(text) <= ARTEFACT_CHARS:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        x0, top = data["left"][i] * sx, data["top"][i] * sy
        x1, bottom = x0 + data["width"][i] * sx, top + data["height"][i] * sy
        size = line_height.get(key, bottom - top)
        kept.append((key, Word(text, x0, x1, top, bottom, size), conf))
        lines.setdefault(key, []).append((text, conf))
    noise = {
        key
        for key, line in lines.items()
        if len(line) <= NOISE_LINE_WORDS
        and sum(c for _t, c in line) / len(line) < NOISE_LINE_CONFIDENCE
        and not _has_word([t for t, _c in line])
    }
    words = [w for key, w, _c in kept if key not in noise]
    confidences = [c for key, _w, c in kept if key not in noise]
    if not confidences:
        return words, None
    return words, round(sum(confidences) / len(confidences) / 100, 4)


def _has_word(texts: list[str]) -> bool:
    """Whether any token is a dictionary word of 4+ letters (a heading or a place
    read faintly), rather than letters a smudge happened to look like."""
    tokens = re.findall(r"[^\W\d_]{4,}", " ".join(texts))
    return any(word_zipf(t.lower()) >= WORD_ZIPF for t in tokens)
