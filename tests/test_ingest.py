"""Ingestion: PDF layout (reading order, furniture, hyphens, offsets) and text files.

The PDFs in tests/data are written by tests/data/make_test_pdfs.py, whose constants say
what each page holds; this module imports them as the expected values.
"""

from __future__ import annotations

import codecs
import importlib.util
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import (
    EmptyTextError,
    EncryptedError,
    IngestError,
    NeedsOCRError,
    TooLargeError,
    UnsupportedFormatError,
)
from pipeline.furniture import find_furniture
from pipeline.ingest import document_from_text, normalise_text, read_document
from pipeline.layout import Row, Word
from pipeline.paragraphs import assemble, resolve_hyphen
from pipeline.quality import page_quality
from pipeline.schema import Document

DATA = Path(__file__).parent / "data"
TINY_PDF = DATA / "tiny_treaty.pdf"
TWO_COLUMN_PDF = DATA / "two_column.pdf"
HYPHENATION_PDF = DATA / "hyphenation.pdf"
SCANNED_PDF = DATA / "scanned_page.pdf"
ENCRYPTED_PDF = DATA / "encrypted.pdf"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL_PDFS = SHARED / "corpora" / "real-pdfs"
BAD_INPUTS = SHARED / "badinputs" / "files"


def _load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_test_pdfs", DATA / "make_test_pdfs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()


def _paragraphs(doc: Document) -> list[str]:
    return doc.text.split("\n")


