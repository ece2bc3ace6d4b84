"""treaty-clauses: agreements (PDF or text) to labelled clauses as JSON.

The public API is small and the CLI uses exactly the same code path:

    >>> from pipeline import extract
    >>> doc = extract("corpora/samples/arden-westmark-sofa.txt")
    >>> doc.clauses[0].clause_id
    'preamble.1'

Names are imported on first use, so importing a submodule (or running
``treaty --help``) does not pull in PDF or model libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "extract": "pipeline.pipeline",
    "Pipeline": "pipeline.pipeline",
    "PipelineError": "pipeline.errors",
    "SCHEMA_VERSION": "pipeline.schema",
    "Clause": "pipeline.schema",
    "Document": "pipeline.schema",
    "Prediction": "pipeline.schema",
    "Result": "pipeline.schema",
    "Status": "pipeline.schema",
}

if TYPE_CHECKING:  # re-exports for type checkers; at run time __getattr__ imports
    from pipeline.errors import PipelineError  # noqa: F401
    from pipeline.pipeline import Pipeline, extract  # noqa: F401
    from pipeline.schema import (  # noqa: F401
        SCHEMA_VERSION,
        Clause,
        Document,
        Prediction,
        Result,
        Status,
    )

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
