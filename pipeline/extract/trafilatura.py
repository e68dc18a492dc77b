"""Every trafilatura name newsclean uses, in one place, and the switch between its private internals and
its public API.

Private names, read from trafilatura 2.3.1 (pyproject.toml pins `trafilatura>=2.3,<2.4`), and why:

- `trafilatura.core.trafilatura_sequence`: the extraction steps of `bare_extraction` without its copy
  of the tree (4 ms a page); `trafilatura.settings.Extractor` and `DEFAULT_CONFIG`, the options object
  it takes; `trafilatura.xml.xmltotxt`, the extracted body as text, as `bare_extraction(...).text`.
- `trafilatura.metadata.examine_meta`, `extract_title`, `extract_url`, `extract_sitename`: the metadata
  steps for the record's fields, without categories, tags and license; `trafilatura.metadata.JSON_MINIFY`
  and `trafilatura.json_metadata.extract_json`, `extract_json_parse_error`, `normalize_json`: its JSON-LD
  step (`extract_meta_json`), run here with one repair (`json_ld`, below).
- `trafilatura.external.compare_extraction` and `trafilatura.htmlprocessing.tree_cleaning`: the
  comparison with trafilatura's readability and jusText that its default mode runs on every page, run
  here on the pages whose own extraction is doubtful (`second_opinion`).
- `trafilatura.readability_lxml.Document`: trafilatura's port of readability, which scores whole
  containers, for pages laid out with tables (`readability_summary`; extract/readability.py).
- `trafilatura.utils.is_dubious_html`, `DOCTYPE_TAG` and `FAULTY_HTML`: the check and the repairs of
  `load_html` (its `repair_faulty_html`, whose regular-expression scan for control characters is done by
  `pipeline.decode.drop_control_characters` in a third of the time), run here before a parse with
  newsclean's own parser (`parse`, below). Unlike `load_html`, `parse` reads a fragment (`<p>...</p>`,
  a `<div>` without `<html>` or `<body>`) as a whole document; only a text without any markup is refused.
- `trafilatura.htmlprocessing.prune_unwanted_nodes`, `trafilatura.xpaths.AUTHOR_DISCARD_XPATHS`,
  `trafilatura.json_metadata.normalize_authors`, `trafilatura.utils.trim`: the one-pass author
  fallback (extract/metadata.py) prunes, normalises and trims a candidate as trafilatura does;
  `prune_unwanted_nodes` also applies `prune_xpath`.

`ExtractOptions(public_api=True)` uses `bare_extraction` and `extract_metadata` instead; the tests run
each page both ways and compare. The text is the same; of the metadata, `extract_metadata` also drops a
one-word author named by the page's meta tags ("CBS") and takes the URL's host for a missing site name,
two steps the default path leaves out.

The repair: trafilatura 2.3 unescapes a JSON-LD block's whole text (`\\u0022` and `&quot;` become `"`)
before it parses it, so a block whose strings hold an escaped quote no longer parses, and its fallback runs
regular expressions that search the text again after every author they find: 2.2 s for the 840 KB block
of one live page of the benchmarks, against milliseconds for the parse. When the unescaped text does not
parse, the block as written is parsed and its strings are unescaped one by one; only a block that does
not parse either way goes to trafilatura's fallback. tests/test_extract.py pins it.
"""

from __future__ import annotations

import json
import re
from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from htmldate import find_date
from lxml.etree import ElementDefaultClassLookup, XPath
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
)
from trafilatura import bare_extraction, extract_metadata
from trafilatura.core import trafilatura_sequence
from trafilatura.external import compare_extraction
from trafilatura.htmlprocessing import prune_unwanted_nodes, tree_cleaning
from trafilatura.json_metadata import (
    extract_json,
    extract_json_parse_error,
    normalize_authors,
    normalize_json,
)
from trafilatura.metadata import JSON_MINIFY, examine_meta, extract_sitename, extract_title, extract_url
from trafilatura.readability_lxml import Document as Readability
from trafilatura.settings import DEFAULT_CONFIG, Extractor
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, trim
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