def _expected(blocks: list[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for kind, text in blocks:
        if kind == "title" and out:  # consecutive title lines are one heading
            out[-1] += " " + text
        else:
            out.append(text)
    return out


@pytest.fixture(scope="module")
def tiny() -> Document:
    return read_document(TINY_PDF)


# --- PDF layout ---------------------------------------------------------------------


def test_ingest_pdf_one_paragraph_per_line(tiny: Document) -> None:
    assert _paragraphs(tiny) == _expected(GEN.TREATY)


def test_ingest_pdf_source_info(tiny: Document) -> None:
    assert tiny.source.media_type == "application/pdf"
    assert tiny.source.engine == "pdfplumber"
    assert tiny.source.size == TINY_PDF.stat().st_size
    assert tiny.doc_id == tiny.source.sha256[:16]
    assert tiny.warnings == ()


def test_ingest_pdf_running_header_and_page_numbers_become_furniture(
    tiny: Document,
) -> None:
    assert GEN.HEADER not in tiny.text
    found = Counter((f.page_no, f.kind, f.text) for f in tiny.furniture)
    assert found == Counter(
        {
            (1, "header", GEN.HEADER): 1,
            (2, "header", GEN.HEADER): 1,
            (1, "page_number", "1"): 1,
            (2, "page_number", "2"): 1,
        }
    )
    for f in tiny.furniture:
        assert f.bbox is not None
        assert f.bbox.top < 60 if f.kind == "header" else f.bbox.top > 780


def test_ingest_pdf_pages_are_contiguous_char_ranges(tiny: Document) -> None:
    pages = tiny.pages
    assert [p.page_no for p in pages] == [1, 2]
    assert pages[0].start == 0 and pages[-1].end == len(tiny.text)
    assert all(a.end == b.start for a, b in zip(pages, pages[1:], strict=False))
    assert (pages[0].width, pages[0].height) == (GEN.PAGE_W, GEN.PAGE_H)
    first, second = (tiny.text[p.start : p.end] for p in pages)
    assert "Article 1" in first and "Article 3" in second
    # The paragraph the generator ran over the page break is whole, on both pages.
    start = tiny.text.index("2. The Sending Party")
    end = tiny.text.index("\n", start)
    assert tiny.page_nos(start, end) == (1, 2)
    assert all(p.quality is not None and p.quality.grade == "good" for p in pages)


@pytest.mark.parametrize("pdf", [TINY_PDF, TWO_COLUMN_PDF, HYPHENATION_PDF])
def test_ingest_pdf_lines_lie_inside_their_pages(pdf: Path) -> None:
    doc = read_document(pdf)
    assert doc.lines
    previous_end = 0
    for line in doc.lines:
        page = doc.pages[line.page_no - 1]
        assert page.start <= line.start < line.end <= page.end
        assert line.start >= previous_end  # in order, never overlapping
        previous_end = line.end
        piece = doc.text[line.start : line.end]
        assert piece == piece.strip() and "\n" not in piece
        box = line.bbox
        assert (
            0 <= box.x0 < box.x1 <= page.width
            and 0 <= box.top < box.bottom <= page.height
        )
    # Every body character belongs to a line; only separators lie between lines.
    gaps = [
        doc.text[a.end : b.start]
        for a, b in zip(doc.lines, doc.lines[1:], strict=False)
    ]
    assert set(gaps) <= {"", " ", "\n"}
    assert doc.lines[0].start == 0 and doc.lines[-1].end == len(doc.text)


def test_ingest_pdf_two_columns_read_left_column_first() -> None:
    doc = read_document(TWO_COLUMN_PDF)
    expected = [GEN.TWO_COLUMN_TITLE, GEN.TWO_COLUMN_INTRO]
    expected += _expected(GEN.LEFT_COLUMN) + _expected(GEN.RIGHT_COLUMN)
    assert _paragraphs(doc) == expected
    assert [(f.kind, f.text) for f in doc.furniture] == [("page_number", "- 1 -")]


def test_ingest_pdf_single_column_is_not_split(tiny: Document) -> None:
    # A split at a false gutter would cut long lines in two half-width lines.
    long_lines = [ln for ln in tiny.lines if ln.end - ln.start > 60]
    assert long_lines
    assert all(
        ln.bbox.x1 - ln.bbox.x0 > 0.6 * (GEN.RIGHT - GEN.LEFT) for ln in long_lines
    )


def test_ingest_pdf_line_end_hyphens() -> None:
    doc = read_document(HYPHENATION_PDF)
    assert GEN.HYPHENATED_PARAGRAPH in _paragraphs(doc)


def test_ingest_pdf_overprinted_bold_is_read_once() -> None:
    paragraphs = _paragraphs(read_document(HYPHENATION_PDF))
    assert GEN.OVERPRINTED in paragraphs
    assert GEN.OVERPRINT_BODY in paragraphs
    assert not re.search(r"(?:([A-Z])\1){3}", "\n".join(paragraphs))


@pytest.mark.parametrize(
    ("left", "right", "vocab", "joined"),
    [
        ("agree", "ment", None, True),
        ("implementa", "tion", None, True),
        ("ARTI", "CLE", None, True),
        ("co", "operation", None, False),
        ("self", "defence", None, False),
        ("non", "aggression", None, False),
        ("well", "being", None, False),
        ("decision", "making", None, False),
        ("EU", "Albania", None, False),
        ("Anglo", "French", None, False),
        ("co", "operation", Counter({"cooperation": 3}), True),
        ("agree", "ment", Counter({"agree-ment": 1}), False),
    ],
)
def test_resolve_hyphen_rule(
    left: str, right: str, vocab: Counter[str] | None, joined: bool
) -> None:
    assert resolve_hyphen(left, right, vocab) is joined


def _row(text: str, top: float, x0: float = 72.0) -> Row:
    words, x = [], x0
    for token in text.split():
        words.append(Word(token, x, x + 6 * len(token), top, top + 11, 11.0))
        x += 6 * len(token) + 3
    return Row(words).finish()


def _scan_line(text: str, top: float, size: float, full: bool = True) -> Row:
    """An OCR-ed line: ``size`` is the height of Tesseract's line box, which varies
    with the letters; a full line runs from 72 to 500 pt."""
    tokens = text.split()
    step = (428 - 3 * (len(tokens) - 1)) / len(text.replace(" ", "")) if full else 5.0
    words, x = [], 72.0
    for token in tokens:
        words.append(Word(token, x, x + step * len(token), top, top + size, size))
        x += step * len(token) + 3
    return Row(words).finish()


# Lines 15-16 pt apart, paragraphs 30 pt apart, line boxes 11-13.7 pt high (as on the
# corpus scan of the Common Fund instrument of ratification).
_SCAN = [
    ("Whereas the Agreement Establishing The Common Fund For Commodities was", 12.0),
    ("signed in New York on the 20th day of July 1981;", 11.3),
    (None, 0),
    ("Whereas it is provided in Article 57 of the aforesaid Agreement that the", 11.0),
    ("Agreement shall enter into force upon receipt by the Depository of the", 13.7),
    ("instruments of ratification from at least ninety States subject to the", 11.3),
    ("proviso set out therein;", 11.3),
    (None, 0),
    ("And Whereas the Government has by a decision duly reached in accordance", 12.0),
    ("with its processes agreed to ratify the aforesaid Agreement.", 12.7),
]


def _scan_rows() -> list[Row]:
    rows, top = [], 100.0
    for text, size in _SCAN:
        if text is None:
            top += 14.2  # a paragraph gap on top of the line pitch
            continue
        rows.append(_scan_line(text, top, size, full=not text.endswith((";", "."))))
        top += 15.8
    return rows


def test_ocr_lines_of_one_paragraph_join_whatever_their_box_heights() -> None:
    text, _, _ = assemble([_scan_rows()], [True])
    assert text.split("\n") == [
        " ".join(_SCAN[0][0].split() + _SCAN[1][0].split()),
        " ".join(t for t, _ in _SCAN[3:7]),
        " ".join(t for t, _ in _SCAN[8:]),
    ]
    # Read as a text layer, the 13.7 pt line box would be a larger font: a new
    # paragraph mid-sentence (what OCR-ed pages got before)
    text, _, _ = assemble([_scan_rows()], [False])
    assert text.split("\n")[1:4] == [
        _SCAN[3][0],
        _SCAN[4][0],
        " ".join(t for t, _ in _SCAN[5:7]),
    ]


def test_ocr_bullet_read_as_a_letter_starts_a_paragraph() -> None:
    rows = [
        _scan_line("The Centre will study subjects such as the", 100, 12.0),
        _scan_line("links between transport and employment", 115.8, 11.3, full=False),
        _scan_line("e Road safety and driver behaviour", 131.6, 13.7, full=False),
        _scan_line("e Vehicle maintenance standards", 147.4, 10.8, full=False),
        _scan_line("o Traffic management", 163.2, 12.5, full=False),
    ]
    text, _, _ = assemble([rows], [True])
    assert text.split("\n") == [
        "The Centre will study subjects such as the links between transport and "
        "employment",
        "e Road safety and driver behaviour",
        "e Vehicle maintenance standards",
        "o Traffic management",
    ]


_TOPICS = "customs taxation claims exercises logistics medical police uniforms".split()


def _page(no: int, head: str | None, foot: str | None, first: str) -> tuple:
    """A page of rows: optional header, distinct body lines, optional footer."""
    rows = [_row(head, 40)] if head else []
    rows.append(_row(first, 100))
    for i, topic in enumerate(_TOPICS[no - 1 :] + _TOPICS[: no - 1]):
        rows.append(_row(f"The Parties shall agree on {topic} matters", 114 + 14 * i))
    rows += [_row(foot, 800, x0=280)] if foot else []
    return (no, 842.0, rows)


@pytest.mark.parametrize(
    ("foot", "kind"),
    [
        ("- {n} -", "page_number"),
        ("Page {n}", "page_number"),
        ("{n}/8", "page_number"),
        ("{n}", "page_number"),
        ("{roman}", "page_number"),
    ],
)
def test_furniture_page_number_forms(foot: str, kind: str) -> None:
    romans = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"]
    pages = [
        _page(n, None, foot.format(n=n, roman=romans[n - 1]), f"Text {n}.")
        for n in range(1, 9)
    ]
    found = find_furniture(pages)
    assert [(f.page_no, f.kind) for f in found] == [(n, kind) for n in range(1, 9)]
    assert all(len(rows) == 1 + len(_TOPICS) for _, _, rows in pages)


def test_furniture_alternating_headers_but_not_article_headings() -> None:
    heads = ["UNTS Vol. 2101, I-36510", "Recueil des Traites Vol. 2101"]
    pages = [
        _page(n, heads[n % 2], None, "Article 3" if n in (2, 5) else f"Text {n}.")
        for n in range(1, 9)
    ]
    found = find_furniture(pages)
    assert {(f.kind, f.text) for f in found} == {("header", h) for h in heads}
    assert sum(r.text == "Article 3" for _, _, rows in pages for r in rows) == 2


def test_furniture_alternating_head_seen_once_fills_the_slot() -> None:
    heads = ["TREATY SERIES No. 99", "Collected Agreements, Volume Nine"]
    pages = [_page(n, heads[(n + 1) % 2], f"- {n} -", f"Text {n}.") for n in (1, 2, 3)]
    found = {(f.page_no, f.kind, f.text) for f in find_furniture(pages)}
    assert (2, "header", heads[1]) in found
    assert {(n, "header") for n in (1, 2, 3)} <= {(p, k) for p, k, _ in found}


def test_furniture_one_page_keeps_its_bands() -> None:
    pages = [
        (
            1,
            842.0,
            [_row("Agreement on Defence", 40), _row("Body.", 100), _row("2023", 800)],
        )
    ]
    assert find_furniture(pages) == []
    pages = [(1, 842.0, [_row("Agreement on Defence", 40), _row("- 1 -", 800)])]
    assert [f.kind for f in find_furniture(pages)] == ["page_number"]


# --- failures, one exception per case -------------------------------------------------


def test_ingest_scanned_pdf_needs_ocr() -> None:
    with pytest.raises(NeedsOCRError) as info:
        read_document(SCANNED_PDF, ocr=False)
    message = str(info.value)
    assert "\n" not in message and "OCR is off" in message
    assert "scanned_page.pdf" in message and "ocrmypdf" in message
    assert info.value.status == "needs_ocr"


def test_ingest_encrypted_pdf_needs_the_password() -> None:
    with pytest.raises(EncryptedError, match="--password"):
        read_document(ENCRYPTED_PDF)
    with pytest.raises(EncryptedError, match="password given"):
        read_document(ENCRYPTED_PDF, password="wrong")
    doc = read_document(ENCRYPTED_PDF, password=GEN.PASSWORD)
    assert "protected by a user password" in doc.text


def test_ingest_pdf_after_leading_junk(tmp_path: Path) -> None:
    path = tmp_path / "mailed.pdf"
    path.write_bytes(b"Content-Type: application/pdf\r\n\r\n" + TINY_PDF.read_bytes())
    doc = read_document(path)
    assert _paragraphs(doc) == _expected(GEN.TREATY)
    assert doc.source.sha256 != read_document(TINY_PDF).source.sha256


def test_ingest_truncated_pdf_fails_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    data = TINY_PDF.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError) as info:
        read_document(path)
    assert type(info.value) is IngestError and info.value.status == "failed"
    assert "\n" not in str(info.value) and "cut.pdf" in str(info.value)
    assert info.value.__cause__ is not None


def _zip_bytes(tmp_path: Path) -> bytes:
    target = tmp_path / "a.zip"
    with zipfile.ZipFile(target, "w") as z:
        z.writestr("treaty.txt", "Article 1")
    return target.read_bytes()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("picture.pdf", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!"),
        ("page.html", b"<!DOCTYPE html><html><body>Article 1</body></html>"),
        ("page.txt", b"\n  <html><head></head><body>Article 1</body></html>"),
        ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("junk.bin", bytes(range(256)) * 4),
        ("notes.pdf", b"oops"),
    ],
)
def test_ingest_rejects_unsupported_formats(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsupportedFormatError) as info:
        read_document(path)
    assert name in str(info.value) and "\n" not in str(info.value)


