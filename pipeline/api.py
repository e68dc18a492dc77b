"""One page or one text in, its record out: `clean_page` and `clean_text`, through `run_one` like every
other path, raising `NoRecordError` for an input that gives no record."""

from __future__ import annotations

import os
from typing import Any

from pipeline.document import Document, DocumentError, Kind
from pipeline.process import Config, run_one

# A str page is handed over as UTF-8, and said to be: a charset its markup declares no longer applies.
_STR_CONTENT_TYPE = "text/html; charset=utf-8"


class NoRecordError(DocumentError):
    """The input gave no record: `stage` says where it stopped (one of the errors file's stages: `decode`,
    `extract`, `empty`, `filtered`, ...), `message` why, `source` which input it was."""

    def __init__(self, stage: str, message: str, source: str) -> None:
        super().__init__(stage, message)
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.stage}: {self.message}"


def clean_page(
    html: str | bytes, url: str | None = None, *, config: Config | None = None, source: str | None = None
) -> dict[str, Any]:
    """The record `newsclean clean` writes for this HTML page (str, or bytes in any encoding).

    `url` is the page's address (the record's `url` and `id`, the base of relative links); `source` the
    record's `source` (the file path the CLI would write; default the URL, else "<page>"). Raise
    NoRecordError when the page gives none, TypeError for an argument of the wrong type.
    """
    return _clean("clean_page", "html", html, url, config, source)


def clean_text(
    text: str | bytes, url: str | None = None, *, config: Config | None = None, source: str | None = None
) -> dict[str, Any]:
    """The record `newsclean clean` writes for this plain-text dump (an extraction's output, one paragraph
    a line), as `clean_page` does for a page."""
    return _clean("clean_text", "text", text, url, config, source)


def _clean(function: str, kind: Kind, content: Any, url: Any, config: Any, source: Any) -> dict[str, Any]:
    _check(function, kind, content, (str, bytes, bytearray, memoryview), "str or bytes")
    _check(function, "url", url, (str, type(None)), "str or None")
    _check(function, "config", config, (Config, type(None)), "a pipeline.Config or None")
    _check(function, "source", source, (str, type(None)), "str or None")
    if isinstance(content, str):
        data, content_type = content.encode("utf-8", "replace"), _STR_CONTENT_TYPE
    else:
        data, content_type = bytes(content), None
    label = source or url or ("<page>" if kind == "html" else "<text>")
    outcome = run_one(
        Document(label, kind, content=data, url=url or None, content_type=content_type), config or Config()
    )
    if outcome.record is not None:
        return outcome.record
    assert outcome.error is not None  # an Outcome holds a record or an error line
    raise NoRecordError(outcome.error["stage"], outcome.error["error"], label)


def _check(function: str, argument: str, value: Any, types: tuple[type, ...], expected: str) -> None:
    if isinstance(value, types):
        return
    hint = (
        f" (give the file's content: {argument}=path.read_bytes())" if isinstance(value, os.PathLike) else ""
    )
    raise TypeError(
        f"{function}() argument {argument!r} must be {expected}, not {type(value).__name__}{hint}"
    )
