"""Read an agreement (PDF or plain text) into a ``Document``: the front of the pipeline.

Dispatch is by content first and suffix second: files arrive misnamed (a GIF saved as
``.pdf``, a PDF behind leading junk), so magic bytes decide before the name does.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from pathlib import Path

from .errors import EmptyTextError, IngestError, UnsupportedFormatError
from .schema import Document, SourceInfo

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
PDF_MAGIC = re.compile(rb"%PDF-\d")
# Some producers and mail gateways prepend junk; readers seek the header this far in.
PDF_MAGIC_WINDOW = 1024
_PDF_OBJECT = re.compile(rb"(?m)^\s*\d{1,10}\s+\d{1,5}\s+obj\b")

# Magic numbers of formats people save under a wrong name, with what to tell them.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"GIF8", "a GIF image"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.odt document)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript file"),
    (b"\x1f\x8b", "a gzip archive"),
)
_MARKUP = re.compile(rb"^\s*<(?:!doctype\s+html|html|\?xml|!doctype)", re.IGNORECASE)
_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters other than line and page breaks; a text file has next to none.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.01
# Letters that only one of the two single-byte Latin families produces; used to break
# a tie between cp1252 (Western) and cp1250 / ISO 8859-2 (Central European).
_WESTERN_ONLY = set("ÀÃÈÊÌÏÐÑÒÕÙÛàãèêìïðñòõùûÆæŒœØøÅåªº¿¡")
_CENTRAL_ONLY = set("ĄąĆćČčĎďĘęĚěĹĺĽľŁłŃńŇňŐőŔŕŘřŚśŠšŤťŮůŰűŹźŻżŽž")
_CENTRAL_CODECS = frozenset({"cp1250", "iso8859_2", "mac_latin2", "cp852"})

_LIGATURES = {
    "ﬀ": "ff",
    "ﬁ": "fi",
    "ﬂ": "fl",
    "ﬃ": "ffi",
    "ﬄ": "ffl",
    "ﬅ": "st",
    "ﬆ": "st",
}
_ODD_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_ODD_SPACES += "\u2009\u200a\u202f\u205f\u3000"
_LINE_BREAKS = "\x0b\x0c\x85\u2028\u2029"
# ZWNJ/ZWJ (U+200C/D) are kept: they change spelling in Persian, Arabic and Indic text.
_ZERO_WIDTH = "\u00ad\u200b\u2060\ufeff\u180e"
_NORMALISE_TABLE = str.maketrans(
    {
        **_LIGATURES,
        **dict.fromkeys(_ODD_SPACES, " "),
        **dict.fromkeys(_LINE_BREAKS, "\n"),
        **dict.fromkeys(_ZERO_WIDTH, None),
    }
)


def normalise_text(text: str) -> str:
    """Apply the few character fixes both readers share, and nothing else.

    Ligatures are expanded, soft hyphens and zero-width characters removed, odd spaces
    and tabs become a plain space, and every line break becomes ``\\n``. No Unicode
    normal form is applied: annotations hash clause text, so letters stay as written.

    Example:
        >>> normalise_text("de\\ufb01ne\\u00a0it\\r\\n")
        'define it\\n'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_NORMALISE_TABLE)


def read_document(
    path: Path,
    *,
    password: str | None = None,
    ocr: bool = True,
    max_pages: int | None = None,
) -> Document:
    """Read a PDF or a plain-text agreement.

    Args:
        path: the file. PDFs are recognised by their ``%PDF`` header wherever it sits in
            the first kilobyte; ``.txt``, ``.text``, ``.md`` and other text-looking
            files are read as text.
        password: the user password of an encrypted PDF.
        ocr: OCR PDF pages without a usable text layer, when Tesseract is installed
            (``pip install treaty-clauses[ocr]`` and ``apt install tesseract-ocr``).

    Returns:
        A ``Document`` whose text holds one paragraph per line, with ``doc_id`` set to
        the first 16 hex digits of the file's sha256.

    Raises:
        UnsupportedFormatError: images, archives, HTML/XML, binary junk.
        EmptyTextError: an empty file or a PDF without pages.
        NeedsOCRError: a scanned PDF without a text layer, and OCR off or missing.
        EncryptedError: an encrypted PDF without (or with a wrong) password.
        IngestError: anything else that stops the file being read.

    Example:
        >>> doc = read_document(Path("tests/data/tiny_treaty.pdf"))
        >>> [page.page_no for page in doc.pages]
        [1, 2]
    """
    given = str(path)  # reported as the caller wrote it
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise IngestError(f"{path}: no such file; check the path.") from e
    except IsADirectoryError as e:
        raise IngestError(f"{path}: is a directory; pass a file.") from e
    except OSError as e:
        raise IngestError(f"{path}: cannot be read ({e.strerror}).") from e
    sha = hashlib.sha256(data).hexdigest()
    if not data:
        raise EmptyTextError(f"{path}: the file is empty (0 bytes); nothing to read.")
    head = data[:PDF_MAGIC_WINDOW]
    magic = PDF_MAGIC.search(head)
    if magic or _headerless_pdf(path, head):
        pdf_at = magic.start() if magic else 0
        from .pdf import extract_pdf  # pdfplumber is only imported when a PDF arrives

        if pdf_at:
            logger.info("%s: skipping %s bytes before the %%PDF header", path, pdf_at)
        found = extract_pdf(
            data[pdf_at:],
            name=str(path),
            password=password,
            ocr=ocr,
            max_pages=max_pages,
        )
        source = SourceInfo(
            given, sha, len(data), "application/pdf", None, found.engine
        )
        return Document(
            doc_id=sha[:16],
            text=found.text,
            source=source,
            pages=found.pages,
            lines=found.lines,
            furniture=found.furniture,
            warnings=found.warnings,
        )
    _reject_binary(path, data)
    text, encoding = _decode(path, data)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        logger.info("%s: no text suffix, but its bytes read as %s text", path, encoding)
    text = normalise_text(text)
    if not text.strip():
        raise EmptyTextError(
            f"{path}: the file holds only whitespace; nothing to read."
        )
    source = SourceInfo(given, sha, len(data), "text/plain", encoding, "text")
    return Document(doc_id=sha[:16], text=text, source=source)


