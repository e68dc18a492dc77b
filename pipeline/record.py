"""The JSONL record and error line of the output contract, built from a processed Document."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from typing import Any

from pipeline.document import Document
from pipeline.text import count_words

RECORD_KEYS = (
    "id",
    "source",
    "url",
    "title",
    "author",
    "date",
    "sitename",
    "description",
    "language",
    "language_score",
    "text",
    "word_count",
    "removed",
    "extractor",
    "fetched_at",
    "status",
    "duplicate_of",
    "cluster",
)


def document_id(url: str | None, content: bytes) -> str:
    """Hex SHA-1 of the URL when known, else of the input's bytes."""
    return hashlib.sha1(url.encode("utf-8") if url else content).hexdigest()


def to_record(doc: Document) -> dict[str, Any]:
    """The contract's record, keys in the contract's order."""
    meta = doc.metadata
    url = doc.url or meta.url
    text = "\n".join(doc.paragraphs)
    html = doc.kind == "html"
    return {
        "id": document_id(url, doc.content or b""),
        "source": doc.source,
        "url": url,
        "title": meta.title if html else None,
        "author": meta.author,
        "date": meta.date,
        "sitename": meta.sitename,
        "description": meta.description,
        "language": doc.language,
        "language_score": doc.language_score,
        "text": text,
        "word_count": count_words(text),
        "removed": [{"rule": r.rule, "family": r.family, "text": r.text, "at": r.at} for r in doc.removed],
        "extractor": doc.extractor,
        "fetched_at": doc.fetched_at,
        "status": doc.status,
        # Set by `newsclean dedup` (pipeline.corpus.dedup), a pass across records; null until then.
        "duplicate_of": None,
        "cluster": None,
    }


def dumps(obj: dict[str, Any]) -> str:
    """One JSONL line: UTF-8 text, not ASCII-escaped, newline-terminated.

    A lone surrogate (a file name byte that is not UTF-8, as Python's surrogateescape reads it) cannot
    be written as UTF-8: it is written as its JSON escape (`\\udcff`), so the line stays valid UTF-8
    and `os.fsencode(json.loads(line)["source"])` gives the name's bytes back.
    """
    line = json.dumps(obj, ensure_ascii=False)
    if _SURROGATE.search(line):
        line = _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", line)
    return line + "\n"


_SURROGATE = re.compile("[\ud800-\udfff]")


def schema(name: str = "record") -> dict[str, Any]:
    """The JSON Schema shipped in the package: 'record' or 'error'."""
    text = resources.files("pipeline").joinpath("schema", f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