from pipeline.decode import drop_control_characters
from pipeline.extract.layout import unwrap_layout_tables

EXTRACTOR = f"trafilatura {trafilatura.__version__}"
# The loggers trafilatura and its date library write to; `warm_up` quiets them for runs.
LOGGERS = ("trafilatura", "htmldate")


@dataclass(frozen=True)
class ExtractOptions:
    """trafilatura settings, each chosen by measurement (bench/quality.py, the README's settings table)."""

    # True: no readability/jusText fallbacks on every page, `second_opinion` runs them where they are
    # needed. False (trafilatura's own default) compares every page with them: chosen by every fold of
    # the leave-one-set-out benchmark (bench/quality.py --loso), at about a third more time a page.
    fast: bool = False
    # A doubtful extraction (no paragraph text, more tables than paragraphs, short, or a small share of
    # the page) is compared with trafilatura's readability and jusText, as its default mode does on
    # every page.
    second_opinion: bool = True
    # Precision mode drops link-dense and trailing blocks the page rules already handle, and real text
    # with them.
    favor_precision: bool = False
    # Recall mode keeps blocks the balanced mode drops.
    favor_recall: bool = False
    # Reader comments are not the article.
    include_comments: bool = False
    # Tables in news pages (results, figures) are article content.
    include_tables: bool = True
    # htmldate's extensive search scans the whole page for date-like strings; the page's metadata and
    # markup give the publication date on news pages, and scanning costs time.
    extensive_date_search: bool = False
    # XPath expressions pruned from the page before extraction.
    prune_xpath: tuple[str, ...] = ()
    # Tables of the extracted text that lay out the page (a cell holding several blocks or a long text)
    # come out as paragraphs instead of rows of cells (extract/layout.py).
    unwrap_layout_tables: bool = True
    # A page whose text sat mostly in layout tables is read by trafilatura's readability instead
    # (extract/readability.py).
    readability_for_layout: bool = True
    # A page made of a run of entries (a live blog) has the block around all of them as its article
    # (extract/entries.py).
    entries: bool = True
    # A hidden block of prose (the rest of an article that a script reveals) is shown before the page
    # rules and the extraction read the page (extract/reveal.py).
    reveal_hidden_prose: bool = True
    # Use trafilatura's public API (bare_extraction, extract_metadata) instead of its internals: the
    # same text, at the cost of a copy of each page and of the metadata newsclean does not keep.
    public_api: bool = False


def _parser() -> HTMLParser:
    """trafilatura's parser options (`trafilatura.utils.HTML_PARSER`), with every element an
    `HtmlElement`: lxml.html picks each element's class in Python (a form class for <form>, an input
    class for <input>, ...), a call for every element the extraction and the rules visit, 5% of
    newsclean's time; neither trafilatura nor the rules use those classes."""
    parser = HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(
        ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
        )
    )
    return parser


_PARSER = _parser()


def _parse_bytes(html: str) -> HtmlElement | None:
    try:
        tree: HtmlElement = document_fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception:  # lxml's errors on a page it cannot read: no tree, as load_html has it
        return None
    return tree


def _repaired(html: str, beginning: str) -> str:
    """trafilatura's `repair_faulty_html`: no control characters, a DOCTYPE that closes itself on the first
    line (libxml2 then loses the page) or a self-closing <html/> in the first lines taken apart."""
    html = drop_control_characters(html)
    if "doctype" in beginning:
        first, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", first, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return str(FAULTY_HTML.sub(r"\1>", html, count=1))
    return html


# A tag, an end tag, a comment or a declaration: what makes a text HTML markup rather than plain words.
_MARKUP = re.compile(r"<[A-Za-z!/?]")