def test_ingest_rejects_zip_archives(tmp_path: Path) -> None:
    path = tmp_path / "treaty.docx"
    path.write_bytes(_zip_bytes(tmp_path))
    with pytest.raises(UnsupportedFormatError, match="ZIP"):
        read_document(path)


@pytest.mark.parametrize(
    ("name", "content"), [("e.txt", b""), ("e.pdf", b""), ("w.txt", b" \n\t\r\n")]
)
def test_ingest_empty_files(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(EmptyTextError) as info:
        read_document(path)
    assert type(info.value) is EmptyTextError


def test_ingest_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_document(tmp_path / "absent.txt")


# --- text files -----------------------------------------------------------------------

FRENCH = (
    "Article 1\r\nLes Parties coopèrent à la défense commune ; l'État hôte "
    "reçoit les forces « alliées » — sans frais.\r\nArticle 2\r\nÀ la demande "
    "d'une Partie, les représentants se réunissent à Genève.\r\n"
)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), "utf-8-sig"),
        (FRENCH.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"), "utf-16"),
        (FRENCH.encode("cp1252"), "cp1252"),
    ],
)
def test_ingest_text_encodings(tmp_path: Path, encoded: bytes, encoding: str) -> None:
    path = tmp_path / "accord.txt"
    path.write_bytes(encoded)
    doc = read_document(path)
    assert doc.text == FRENCH.replace("\r\n", "\n")
    assert doc.source.encoding == encoding
    assert doc.source.media_type == "text/plain" and doc.source.engine == "text"
    assert doc.pages == () and doc.lines == ()


