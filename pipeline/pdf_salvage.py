"""Last resort for a cut-off PDF: rebuild a page tree from the page objects left.

An interrupted download keeps the first part of the file but loses its end, where the
xref table, the trailer and often the page tree sit; pdfminer and PDFium then refuse
the whole file. The page objects before the cut are still whole, so a new page tree,
catalog and trailer appended after the last complete object let both engines read the
pages that survived (in file order, which is page order for nearly every producer).
"""

from __future__ import annotations

import re

_OBJECT = re.compile(rb"(?m)^[ \t]*(\d{1,10})[ \t]+(\d{1,5})[ \t]+obj\b")
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_END = b"endobj"


def rebuild(data: bytes) -> tuple[bytes, int] | None:
    """The file with a new page tree and trailer, and how many pages it holds.

    Returns None when no complete page object is left.
    """
    cut = data.rfind(_END)
    if cut < 0:
        return None
    cut += len(_END)
    pages: list[int] = []
    highest = 0
    for m in _OBJECT.finditer(data, 0, cut):
        number = int(m.group(1))
        highest = max(highest, number)
        end = data.find(_END, m.end(), cut)
        if end >= 0 and _PAGE.search(data, m.end(), end):
            pages.append(number)
    if not pages:
        return None
    tree, catalog = highest + 1, highest + 2
    kids = b" ".join(b"%d 0 R" % n for n in dict.fromkeys(pages))
    tail = (
        b"\n%d 0 obj\n<</Type/Pages/Kids[%s]/Count %d>>\nendobj\n"
        b"%d 0 obj\n<</Type/Catalog/Pages %d 0 R>>\nendobj\n"
        b"trailer\n<</Root %d 0 R/Size %d>>\n%%%%EOF\n"
    ) % (tree, kids, len(pages), catalog, tree, catalog, catalog + 1)
    return data[:cut] + tail, len(pages)
