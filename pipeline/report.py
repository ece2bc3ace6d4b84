"""Evaluation reports: the model and its baselines on one split, as JSON and a table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from pipeline.calibrate import POOL_WEIGHT
from pipeline.labels import load_labels


def evaluate_model(
    model_dir: Path,
    split: str = "test",
    *,
    baselines: bool = True,
    corpus_dir: Path | None = None,
) -> dict[str, Any]:
    """Score the model in ``model_dir`` and the baselines on ``split``."""
    from pipeline.classify import ClauseClassifier
    from pipeline.errors import ConfigError
    from pipeline.evaluate import (
        bootstrap_intervals,
        keyword_decisions,
        model_decisions,
        network_logits,
        score,
        tfidf_decisions,
        transformer_decisions,
    )
    from pipeline.train import annotation_rows, label_matrix

    rows, labels = annotation_rows(corpus_dir)
    # the TF-IDF baseline learns from what the model learnt from
    excluded = _config(model_dir).get("exclude_batches", [])
    train_rows = (
        annotation_rows(corpus_dir, excluded)[0]["train"] if excluded else rows["train"]
    )
    if not rows.get(split):
        raise ConfigError(
            f"split {split!r} has no annotated clauses; choose train, dev or test"
        )
    clf = ClauseClassifier.from_pretrained(model_dir)
    network = network_logits(clf, rows[split])  # once, for the model and without
    decided = {"model": model_decisions(clf, rows[split], network)}
    if baselines and clf.ngrams is not None and rows.get("dev"):
        decided["transformer_only"] = transformer_decisions(clf, rows["dev"], network)
    if baselines:
        decided["tfidf_logreg"] = tfidf_decisions(train_rows, rows[split], labels)
        decided["keyword_rules"] = keyword_decisions(rows[split], load_labels())
    y = label_matrix(rows[split], labels)
    return {
        "split": split,
        "model": f"{clf.config.name}@{clf.config.version}",
        "systems": {n: score(p, c, y, labels) for n, (p, c) in decided.items()},
        "intervals": bootstrap_intervals(
            {n: c for n, (_, c) in decided.items()},
            y,
            [r["doc_id"] for r in rows[split]],
        ),
    }


# the other systems' column names and what they are, for the table's legend
_SYSTEMS = {
    "transformer_only": (
        "net",
        "the model's transformer without its n-gram part, recalibrated on dev",
    ),
    "tfidf_logreg": (
        "tfidf",
        "TF-IDF (word 1-2 grams) + logistic regression per label",
    ),
    "keyword_rules": ("kw", "keyword rules from the guideline's typical wording"),
}


def render_report(report: dict[str, Any]) -> Table:
    """The report as a table that fits an 80-column terminal: the model's precision,
    recall, F1, AUPR and precision at 80 % recall per label, then each other
    system's F1 (their precision and recall are in the JSON)."""
    from rich import box

    systems = report["systems"]
    names = list(systems)
    others = names[1:]
    table = Table(
        title=f"{report['model']} on {report['split']} "
        f"({systems['model']['clauses']} clauses)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=0,
    )
    # fixed widths: left to itself, rich shrinks the number columns to "0.…"
    table.add_column("label", no_wrap=True, overflow="ellipsis", width=22)
    for head in ("n", "P", "R", "F1", "AUPR", "P@80", *map(_short, others)):
        table.add_column(
            head, justify="right", no_wrap=True, width=max(6, len(head) + 1)
        )
    for label, m in systems["model"]["per_label"].items():
        table.add_row(
            label,
            str(m["support"]),
            *(f"{m[k]:.2f}" for k in ("p", "r", "f")),
            _fmt(m["aupr"]),
            _fmt(m["p_at_r80"]),
            *(f"{systems[n]['per_label'][label]['f']:.2f}" for n in others),
        )
    table.add_section()
    for key, head in (("micro_f", "micro-F1"), ("macro_f", "macro-F1"), ("ece", "ECE")):
        table.add_row(
            head,
            "",
            "",
            "",
            f"{systems['model'][key]:.3f}",
            "",
            "",
            *(f"{systems[n][key]:.3f}" for n in others),
        )
    lines = ["P@80: the model's precision at 80 % recall"]
    lines += [f"{_short(n)}: F1 of {_SYSTEMS.get(n, (n, n))[1]}" for n in others]
    ci = report.get("intervals")
    if ci:  # in the caption: interval columns would not fit an 80-column terminal
        parts = [
            f"{_short(n)} micro {_span(ci[n]['micro_f'])}, "
            f"macro {_span(ci[n]['macro_f'])}"
            for n in names
        ] + [
            f"model minus {_short(n)}: micro {_span(d['micro_f'], '+.3f')}, "
            f"macro {_span(d['macro_f'], '+.3f')}"
            for n in others
            for d in [ci[f"model_minus_{n}"]]
        ]
        lines.append(
            f"95% intervals from {ci['draws']} resamples of the split's documents: "
            + "; ".join(parts)
        )
    table.caption = "\n".join(lines)
    table.caption_justify = "left"
    return table


def _short(system: str) -> str:
    return _SYSTEMS.get(system, (system, system))[0]


