"""Extraction: the text is trafilatura's own, page by page, through its internals and its public API
alike; metadata stays out of the text."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from pipeline import Config, Document, run_one
from pipeline.decode import decode_html
from pipeline.extract import ExtractOptions, extract_html
from pipeline.extract.entries import mark_entry_article
from pipeline.extract.trafilatura import main_text, parse
from pipeline.rules import PAGE_RULES

from .conftest import GOLD_DIR, SHARED

ZYTE_PAGES = 40
# trafilatura's own behaviour, without what newsclean adds to it (a second opinion on doubtful pages,
# layout tables as paragraphs, readability for pages laid out with tables).
PLAIN = ExtractOptions(second_opinion=False, unwrap_layout_tables=False, readability_for_layout=False)
PRECISION = replace(PLAIN, fast=False, favor_precision=True)


def _pages() -> list[Path]:
    pages = sorted(GOLD_DIR.glob("*.html"))
    zyte = SHARED / "benchmarks" / "zyte" / "html"
    if zyte.is_dir():
        pages += sorted(zyte.glob("*.html.gz"))[:ZYTE_PAGES]
    return pages


PAGES = [pytest.param(path, id=path.name.split(".")[0][:16]) for path in _pages()]


def _html(path: Path) -> str:
    data = path.read_bytes()
    return decode_html(gzip.decompress(data) if path.name.endswith(".gz") else data)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("options", [PLAIN, PRECISION], ids=["default", "precision"])
def test_main_text_is_bare_extractions_text(path: Path, options: ExtractOptions) -> None:
    html = _html(path)
    public = trafilatura.bare_extraction(
        html, include_comments=False, fast=options.fast, favor_precision=options.favor_precision
    )
    assert main_text(parse(html), None, options).text == (public.text if public else "")


ODD_TEXTS = {
    "doctype-on-first-line": "<!DOCTYPE html><html><body><form><input name=q></form><p>T</p></body></html>",
    "xhtml-doctype": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1.dtd">\n'
    "<html><body><p>Text</p></body></html>",
    "self-closing-html": "<html/><body><p>Text</p></body>",
    "control-characters": "<html><body><p>Te\x01xt\x0b</p></body></html>",
    "head-without-html-tag": "<!-- saved --><head><title>T</title></head><body><p>Text</p></body>",
    "empty": "",
    "plain-words": "Just some words",
}


@pytest.mark.parametrize("html", list(ODD_TEXTS.values()), ids=list(ODD_TEXTS))
def test_parse_gives_the_tree_trafilatura_loads(html: str) -> None:
    ours, theirs = parse(html), load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)
        # lxml.html's per-tag classes (a form class, an input class) are not used: every element is plain
        assert {type(element) for element in ours.iter(etree.Element)} == {HtmlElement}


# Fragments, and a page that starts neither with `<html` nor with a doctype and has no <head>: trafilatura's
# load_html gives the fragment's own element (or None for a single element); parse gives the whole document
# a browser makes of it.
FRAGMENTS = {
    "encoding-declaration": (
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>Text</p></body></html>',
        ["p"],
    ),
    "one-paragraph": ("<p>One paragraph and nothing else</p>", ["p"]),
    "paragraphs": ("<p>One</p><p>Two</p>", ["p", "p"]),
    "divs": ("<div><p>One</p></div><div><p>Two</p></div>", ["div", "div"]),
    "one-div": ("<div><p>One</p><p>Two</p></div>", ["div"]),
    "comment-first": ("<!-- saved --><article><p>One</p></article>", ["article"]),
    "words-and-a-tag": ("Some words <b>in bold</b> and more", ["b"]),
}


@pytest.mark.parametrize(("html", "children"), list(FRAGMENTS.values()), ids=list(FRAGMENTS))
def test_a_fragment_is_parsed_as_a_whole_document(html: str, children: list[str]) -> None:
    tree = parse(html)
    assert tree is not None and tree.tag == "html"
    body = tree.find("body")
    assert body is not None and [child.tag for child in body] == children


@pytest.mark.parametrize("path", PAGES)
def test_the_public_api_switch_gives_the_same_extraction(path: Path) -> None:
    html = _html(path)
    # The public API cannot ask for a second opinion on the doubtful pages only.
    options = ExtractOptions(second_opinion=False)
    internal = extract_html(html, None, options, PAGE_RULES)
    public = extract_html(html, None, replace(options, public_api=True), PAGE_RULES)
    assert public.paragraphs == internal.paragraphs
    assert public.removed == internal.removed
    ours, theirs = internal.metadata, public.metadata
    for name in ("title", "date", "description", "url", "declared_language"):
        assert getattr(theirs, name) == getattr(ours, name), name
    # extract_metadata takes the URL's host (less "www.") for a missing site name (extract/trafilatura.py).
    host = re.match(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)", ours.url or "")
    assert theirs.sitename == (ours.sitename or (host[1] if host else None))
    # extract_metadata drops a one-word meta author for the markup's byline (extract/trafilatura.py): on
    # these pages the same name, in the markup's case ("Reuters" against "REUTERS").
    if ours.author is None or " " in ours.author:
        assert theirs.author == ours.author
    else:
        assert (theirs.author or "").casefold() == ours.author.casefold()


def test_metadata_is_kept_out_of_the_text() -> None:
    page = (GOLD_DIR / "wordpress-jetpack.html").read_text(encoding="utf-8")
    extraction = extract_html(page, None, ExtractOptions())
    meta = extraction.metadata
    assert meta.title and meta.url and meta.date
    text = "\n".join(extraction.paragraphs)
    assert meta.title not in extraction.paragraphs
    assert meta.date not in text


def test_canonical_url_and_declared_language() -> None:
    page = (
        "<html lang='de-DE'><head><title>T</title><link rel='canonical' href='https://example.de/a'></head>"
        "<body><article><p>"
        + "Ein Satz über die Stadt und ihre Brücken. " * 20
        + "</p></article></body></html>"
    )
    meta = extract_html(page, None, ExtractOptions()).metadata
    assert meta.url == "https://example.de/a"
    assert meta.declared_language == "de"


# An escaped quote in a JSON-LD string: trafilatura 2.3 unescapes the block before parsing it, the block no
# longer parses, and its fallback cuts the headline at the quote and misses the publisher.
ESCAPED_JSON_LD = (
    """<html><head><title>Bang at the quay | Harbour Gazette</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Residents describe a \\u0022loud bang\\u0022 at the quay",
 "author": [{"@type": "Person", "name": "Tamsin Greaves"}],
 "publisher": {"@type": "Organization", "name": "Harbour Gazette"},
 "articleBody": "Local people said a \\"loud bang\\" was heard shortly after nine."}
