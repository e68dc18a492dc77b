"""The JSONL record and error line of the output contract, built from a processed Document."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from pipeline.document import Document
from pipeline.rules.text.subscription import PAYWALL_PROMPT
from pipeline.text import count_words

RECORD_KEYS = (
    "id",
    "source",
    "url",
    "title",
    "author",
    "date",
    "published_at",
    "modified_at",
    "sitename",
    "description",
    "image",
    "tags",
    "paywalled",
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
        "published_at": meta.published_at,
        "modified_at": meta.modified_at,
        "sitename": meta.sitename,
        "description": meta.description,
        "image": meta.image,
        "tags": list(meta.tags) or None,
        "paywalled": paywalled(doc),
        "language": doc.language,
        "language_score": doc.language_score,
        "text": text,
        "word_count": count_words(text),
        "removed": [
            {"rule": r.rule, "family": r.family, "text": r.text, "at": r.at, "detail": r.detail}
            for r in doc.removed
        ],
        "extractor": doc.extractor,
        "fetched_at": utc_timestamp(doc.fetched_at),
        "status": http_status(doc.status),
        # Set by `newsclean dedup` (pipeline.corpus.dedup), a pass across records; null until then.
        "duplicate_of": None,
        "cluster": None,
    }


def utc_timestamp(value: str | datetime | None) -> str | None:
    """A time as the contract's `fetched_at`: UTC, ISO 8601 to the second, with Z.

    Takes a datetime (naive: UTC) or text: ISO 8601 with or without an offset (`+02:00`, `Z`, naive: UTC),
    fractional seconds (dropped), a bare date (midnight UTC), the basic format (`20241105T120000Z`), or the
    ARC format's 14 digits (`20241105120000`, UTC). Anything else, a year or a month alone among them, is
    None.
    """
    if isinstance(value, str):
        value = _parse_time(value.strip())
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # an offset that moves the time out of years 1 to 9999
            return None
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}Z"
    )


_DIGITS14 = re.compile(r"[0-9]{14}")


def _parse_time(text: str) -> datetime | None:
    try:
        if _DIGITS14.fullmatch(text):
            return datetime.strptime(text, "%Y%m%d%H%M%S")
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def http_status(value: int | str | bytes | None) -> int | None:
    """An HTTP status as the contract's `status`: its three digits as an integer from 100 to 599, else
    None (a status of more digits, or none, fits no HTTP response and no 64-bit column)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str | bytes):
        digits = value.strip()
        if len(digits) != 3 or not digits.isdigit() or not digits.isascii():
            return None
        value = int(digits)
    if isinstance(value, int) and 100 <= value <= 599:
        return value
    return None


def paywalled(doc: Document) -> bool | None:
    """True when the page declares its content not free, or when a paywall prompt was cut from its text
    (`paywall-prompt`: the rest of the article is behind it); False when the page declares it free;
    else None. Newsletter and sign-up prompts, of the same family, say nothing about access."""
    if any(removal.rule == PAYWALL_PROMPT.name for removal in doc.removed):
        return True
    return doc.metadata.paywalled


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