def _span(lo_hi: list[float], fmt: str = ".3f") -> str:
    return f"{lo_hi[0]:{fmt}} to {lo_hi[1]:{fmt}}"


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _limitations(metrics: dict[str, Any]) -> list[str]:
    """What an analyst must know before trusting a label, read from the metrics."""
    split = "test" if "test" in metrics else "dev"
    per = metrics.get(split, {}).get("per_label", {})
    unscored = sorted(lb for lb, v in per.items() if not v["support"])
    weak = sorted(
        f"`{lb}` ({v['f']:.2f})"
        for lb, v in per.items()
        if v["support"] and v["f"] < 0.6
    )
    out = [
        "Limitations: an aid for reading agreements, not a legal determination; "
        "review the clauses it labels before relying on them."
    ]
    if unscored:
        out.append(
            f"- Never scored on {split} (no {split} examples, as the split is by "
            f"document): {', '.join(f'`{lb}`' for lb in unscored)}."
        )
    if weak:
        out.append(f"- {split.capitalize()} F1 below 0.6: {', '.join(weak)}.")
    return out


def _ngram_lines(model_dir: Path) -> list[str]:
    from pipeline.ngrams import VOCAB_FILE, WEIGHTS_FILE

    saved = json.loads((model_dir / "model_config.json").read_text())
    w = saved.get("ngram_weight") or 0
    if not w or not (model_dir / VOCAB_FILE).is_file():
        return []
    terms = len(json.loads((model_dir / VOCAB_FILE).read_text(encoding="utf-8")))
    return [
        "Beside it, a word n-gram part: TF-IDF of word uni- and bigrams "
        f"({terms:,} terms, each in at least two training clauses) with one logistic "
        f"regression per label, stored as numbers (`{VOCAB_FILE}`, `{WEIGHTS_FILE}`; "
        "no pickle). The logits calibrated below are "
        f"{1 - w:.2g} x transformer + {w:.2g} x n-grams, the share chosen on dev.",
        "",
    ]


def _frozen_after(config: dict[str, Any]) -> str:
    n = config.get("freeze_after", 0)
    if not n or n >= config["epochs"] or config["model"]["lora_layers"] < 2:
        return ""
    return f" (the lowest adapted layer frozen after epoch {n})"


def _config(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "train_config.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def write_model_card(model_dir: Path) -> Path:
    """README.md of a model directory from its config and metrics."""
    config = json.loads((model_dir / "train_config.json").read_text())
    metrics = json.loads((model_dir / "metrics.json").read_text())
    mc = config["model"]
    n_labels = len(json.loads((model_dir / "labels.json").read_text())["labels"])
    lead = "the document title's first words + " if mc.get("context_title") else ""
    n_lead = mc.get("context_lead_in", 0)
    after = (
        f" + a list item's lead-in (first {n_lead} words of the clause it hangs from)"
        if n_lead
        else ""
    )
    lines = [
        f"# {mc['name']} {mc['version']}",
        "",
        "Multi-label clause classifier of treaty-clauses: all-MiniLM-L6-v2 "
        f"(Apache-2.0, from the PyPI package `{mc['base']}`, verified by sha256 at "
        f"load) with LoRA adapters (rank {mc['lora_rank']}) on the attention and "
        f"feed-forward maps of its top {mc['lora_layers']} layers and a linear head "
        "over mean-pooled tokens. Only the adapters and the head are stored here "
        "(`adapter.safetensors`); no pickle.",
        "",
        *_ngram_lines(model_dir),
        f"- Labels: `labels.json` (guideline v1), {n_labels} labels.",
        f"- Input: {lead}article heading{after} + clause text, windows of "
        f"{mc['max_length']} tokens "
        f"with {mc['stride']} shared; scores pooled by max over windows.",
        "- Calibration: per-label Platt scaling fitted on dev, shrunk toward one fit "
        f"over all labels by {POOL_WEIGHT:g} dev positives' worth (a label with few "
        "dev positives leans on the pooled fit); each label's threshold is half the "
        "best F1 its calibrated score reaches on dev, the F1-optimal threshold of a "
        "calibrated score (`calibration.json`).",
        f"- Training: {config['epochs']} epochs{_frozen_after(config)}, batch "
        f"{config['batch_size']}, lr "
        f"{config['lr']}, seed {config['seed']}, {config['threads']} CPU threads, "
        f"{metrics['train_seconds']} s. Data sha256 `{metrics['data_sha256'][:16]}…`, "
        f"clauses per split {metrics['counts']}.",
        "",
        "| split | micro-F1 | macro-F1 | ECE |",
        "|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        if split in metrics:
            m = metrics[split]
            lines.append(
                f"| {split} | {m['micro_f']:.3f} | {m['macro_f']:.3f} | "
                f"{m['ece']:.3f} |"
            )
    lines += ["", *_limitations(metrics), ""]
    lines += [
        "Reproduce: `treaty train` (same seed and data give the same model); "
        "full report with baselines: `treaty evaluate`.",
        "",
    ]
    path = model_dir / "README.md"
    path.write_text("\n".join(lines))
    return path
