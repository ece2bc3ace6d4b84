"""The ``treaty`` command line: thin wrappers around functions in ``pipeline``.

Data goes to stdout or files; messages, progress and summaries go to stderr.
Exit codes: 0 all good, 1 some document failed (or a data error), 2 usage error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.workers import (  # stdlib only: keeps `treaty --help` instant
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_SIZE_MB,
    DEFAULT_TIMEOUT,
)

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Read defence and security agreements and label their clauses.",
)
err_console = Console(stderr=True)
# where annotations are stored; a plain path so that importing it stays cheap
DONE_DIR = Path(__file__).resolve().parent / "annotations" / "done"
# options several commands share
Corpus = Annotated[
    Path | None,
    typer.Option(file_okay=False, help="Corpus folder (default ../shared/corpora)."),
]
Store = Annotated[Path, typer.Option(file_okay=False, help="Annotation store folder.")]


def _fail(e: Exception, code: int = 1) -> NoReturn:
    """Print a pipeline error on stderr and exit with ``code``."""
    # escaped: messages quote things like `pip install 'treaty-clauses[ray]'`
    err_console.print(f"[red]error:[/] {escape(str(e))}", soft_wrap=True)
    raise typer.Exit(code) from e


def _version(value: bool) -> None:
    if value:
        from pipeline import __version__

        typer.echo(f"treaty-clauses {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Read defence and security agreements and label their clauses."""


class _BatchBar:
    """The batch's progress bar on stderr, told of each finished record."""

    def __init__(self, label: str = "Extracting", **options: Any) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err_console,
            **options,
        )
        self.task: Any = None

    def start(self, total: int, skipped: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("extract", total=total, completed=skipped)

    def advance(self, record: Any) -> None:
        self.bar.advance(self.task)

    def stop(self) -> None:
        self.bar.stop()


@app.command("extract")
def extract_cli(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="PDF or text files, folders (searched recursively) and globs."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", file_okay=False, help="Folder for the output and ledger."
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="json: a file per input in --out; jsonl: one line per "
            "input, to --out/documents.jsonl or to stdout without --out.",
        ),
    ] = "json",
    password: Annotated[
        str | None,
        typer.Option(help="Password for encrypted PDFs."),
    ] = None,
    classify: Annotated[
        bool,
        typer.Option(
            help="Label clauses with the classifier (--no-classify: structure only)."
        ),
    ] = True,
    ocr: Annotated[
        bool,
        typer.Option(
            help="OCR pages without a usable text layer (needs Tesseract; "
            "--no-ocr: report them as needs_ocr)."
        ),
    ] = True,
    model: Annotated[
        Path | None,
        typer.Option(
            file_okay=False, help="Model directory (default: the committed model)."
        ),
    ] = None,
    runtime: Annotated[
        str,
        typer.Option(help="Classifier runtime: auto (ONNX if installed), onnx, torch."),
    ] = "auto",
    workers: Annotated[
        int, typer.Option(min=1, help="Documents processed in parallel.")
    ] = 1,
    timeout: Annotated[
        float,
        typer.Option(min=0, help="Seconds per file before it is stopped (0: none)."),
    ] = DEFAULT_TIMEOUT,
    max_memory: Annotated[
        int,
        typer.Option(min=0, help="Address-space cap per worker, in MB (0: none)."),
    ] = DEFAULT_MAX_MEMORY_MB,
    max_size: Annotated[
        float,
        typer.Option(min=0, help="Refuse larger files, in MB (0: none)."),
    ] = DEFAULT_MAX_SIZE_MB,
    max_pages: Annotated[
        int, typer.Option(min=0, help="Refuse PDFs with more pages (0: none).")
    ] = DEFAULT_MAX_PAGES,
    resume: Annotated[
        bool,
        typer.Option(
            help="Skip inputs the ledger in --out shows done; retry failures once."
        ),
    ] = False,
    report: Annotated[
        bool, typer.Option(help="Then write the batch report (as `treaty report`).")
    ] = False,
    backend: Annotated[
        str,
        typer.Option(
            help="Where the batch runs: local (worker processes here) or ray "
            "(a Ray cluster; needs treaty-clauses\\[ray])."
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            help="Ray cluster to use with --backend ray (auto, ray://host:10001); "
            "without it a Ray instance is started on this machine."
        ),
    ] = None,
) -> None:
    """Split agreements into clauses, label them, and write one JSON document per input.

    Each file is read in a worker process under a time and memory limit; a ledger
    (--out/ledger.jsonl) records every finished file, so an interrupted batch goes on
    with --resume, on either backend (--backend ray runs the same batch on Ray).
    Exit codes: 0 every input processed, 1 some input failed (each failure still
    gets an error record), 2 usage error, 130 interrupted.
    """
    from pipeline.batch import BatchOptions, OutputFormat, run_batch
    from pipeline.errors import ConfigError, PipelineError
    from pipeline.workers import Limits

    try:
        options = BatchOptions(
            fmt=OutputFormat(fmt),
            password=password,
            ocr=ocr,
            classify=classify,
            model=str(model) if model else None,
            runtime=runtime,
            workers=workers,
            limits=Limits(
                timeout=timeout or None,
                max_memory_mb=max_memory or None,
                max_size_mb=max_size or None,
                max_pages=max_pages or None,
            ),
            resume=resume,
            backend=backend,
            address=address,
        )
    except ValueError as e:
        _fail(ConfigError(f"--format must be json or jsonl ({e})"), 2)
    if runtime not in ("auto", "onnx", "torch"):
        _fail(ConfigError(f"--runtime must be auto, onnx or torch, not {runtime!r}"), 2)
    if report and out is None:
        _fail(ConfigError("--report needs --out (the batch folder)"), 2)
    bar = _BatchBar()
    try:
        summary = run_batch(inputs, out, options, progress=bar)
    except ConfigError as e:
        _fail(e, 2)
    except PipelineError as e:
        _fail(e, 1)
    finally:
        bar.stop()
    _print_summary(summary, out)
    if summary.interrupted:
        raise typer.Exit(130)
    if report and out is not None:
        report_cli(out)
    raise typer.Exit(1 if summary.failed else 0)


