"""One document as a self-contained HTML page.

Outline of the agreement's structure with anchors, every clause tinted by its
components (legend at the top), scores in ``title`` attributes (hover) and as
chips, low-confidence clauses flagged, page references, and the page furniture
that was removed from the text. Every piece of document text goes through
``html.escape``: documents are untrusted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from pipeline.batchread import BatchDoc
from pipeline.labels import LabelSet
from pipeline.report_assets import css_class, label_colours, page
from pipeline.review import (
    FLOOR,
    MARGIN,
    Flag,
    components,
    page_ref,
    review_flags,
    top_scores,
)

_ANCHOR = re.compile(r"[^A-Za-z0-9._-]+")


def anchor(prefix: str, key: str) -> str:
    return prefix + _ANCHOR.sub("_", key)


@dataclass
class _Heading:
    start: int
    kind: str
    path: tuple[str, ...]
    text: str
    anchor: str = ""


def _section_name(key: str) -> str:
    """'letter-ii' -> 'Letter II', 'final' -> 'Final clauses'."""
    if key == "final":
        return "Final clauses"
    head, _, tail = key.partition("-")
    return f"{head.capitalize()} {tail.upper()}".strip()


def _headings(data: dict[str, Any]) -> list[_Heading]:
    """Headings in text order; a heading line that names an article or part is
    joined to it ("Article 1 - Definitions"), and sections the segmenter found
    without a heading (final clauses, letters) get one for the outline."""
    out: list[_Heading] = []
    for h in data.get("headings") or ():
        path = tuple(h.get("path") or ())
        if h["kind"] == "heading" and out and out[-1].path == path:
            out[-1].text += " \u2014 " + h["text"]
            continue
        out.append(_Heading(h["start"], h["kind"], path, h["text"]))
    covered = {h.path[0] for h in out if h.path}
    for c in data.get("clauses") or ():
        key = (c.get("path") or [""])[0]
        if key and key not in covered:
            covered.add(key)
            out.append(_Heading(c["start"], "section", (key,), _section_name(key)))
    out.sort(key=lambda h: h.start)
    seen: dict[str, int] = {}
    for h in out:
        base = anchor("h-", "-".join(h.path) or h.kind)
        seen[base] = seen.get(base, 0) + 1
        h.anchor = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return out


_LEVEL = {"title": 1, "group": 1, "section": 1, "article": 2}
_TAG = {"title": "h2", "group": "h2", "section": "h2", "article": "h3"}


def _outline(heads: list[_Heading]) -> str:
    items = "".join(
        f'<li class="lv{_LEVEL.get(h.kind, 3)}"><a href="#{h.anchor}">'
        f"{escape(h.text)}</a></li>"
        for h in heads
    )
    return (
        f'<nav id="outline" aria-label="Outline"><h2>Outline</h2><ol>{items}</ol></nav>'
    )


def _clause(
    c: dict[str, Any],
    thresholds: dict[str, float],
    flag: Flag | None,
    colours: dict[str, tuple[str, str]],
) -> str:
    labels = [lb for lb in c.get("labels") or () if lb in colours]
    scores = c.get("scores") or {}
    labels.sort(key=lambda lb: -scores.get(lb, 0.0))
    hover = "; ".join(
        f"{lb} {s:.2f}"
        + (f" (threshold {thresholds[lb]:.2f})" if lb in thresholds else "")
        for lb, s in top_scores(c)
    )
    classes = ["clause", f"d{min(max(len(c.get('path') or ()) - 2, 0), 3)}"]
    if labels:
        classes.append(css_class(labels[0]))
    if flag:
        classes.append("review")
    bar = ""
    if labels:
        step = 100 / len(labels)
        stops = ", ".join(
            f"{colours[lb][0]} {i * step:.0f}% {(i + 1) * step:.0f}%"
            for i, lb in enumerate(labels)
        )
        bar = f'<span class="bar" style="background: linear-gradient({stops})"></span>'
    chips = "".join(
        f'<span class="chip {css_class(lb)}" title="{escape(lb)} score '
        f'{scores.get(lb, 0.0):.2f}">{escape(lb)} {scores.get(lb, 0.0):.2f}</span>'
        for lb in labels
    )
    flag_html = (
        f'<span class="flag" title="{escape("; ".join(flag.reasons))}">'
        "&#9888; review</span>"
        if flag
        else ""
    )
    cid = c["clause_id"]
    pages = page_ref(c.get("pages") or [])
    return (
        f'<div class="{" ".join(classes)}" id="{anchor("c-", cid)}" '
        f'data-labels="{escape(" ".join(labels))}" title="{escape(hover)}">{bar}'
        f'<div class="cmeta"><a class="cid" href="#{anchor("c-", cid)}">'
        f"{escape(cid)}</a>"
        + (f'<span class="pages">{escape(pages)}</span>' if pages else "")
        + f"{chips}{flag_html}</div>"
        f'<p class="ctext">{escape(c.get("text", ""))}</p></div>'
    )


def _facts(doc: BatchDoc) -> str:
    d = doc.data
    meta = d.get("meta") or {}
    clf = d.get("classifier") or {}
    rows = [
        ("source", (d.get("source") or {}).get("path")),
        ("document id", d.get("doc_id")),
        ("status", d.get("status")),
        ("pages", d.get("page_count")),
        ("clauses", len(doc.clauses)),
        ("parties", "; ".join(p["value"] for p in meta.get("parties") or ())),
        (
            "signed",
            ", ".join(
                (meta.get(k) or {}).get("value") or "" for k in ("place", "date")
            ).strip(", "),
        ),
        ("model", f"{clf['name']} {clf['version']}" if clf else "not classified"),
    ]
    body = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in rows if v
    )
    warnings = "".join(f"<li>{escape(w)}</li>" for w in d.get("warnings") or ())
    return f'<dl class="facts">{body}</dl>' + (
        f"<p>Warnings:</p><ul>{warnings}</ul>" if warnings else ""
    )


def _legend(doc: BatchDoc, labels: LabelSet) -> str:
    comps = {c.label: c for c in components(doc.clauses, labels.names)}
    items = []
    for lb in labels.labels:
        comp = comps[lb.name]
        n = len(comp.clause_ids)
        first = (
            f'<a href="#{anchor("c-", comp.clause_ids[0])}">{escape(lb.name)}</a>'
            if n
            else escape(lb.name)
        )
        best = f", max {comp.max_score:.2f}" if comp.present and comp.max_score else ""
        items.append(
            f'<li class="{css_class(lb.name)}{"" if n else " absent"}" '
            f'title="{escape(lb.description)}"><span class="swatch"></span>'
            f"{first} <span class=muted>({n}{best})</span></li>"
        )
    return (
        '<section id="legend"><h2>Components (legend)</h2>'
        '<p class="muted">Colour of each component; the count is the clauses that '
        "carry it, with its highest score. Hover a clause for its scores.</p>"
        f'<ul class="legend">{"".join(items)}</ul></section>'
    )


def _review(flags: dict[str, Flag]) -> str:
    if not flags:
        return '<section id="review"><h2>For review (0)</h2><p>None.</p></section>'
    items = "".join(
        f'<li><a class="cid" href="#{anchor("c-", f.clause_id)}">'
        f"{escape(f.clause_id)}</a>: {escape('; '.join(f.reasons))}</li>"
        for f in flags.values()
    )
    return (
        f'<section id="review"><h2>For review ({len(flags)})</h2>'
        '<p class="muted">Low confidence: a label whose calibrated score is within '
        f"{MARGIN} log-odds of its threshold, or a clause whose best score is below "
        f"{FLOOR}. These clauses are outlined in red in the text.</p>"
        f"<details><summary>List the {len(flags)} clause(s)</summary>"
        f"<ul>{items}</ul></details></section>"
    )


def _furniture(data: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(str(f.get('page_no')))}</td><td>{escape(f.get('kind', ''))}"
        f"</td><td>{escape(f.get('text', ''))}</td></tr>"
        for f in data.get("furniture") or ()
    )
    body = (
        f"<table><thead><tr><th>page</th><th>kind</th><th>text</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if rows
        else "<p>None.</p>"
    )
    return (
        '<section id="furniture"><h2>Removed page furniture</h2>'
        '<p class="muted">Running headers, footers and page numbers taken out of the '
        f"text.</p>{body}</section>"
    )


def _controls(labels: Sequence[str]) -> str:
    opts = "".join(
        f'<option value="{escape(lb)}">{escape(lb)}</option>' for lb in labels
    )
    return (
        '<div id="controls" hidden><label>Show component <select id="filter-label">'
        f'<option value="">all</option>{opts}</select></label> '
        '<label><input type="checkbox" id="filter-flagged"> only clauses for review'
        "</label></div>"
    )


def document_html(doc: BatchDoc, labels: LabelSet, index_href: str | None) -> str:
    """The HTML page of one document; ``index_href`` links back to the batch page."""
    thresholds = doc.thresholds
    flags = review_flags(doc.clauses, thresholds)
    colours = label_colours(labels.names)
    heads = _headings(doc.data)
    parts: list[tuple[int, int, str]] = []
    for h in heads:
        tag = _TAG.get(h.kind, "h4")
        parts.append(
            (
                h.start,
                0,
                f'<{tag} class="h-{h.kind}" id="{h.anchor}">{escape(h.text)}</{tag}>',
            )
        )
    for c in doc.clauses:
        parts.append(
            (c["start"], 1, _clause(c, thresholds, flags.get(c["clause_id"]), colours))
        )
    parts.sort(key=lambda p: (p[0], p[1]))
    back = (
        f'<a href="{escape(index_href)}">&larr; batch report</a>' if index_href else ""
    )
    body = (
        f'<header class="top">{back}<h1>{escape(doc.title)}</h1>{_facts(doc)}</header>'
        f'<div class="layout">{_outline(heads)}<main>'
        f"{_legend(doc, labels)}{_review(flags)}"
        f'<section id="text"><h2>Text</h2>{_controls(labels.names)}'
        f"{''.join(p[2] for p in parts)}</section>"
        f"{_furniture(doc.data)}</main></div>"
    )
    return page(doc.title, body, labels.names)