@pytest.mark.corpus
def test_ingest_cp1252_is_preferred_over_cp1250() -> None:
    path = BAD_INPUTS / "chardet__windows-1252___ude_1.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    doc = read_document(path)
    assert doc.source.encoding == "cp1252"
    assert "gehört" in doc.text


def test_ingest_text_keeps_each_line(tmp_path: Path) -> None:
    path = tmp_path / "t.md"
    path.write_bytes(b"Article 1\rFirst line.\r\n\r\nSecond\tline.\n")
    doc = read_document(path)
    assert doc.text == "Article 1\nFirst line.\n\nSecond line.\n"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (
            "de\ufb01ne \ufb02ow \ufb00ect \ufb03x \ufb04y",
            "define flow ffect ffix ffly",
        ),
        ("agree\u00adment", "agreement"),
        ("a\u00a0b\u2009c\u202fd\te", "a b c d e"),
        ("a\r\nb\rc\u2028d", "a\nb\nc\nd"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("cafe\u0301 Öffnung", "cafe\u0301 Öffnung"),  # no Unicode normal form
        ("“quoted” – text…", "“quoted” – text…"),
    ],
)
def test_normalise_text(raw: str, clean: str) -> None:
    assert normalise_text(raw) == clean


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_normalise_text_is_idempotent_and_clean(raw: str) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once
    assert not set(once) & set("\r\t\u00a0\u00ad\u200b\ufeff\ufb01")


