"""newsclean: news pages to clean article text, every removal explained by a named rule.

The front door: `clean_page(html)` and `clean_text(text)` give one input's record (or raise
`NoRecordError`); for many documents, read them with `iter_documents`, run each through `run_one` (or
`process_document`, which raises instead), with a `Config`, and call `warm_up` once in the process.
"""

from pipeline.api import NoRecordError, clean_page, clean_text
from pipeline.document import Document, DocumentError, Metadata, Outcome, Removal
from pipeline.process import Config, process_document, run_one, warm_up
from pipeline.readers import iter_documents

__all__ = [
    "Config",
    "Document",
    "DocumentError",
    "Metadata",
    "NoRecordError",
    "Outcome",
    "Removal",
    "clean_page",
    "clean_text",
    "iter_documents",
    "process_document",
    "run_one",
    "warm_up",
]
