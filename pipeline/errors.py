"""One exception hierarchy for the whole tool; every message says what to do next."""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the tool raises on purpose."""


class IngestError(PipelineError):
    """A file could not be read as an agreement (broken, unsupported, encrypted...)."""

    #: machine-readable status for batch records ("failed", "unsupported", ...)
    status = "failed"


class UnsupportedFormatError(IngestError):
    status = "unsupported"


class EncryptedError(IngestError):
    status = "encrypted"


class EmptyTextError(IngestError):
    """No text to work on: an empty file, or a scanned PDF without a text layer."""

    status = "empty"


class NeedsOCRError(EmptyTextError):
    status = "needs_ocr"


class TooLargeError(IngestError):
    """Over a size or page limit, refused before parsing."""

    status = "too_large"


class SegmentationError(PipelineError):
    pass


class ModelLoadError(PipelineError):
    pass


class AnnotationError(PipelineError):
    pass


class ConfigError(PipelineError):
    pass


class BatchReadError(PipelineError):
    """A batch folder or document JSON could not be read back for a report."""


class LinesError(PipelineError):
    """A JSON Lines input of `treaty classify` has lines that are not clause objects."""
