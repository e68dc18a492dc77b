"""The one document type that flows from reader to writer, and the error every stage raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["html", "text"]

# Stages named by the output contract's errors file.
STAGES = (
    "read",
    "decode",
    "extract",
    "clean",
    "empty",
    "filtered",
    "skipped",
    "http",
    "robots",
    "too-large",
    "not-article",
)
# A run whose every input failed at one of these exits with status 1.
FAILURE_STAGES = frozenset({"read", "decode", "extract", "clean"})


class DocumentError(Exception):
    """A document produced no record; `stage` is one of STAGES."""

    def __init__(self, stage: str, message: str) -> None:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        super().__init__(message)
        self.stage = stage
        self.message = message


@dataclass(frozen=True)
class Removal:
    """One cut: which rule, its policy family, the text as it stood, and where it stood.

    `paragraph` and `offset` locate the cut in the input paragraphs (None for a cut made in
    the page before extraction); `at` is filled once cleaning is done (see the output contract).
    """

    rule: str
    family: str
    text: str
    paragraph: int | None = None
    offset: int = 0
    at: int | None = None


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    description: str | None = None
    url: str | None = None
    declared_language: str | None = None


@dataclass(frozen=True)
class Document:
    """A page or text dump on its way through the pipeline.

    Readers fill the first block of fields; each stage returns a new Document with its own
    fields filled (`dataclasses.replace`), so no stage mutates another's value.
    """

    source: str
    content: bytes
    kind: Kind
    url: str | None = None
    content_type: str | None = None
    fetched_at: str | None = None
    status: int | None = None
    date_hint: str | None = None

    html: str | None = None
    paragraphs: tuple[str, ...] = ()
    metadata: Metadata = field(default_factory=Metadata)
    removed: tuple[Removal, ...] = ()
    language: str | None = None
    language_score: float | None = None
    extractor: str = "none"
