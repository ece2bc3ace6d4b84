"""Write the tiny PDFs that tests/test_ingest.py reads.

    .venv/bin/python tests/data/make_test_pdfs.py

The text is written for these tests; the states (the Republic of Lunaria, the Kingdom of
Estovia) are fictional. Every line is placed by hand, so the tests know exactly which
paragraphs, headers and page numbers each page holds. Output is deterministic
(reportlab's invariant mode), so a rerun rewrites identical bytes.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
PAGE_W, PAGE_H = 595.0, 842.0  # A4
LEFT, RIGHT = 72.0, 523.0
TOP, BOTTOM = 90.0, 760.0  # body limits, measured from the top of the page
FONT, BOLD, SIZE, LEADING = "Times-Roman", "Times-Bold", 11.0, 14.0

HEADER = "Treaty Series — Vol. 1"

# tiny_treaty.pdf: (kind, text); kind "title" | "heading" | "para" | "item"
TREATY: list[tuple[str, str]] = [
    ("title", "Agreement between the Republic of Lunaria and the Kingdom of Estovia"),
    ("title", "on Defence Co-operation"),
    (
        "para",
        "The Republic of Lunaria and the Kingdom of Estovia, hereinafter referred "
        "to as the Parties, desiring to strengthen their co-operation in matters of "
        "defence and to set out the conditions under which their forces may be present "
        "in the territory of the other Party,",
    ),
    ("para", "Have agreed as follows:"),
    ("heading", "Article 1"),
    ("heading", "Definitions"),
    (
        "para",
        "1. For the purposes of this Agreement, the terms below have the meaning "
        "given to them in this Article, unless the context requires otherwise:",
    ),
    (
        "item",
        '(a) "force" means the personnel of the land, sea or air armed services '
        "of one Party when in the territory of the other Party in connection with "
        "activities approved by both Parties;",
    ),
    ("item", '(b) "Host Party" means the Party in whose territory a force is present.'),
    ("heading", "Article 2"),
    ("heading", "Entry and Departure"),
    (
        "para",
        "1. Members of a force shall be exempt from passport and visa regulations on "
        "entering or leaving the territory of the Host Party, provided that they carry "
        "a personal identity card issued by the Sending Party and an individual or "
        "collective movement order.",
    ),
    (
        "para",
        "2. The Sending Party shall notify the Host Party in good time of the "
        "number of members of a force and of the dates of their arrival and departure, "
        "and shall take back any member whose removal the Host Party requests, whether "
        "that request is made during the stay of the force or after its departure from "
        "the territory of the Host Party, and shall bear the costs of such removal.",
    ),
    ("heading", "Article 3"),
    ("heading", "Settlement of Disputes"),
    (
        "para",
        "Any dispute concerning the interpretation or application of this "
        "Agreement shall be settled by consultation between the Parties and shall "
        "not be referred to any third party or international tribunal.",
    ),
    ("heading", "Article 4"),
    ("heading", "Entry into Force"),
    (
        "para",
        "This Agreement shall enter into force on the date of the later of the "
        "notifications by which the Parties inform each other that their internal "
        "procedures have been completed.",
    ),
]

# two_column.pdf: the title spans both columns; each column holds one article.
TWO_COLUMN_TITLE = "Protocol on Joint Exercises between Lunaria and Estovia"
TWO_COLUMN_INTRO = (
    "The Parties, having regard to the Agreement on Defence Co-operation between "
    "them, and wishing to train their forces together, have agreed on the following "
    "provisions, which are set out in two columns below."
)
LEFT_COLUMN: list[tuple[str, str]] = [
    ("heading", "Article 1"),
    (
        "para",
        "1. The Parties shall hold at least one joint exercise each year at a "
        "location agreed by their defence ministries.",
    ),
    (
        "para",
        "2. The planning of each exercise shall be entrusted to a joint group of "
        "officers appointed by both Parties for that purpose.",
    ),
    (
        "para",
        "3. Each Party shall retain command of its own units throughout the "
        "exercise and shall be responsible for their conduct.",
    ),
]
RIGHT_COLUMN: list[tuple[str, str]] = [
    ("heading", "Article 2"),
    (
        "para",
        "1. Each Party shall bear the costs of its own participation unless the "
        "Parties agree otherwise in writing before the exercise.",
    ),
    (
        "para",
        "2. The Host Party shall provide training areas, fuel and medical care "
        "against reimbursement at the rates applied to its own forces.",
    ),
    (
        "para",
        "3. Environmental damage caused during an exercise shall be repaired by "
        "the Party that caused it as soon as practicable.",
    ),
]

# hyphenation.pdf: lines as printed (line ends fixed), then what the reader must return.
HYPHENATED_LINES = [
    "1. The Parties shall conclude a separate agree-",
    "ment on logistic support and shall promote co-",
    "operation between their armed forces, in particular in the field of self-",
    "defence, while respecting the principle of non-",
    "aggression and the well-",
    "being of the civilian population, as set out in the implementa-",
    "tion arrangements.",
]
HYPHENATED_PARAGRAPH = (
    "1. The Parties shall conclude a separate agreement on logistic support and shall "
    "promote co-operation between their armed forces, in particular in the field of "
    "self-defence, while respecting the principle of non-aggression and the well-being "
    "of the civilian population, as set out in the implementation arrangements."
)
OVERPRINTED = "ARTICLE 2"  # drawn twice, 0.5 pt apart, as old word processors made bold
OVERPRINT_BODY = "The Parties shall exchange liaison officers."

PASSWORD = "estovia"


def wrap(text: str, width: float, font: str = FONT, size: float = SIZE) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


class _Writer:
    """Places lines top-down on A4 pages, with a header and page number per page."""

    def __init__(self, path: Path, header: str | None, number: str = "{n}", **kw: Any):
        from reportlab.pdfgen import canvas

        self.c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1, **kw)
        self.header, self.number, self.page = header, number, 0
        self.new_page(first=True)

    def new_page(self, first: bool = False) -> None:
        if not first:
            self._furniture()
            self.c.showPage()
        self.page += 1
        self.y = TOP

    def _furniture(self) -> None:
        self.c.setFont(FONT, 9)
        if self.header:
            self.c.drawCentredString(PAGE_W / 2, PAGE_H - 40, self.header)
        self.c.drawCentredString(PAGE_W / 2, 30, self.number.format(n=self.page))

    def line(self, text: str, x: float = LEFT, font: str = FONT, centred: bool = False):
        if self.y > BOTTOM:
            self.new_page()
        self.c.setFont(font, SIZE)
        baseline = PAGE_H - self.y - SIZE
        if centred:
            self.c.drawCentredString(PAGE_W / 2, baseline, text)
        else:
            self.c.drawString(x, baseline, text)
        self.y += LEADING

    def block(self, kind: str, text: str) -> None:
        if kind in ("title", "heading"):
            self.line(text, font=BOLD, centred=True)
            return
        indent = 20.0 if kind == "item" else 0.0
        for line in wrap(text, RIGHT - LEFT - indent):
            self.line(line, x=LEFT + indent)
        self.y += 6  # paragraph spacing

    def save(self) -> None:
        self._furniture()
        self.c.save()


def make_tiny_treaty(path: Path) -> None:
    w = _Writer(path, HEADER)
    for kind, text in TREATY:
        w.block(kind, text)
        if kind == "para" and text.startswith("1. Members of a force"):
            w.y = BOTTOM - 2 * LEADING  # the next paragraph runs over the page break
    w.save()


def make_two_column(path: Path) -> None:
    w = _Writer(path, None, number="- {n} -")
    w.line(TWO_COLUMN_TITLE, font=BOLD, centred=True)
    w.block("para", TWO_COLUMN_INTRO)  # full width, its last line short
    w.y += 10
    col_w = 210.0
    start = w.y
    for x, blocks in ((LEFT, LEFT_COLUMN), (LEFT + col_w + 31, RIGHT_COLUMN)):
        w.y = start  # same baselines in both columns: the hard case for reading order
        for kind, text in blocks:
            if kind == "heading":
                w.line(text, x=x, font=BOLD)
                continue
            for line in wrap(text, col_w):
                w.line(line, x=x)
            w.y += 6
    w.save()


def make_hyphenation(path: Path) -> None:
    w = _Writer(path, None)
    w.line("Article 1", font=BOLD, centred=True)
    for line in HYPHENATED_LINES:
        w.line(line)
    w.y += 14
    for dx in (0.0, 0.5):  # overprinted bold: every glyph drawn twice
        w.c.setFont(BOLD, SIZE)
        w.c.drawCentredString(PAGE_W / 2 + dx, PAGE_H - w.y - SIZE, OVERPRINTED)
    w.y += LEADING
    w.line(OVERPRINT_BODY)
    w.save()


def make_scanned_page(path: Path) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    rng = random.Random(7)
    image = Image.new("L", (120, 170), 235)
    for _ in range(900):  # grey specks and "lines of text" as a scanner would see them
        image.putpixel((rng.randrange(10, 110), rng.randrange(10, 160)), 60)
    w = _Writer(path, None, number="")
    w.c.drawImage(ImageReader(image), 40, 40, PAGE_W - 80, PAGE_H - 80)
    w.c.save()


def make_encrypted(path: Path) -> None:
    w = _Writer(path, None, encrypt=PASSWORD)
    w.block("heading", "Article 1")
    w.block("para", "This text is protected by a user password.")
    w.save()


def main() -> None:
    make_tiny_treaty(HERE / "tiny_treaty.pdf")
    make_two_column(HERE / "two_column.pdf")
    make_hyphenation(HERE / "hyphenation.pdf")
    make_scanned_page(HERE / "scanned_page.pdf")
    make_encrypted(HERE / "encrypted.pdf")


if __name__ == "__main__":
    main()
