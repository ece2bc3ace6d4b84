"""The batch as spreadsheets: CSV files and one XLSX workbook (openpyxl).

Sheets: ``documents`` (a row per document; per label: presence 1/0, the highest
score, the ids of the clauses that carry it), ``clauses`` (a row per clause, every
label's score, review reasons) and ``failures``. Documents are untrusted, so text
never becomes a formula: in the XLSX every string is stored as a string, and in the
CSV a text cell that starts with ``= + - @`` (or a tab/CR) gets a leading ``'``, the
usual guard against spreadsheet formula injection.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.batchread import Batch, BatchDoc
from pipeline.review import components, page_ref, review_flags

Row = list[Any]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CELL = 32767  # Excel's limit on characters in one cell
TRUNCATED = " [truncated]"


def documents_table(batch: Batch, labels: Sequence[str]) -> tuple[Row, list[Row]]:
    header: Row = ["document", "doc_id", "title", "status", "pages", "clauses"]
    header.append("flagged for review")
    for lb in labels:
        header += [lb, f"{lb} max_score", f"{lb} clauses"]
    rows = []
    for doc in batch.documents:
        flags = review_flags(doc.clauses, doc.thresholds)
        row: Row = [
            doc.name,
            doc.data.get("doc_id"),
            doc.title,
            doc.data["status"],
            doc.data.get("page_count", 0),
            len(doc.clauses),
            len(flags),
        ]
        for comp in components(doc.clauses, list(labels)):
            row += [int(comp.present), comp.max_score, " ".join(comp.clause_ids)]
        rows.append(row)
    return header, rows


def _clause_rows(doc: BatchDoc, labels: Sequence[str]) -> Iterator[Row]:
    flags = review_flags(doc.clauses, doc.thresholds)
    for c in doc.clauses:
        flag = flags.get(c["clause_id"])
        scores = c.get("scores") or {}
        yield [
            doc.name,
            doc.data.get("doc_id"),
            c["clause_id"],
            c.get("kind"),
            c.get("article"),
            c.get("article_heading"),
            page_ref(c.get("pages") or []),
            " ".join(c.get("labels") or ()),
            "; ".join(flag.reasons) if flag else "",
            *(scores.get(lb) for lb in labels),
            c.get("text", ""),
        ]


def clauses_table(batch: Batch, labels: Sequence[str]) -> tuple[Row, Iterator[Row]]:
    header: Row = ["document", "doc_id", "clause_id", "kind", "article"]
    header += ["article_heading", "pages", "labels", "review"]
    header += [*labels, "text"]
    rows = (r for doc in batch.documents for r in _clause_rows(doc, labels))
    return header, rows


def failures_table(batch: Batch) -> tuple[Row, list[Row]]:
    header: Row = ["input", "status", "error_type", "errors", "output", "attempt"]
    rows: list[Row] = [
        [f.input, f.status, f.error_type, "; ".join(f.errors), f.output, f.attempt]
        for f in batch.failures
    ]
    return header, rows


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, header: Row, rows: Iterable[Row]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else csv_safe(v) for v in row])
    return path


def _xlsx_cells(ws: Any, row: Row, font: Any = None) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = []
    for v in row:
        if isinstance(v, str):
            v = ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
            if len(v) > XLSX_MAX_CELL:
                v = v[: XLSX_MAX_CELL - len(TRUNCATED)] + TRUNCATED
        cell = WriteOnlyCell(ws, value=v)
        if isinstance(v, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        if font is not None:
            cell.font = font
        cells.append(cell)
    return cells


def write_xlsx(path: Path, sheets: dict[str, tuple[Row, Iterable[Row]]]) -> Path:
    """One worksheet per entry, header row bold and frozen, with filters."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        n = 1
        ws.append(_xlsx_cells(ws, header, bold))
        for row in rows:
            ws.append(_xlsx_cells(ws, row))
            n += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{n}"
    wb.save(path)
    return path


def write_sheets(batch: Batch, labels: Sequence[str], dest: Path) -> list[Path]:
    """``components.csv``, ``clauses.csv``, ``failures.csv`` and ``report.xlsx``."""
    dest.mkdir(parents=True, exist_ok=True)
    docs = documents_table(batch, labels)
    fails = failures_table(batch)
    paths = [
        write_csv(dest / "components.csv", *docs),
        write_csv(dest / "clauses.csv", *clauses_table(batch, labels)),
        write_csv(dest / "failures.csv", *fails),
        write_xlsx(
            dest / "report.xlsx",
            {
                "documents": docs,
                "clauses": clauses_table(batch, labels),
                "failures": fails,
            },
        ),
    ]
    return paths
