"""HTML to paragraphs and metadata with trafilatura; the only module that imports it."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.core import trafilatura_sequence
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import DEFAULT_CONFIG, Extractor
from trafilatura.utils import load_html, trim
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

from pipeline.article import Signals, page_signals
from pipeline.document import DocumentError, Metadata, Removal
from pipeline.rules.page.engine import prune
from pipeline.rules.page.shapes import PageRule
from pipeline.text import squeeze

EXTRACTOR = f"trafilatura {trafilatura.__version__}"

# trafilatura and htmldate log every odd page at WARNING/ERROR; newsclean records its own errors.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class ExtractOptions:
    """trafilatura settings, each chosen by measurement on the Zyte benchmark (bench/zyte.py).

    Figures are newsclean's F1 with the DOM rules and text rules on (0.977 with these defaults).
    """

    # No readability/jusText fallbacks: F1 0.977 against 0.973 with them, at about 1.5x the speed.
    # The fallbacks read the page their own way and bring back blocks the DOM rules cannot reach.
    fast: bool = True
    # Precision mode drops link-dense and trailing blocks the DOM rules already handle, and real text
    # with them: F1 0.962 in fast mode (recall 0.950), 0.975 with the fallbacks.
    favor_precision: bool = False
    # Recall mode keeps blocks the balanced mode drops: F1 0.976, no recall gained.
    favor_recall: bool = False
    # Reader comments are not the article.
    include_comments: bool = False
    # Tables in news pages (results, figures) are article content: F1 0.974 without them.
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
    # Blocks the page rules cut from the page before extraction, in page order.
    removed: tuple[Removal, ...] = ()
    # What the page says about itself (pipeline.article), when asked for.
    signals: Signals | None = None


def extract_html(
    html: str,
    url: str | None,
    options: ExtractOptions,
    page_rules: Sequence[PageRule] = (),
    *,
    read_signals: bool = False,
) -> Extraction:
    """Extract the article's paragraphs and metadata; raise DocumentError('extract') on failure.

    The page rules cut their blocks from the parsed page after the metadata is read (a cut block may
    hold the byline or the date) and before trafilatura extracts the text from the same tree.
    """
    tree = load_html(html)
    if tree is None:
        raise DocumentError("extract", "the page could not be parsed as HTML")
    signals = page_signals(tree) if read_signals else None  # before anything is cut from the page
    metadata = _metadata(tree, url, options)
    headlines = _headlines(tree, metadata.title)  # before trafilatura prunes the tree
    removed = prune(tree, page_rules, url or metadata.url, metadata.description) if page_rules else ()
    text = _main_text(tree, url or metadata.url, options)
    paragraphs = tuple(line for line in text.split("\n") if line.strip())
    return Extraction(_without_headline(paragraphs, headlines), metadata, removed, signals)


# trafilatura keeps an <h1> that stands inside the article element as the first paragraph. The
# headline is the record's `title`, not its text; it is looked for among the first few paragraphs
# only, after a kicker or a section label at most.
_HEADLINE_WINDOW = 3


def _headlines(tree: HtmlElement, title: str | None) -> frozenset[str]:
    found = {squeeze(h1.text_content()) for h1 in tree.iter("h1")}
    if title:
        found.add(squeeze(title))
    return frozenset(text for text in found if text)


def _without_headline(paragraphs: tuple[str, ...], headlines: frozenset[str]) -> tuple[str, ...]:
    for index, paragraph in enumerate(paragraphs[:_HEADLINE_WINDOW]):
        if squeeze(paragraph) in headlines:
            return paragraphs[:index] + paragraphs[index + 1 :]
    return paragraphs


def _main_text(tree: HtmlElement, url: str | None, options: ExtractOptions) -> str:
    """The article text, as `trafilatura.bare_extraction(tree, ...).text` gives it.

    bare_extraction copies a tree it is handed (4 ms on a news page) so the caller's tree stays
    intact; the page was parsed here for the metadata, which is read first, so the tree is given
    over to the extraction as it is: bare_extraction's own steps, without the copy.
    tests/test_extract.py checks the text is bare_extraction's, page for page.
    """
    extractor = Extractor(
        config=DEFAULT_CONFIG,
        output_format="python",
        fast=options.fast,
        precision=options.favor_precision,
        recall=options.favor_recall,
        comments=options.include_comments,
        formatting=False,
        links=False,
        images=False,
        tables=options.include_tables,
        dedup=False,  # trafilatura's dedup cache is per process: results would vary
        lang=None,
        url=url,
        with_metadata=False,
    )
    if options.prune_xpath:
        tree = prune_unwanted_nodes(tree, [XPath(expression) for expression in options.prune_xpath])
    body, text, _, _ = trafilatura_sequence(tree, extractor, url)
    if len(text) < extractor.min_output_size:
        return ""
    return str(xmltotxt(body, False))


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


# --- author fallback ---------------------------------------------------------------------------------
# trafilatura (2.3, `metadata.extract_author`) deep-copies the whole page, deletes comment lists,
# sidebars, <time> and <figure> from the copy, then runs three tiers of EXSLT-regex XPaths over it:
# about 13 ms on a news page, paid on every page whose metadata names no author. The same
# predicates are tested here in Python in one walk of the original tree; a candidate inside a
# deleted region is passed over, and only a candidate that holds deleted parts is copied and
# pruned. Same answer (bench/author.py and tests/test_author.py check it), a third of the time.

# The predicates of trafilatura's AUTHOR_XPATHS and AUTHOR_DISCARD_XPATHS (xpaths.py), tier by tier.
_TIER1_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_TIER1_CLASS = re.compile("author-?name|AuthorName|authorName")
_TIER2_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_TIER2_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
_TIER2_ID = re.compile("author|zuozhe|bianji|xiaobian")
_TIER2_CLASS = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_TIER3_ID = re.compile("[Aa]uthor")
_TIER3_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)"
    "|print|category|meta-date|meta-reviewer"
)
MAX_AUTHOR_CHARS = 120


def _tier(element: HtmlElement) -> int | None:
    tag = element.tag
    get = element.get
    cls, ident, itemprop = get("class"), get("id"), get("itemprop") or ""
    if tag == "author" or (
        tag in _TIER1_TAGS
        and (
            get("rel") == "author"
            or ident == "author"
            or cls == "author"
            or itemprop == "author name"
            or get("data-testid") in ("AuthorCard", "AuthorURL")
            or (cls is not None and _TIER1_CLASS.search(cls))
        )
    ):
        return 1
    if tag in _TIER2_TAGS and (
        cls in _TIER2_CLASSES
        or "author" in itemprop
        or (ident is not None and _TIER2_ID.search(ident))
        or (cls is not None and _TIER2_CLASS.search(cls))
    ):
        return 2
    if (
        "Byline" in (get("data-component") or "")
        or "author" in itemprop
        or (ident is not None and _TIER3_ID.search(ident))
        or (cls is not None and _TIER3_CLASS.search(cls))
    ):
        return 3
    return None


def _discarded(element: HtmlElement, root: HtmlElement) -> bool:
    tag = element.tag
    if tag in ("time", "figure"):
        return True
    if tag not in _DISCARD_TAGS or element is root:
        return False
    cls, ident = element.get("class"), element.get("id")
    return (
        ident == "comments"
        or cls in ("comments", "title", "date")
        or (ident is not None and _DISCARD_ID.search(ident) is not None)
        or (cls is not None and _DISCARD_CLASS.search(cls) is not None)
        or "Figure" in (element.get("data-component") or "")
    )


def extract_author(tree: HtmlElement) -> str | None:
    """The page's author by trafilatura's markup heuristics, or None."""
    tiers: dict[int, list[HtmlElement]] = {1: [], 2: [], 3: []}
    discarded: set[HtmlElement] = set()
    for element in tree.iter(etree.Element):
        if _discarded(element, tree):
            discarded.add(element)
        tier = _tier(element)
        if tier is not None:
            tiers[tier].append(element)
    for tier in (1, 2, 3):
        for element in tiers[tier]:
            if element in discarded or any(node in discarded for node in element.iterancestors()):
                continue
            content = trim(" ".join(_kept_text(element, discarded)))
            if content and 2 < len(content) < MAX_AUTHOR_CHARS:
                author: str | None = normalize_authors(None, content)
                return author
    return None


def _kept_text(element: HtmlElement, discarded: set[HtmlElement]) -> list[str]:
    if not any(node in discarded for node in element.iterdescendants()):
        return list(element.itertext())
    return list(prune_unwanted_nodes(deepcopy(element), AUTHOR_DISCARD_XPATHS).itertext())
