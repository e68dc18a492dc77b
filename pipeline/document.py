"""The one document type that flows from reader to writer, the error every stage raises, and what one
document gives: an Outcome, a record or an error line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from pipeline.article import Signals

Kind = Literal["html", "text"]


class Stage(StrEnum):
    """Where a document stopped without a record: the `stage` of its error line (the output contract's
    errors file). A StrEnum, so that an error line's stage is written and compared as its plain name."""

    READ = "read"
    DECODE = "decode"
    EXTRACT = "extract"
    CLEAN = "clean"
    EMPTY = "empty"
    FILTERED = "filtered"
    SKIPPED = "skipped"
    HTTP = "http"
    ROBOTS = "robots"
    TOO_LARGE = "too-large"
    NOT_ARTICLE = "not-article"


# Stages named by the output contract's errors file.
STAGES = tuple(stage.value for stage in Stage)
# A run whose every input failed at one of these exits with status 1.
FAILURE_STAGES = frozenset({Stage.READ, Stage.DECODE, Stage.EXTRACT, Stage.CLEAN})


def strict() -> bool:
    """Whether unexpected exceptions are raised instead of becoming error lines (`NEWSCLEAN_STRICT=1`):
    the test suite runs this way, so that the project's own bugs surface as tracebacks, not as records
    of a library that failed on one page."""
    return os.environ.get("NEWSCLEAN_STRICT", "") not in ("", "0")


class DocumentError(Exception):
    """A document produced no record; `stage` is one of STAGES."""

    def __init__(self, stage: str, message: str) -> None:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        super().__init__(message)
        self.stage = Stage(stage)
        self.message = message


@dataclass(frozen=True)
class Removal:
    """One cut: which rule, its policy family, the text as it stood, and where it stood.

    `paragraph` and `offset` locate the cut in the input paragraphs (None for a cut made in
    the page before extraction); `at` is filled once cleaning is done (see the output contract);
    `detail` is the rule's evidence when it has some (`site-template`: on how many of the site's pages
    the paragraph stood), else None.
    """

    rule: str
    family: str
    text: str
    paragraph: int | None = None
    offset: int = 0
    at: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Metadata:
    """What the page says about itself (pipeline/extract/metadata.py reads it; the README's Output
    section defines each field)."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    description: str | None = None
    url: str | None = None
    declared_language: str | None = None
    # The declared moments of publication and last change, ISO 8601 (only when the page gives a time).
    published_at: str | None = None
    modified_at: str | None = None
    # The lead image, an absolute http(s) URL.
    image: str | None = None
    # Declared keywords and sections, deduplicated, in the page's order.
    tags: tuple[str, ...] = ()
    # The page declares its content not free (True) or free (False) to read; None when it says neither.
    paywalled: bool | None = None


class Origin(Protocol):
    """Where a document's bytes come from, read by the read step of `process_document` (in the worker
    that processes the document, so that a pool or a cluster ships a reference, not the bytes)."""

    def load(self, max_bytes: int) -> bytes:
        """The document's bytes (decompressed); raise DocumentError('read' or 'skipped')."""
        ...


@dataclass(frozen=True)
class Unreadable:
    """An origin whose failure is known before reading: a missing path, an unsupported file, a page the
    crawl could not fetch. Loading it raises the error, so it becomes an error line like any other."""

    stage: str
    message: str
    # Why, where a caller decides on it (the CLI's usage errors): an argument that named nothing, a file of
    # no supported type. The decision reads this, never the message.
    cause: Literal["missing", "unsupported"] | None = None

    def load(self, max_bytes: int) -> bytes:
        raise DocumentError(self.stage, self.message)


@dataclass(frozen=True)
class Document:
    """A page or text dump on its way through the pipeline.

    Readers fill the first block of fields (`content`, or an `origin` to load it from); each stage
    returns a new Document with its own fields filled (`dataclasses.replace`), so no stage mutates
    another's value. `kind` is None for an input that is not of a supported type.
    """

    source: str
    kind: Kind | None
    content: bytes | None = None
    origin: Origin | None = None
    url: str | None = None
    content_type: str | None = None
    fetched_at: str | None = None
    status: int | None = None
    # What a crawl's sitemaps and feeds said of the page: its date (YYYY-MM-DD), and whether a news
    # sitemap or a feed listed it.
    date_hint: str | None = None
    listed_as_news: bool = False

    html: str | None = None
    paragraphs: tuple[str, ...] = ()
    metadata: Metadata = field(default_factory=Metadata)
    removed: tuple[Removal, ...] = ()
    language: str | None = None
    language_score: float | None = None
    extractor: str = "none"
    # What the page says about itself (pipeline.article), read from the parsed page when the run keeps
    # articles only.
    signals: Signals | None = None

    def failed(self, stage: str, message: str) -> Document:
        """This document as one that gives no record, for the reason given (a crawl that could not fetch
        it, a worker that died on it): `run_one` turns it into its error line like any other."""
        return Document(self.source, self.kind, origin=Unreadable(stage, message), url=self.url)


@dataclass(frozen=True)
class Outcome:
    """What one document gave: a record, or an error line with its stage."""

    source: str
    record: dict[str, Any] | None = None
    error: dict[str, str] | None = None

    @property
    def stage(self) -> str | None:
        return self.error["stage"] if self.error else None
