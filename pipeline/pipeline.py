"""Stages composed: ingest -> segment -> metadata (-> classify, given a model)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from pipeline import corpus
from pipeline.errors import EmptyTextError, IngestError, PipelineError
from pipeline.ingest import read_document
from pipeline.meta import extract_meta
from pipeline.schema import Document, Result, Stage, Status
from pipeline.segment import RuleSegmenter

logger = logging.getLogger(__name__)


def _corpus_id(doc: Document) -> Document:
    rec = corpus.lookup(doc.source.sha256)
    return dataclasses.replace(doc, doc_id=rec["doc_id"]) if rec else doc


class Pipeline:
    """Runs a file through the stages; each stage is ``Document -> Document``.

    Args:
        stages: (name, stage) pairs run in order after ingestion. Defaults to
            corpus-id lookup, the rule segmenter and metadata extraction.
        password: opens encrypted PDFs.
        ocr: OCR scanned pages when Tesseract is installed (``--no-ocr`` turns it off).
        max_pages: refuse PDFs with more pages (``too_large``) before parsing them.
    """

    def __init__(
        self,
        stages: Sequence[tuple[str, Stage]] | None = None,
        *,
        password: str | None = None,
        classifier: Stage | None = None,
        ocr: bool = True,
        max_pages: int | None = None,
    ) -> None:
        self.stages: list[tuple[str, Stage | Callable[[Document], Document]]] = list(
            stages if stages is not None else default_stages()
        )
        if classifier is not None:
            self.stages.append(("classify", classifier))
        self.password = password
        self.ocr = ocr
        self.max_pages = max_pages

    def process(self, source: Path | str) -> Document:
        """Process one file; raises a ``PipelineError`` naming the file on failure."""
        path = Path(source)
        return self._stages(
            read_document(
                path, password=self.password, ocr=self.ocr, max_pages=self.max_pages
            ),
            path,
        )

    def _stages(self, doc: Document, path: Path) -> Document:
        for name, stage in self.stages:
            try:
                out = stage(doc)
            except PipelineError:
                raise
            except Exception as e:
                raise PipelineError(
                    f"{path}: stage {name!r} failed with {type(e).__name__}: {e}. "
                    "Please report this file with the error."
                ) from e
            if not isinstance(out, Document):
                raise PipelineError(
                    f"stage {name!r} returned {type(out).__name__}, not a Document"
                )
            doc = out
        return doc

    def __call__(self, source: Path | str) -> Result:
        """Process one file into a ``Result``; never raises for a bad input."""
        path = Path(source)
        return self._result(path, lambda: self.process(path))

    def resume(self, doc: Document, source: Path | str) -> Result:
        """This pipeline's stages on ``source``'s document, read elsewhere, finished
        as ``__call__`` would (the Ray backend reads in one process and classifies
        in another)."""
        path = Path(source)
        return self._result(path, lambda: self._stages(doc, path))

    def _result(self, path: Path, run: Callable[[], Document]) -> Result:
        t0 = time.perf_counter()

        def failed(status: Status, reason: object, e: BaseException) -> Result:
            cause = e.__cause__ if isinstance(e, PipelineError) else None
            return Result(
                path,
                status,
                None,
                (_one_line(reason),),
                seconds=time.perf_counter() - t0,
                error_type=type(cause or e).__name__,
            )

        try:
            doc = run()
        except IngestError as e:
            return failed(Status(e.status), e, e)
        except PipelineError as e:
            return failed(Status.FAILED, e, e)
        except Exception as e:  # MemoryError and RecursionError included: one bad
            # file becomes its own error record, never the end of the batch
            logger.debug("unexpected failure", exc_info=True)
            return failed(Status.FAILED, _unexpected(path, e), e)
        if not doc.clauses:
            return failed(
                Status.EMPTY,
                f"{path}: no clauses found in {len(doc.text)} characters of "
                "text; check that the file is an agreement",
                EmptyTextError(),
            )
        status = Status.PARTIAL if doc.warnings else Status.OK
        return Result(path, status, doc, seconds=time.perf_counter() - t0)

    def pipe(self, sources: Iterable[Path | str]) -> Iterator[Result]:
        for s in sources:
            yield self(s)


def default_stages() -> list[tuple[str, Stage | Callable[[Document], Document]]]:
    return [
        ("corpus_id", _corpus_id),
        ("segment", RuleSegmenter()),
        ("meta", extract_meta),
    ]


def _unexpected(path: Path, e: Exception) -> str:
    if isinstance(e, MemoryError):
        return (
            f"{path}: ran out of memory (MemoryError); the file may be a "
            "decompression bomb or a glyph flood, or raise --max-memory"
        )
    if isinstance(e, RecursionError):
        return (
            f"{path}: structure nested too deeply (RecursionError); the file is "
            "probably damaged or hostile, repair it (e.g. qpdf)"
        )
    return f"{path}: {type(e).__name__}: {e}. Please report this file with the error."


def _one_line(e: object) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def extract(
    source: Path | str,
    *,
    password: str | None = None,
    classify: bool = False,
    model: Path | str | None = None,
    ocr: bool = True,
) -> Document:
    """Read, segment and describe one agreement; label its clauses with ``classify``.

    Args:
        source: a PDF or text file.
        password: for an encrypted PDF.
        classify: run the clause classifier (loads the model: do it once per batch
            with ``Pipeline(classifier=load_classifier())`` for many files).
        model: model directory (default: the committed model).
        ocr: OCR scanned pages when Tesseract is installed.

    Returns:
        The typed ``Document`` with its clauses.

    Raises:
        PipelineError: the file could not be processed; the message says why.
    """
    classifier = None
    if classify:
        from pipeline.classify import load_classifier

        classifier = load_classifier(model)
    return Pipeline(password=password, classifier=classifier, ocr=ocr).process(source)