def test_document_from_text() -> None:
    doc = document_from_text("Article 1\r\nThe Parties agree.")
    assert doc.text == "Article 1\nThe Parties agree."
    assert doc.doc_id == doc.source.sha256[:16]


# --- page quality ---------------------------------------------------------------------

GOOD = (
    "The Parties shall co-operate in the field of defence and exchange information. "
    * 5
)


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("", "no_text"),
        ("  12 ", "no_text"),
        (GOOD, "good"),
        ("(cid:12)(cid:40) " * 30 + GOOD, "poor"),
        ("AARRTTIICCLLEE OONNEE DDEEFFIINNIITTIIOONNSS " * 10, "poor"),
        ("Ã©Â¨ Ë¨ÌÎ ¤¶ Ã¨re " * 20, "poor"),
    ],
)
def test_page_quality_grades(text: str, grade: str) -> None:
    assert page_quality(text).grade == grade


def test_page_quality_counts_cid_glyphs() -> None:
    quality = page_quality("(cid:3)" * 5 + " " + GOOD)
    assert 0 < quality.cid_share < 0.05 and quality.grade == "fair"


# --- real PDFs (../shared) ------------------------------------------------------------

# Article headings each real PDF must keep as paragraphs of their own (90 % of what
# ingestion found when this test was written).
ARTICLE_HEADINGS = {
    "uk-cs-albania-1-2021-ptca.pdf": 50,
    "uk-cs-canada-1-2020-trade-continuity.pdf": 6,
    "uk-cs-cote-divoire-1-2020-epa.pdf": 72,
    "uk-cs-mexico-1-2021-trade-continuity.pdf": 11,
    "uk-cs-north-macedonia-1-2020-ptca.pdf": 51,
    "uk-cs-serbia-1-2021-ptca.pdf": 51,
    "uk-cs-vietnam-1-2021-fta.pdf": 43,
    "un-bbnj-agreement-2023.pdf": 68,
    "un-part-xi-agreement-1994.pdf": 9,
}
_HEADING = re.compile(r"^(?:ARTICLE|Article)\s+(?:\d+[A-Z]?|[IVXLC]+)$")
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*\d+\s*[-–—]|Page\s+\d+(?:\s+of\s+\d+)?)$")