def _print_summary(summary: Any, out: Path | None) -> None:
    table = Table(title="treaty extract", show_header=False)
    rows: list[tuple[str, object]] = [
        ("documents", summary.documents),
        ("processed now", summary.processed),
    ]
    if summary.skipped:
        rows.append(("done earlier (--resume)", summary.skipped))
    rows += [
        ("pages", summary.pages),
        ("clauses", summary.clauses),
        ("failures", summary.failed),
        ("time", f"{summary.seconds:.1f} s"),
    ]
    for k, v in rows:
        table.add_row(k, str(v))
    for status, n in sorted(summary.statuses.items()):
        table.add_row(f"  {status}", str(n))
    err_console.print(table)
    for rec in summary.failures:
        kind = f" ({rec.error_type})" if rec.error_type else ""
        reason = rec.errors[0] if rec.errors else rec.input
        err_console.print(f"[yellow]{rec.status}[/]{kind} {reason}", soft_wrap=True)
    if summary.interrupted:
        left = summary.documents - summary.processed - summary.skipped
        err_console.print(
            f"[red]interrupted:[/] {left} input(s) not processed; finished outputs "
            "are kept. Run the same command with --resume to go on."
        )
    if out is not None:
        err_console.print(f"Output written to {out}/ (ledger: {out}/ledger.jsonl)")


BatchDir = Annotated[
    Path,
    typer.Argument(
        exists=True, file_okay=False, help="The --out folder of `treaty extract`."
    ),
]
LabelFilter = Annotated[
    list[str] | None,
    typer.Option("--label", "-l", help="Only this component (repeatable)."),
]
MinScore = Annotated[
    float | None,
    typer.Option(min=0.0, max=1.0, help="Only labels scoring at least this."),
]


def _check_labels(label: list[str] | None) -> list[str]:
    from pipeline.browse import check_labels
    from pipeline.errors import ConfigError
    from pipeline.labels import load_labels

    try:
        check_labels(label or [], load_labels())
    except ConfigError as e:
        _fail(e, 2)
    return label or []


