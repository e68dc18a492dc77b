"""HTML to paragraphs and metadata with trafilatura; the only module that imports it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.utils import load_html

from .document import DocumentError, Metadata

EXTRACTOR = f"trafilatura {trafilatura.__version__}"

# trafilatura and htmldate log every odd page at WARNING/ERROR; newsclean records its own errors.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class ExtractOptions:
    """trafilatura settings, each chosen by measurement on the Zyte benchmark (bench/settings.py)."""

    # No readability/jusText fallbacks: F1 0.962 against 0.960 with them, at 1.5x the speed.
    fast: bool = True
    # Precision mode: +0.004 F1 with fallbacks, -0.016 F1 in fast mode (it loses recall).
    favor_precision: bool = False
    # Reader comments are not the article.
    include_comments: bool = False
    # Tables in news pages (results, figures) are article content.
    include_tables: bool = True
    # htmldate's extensive search scans the whole page for date-like strings; the page's
    # metadata and markup give the publication date on news pages, and scanning costs time.
    extensive_date_search: bool = False
    # XPath expressions pruned from the page before extraction.
    prune_xpath: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extraction:
    paragraphs: tuple[str, ...]
    metadata: Metadata


def extract_html(html: str, url: str | None, options: ExtractOptions) -> Extraction:
    """Extract the article's paragraphs and metadata; raise DocumentError('extract') on failure."""
    tree = load_html(html)
    if tree is None:
        raise DocumentError("extract", "the page could not be parsed as HTML")
    metadata = _metadata(tree, url, options)
    headlines = _headlines(tree, metadata.title)  # before trafilatura prunes the tree
    result = trafilatura.bare_extraction(
        tree,
        url=url or metadata.url,
        fast=options.fast,
        favor_precision=options.favor_precision,
        include_comments=options.include_comments,
        include_tables=options.include_tables,
        include_images=False,
        deduplicate=False,  # trafilatura's dedup cache is per process: results would vary
        with_metadata=False,
        prune_xpath=list(options.prune_xpath) or None,
    )
    text = getattr(result, "text", None) or ""
    paragraphs = tuple(line for line in text.split("\n") if line.strip())
    return Extraction(_without_headline(paragraphs, headlines), metadata)


# trafilatura keeps an <h1> that stands inside the article element as the first paragraph. The
# headline is the record's `title`, not its text; it is looked for among the first few paragraphs
# only, after a kicker or a section label at most.
_HEADLINE_WINDOW = 3


def _squeeze(text: str) -> str:
    return " ".join(text.split()).casefold()


def _headlines(tree: HtmlElement, title: str | None) -> frozenset[str]:
    found = {_squeeze(h1.text_content()) for h1 in tree.iter("h1")}
    if title:
        found.add(_squeeze(title))
    return frozenset(text for text in found if text)


def _without_headline(paragraphs: tuple[str, ...], headlines: frozenset[str]) -> tuple[str, ...]:
    for index, paragraph in enumerate(paragraphs[:_HEADLINE_WINDOW]):
        if _squeeze(paragraph) in headlines:
            return paragraphs[:index] + paragraphs[index + 1 :]
    return paragraphs


def _metadata(tree: HtmlElement, url: str | None, options: ExtractOptions) -> Metadata:
    """trafilatura's metadata steps for the contract's fields, without categories, tags and license."""
    found: Any = extract_meta_json(tree, examine_meta(tree))
    if not found.title:
        found.title = extract_title(tree)
    if not found.author:
        found.author = extract_author(tree)
    if not found.url:
        found.url = extract_url(tree, url)
    if not found.sitename:
        found.sitename = extract_sitename(tree)
    found.date = find_date(
        tree,
        url=found.url,
        original_date=True,
        extensive_search=options.extensive_date_search,
        max_date=datetime.now(UTC).strftime("%Y-%m-%d"),
    )
    found.clean_and_trim()
    sitename = found.sitename.lstrip("@") if found.sitename else None
    if sitename and "." not in sitename and not sitename[0].isupper():
        sitename = sitename.title()
    return Metadata(
        title=found.title or None,
        author=found.author or None,
        date=found.date or None,
        sitename=sitename or None,
        description=found.description or None,
        url=found.url or None,
        declared_language=_declared_language(tree),
    )


def _declared_language(tree: HtmlElement) -> str | None:
    values = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    values += tree.xpath('//meta[@http-equiv="content-language" or @property="og:locale"]/@content')
    for value in values:
        if value and value.strip():
            return str(value).strip().replace("_", "-").split("-")[0].lower() or None
    return None