def parse(html: str) -> HtmlElement | None:
    """The page parsed as trafilatura's `load_html` parses a whole document, or None for a text without
    markup.

    A fragment (`<p>...</p><p>...</p>`, a lone `<div>`, an `<article>`) is parsed as the document a
    browser makes of it, `<html><body>` around the fragment, where `load_html` (through
    `lxml.html.fromstring`) gives the fragment's own element, or nothing at all when the fragment is one
    element: the page rules, the metadata and the extraction all look for the page's `<body>`.
    """
    beginning = html[:50].lower()
    if is_dubious_html(beginning) and not _MARKUP.search(html):
        return None
    html = _repaired(html, beginning)
    tree: HtmlElement | None = None
    try:
        tree = document_fromstring(html, parser=_PARSER)
    except ValueError:  # a text with an encoding declaration: lxml takes it as bytes only
        return _parse_bytes(html)
    except Exception:
        tree = None
    if tree is None or len(tree) < 1:
        tree = _parse_bytes(html)
    return tree


def _date_params(options: ExtractOptions) -> dict[str, Any]:
    return {
        "original_date": True,
        "extensive_search": options.extensive_date_search,
        "max_date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


@dataclass(frozen=True)
class MainText:
    """The extracted text, and the share of it that sat in tables laying out the page."""

    text: str
    layout_share: float = 0.0


# An extraction shorter than this (characters), or than this share of the page's text, is doubtful.
DOUBTFUL_CHARS = 250
DOUBTFUL_PAGE_SHARE = 0.1


def main_text(tree: HtmlElement, url: str | None, options: ExtractOptions) -> MainText:
    """The article text, as `trafilatura.bare_extraction(tree, ...).text` gives it.

    bare_extraction copies a tree it is handed so the caller's tree stays intact; the page was parsed
    here for the metadata, which is read first, so by default the tree is given over to the extraction
    as it is: bare_extraction's own steps, without the copy.
    """
    if options.public_api:
        return _public_text(tree, url, options)
    extractor = _extractor(options, url)
    if options.prune_xpath:
        tree = prune_unwanted_nodes(tree, [XPath(expression) for expression in options.prune_xpath])
    page_chars = _page_chars(tree)
    body, text, _, _ = trafilatura_sequence(tree, extractor, url)
    if options.fast and options.second_opinion and _doubtful(body, text, page_chars):
        # The tree is the raw page as the comparison expects it (trafilatura_sequence cleans a copy).
        body, text = compare_extraction(tree_cleaning(copy(tree), extractor), tree, body, text, extractor)
    if len(text) < extractor.min_output_size:
        return MainText("")
    return _text(body, options)


def _page_chars(tree: HtmlElement) -> int:
    """Characters of the page's text (its code was dropped when it was parsed: extract/code.py)."""
    body = tree.find("body")
    return 0 if body is None else len(body.text_content())


def _doubtful(body: Any, text: str, page_chars: int) -> bool:
    """trafilatura's signs of a deficient extraction that need no second extraction to see."""
    if len(text) < DOUBTFUL_CHARS or len(text) < DOUBTFUL_PAGE_SHARE * page_chars:
        return True
    return not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p"))


def _extractor(options: ExtractOptions, url: str | None) -> Any:
    return Extractor(
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


def _text(body: Any, options: ExtractOptions) -> MainText:
    layout = unwrap_layout_tables(body) if options.unwrap_layout_tables else 0
    text = str(xmltotxt(body, False))
    return MainText(text, min(1.0, layout / len(text)) if text else 0.0)


def _public_text(tree: HtmlElement, url: str | None, options: ExtractOptions) -> MainText:
    # The public API cannot compare only the doubtful pages: with a second opinion, every page is.
    extracted: Any = bare_extraction(
        tree,
        url=url,
        fast=options.fast and not options.second_opinion,
        favor_precision=options.favor_precision,
        favor_recall=options.favor_recall,
        include_comments=options.include_comments,
        include_tables=options.include_tables,
        deduplicate=False,
        prune_xpath=list(options.prune_xpath) or None,
    )
    if extracted is None or not extracted.text:
        return MainText("")
    return _text(extracted.body, options)


@dataclass
class MetadataFields:
    """The metadata fields of the record, as trafilatura finds them."""

    title: str | None
    author: str | None
    url: str | None
    sitename: str | None
    date: str | None
    description: str | None


def metadata_fields(
    tree: HtmlElement, url: str | None, options: ExtractOptions, author: Any, blocks: tuple[Any, ...]
) -> MetadataFields:
    """trafilatura's metadata steps for the record's fields, without categories, tags and license.

    `author(tree)` is the author fallback for pages whose metadata names none; `blocks` are the page's
    JSON-LD blocks as `json_ld(tree)` parsed them.
    """
    if options.public_api:
        found: Any = extract_metadata(tree, url, _date_params(options))
    else:
        found = _json_ld(blocks, examine_meta(tree))
        if not found.title:
            found.title = extract_title(tree)
        if not found.author:
            found.author = author(tree)
        if not found.url:
            found.url = extract_url(tree, url)
        if not found.sitename:
            found.sitename = extract_sitename(tree)
        found.date = find_date(tree, url=found.url, **_date_params(options))
        found.clean_and_trim()
    return MetadataFields(found.title, found.author, found.url, found.sitename, found.date, found.description)


# The shortest block readability scores, as trafilatura's own use of it sets (external.try_readability).
_READABILITY_MIN_TEXT = 25


def readability_summary(tree: HtmlElement) -> str:
    """readability's summary of the page as an HTML fragment; the tree is changed (blocks dropped)."""
    return str(Readability(tree, min_text_length=_READABILITY_MIN_TEXT).summary())


_JSON_LD = XPath('.//script[@type="application/ld+json" or @type="application/settings+json"]')


@dataclass(frozen=True)
class Unparsed:
    """A JSON-LD block that parses neither unescaped nor as written: its unescaped text, which
    trafilatura's regular-expression fallback reads."""

    text: str


def json_ld(tree: HtmlElement) -> tuple[Any, ...]:
    """The page's JSON-LD blocks in page order, each parsed once, as trafilatura's `extract_meta_json`
    reads them (strings unescaped), with a block that its unescaping breaks parsed as written; a block
    that parses neither way is an `Unparsed`."""
    blocks: list[Any] = []
    for script in _JSON_LD(tree):
        if not script.text:
            continue
        minified = JSON_MINIFY.sub(r"\1", script.text)
        unescaped = normalize_json(minified)
        try:
            blocks.append(json.loads(unescaped, strict=False))
            continue
        except json.JSONDecodeError:
            pass
        try:
            blocks.append(_unescaped(json.loads(minified, strict=False)))
        except json.JSONDecodeError:
            blocks.append(Unparsed(unescaped))
    return tuple(blocks)


def _json_ld(blocks: tuple[Any, ...], metadata: Any) -> Any:
    """trafilatura's `extract_meta_json`, on blocks parsed by `json_ld`."""
    for block in blocks:
        if isinstance(block, Unparsed):
            metadata = extract_json_parse_error(block.text, metadata)
        else:
            metadata = extract_json(block, metadata)
    return metadata


def _unescaped(value: Any) -> Any:
    """A parsed JSON value with every string unescaped as trafilatura unescapes the block's text."""
    if isinstance(value, str):
        return normalize_json(value)
    if isinstance(value, list):
        return [_unescaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _unescaped(item) for key, item in value.items()}
    return value


__all__ = [
    "AUTHOR_DISCARD_XPATHS",
    "EXTRACTOR",
    "LOGGERS",
    "ExtractOptions",
    "MetadataFields",
    "Unparsed",
    "json_ld",
    "main_text",
    "metadata_fields",
    "normalize_authors",
    "parse",
    "prune_unwanted_nodes",
    "readability_summary",
    "trim",
]
