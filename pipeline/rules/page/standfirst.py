"""The standfirst page rule: the summary under the headline, when it is the page's declared summary."""

from __future__ import annotations

from functools import lru_cache

from lxml.etree import XPath
from lxml.html import HtmlElement

from pipeline.rules.families import Family
from pipeline.rules.page.markup import (
    text_of,
)
from pipeline.rules.page.shapes import PageContext, PageRule, Select, attributes
from pipeline.text import squeeze

_SUMMARY_TAGS = ("h2", "h3", "h4", "h5", "h6", "p", "div", "span")


_IN_ARTICLE_BODY = XPath("ancestor-or-self::*[@itemprop='articleBody']")


@lru_cache(maxsize=64)
def _probe(description: str) -> str:
    """The description's longest word: a block without it cannot be the description."""
    return max(description.split(), key=len)


def _declared_summary(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    if not page.description or _IN_ARTICLE_BODY(element):
        return None
    probe = _probe(page.description)
    blocks = element.iter(*_SUMMARY_TAGS) if element.tag == "header" else iter((element,))
    # Every <p> of a page is a candidate: a cheap word test in C spares the full text walk.
    for block in blocks:
        if probe in block.text_content().casefold() and squeeze(text_of(block)) == page.description:
            return block
    return None


STANDFIRST = PageRule(
    name="standfirst",
    family=Family.STANDFIRST,
    purpose="The standfirst under the headline, when it is the page's declared summary (`description`).",
    evidence="The summary block of an article header: inside `<header>`, marked schema.org "
    "`itemprop=description`/`alternativeHeadline`, or in the dek, standfirst, subtitle classes of news "
    "CMSs and WordPress themes; cut only when its text is the page's own `<meta name=description>` or "
    "`og:description`, which the record keeps as `description`, and never from inside the article body "
    "(a summary copied from the first paragraph is that paragraph).",
    select=Select(
        tags=frozenset({"header"}),
        parts=frozenset({"dek", "standfirst", "subhead", "subheadline", "subline", "subtitle", "strapline"}),
        attributes=attributes(itemprop=("description", "alternativeheadline")),
    ),
    pick=_declared_summary,
)
