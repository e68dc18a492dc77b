"""Markup helpers the page rules are built from: page text as a browser shows it, link shares, same-site
tests, climbing to the box around an element, lists whose every item passes a test."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from pipeline.rules.page.shapes import PageContext

# Elements whose content is not page text: the source of a script, a style sheet or a template.
_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
# Elements a browser sets apart from their neighbours (a line or a cell of their own).
_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol option p pre section select table td th tr ul".split()
)


def text_of(element: HtmlElement) -> str:
    """The element's page text with runs of white space collapsed, blocks apart, as a browser shows it."""
    return " ".join(_page_text(element, " ").split())


def lines_of(element: HtmlElement) -> list[str]:
    """The element's page text as lines, one a block, white space collapsed within each line."""
    lines = (" ".join(line.split()) for line in _page_text(element, "\n").split("\n"))
    return [line for line in lines if line]


def _page_text(element: HtmlElement, separator: str) -> str:
    parts: list[str] = []
    skipping = 0
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _NOT_TEXT or not tag:
                skipping += 1
            elif not skipping:
                parts.append(separator if tag in _BLOCKS else "")
                parts.append(node.text or "")
            continue
        if tag in _NOT_TEXT or not tag:
            skipping -= 1
        elif not skipping and tag in _BLOCKS:
            parts.append(separator)
        if not skipping and node is not element:
            parts.append(node.tail or "")
    return "".join(parts)


def word_count(element: HtmlElement) -> int:
    """Words in the element's text (script and style sources count too: they are rare in a block)."""
    return len(element.text_content().split())


def _letters(element: HtmlElement) -> int:
    return len("".join(element.text_content().split()))


def link_text_share(element: HtmlElement) -> float:
    """The share of the element's text (spaces aside) that sits inside links."""
    total = _letters(element)
    return sum(map(_letters, element.iter("a"))) / total if total else 0.0


def site_of(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def same_site(href: str | None, page: PageContext) -> bool:
    """Whether a link leads to another page of the page's own site (a relative link does)."""
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return False
    host = site_of(href.strip())
    if host is None:
        return not urlsplit(href.strip()).scheme
    if page.site is None:
        return False
    return host == page.site or host.endswith("." + page.site) or page.site.endswith("." + host)


def climb(
    element: HtmlElement, accept: Callable[[HtmlElement], bool], stop: frozenset[str] = frozenset()
) -> HtmlElement | None:
    """The highest ancestor-or-self of the element that `accept` takes, climbing while it takes them."""
    if not accept(element):
        return None
    found = element
    for ancestor in element.iterancestors():
        if ancestor.tag in stop or not accept(ancestor):
            break
        found = ancestor
    return found


# Blocks a climb never goes past: past them is the page, not a box in it.
PAGE_LEVEL = frozenset({"body", "main", "article", "html"})
LISTS = frozenset({"ul", "ol"})


def items_of(element: HtmlElement) -> list[HtmlElement] | None:
    """The <li> children of a list, or None when it has other children (or none)."""
    items = [child for child in element if child.tag == "li"]
    return items if items and len(items) == len(element) else None


def list_of(
    element: HtmlElement, page: PageContext, minimum: int, test: Callable[[HtmlElement, PageContext], bool]
) -> HtmlElement | None:
    """The list, when it has `minimum` items or more and every item passes `test`."""
    items = items_of(element)
    if items is None or len(items) < minimum:
        return None
    return element if all(test(item, page) for item in items) else None


# The class names article bodies carry (WordPress, news CMSs, schema.org microdata).
_BODY_CLASSES = frozenset(
    {
        "entry-content",
        "post-content",
        "article-body",
        "article__body",
        "articlebody",
        "story-body",
        "post-body",
        "article-content",
        "article__content",
        "body-text",
        "content-body",
    }
)
# A lead-in that introduces a list is a sentence of some words ending in a colon; a related-links
# label ("Read more:", "Related coverage:") is not one.
_INTRO_MIN_WORDS = 4
_INTRO_MAX_LINK_SHARE = 0.5
_LABEL_START = re.compile(
    r"^[\W_]*(?:see also|read (?:more|also|next)|also read|related|more (?:on|from|about|stories)|"
    r"recommended|you (?:may|might) also|lesen sie|mehr zum|lire aussi|à lire|lee también|leia também)\b",
    re.IGNORECASE,
)


def in_article_body(element: HtmlElement) -> bool:
    """Whether the element stands inside the article's body (its microdata or its CMS class)."""
    for ancestor in element.iterancestors():
        if ancestor.get("itemprop") == "articleBody":
            return True
        if _BODY_CLASSES.intersection((ancestor.get("class") or "").lower().split()):
            return True
    return False


def introduced(element: HtmlElement) -> bool:
    """Whether a list follows a sentence of the article that leads into it ("Here is what changes:")."""
    previous = element.getprevious()
    while previous is not None and not previous.text_content().strip():
        previous = previous.getprevious()
    if previous is None:
        return False
    lead = " ".join(previous.text_content().split())
    return (
        lead.endswith(":")
        and len(lead.split()) >= _INTRO_MIN_WORDS
        and _LABEL_START.match(lead) is None
        and link_text_share(previous) < _INTRO_MAX_LINK_SHARE
    )


def part_of_article(element: HtmlElement) -> bool:
    """A list in the article's body that a sentence of the article leads into: the article's own list
    (a roundup's links, a fixture list, numbered steps), never a menu or a teaser rail."""
    return element.tag in LISTS and introduced(element) and in_article_body(element)


# The hiding utility classes of CSS frameworks (Bootstrap, Tailwind, Bulma): the `hidden-element` rule
# selects by them, and extract/reveal.py takes them off a hidden block of prose.
HIDING_CLASSES = frozenset({"hidden", "hide", "d-none", "is-hidden", "invisible"})

# Hidden prose is the rest of the article waiting for a "Read more" button, a paywall script or a lazy
# loader: one paragraph of 25 words or more, or three sentences in paragraphs of their own, mostly not
# links. Chrome that a page hides (a sign-up box's thank-you state, an error message, a closed dialog)
# is a sentence or two.
_PROSE_WORDS = 25
_SENTENCES = 3
_SENTENCE_WORDS = 4
_SENTENCE_END = re.compile(r"[.!?…。！？؟]['\"”’»)]*$")
_PROSE_LINK_SHARE = 0.3


def hidden_prose(element: HtmlElement) -> bool:
    """Whether a hidden block holds the article's prose (and so is to be shown, not cut)."""
    if link_text_share(element) >= _PROSE_LINK_SHARE:
        return False
    sentences = 0
    for paragraph in element.iter("p"):
        words = word_count(paragraph)
        if words >= _PROSE_WORDS:
            return True
        if words >= _SENTENCE_WORDS and _SENTENCE_END.search(paragraph.text_content().strip()):
            sentences += 1
    return sentences >= _SENTENCES
