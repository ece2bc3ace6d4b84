"""The batch report: an HTML page for the batch and one per document, plus the
spreadsheets, written to ``OUT/report/`` (a folder batch readers ignore).

The batch page has counts by status, a matrix of documents by components that links
to the document pages, and the failures with their reasons (from the ledger, or from
the error records of a batch written without one).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from pipeline import __version__
from pipeline.batchread import REPORT_DIR, Batch, BatchDoc, load_batch
from pipeline.errors import BatchReadError
from pipeline.html_doc import anchor, document_html
from pipeline.labels import LabelSet, load_labels
from pipeline.report_assets import css_class, page
from pipeline.review import components, review_flags
from pipeline.sheet import write_sheets

_UNSAFE = re.compile(r"[^A-Za-z0-9._/-]+")


@dataclass(frozen=True)
class ReportFiles:
    index: Path
    documents: tuple[Path, ...]
    sheets: tuple[Path, ...]
    batch: Batch


def doc_page_name(doc: BatchDoc) -> str:
    """``docs/<name without .json>.html``, made safe as a relative URL path."""
    name = doc.name.removesuffix(".json")
    parts = [_UNSAFE.sub("_", p).lstrip(".") or "_" for p in name.split("/")]
    return str(PurePosixPath("docs", *parts)) + ".html"


def _file_note(what: str, names: tuple[str, ...]) -> str:
    if not names:
        return ""
    return f"<p>{what}: " + ", ".join(escape(n) for n in names) + "</p>"


def _status_table(batch: Batch) -> str:
    rows = "".join(
        f"<tr><td>{escape(s)}</td><td>{n}</td></tr>" for s, n in batch.statuses.items()
    )
    return (
        f"<table><thead><tr><th>status</th><th>inputs</th></tr></thead>{rows}</table>"
    )


def _matrix(batch: Batch, labels: LabelSet, pages: dict[str, str]) -> str:
    head = "".join(
        f'<th class="lab" title="{escape(lb.description)}">{escape(lb.name)}</th>'
        for lb in labels.labels
    )
    rows = []
    totals = dict.fromkeys(labels.names, 0)
    for doc in batch.documents:
        href = quote(pages[doc.name])
        cells = []
        for comp in components(doc.clauses, labels.names):
            if comp.present:
                totals[comp.label] += 1
                n = len(comp.clause_ids)
                tip = f"{comp.label}: {n} clause(s), highest score {comp.max_score:.2f}"
                target = f"{href}#{anchor('c-', comp.clause_ids[0])}"
                cells.append(
                    f'<td class="on {css_class(comp.label)}" title="{escape(tip)}">'
                    f'<a href="{escape(target)}">{n}</a></td>'
                )
            else:
                best = "no score" if comp.max_score is None else f"{comp.max_score:.2f}"
                tip = f"{comp.label}: absent (highest score {best})"
                cells.append(f'<td class="off" title="{escape(tip)}">&middot;</td>')
        flagged = len(review_flags(doc.clauses, doc.thresholds))
        rows.append(
            f'<tr><th><a href="{escape(href)}">{escape(doc.title)}</a>'
            f'<br><span class="muted">{escape(doc.name)}</span></th>'
            f"<td>{len(doc.clauses)}</td><td>{flagged}</td>{''.join(cells)}</tr>"
        )
    foot = "".join(f"<td>{totals[lb]}</td>" for lb in labels.names)
    return (
        '<section id="matrix"><h2>Documents by components</h2>'
        '<p class="muted">A cell gives the number of clauses that carry the component '
        "and links to the first; hover for the highest score.</p>"
        '<div style="overflow-x:auto"><table class="matrix"><thead><tr>'
        f"<th>document</th><th>clauses</th><th>for review</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody><tfoot><tr><th>documents with it</th>"
        f"<td></td><td></td>{foot}</tr></tfoot></table></div></section>"
    )


def _failures(batch: Batch) -> str:
    source = "the batch ledger" if batch.has_ledger else "the error records"
    if not batch.failures:
        return (
            '<section id="failures"><h2>Failures (0)</h2>'
            f"<p>None in {source}.</p></section>"
        )
    rows = "".join(
        f"<tr><td>{escape(f.input)}</td><td>{escape(f.status)}</td>"
        f"<td>{escape(f.error_type or '')}</td>"
        f"<td>{'<br>'.join(escape(e) for e in f.errors)}</td>"
        f"<td>{escape(str(f.attempt or ''))}</td></tr>"
        for f in batch.failures
    )
    return (
        f'<section id="failures"><h2>Failures ({len(batch.failures)})</h2>'
        f'<p class="muted">From {source}.</p><table><thead><tr><th>input</th>'
        "<th>status</th><th>error type</th><th>reasons</th><th>attempt</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></section>"
    )


def _legend(labels: LabelSet) -> str:
    items = "".join(
        f'<li class="{css_class(lb.name)}" title="{escape(lb.description)}">'
        f'<span class="swatch"></span>{escape(lb.name)}</li>'
        for lb in labels.labels
    )
    return (
        f'<section id="legend"><h2>Legend</h2><ul class="legend">{items}</ul></section>'
    )


def batch_html(batch: Batch, labels: LabelSet, pages: dict[str, str]) -> str:
    """The batch page; ``pages`` maps a document's name to its page's path."""
    models = sorted(
        {
            f"{d.data['classifier']['name']} {d.data['classifier']['version']}"
            for d in batch.documents
            if d.data.get("classifier")
        }
    )
    facts = [
        ("folder", str(batch.folder)),
        ("documents", str(len(batch.documents))),
        ("clauses", str(sum(len(d.clauses) for d in batch.documents))),
        ("failures", str(len(batch.failures))),
        ("model", ", ".join(models) or "not classified"),
        ("report by", f"treaty-clauses {__version__}"),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    files = " &middot; ".join(
        f'<a href="{n}">{n}</a>'
        for n in ("report.xlsx", "components.csv", "clauses.csv", "failures.csv")
    )
    skipped = _file_note("Unreadable files skipped", batch.skipped) + _file_note(
        "Left out, not in this batch's ledger (written by an earlier batch)",
        batch.stale,
    )
    body = (
        f'<header class="top"><h1>Batch report: {escape(batch.folder.name)}</h1>'
        f'<dl class="facts">{dl}</dl><p>Spreadsheets: {files}</p></header>'
        f'<main class="wide">{_status_table(batch)}{skipped}{_legend(labels)}'
        f"{_matrix(batch, labels, pages)}{_failures(batch)}</main>"
    )
    return page(f"Batch report: {batch.folder.name}", body, labels.names)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_report(
    out_dir: Path, dest: Path | None = None, labels: LabelSet | None = None
) -> ReportFiles:
    """Read the batch in ``out_dir`` and write its report to ``dest`` (default
    ``out_dir/report``): ``index.html``, ``docs/*.html`` and the spreadsheets.

    Raises:
        BatchReadError: the folder holds neither documents nor failure records.
    """
    batch = load_batch(out_dir)
    if not batch.documents and not batch.failures:
        raise BatchReadError(
            f"{out_dir}: no documents or error records found; give the --out "
            "folder of `treaty extract`"
        )
    labels = labels or load_labels()
    dest = dest or out_dir / REPORT_DIR
    pages: dict[str, str] = {}
    for d in batch.documents:
        name, n = doc_page_name(d), 2
        while name in pages.values():  # two names made equal by sanitising
            name = doc_page_name(d).removesuffix(".html") + f"-{n}.html"
            n += 1
        pages[d.name] = name
    docs = []
    for d in batch.documents:
        depth = pages[d.name].count("/")
        html = document_html(d, labels, "../" * depth + "index.html")
        docs.append(_write(dest / pages[d.name], html))
    index = _write(dest / "index.html", batch_html(batch, labels, pages))
    sheets = write_sheets(batch, labels.names, dest)
    return ReportFiles(index, tuple(docs), tuple(sheets), batch)
