"""The per-document function: decode, extract or split, clean, identify the language.

The CLI, the worker pool and the Scrapy item pipeline all call `process_document`; nothing
else extracts or cleans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pipeline.decode import decode_html, decode_text
from pipeline.document import Document, DocumentError, Metadata, Removal
from pipeline.extract import EXTRACTOR, ExtractOptions, extract_html
from pipeline.language import detect_language
from pipeline.rules import PAGE_RULES, TEXT_RULES, PageRule, Rule, select
from pipeline.rules.text.engine import apply_rules
from pipeline.rules.text.timestamps import parse_date


@dataclass(frozen=True)
class Config:
    """What a run asks of the pipeline; built by the CLI or by Scrapy's from_crawler.

    A frozen value that pickles: the runners hand it to their worker processes once.
    """

    # Names of rules turned off (page and text rules alike).
    disabled_rules: frozenset[str] = frozenset()
    # Keep only records in these languages (ISO 639-1); None keeps every record.
    languages: frozenset[str] | None = None
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    # The rules to run, in order; the registry's unless a caller brings its own.
    page_rules: tuple[PageRule, ...] = PAGE_RULES
    text_rules: tuple[Rule, ...] = TEXT_RULES
    _selected: tuple[tuple[PageRule, ...], tuple[Rule, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Unknown names fail here, where the config is built.
        object.__setattr__(self, "_selected", select(self.disabled_rules, self.page_rules, self.text_rules))

    @property
    def active_page_rules(self) -> tuple[PageRule, ...]:
        """The page rules that run: `page_rules` without the disabled ones."""
        return self._selected[0]

    @property
    def active_text_rules(self) -> tuple[Rule, ...]:
        """The text rules that run: `text_rules` without the disabled ones."""
        return self._selected[1]


def process_document(doc: Document, config: Config) -> Document:
    """Run one document through every stage; raise DocumentError when it yields no record."""
    if not doc.content.strip():
        raise DocumentError("empty", "the input is empty")
    doc = _stage("decode", _decode, doc, config)
    doc = _stage("extract", _extract, doc, config)
    if not doc.paragraphs:
        raise DocumentError("empty", "no article text found")
    doc = _stage("clean", _clean, doc, config)
    if not doc.paragraphs:
        raise DocumentError("empty", "no article text left after cleaning")
    doc = _stage("clean", _identify_language, doc, config)
    if config.languages is not None and doc.language not in config.languages:
        wanted = ",".join(sorted(config.languages))
        raise DocumentError("filtered", f"language {doc.language or 'unknown'} is not in --lang {wanted}")
    return doc


Step = Callable[[Document, "Config"], Document]


def _stage(name: str, step: Step, doc: Document, config: Config) -> Document:
    """Run a step, turning an unexpected exception into a DocumentError of that stage."""
    try:
        result = step(doc, config)
    except DocumentError:
        raise
    except Exception as error:  # a library failing on one page must not stop the run
        raise DocumentError(name, f"{type(error).__name__}: {error}") from error
    return result


def _decode(doc: Document, config: Config) -> Document:
    if doc.kind == "html":
        return replace(doc, html=decode_html(doc.content, doc.content_type))
    text = decode_text(doc.content)
    return replace(doc, paragraphs=tuple(line for line in text.splitlines() if line.strip()))


def _extract(doc: Document, config: Config) -> Document:
    if doc.kind != "html" or doc.html is None:
        return doc
    extraction = extract_html(doc.html, doc.url, config.extract, config.active_page_rules)
    return replace(
        doc,
        paragraphs=extraction.paragraphs,
        metadata=extraction.metadata,
        removed=extraction.removed + doc.removed,  # cuts made before extraction come first
        extractor=EXTRACTOR,
    )


def _clean(doc: Document, config: Config) -> Document:
    kept, removed = apply_rules(doc.paragraphs, config.active_text_rules)
    metadata = doc.metadata
    if metadata.date is None:
        metadata = replace(metadata, date=_removed_date(removed) or doc.date_hint)
    return replace(doc, paragraphs=kept, removed=doc.removed + removed, metadata=metadata)


def _removed_date(removed: tuple[Removal, ...]) -> str | None:
    for removal in removed:
        if removal.family == "timestamp":
            found = parse_date(removal.text)
            if found:
                return found
    return None


def _identify_language(doc: Document, config: Config) -> Document:
    language, score = detect_language("\n".join(doc.paragraphs), doc.metadata.declared_language)
    return replace(doc, language=language, language_score=score)


__all__ = ["Config", "Document", "DocumentError", "Metadata", "process_document"]
