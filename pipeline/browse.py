"""Reading results in the terminal: one document as an outline (``treaty show``),
and the clauses of a batch that carry a component (``treaty search``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from pipeline.batchread import BatchDoc, load_batch
from pipeline.errors import BatchReadError, ConfigError
from pipeline.labels import LabelSet
from pipeline.review import page_ref, review_flags


def check_labels(names: Sequence[str], labels: LabelSet) -> None:
    """Raises ConfigError naming the unknown labels and the ones that exist."""
    unknown = labels.check(list(names))
    if unknown:
        raise ConfigError(
            f"unknown label(s) {', '.join(unknown)}; the labels are: "
            + ", ".join(labels.names)
        )


def _matches(
    clause: dict, wanted: Sequence[str], min_score: float
) -> list[tuple[str, float]]:
    """(label, score) of the clause's labels that pass the filters, best first."""
    scores = clause.get("scores") or {}
    hits = [
        (lb, scores.get(lb, 0.0))
        for lb in clause.get("labels") or ()
        if (not wanted or lb in wanted) and scores.get(lb, 0.0) >= min_score
    ]
    return sorted(hits, key=lambda h: -h[1])


def outline_tree(
    doc: BatchDoc,
    wanted: Sequence[str] = (),
    min_score: float | None = None,
    width: int = 100,
) -> Tree:
    """The document as a tree: sections and articles, then their clauses with labels
    and scores. With filters, only clauses that carry a wanted label (scoring at
    least ``min_score``) are shown, under their article."""
    filtering = bool(wanted) or min_score is not None
    flags = review_flags(doc.clauses, doc.thresholds)
    d = doc.data
    root = Tree(
        f"[bold]{escape(doc.title)}[/]\n[dim]{escape(d['source']['path'])} "
        f"\u00b7 {len(doc.clauses)} clauses \u00b7 {d.get('page_count', 0)} pages[/]"
    )
    branches: dict[str, Tree] = {}
    for c in doc.clauses:
        hits = _matches(c, wanted, min_score or 0.0)
        if filtering and not hits:
            continue
        key = c.get("article") or (c.get("path") or ["?"])[0]
        if key not in branches:
            heading = c.get("article_heading")
            label = f"{key} \u2014 {heading}" if heading else key
            branches[key] = root.add(f"[bold cyan]{escape(label)}[/]")
        text = " ".join(c.get("text", "").split())
        if len(text) > width:
            text = text[: width - 1] + "\u2026"
        shown = hits if filtering else _matches(c, (), 0.0)
        tags = " ".join(f"[green]{lb}[/] {s:.2f}" for lb, s in shown)
        extra = page_ref(c.get("pages") or [])
        flag = " [red]review[/]" if c["clause_id"] in flags else ""
        branches[key].add(
            f"[yellow]{escape(c['clause_id'])}[/] {tags}{flag}"
            + (f" [dim]{extra}[/]" if extra else "")
            + f"\n{escape(text)}"
        )
    return root


@dataclass(frozen=True, slots=True)
class Hit:
    document: str
    doc_id: str | None
    clause_id: str
    article: str | None
    label: str
    score: float
    pages: str
    text: str

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def search_batch(
    folder: Path,
    wanted: Sequence[str] = (),
    words: str | None = None,
    min_score: float = 0.0,
) -> list[Hit]:
    """Clauses of the batch that carry a wanted label and contain every word of
    ``words`` (case-insensitive); a row per (clause, matching label).

    Raises:
        BatchReadError: the folder holds no documents.
    """
    batch = load_batch(folder)
    if not batch.documents:
        raise BatchReadError(
            f"{folder}: no documents found; give the --out folder of `treaty extract`"
        )
    terms = (words or "").lower().split()
    hits = []
    for doc in batch.documents:
        for c in doc.clauses:
            text = c.get("text", "")
            if terms and not all(t in text.lower() for t in terms):
                continue
            matched = _matches(c, wanted, min_score)
            if (wanted or min_score > 0) and not matched:
                continue
            # without --label a clause is listed once, under its best label
            for lb, score in matched if wanted else matched[:1] or [("", 0.0)]:
                hits.append(
                    Hit(
                        doc.name,
                        doc.data.get("doc_id"),
                        c["clause_id"],
                        c.get("article"),
                        lb,
                        score,
                        page_ref(c.get("pages") or []),
                        text,
                    )
                )
    return hits


def hits_table(hits: Sequence[Hit], width: int = 60) -> Table:
    table = Table(title=f"{len(hits)} matching clause(s)")
    table.add_column("document", overflow="fold", min_width=10, max_width=28)
    # the identifying columns never shrink to nothing on a narrow terminal
    for col, least in (("clause", 8), ("article", 7), ("label", 12), ("score", 5)):
        table.add_column(
            col,
            overflow="fold",
            min_width=least,
            justify="right" if col == "score" else "left",
        )
    table.add_column("pages", no_wrap=True)
    # one line per clause: the rest of the width goes to the text
    table.add_column("text", overflow="ellipsis", ratio=1, min_width=10)
    for h in hits:
        text = " ".join(h.text.split())
        text = text if len(text) <= width else text[: width - 1] + "\u2026"
        table.add_row(
            escape(h.document),
            escape(h.clause_id),
            escape(h.article or ""),
            h.label,
            f"{h.score:.2f}" if h.label else "",
            h.pages,
            escape(text),
        )
    return table