@app.command("report")
def report_cli(
    out_dir: BatchDir,
    dest: Annotated[
        Path | None,
        typer.Option(file_okay=False, help="Report folder (default OUT_DIR/report)."),
    ] = None,
) -> None:
    """Write a batch's report: spreadsheets (CSV, XLSX) and HTML pages, one per
    document and one for the batch, with the ledger's failures."""
    from pipeline.errors import PipelineError
    from pipeline.html_report import write_report

    try:
        files = write_report(out_dir, dest)
    except PipelineError as e:
        _fail(e)
    err_console.print(
        f"Report of {len(files.documents)} document(s) and "
        f"{len(files.batch.failures)} failure(s): {files.index}"
    )
    for p in files.sheets:
        err_console.print(f"  {p}")


@app.command("show")
def show_cli(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="A document JSON."),
    ],
    label: LabelFilter = None,
    min_score: MinScore = None,
) -> None:
    """Print one document's outline: articles, clauses, their labels and scores."""
    from pipeline.batchread import load_document
    from pipeline.browse import outline_tree
    from pipeline.errors import PipelineError

    wanted = _check_labels(label)
    try:
        doc = load_document(file)
    except PipelineError as e:
        _fail(e)
    Console().print(outline_tree(doc, wanted, min_score))


@app.command("search")
def search_cli(
    out_dir: BatchDir,
    label: LabelFilter = None,
    text: Annotated[
        str | None, typer.Option(help="Words the clause must all contain.")
    ] = None,
    min_score: MinScore = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = (
        "table"
    ),
) -> None:
    """List the clauses of a batch with a component (and words), with document,
    article and score."""
    from pipeline.browse import hits_table, search_batch
    from pipeline.errors import PipelineError

    wanted = _check_labels(label)
    if fmt not in ("table", "json"):
        err_console.print(f"[red]error:[/] --format must be table or json, not {fmt!r}")
        raise typer.Exit(2)
    if not wanted and not text:
        err_console.print("[red]error:[/] give --label, --text or both")
        raise typer.Exit(2)
    try:
        hits = search_batch(out_dir, wanted, text, min_score or 0.0)
    except PipelineError as e:
        _fail(e)
    if fmt == "json":
        typer.echo(
            json.dumps([h.to_dict() for h in hits], indent=1, ensure_ascii=False)
        )
    else:
        Console().print(hits_table(hits))


@app.command("schema")
def schema_cli() -> None:
    """Print the JSON Schema (draft 2020-12) of the documents `extract` writes."""
    from pipeline.json_schema import document_schema

    typer.echo(json.dumps(document_schema(), indent=2))