def document_from_text(text: str, *, path: str = "<memory>") -> Document:
    """Build a ``Document`` from a string, as the text reader would from a file.

    Example:
        >>> document_from_text("Article 1\\r\\nThe Parties agree.").text
        'Article 1\\nThe Parties agree.'
    """
    data = text.encode("utf-8")
    sha = hashlib.sha256(data).hexdigest()
    source = SourceInfo(path, sha, len(data), "text/plain", "utf-8", "text")
    return Document(doc_id=sha[:16], text=normalise_text(text), source=source)


def _headerless_pdf(path: Path, head: bytes) -> bool:
    """A .pdf whose header was lost but whose bytes are PDF objects: a damaged PDF
    (reported as such if it cannot be read), not another format."""
    return path.suffix.lower() == ".pdf" and bool(_PDF_OBJECT.search(head))


def _reject_binary(path: Path, data: bytes) -> None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise UnsupportedFormatError(
                f"{path}: is {what}, not a PDF or text file; convert it to PDF or "
                "plain text first (images need OCR)."
            )
    if _MARKUP.match(data[:PDF_MAGIC_WINDOW].lstrip(codecs.BOM_UTF8)):
        raise UnsupportedFormatError(
            f"{path}: is HTML/XML markup; save the agreement as plain text or PDF "
            "first."
        )
    if path.suffix.lower() == ".pdf":
        raise UnsupportedFormatError(
            f"{path}: is named .pdf but has no %PDF header; it is not a PDF "
            "(re-download it or convert it)."
        )


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Strict UTF-8, then a BOM, then charset detection; never a lossy decode."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(path, data.decode(encoding), encoding)
            except UnicodeDecodeError as e:
                raise UnsupportedFormatError(
                    f"{path}: starts with a {encoding} byte-order mark but is not "
                    f"valid {encoding} ({e.reason}); re-save it as UTF-8."
                ) from e
    if b"\x00" in data:  # before UTF-8, which would accept the NULs
        guess = _bomless_utf16(data)
        if guess is None:
            raise UnsupportedFormatError(
                f"{path}: contains binary data (NUL bytes), not text; pass a PDF or a "
                "plain-text file."
            )
        return _checked(path, *guess)
    try:
        return _checked(path, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _checked(path, *_detect_legacy(path, data))


def _checked(path: Path, text: str, encoding: str) -> tuple[str, str]:
    if text and len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise UnsupportedFormatError(
            f"{path}: looks binary (control characters read as {encoding}); pass a PDF "
            "or a plain-text file."
        )
    return text, encoding


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    # ASCII-heavy UTF-16 without a BOM puts a NUL in every other byte.
    even, odd = data[0::2], data[1::2]
    for encoding, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros.count(0) > 0.4 * len(zeros):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    return None


def _detect_legacy(path: Path, data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnsupportedFormatError(
            f"{path}: is neither UTF-8 nor any known text encoding; re-save it as "
            "UTF-8."
        )
    encoding = best.encoding
    text = str(best)
    # cp1250 and cp1252 share most Latin letters, so German or French text often
    # decodes identically in both and the detector's pick is arbitrary. Western
    # treaties are far commoner in cp1252: prefer it when it reads the bytes the same,
    # or when it yields more Western-only letters than the other reading yields
    # Central-only ones.
    if encoding != "cp1252" and "cp1252" in best.could_be_from_charset:
        encoding = "cp1252"
    elif encoding in _CENTRAL_CODECS:
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = ""
        if western and _count(western, _WESTERN_ONLY) > _count(text, _CENTRAL_ONLY):
            encoding, text = "cp1252", western
    logger.info("%s: not UTF-8; read as %s", path, encoding)
    return data.decode(encoding), encoding


def _count(text: str, letters: set[str]) -> int:
    return sum(1 for c in text if c in letters)