</script></head>
<body><article><p>"""
    + "Residents near the quay said they heard a loud bang shortly after nine. " * 8
    + """</p>
</article></body></html>"""
)


def test_a_json_ld_block_with_an_escaped_quote_is_parsed_whole() -> None:
    meta = extract_html(ESCAPED_JSON_LD, None, ExtractOptions()).metadata
    assert meta.title == 'Residents describe a "loud bang" at the quay'
    assert meta.author == "Tamsin Greaves"
    assert meta.sitename == "Harbour Gazette"


def _layout_page() -> str:
    return (GOLD_DIR / "table-layout-page.html").read_text(encoding="latin-1")


def test_a_layout_page_is_read_by_readability_within_trafilaturas_text() -> None:
    with_readability = extract_html(_layout_page(), None, ExtractOptions(), PAGE_RULES).paragraphs
    without = extract_html(_layout_page(), None, ExtractOptions(readability_for_layout=False), PAGE_RULES)
    assert "Also in the news" in without.paragraphs and "Also in the news" not in with_readability
    assert set(with_readability) < set(without.paragraphs)


def test_a_readability_reading_that_lies_elsewhere_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # A reading mostly outside trafilatura's text is a wrong pick (a teaser column, a footer).
    import pipeline.extract as extract

    elsewhere = ["Subscribe to the print edition for the weekend supplement and the crossword."]
    monkeypatch.setattr(extract, "readability_lines", lambda tree: elsewhere)
    kept = extract_html(_layout_page(), None, ExtractOptions(), PAGE_RULES).paragraphs
    plain = extract_html(_layout_page(), None, ExtractOptions(readability_for_layout=False), PAGE_RULES)
    assert kept == plain.paragraphs


ARTICLE_TEXT = "The council approved the new bridge over the river after a debate that lasted four hours. "


@pytest.mark.parametrize(
    "fragment",
    [
        f"<p>{ARTICLE_TEXT * 3}</p><p>{ARTICLE_TEXT * 2}</p>",
        f"<div><p>{ARTICLE_TEXT * 3}</p></div>",
        f"<p>{ARTICLE_TEXT * 3}</p>",
        f"<article><h2>The bridge</h2><p>{ARTICLE_TEXT * 3}</p></article>",
    ],
    ids=["paragraphs", "one-div", "one-paragraph", "article"],
)
def test_an_html_fragment_gives_a_record(fragment: str) -> None:
    outcome = run_one(Document("fragment.html", "html", content=fragment.encode()), Config())
    assert outcome.error is None and outcome.record is not None
    assert ARTICLE_TEXT.strip() in outcome.record["text"]


def test_a_text_without_markup_is_refused_as_html() -> None:
    outcome = run_one(Document("words.html", "html", content=b"Just some words"), Config())
    assert outcome.error is not None and outcome.error["stage"] == "extract"


# Code in a page, each marked with a word no reading of the text may let through.
MARKER = "codemarker"
CODE = {
    "style": f"<style>.{MARKER} {{ color: red }} p::before {{ content: '{MARKER}' }}</style>",
    "script": f"<script>var {MARKER} = 'the {MARKER} text of a script';</script>",
    "noscript": f"<noscript><p>{MARKER}: please enable JavaScript in your browser to see the interactive "
    "timeline of the events described in this story.</p></noscript>",
    "template": f"<template><p>{MARKER}: the latest update from our reporters will appear here as soon "
    "as it is published, with the photographs of the day.</p></template>",
}


def _gold_page(name: str) -> str:
    data = (GOLD_DIR / name).read_bytes()
    return data.decode("latin-1" if name.startswith("table-layout") else "utf-8")


def _after(page: str, anchor: str, code: str) -> str:
    assert anchor in page
    return page.replace(anchor, anchor + code, 1)


# Each path a page's text can take: trafilatura's own reading of an article (code in the <body>, code in
# the <article>), readability's reading of a page laid out with tables, the entries of a live page, the
# second opinion on a doubtful (short) extraction, a fragment.
READINGS = {
    "body": lambda code: _after(_gold_page("wordpress-jetpack.html"), 'wp-embed-responsive">', code),
    "article": lambda code: _after(
        _gold_page("wordpress-jetpack.html"), "how the work should be paid for.</p>", code
    ),
    "layout-table": lambda code: _after(
        _gold_page("table-layout-page.html"), "museum of the valley's weaving trade.</font></p>", code
    ),
    "live-entries": lambda code: _after(
        _gold_page("liveblog-newsroom.html"),
        "Neither side has commented on the progress made so far.</p>",
        code,
    ),
    "short-page": lambda code: (
        f"<html><body><div>{code}<div>A short notice of a few words.</div></div></body></html>"
    ),
    "fragment": lambda code: f"<div><p>{ARTICLE_TEXT * 3}</p>{code}<p>{ARTICLE_TEXT * 2}</p></div>",
}


@pytest.mark.parametrize("code", list(CODE.values()), ids=list(CODE))
@pytest.mark.parametrize("reading", list(READINGS.values()), ids=list(READINGS))
def test_code_never_reaches_the_text(reading: Callable[[str], str], code: str) -> None:
    with_code = run_one(Document("page.html", "html", content=reading(code).encode()), Config())
    without = run_one(Document("page.html", "html", content=reading("").encode()), Config())
    assert with_code.record is not None and without.record is not None
    assert MARKER not in with_code.record["text"].lower()
    assert with_code.record["text"] == without.record["text"]


@pytest.mark.parametrize("code", list(CODE.values()), ids=list(CODE))
def test_code_never_reaches_the_text_of_a_text_dump(code: str) -> None:
    dump = f"A line of the dump about the bridge.\n{code}\nAnother line of the text dump.\n"
    outcome = run_one(Document("dump.txt", "text", content=dump.encode()), Config())
    assert outcome.record is not None
    assert outcome.record["text"] == "A line of the dump about the bridge.\nAnother line of the text dump."


def test_a_declarative_shadow_root_is_page_text() -> None:
    shown = "The bridge will open to walkers in the spring, the council said on Tuesday evening."
    page = f"<div><p>{ARTICLE_TEXT * 3}</p><template shadowrootmode='open'><p>{shown}</p></template></div>"
    outcome = run_one(Document("page.html", "html", content=page.encode()), Config())
    assert outcome.record is not None and shown in outcome.record["text"]


def test_the_metadata_is_read_before_the_code_is_dropped() -> None:
    # The JSON-LD block is a script: the title, author and site name come from it.
    meta = extract_html(ESCAPED_JSON_LD, None, ExtractOptions()).metadata
    assert meta.author == "Tamsin Greaves" and meta.sitename == "Harbour Gazette"


def _questions_page(answers: int) -> bytes:
    """An article of eight paragraphs, then a run of headed questions and answers below it."""
    story = "".join(
        f"<p>Paragraph {n} of the story. The harbour board met on Monday to weigh the plan for the new quay, "
        "which would let larger ferries dock, and heard from fishermen, traders and the ferry company about "
        "the dredging, the cost and the years of building work it would bring to the town.</p>"
        for n in range(8)
    )
    questions = "".join(
        f"<div class='qa'><h3>Question {n}: when will the quay open?</h3><p>Answer {n}. The board "
        "expects the first ferries to dock at the new quay in the spring after next, once the dredging of "
        "the channel and the building of the sea wall are done and inspected.</p></div>"
        for n in range(answers)
    )
    return (
        f"<html><body><main><h1>Harbour board backs the new quay</h1><div class='story'>{story}</div>"
        f"<section class='questions'><h2>Questions and answers</h2>{questions}</section></main></body></html>"
    ).encode()


def test_a_run_of_headed_blocks_smaller_than_half_the_page_is_not_taken_as_the_article() -> None:
    # Five answers (about 160 words) beside eight paragraphs of story (about 440): a section of the page.
    outcome = run_one(Document("page.html", "html", content=_questions_page(5)), Config())
    assert outcome.record is not None
    text = outcome.record["text"]
    assert all(f"Paragraph {n} of the story." in text for n in range(8))


def test_a_run_of_headed_blocks_that_is_most_of_the_page_is_its_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Twenty answers (about 640 words) are most of the page's prose: the run is the page's article, and the
    # block around it (here the <main> that also holds the shorter story) is marked as the article body.
    small = parse(_questions_page(5).decode())
    large = parse(_questions_page(20).decode())
    assert small is not None and large is not None
    assert mark_entry_article(small) is None
    marked = mark_entry_article(large)
    assert marked is not None and marked.tag == "main" and marked.get("itemprop") == "articleBody"