def _check_real_pdf(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is absent")
    doc = read_document(path)
    headings = 0
    for paragraph, start in _with_offsets(doc.text):
        assert not _PAGE_NUMBER.match(paragraph), paragraph
        if paragraph.isdigit():  # a bare number may be data, but not its page's number
            assert int(paragraph) not in doc.page_nos(start, start + 1), paragraph
        assert not re.search(r"(?:([A-Z])\1){4}", paragraph), paragraph[:80]
        headings += bool(_HEADING.match(paragraph))
    assert headings >= ARTICLE_HEADINGS[path.name]
    for f in doc.furniture:  # what was taken out is not also left in on that page
        page = doc.pages[f.page_no - 1]
        assert f.text not in doc.text[page.start : page.end].split("\n")


def _with_offsets(text: str) -> list[tuple[str, int]]:
    out, pos = [], 0
    for paragraph in text.split("\n"):
        out.append((paragraph, pos))
        pos += len(paragraph) + 1
    return out


@pytest.mark.corpus
def test_ingest_real_pdf_overprint_headers_and_page_numbers() -> None:
    """UN 1994 PDF: overprinted bold, a running header, "Page N", a "/..." footer."""
    path = REAL_PDFS / "un-part-xi-agreement-1994.pdf"
    _check_real_pdf(path)
    doc = read_document(path)
    kinds = Counter(f.kind for f in doc.furniture)
    assert (
        kinds["header"] >= 19 and kinds["footer"] >= 19 and kinds["page_number"] >= 19
    )
    assert "UNITED" in doc.text and "UUNNIITTEEDD" not in doc.text


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ARTICLE_HEADINGS))
def test_ingest_real_pdfs_keep_articles_and_drop_furniture(name: str) -> None:
    _check_real_pdf(REAL_PDFS / name)


def test_ingest_page_limit_refuses_before_parsing() -> None:
    with pytest.raises(TooLargeError, match="2 pages, over the limit of 1"):
        read_document(TINY_PDF, max_pages=1)
    assert len(read_document(TINY_PDF, max_pages=2).pages) == 2
