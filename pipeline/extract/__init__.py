"""HTML to paragraphs and metadata: parse once, read the page's signals and metadata, cut the page
rules' blocks, extract the main text, take the headline out of it. The only package that imports
trafilatura or htmldate (all of trafilatura's names are in `extract/trafilatura.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, replace
from typing import Protocol

from lxml.html import HtmlElement

from pipeline.article import Signals, page_signals
from pipeline.document import DocumentError, Metadata, Removal
from pipeline.extract.code import drop_code
from pipeline.extract.entries import entry_run, mark_entry_article
from pipeline.extract.metadata import extract_author, read_metadata
from pipeline.extract.readability import readability_lines
from pipeline.extract.repair import close_title
from pipeline.extract.reveal import reveal_hidden_prose
from pipeline.extract.trafilatura import EXTRACTOR, LOGGERS, ExtractOptions, MainText, main_text, parse
from pipeline.model.features import PageReading, read_blocks
from pipeline.rules.page.engine import prune
from pipeline.rules.page.shapes import PageRule
from pipeline.text import squeeze


@dataclass(frozen=True)
class Extraction:
    paragraphs: tuple[str, ...]
    metadata: Metadata
    # Blocks the page rules cut from the page before extraction, in page order.
    removed: tuple[Removal, ...] = ()
    # What the page says about itself (pipeline.article), when asked for.
    signals: Signals | None = None


class Reader(Protocol):
    """What decides a page's main content from its blocks and the extractors' readings of it (the page
    model, pipeline.model)."""

    @property
    def readings(self) -> tuple[str, ...]:
        """The readings it needs, of "newsclean", "readability", "recall"."""
        ...

    def read(self, page: PageReading) -> Sequence[str]:
        """The page's main content, as lines."""
        ...


def extract_html(
    html: str,
    url: str | None,
    options: ExtractOptions,
    page_rules: Sequence[PageRule] = (),
    *,
    read_signals: bool = False,
    model: Reader | None = None,
) -> Extraction:
    """Extract the article's paragraphs and metadata; raise DocumentError('extract') on failure.

    The page rules cut their blocks from the parsed page after the metadata is read (a cut block may
    hold the byline or the date) and before trafilatura extracts the text from the same tree. Scripts,
    style sheets, noscript and templates are dropped from it in between (extract/code.py). With a
    `model`, the page's blocks are read before the extraction changes the page, and the model decides
    which of them are the text, from them and from the extractors' readings of the page.
    """
    html = close_title(html)
    tree = parse(html)
    if tree is None:
        raise DocumentError("extract", "the page could not be parsed as HTML (a text without any markup)")
    # Before anything is cut from the page.
    signals = page_signals(tree, entries=entry_run(tree) is not None) if read_signals else None
    metadata = read_metadata(tree, url, options)
    drop_code(tree)  # after the metadata (JSON-LD, dates in scripts), before any reading of the text
    headlines = _headlines(tree, metadata.title)  # before trafilatura prunes the tree
    if options.entries:
        mark_entry_article(tree)
    if options.reveal_hidden_prose:
        reveal_hidden_prose(tree)
    removed = prune(tree, page_rules, url or metadata.url, metadata.description) if page_rules else ()
    page = read_blocks(tree) if model is not None else None  # before the extraction changes the page
    wanted = model.readings if model is not None else ()
    # The other readings, each of its own copy of the page as trafilatura gets it (rules' blocks cut).
    recall = deepcopy(tree) if "recall" in wanted else None
    # readability reads the page as trafilatura gets it, the page rules' blocks cut; only a page with a
    # table can be laid out with tables, and only then is a copy kept (the extraction changes the tree),
    # unless the model reads readability's reading of every page.
    spare = (
        deepcopy(tree)
        if "readability" in wanted or (options.readability_for_layout and tree.find(".//table") is not None)
        else None
    )
    main = main_text(tree, url or metadata.url, options)
    paragraphs = tuple(line for line in main.text.split("\n") if line.strip())
    read: tuple[str, ...] = ()
    if spare is not None and (page is not None or main.layout_share >= LAYOUT_SHARE):
        read = tuple(readability_lines(spare))
        if main.layout_share >= LAYOUT_SHARE and _share_within(read, paragraphs) >= READABILITY_WITHIN:
            paragraphs = read
    paragraphs = without_headline(paragraphs, headlines)
    if model is None or page is None:
        return Extraction(paragraphs, metadata, removed, signals)
    page.headlines = headlines
    page.readings["newsclean"] = paragraphs
    page.readings["readability"] = read
    if recall is not None:
        page.readings["recall"] = _lines(main_text(recall, url or metadata.url, _RECALL))
    chosen = tuple(line for line in model.read(page) if line.strip())
    return Extraction(without_headline(chosen, headlines), metadata, removed, signals)


# trafilatura's own reading at its most inclusive: every fallback (readability, jusText) compared on
# every page, recall mode, tables kept as rows.
_RECALL = replace(
    ExtractOptions(), fast=False, favor_recall=True, unwrap_layout_tables=False, readability_for_layout=False
)


def _lines(main: MainText) -> tuple[str, ...]:
    return tuple(line for line in main.text.split("\n") if line.strip())


# A text of which this share or more sat in tables laying out the page is read by readability instead.
LAYOUT_SHARE = 0.1
# readability's reading replaces trafilatura's only when this share of its word trigrams or more is in
# trafilatura's text: it narrows trafilatura's reading to the article's cell, and a reading that lies
# mostly elsewhere (a teaser column, the footer) is a wrong pick, not a narrower one.
READABILITY_WITHIN = 0.5


def _trigrams(lines: Sequence[str]) -> Counter[tuple[str, str, str]]:
    words = " ".join(lines).split()
    return Counter(zip(words, words[1:], words[2:], strict=False))


def _share_within(lines: Sequence[str], within: Sequence[str]) -> float:
    """The share of the word trigrams of `lines` (counted with repeats) that `within` holds; 0 for none."""
    grams = _trigrams(lines)
    total = sum(grams.values())
    return sum((grams & _trigrams(within)).values()) / total if total else 0.0


# trafilatura keeps an <h1> that stands inside the article element as the first paragraph. The
# headline is the record's `title`, not its text; it is looked for among the first few paragraphs
# only, after a kicker or a section label at most.
_HEADLINE_WINDOW = 3


# A page's <title> often joins the headline and the site's name ("Site - Headline", "Headline | Site"):
# each part of at least this many words, between these separators, is a headline too.
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—·:]{1,2}\s+")
_TITLE_PART_WORDS = 3


def _headlines(tree: HtmlElement, title: str | None) -> frozenset[str]:
    found = {squeeze(h1.text_content()) for h1 in tree.iter("h1")}
    if title:
        found.add(squeeze(title))
    page_title = tree.find("head/title")
    if page_title is not None:
        text = squeeze(page_title.text_content())
        found.add(text)
        found.update(part for part in _TITLE_SEPARATORS.split(text) if len(part.split()) >= _TITLE_PART_WORDS)
    return frozenset(text for text in found if text)


def without_headline(paragraphs: tuple[str, ...], headlines: frozenset[str]) -> tuple[str, ...]:
    """The paragraphs without the page's headline, when it stands among the first few."""
    for index, paragraph in enumerate(paragraphs[:_HEADLINE_WINDOW]):
        if squeeze(paragraph) in headlines:
            return paragraphs[:index] + paragraphs[index + 1 :]
    return paragraphs


__all__ = [
    "EXTRACTOR",
    "LOGGERS",
    "ExtractOptions",
    "Extraction",
    "Reader",
    "extract_author",
    "extract_html",
    "without_headline",
]
