"""newsclean: news pages to clean article text, every removal explained by a named rule.

The front door: read documents with `iter_documents`, run each through `run_one` (or
`process_document`, which raises instead), with a `Config`; call `warm_up` once in a process that
will handle many documents.
"""

from pipeline.document import Document, DocumentError, Metadata, Outcome, Removal
from pipeline.process import Config, process_document, run_one, warm_up
from pipeline.readers import iter_documents

__all__ = [
    "Config",
    "Document",
    "DocumentError",
    "Metadata",
    "Outcome",
    "Removal",
    "iter_documents",
    "process_document",
    "run_one",
    "warm_up",
]