@app.command("labels")
def labels_cli(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print the label set (annotations/labels.json) the model and annotators use."""
    from pipeline.labels import load_labels

    labels = load_labels()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "version": labels.version,
                    "labels": [
                        {
                            "name": lb.name,
                            "group": lb.group,
                            "description": lb.description,
                        }
                        for lb in labels.labels
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=f"labels ({labels.version})")
    for col in ("label", "group", "the clause regulates"):
        table.add_column(col)
    for lb in labels.labels:
        table.add_row(lb.name, lb.group, lb.description)
    Console().print(table)


annotate_app = typer.Typer(
    no_args_is_help=True,
    help="Annotation round trip: export, import, agreement, stats.",
)
app.add_typer(annotate_app, name="annotate")

_FORMAT_HELP = "labelstudio, prodigy or doccano"


def _tool_format(fmt: str) -> Any:
    from pipeline.formats import ToolFormat

    try:
        return ToolFormat(fmt)
    except ValueError as e:
        err_console.print(
            f"[red]error:[/] --format must be {_FORMAT_HELP}, not {fmt!r}"
        )
        raise typer.Exit(2) from e


@annotate_app.command("export")
def annotate_export_cli(
    out: Annotated[
        Path, typer.Option("--out", "-o", dir_okay=False, help="Task file to write.")
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=_FORMAT_HELP)
    ] = "labelstudio",
    doc: Annotated[
        list[str] | None,
        typer.Option(
            "--doc", help="Corpus document id (repeatable), e.g. BWBV0001034."
        ),
    ] = None,
    docs_file: Annotated[
        Path | None,
        typer.Option(
            "--docs-file",
            exists=True,
            dir_okay=False,
            help="File with one id per line.",
        ),
    ] = None,
    select: Annotated[
        str,
        typer.Option(
            help="document (all clauses), unlabelled, or uncertain (needs --model)."
        ),
    ] = "document",
    limit: Annotated[int | None, typer.Option(help="At most this many tasks.")] = None,
    per_doc: Annotated[
        int | None,
        typer.Option(help="At most this many clauses per document, spread over it."),
    ] = None,
    annotator: Annotated[
        str | None,
        typer.Option(
            help="With --select unlabelled: clauses this annotator has not labelled."
        ),
    ] = None,
    corpus: Corpus = None,
) -> None:
    """Write annotation tasks for Label Studio, Prodigy or doccano."""
    from pipeline.annotate import CorpusDocs
    from pipeline.errors import PipelineError
    from pipeline.roundtrip import export_tasks

    ids = list(doc or []) + (docs_file.read_text().split() if docs_file else [])
    if not ids:
        err_console.print("[red]error:[/] name documents with --doc or --docs-file")
        raise typer.Exit(2)
    tool = _tool_format(fmt)
    try:
        paths = export_tasks(
            ids,
            tool,
            out,
            docs=CorpusDocs(corpus),
            select=select,
            limit=limit,
            annotator=annotator,
            per_doc=per_doc,
        )
    except PipelineError as e:
        _fail(e)
    for p in paths:
        err_console.print(f"wrote {p}")


@annotate_app.command("import")
def annotate_import_cli(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="The tool's export.")
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help=_FORMAT_HELP + " (default: detected)"),
    ] = None,
    annotator: Annotated[
        str | None,
        typer.Option(help="Who labelled it (default: the name the tool recorded)."),
    ] = None,
    batch: Annotated[
        str | None, typer.Option(help="Batch name for the store file.")
    ] = None,
    corpus: Corpus = None,
    store: Store = DONE_DIR,
) -> None:
    """Validate a tool's export and append it to annotations/done (all or nothing)."""
    from pipeline.annotate import CorpusDocs
    from pipeline.errors import PipelineError
    from pipeline.roundtrip import import_annotations

    tool = _tool_format(fmt) if fmt else None
    try:
        report = import_annotations(
            file,
            fmt=tool,
            annotator=annotator,
            batch=batch,
            docs=CorpusDocs(corpus),
            store=store,
        )
    except PipelineError as e:
        _fail(e)
    err_console.print(
        f"imported {report.imported} annotation(s), skipped "
        f"{report.skipped} (ignored or cancelled) -> {report.store}"
    )


@annotate_app.command("agreement")
def annotate_agreement_cli(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    store: Store = DONE_DIR,
) -> None:
    """Per-label agreement (Cohen's kappa; Krippendorff's alpha for 3+ annotators)."""
    from dataclasses import asdict

    from pipeline.roundtrip import agreement_report

    rows = agreement_report(store)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], indent=2))
        return
    table = Table(title="agreement on clauses labelled by 2+ annotators")
    for col in ("label", "measure", "value", "clauses", "positives", "raw agreement"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.label,
            r.measure,
            "n/a" if r.value is None else f"{r.value:.3f}",
            str(r.items),
            str(r.positives),
            f"{r.observed:.3f}",
        )
    Console().print(table)


@annotate_app.command("dataset")
def annotate_dataset_cli(
    out: Annotated[Path, typer.Option("--out", "-o", file_okay=False)],
    corpus: Corpus = None,
) -> None:
    """Write the labelled corpus as a Hugging Face dataset and Parquet per split."""
    from pipeline.annotate import CorpusDocs
    from pipeline.errors import PipelineError
    from pipeline.roundtrip import export_dataset

    try:
        paths = export_dataset(out, docs=CorpusDocs(corpus))
    except PipelineError as e:
        _fail(e)
    for p in paths:
        err_console.print(f"wrote {p}")


@annotate_app.command("stats")
def annotate_stats_cli(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    store: Store = DONE_DIR,
) -> None:
    """Counts of labelled clauses per label and split."""
    from pipeline.roundtrip import stats_report

    stats = stats_report(store)
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    splits = ["train", "dev", "test", "unassigned"]
    table = Table(title="labelled clauses per label and split")
    for col in ("label", *splits, "total"):
        table.add_column(col)
    for label, c in stats.items():
        table.add_row(label, *(str(c.get(s, 0)) for s in splits), str(sum(c.values())))
    Console().print(table)


DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "treaty-minilm-lora"


@app.command("train")
def train_cli(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", file_okay=False, help="Model directory to write."),
    ] = DEFAULT_MODEL_DIR,
    config: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="TOML file with TrainConfig fields."
        ),
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Override epochs.")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the seed.")] = None,
    corpus: Corpus = None,
) -> None:
    """Fine-tune the clause classifier on annotations/ and write a model directory.

    Uses the document splits in annotations/splits.json: train to fit, dev to
    calibrate and tune thresholds; dev and test are scored into metrics.json.
    """
    from rich.progress import Progress

    from pipeline.errors import PipelineError
    from pipeline.train import load_config, train_from_annotations

    try:
        cfg = load_config(config, epochs=epochs, seed=seed)
        with Progress(console=err_console) as bar:
            task = bar.add_task("Training", total=None)

            def tick(step: int, total: int, loss: float) -> None:
                bar.update(
                    task,
                    completed=step,
                    total=total,
                    description=f"Training (loss {loss:.3f})",
                )

            path = train_from_annotations(out, cfg, corpus_dir=corpus, progress=tick)
    except PipelineError as e:
        _fail(e)
    metrics = json.loads((path / "metrics.json").read_text())
    for split in ("dev", "test"):
        if split in metrics:
            m = metrics[split]
            err_console.print(
                f"{split}: micro-F1 {m['micro_f']:.3f}  macro-F1 "
                f"{m['macro_f']:.3f}  ECE {m['ece']:.3f}"
            )
    err_console.print(f"model written to {path}")


@app.command("evaluate")
def evaluate_cli(
    model: Annotated[
        Path, typer.Option(file_okay=False, exists=True, help="Model directory.")
    ] = DEFAULT_MODEL_DIR,
    split: Annotated[str, typer.Option(help="train, dev or test.")] = "test",
    baselines: Annotated[
        bool,
        typer.Option(
            help="Also score TF-IDF + logistic regression, keyword rules and the "
            "model's transformer without its n-gram part."
        ),
    ] = True,
    out: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write the report as JSON here."),
    ] = None,
    corpus: Corpus = None,
) -> None:
    """Score a model on a split: per-label P/R/F1, AUPR, P@80%R; micro/macro F1; ECE."""
    from pipeline.errors import ConfigError, PipelineError
    from pipeline.report import evaluate_model, render_report

    if split not in ("train", "dev", "test"):
        _fail(ConfigError(f"--split must be train, dev or test, not {split!r}"), 2)
    try:
        report = evaluate_model(model, split, baselines=baselines, corpus_dir=corpus)
    except PipelineError as e:
        _fail(e)
    if out:
        out.write_text(json.dumps(report, indent=1) + "\n")
    Console().print(render_report(report))


@app.command("classify")
def classify_cli(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help='JSON Lines: {"id", "text"[, "context", "title", "lead_in"]}.',
        ),
    ],
    model: Annotated[
        Path, typer.Option(file_okay=False, help="Model directory.")
    ] = DEFAULT_MODEL_DIR,
    runtime: Annotated[
        str,
        typer.Option(help="Classifier runtime: auto (ONNX if installed), onnx, torch."),
    ] = "auto",
    batch_size: Annotated[int, typer.Option(min=1)] = 32,
) -> None:
    """Label texts: a line out per line in, with labels and every label's score."""
    from pipeline.classify import load_classifier
    from pipeline.classify_lines import classify_lines, read_lines
    from pipeline.errors import ConfigError, PipelineError

    if runtime not in ("auto", "onnx", "torch"):
        _fail(ConfigError(f"--runtime must be auto, onnx or torch, not {runtime!r}"), 2)
    try:
        rows = read_lines(file)
        clf = load_classifier(model, runtime)
    except PipelineError as e:
        _fail(e)
    # results go to stdout as they come: the bar must not capture them
    bar = _BatchBar("Classifying", redirect_stdout=False)
    bar.start(len(rows), 0)
    try:
        for record in classify_lines(clf, rows, batch_size=batch_size):
            typer.echo(json.dumps(record, ensure_ascii=False))
            bar.advance(record)
    finally:
        bar.stop()


if __name__ == "__main__":  # pragma: no cover
    app()
