"""Page rules of the related-link family: paragraphs and lists of links to other stories of the site."""

from __future__ import annotations

from lxml.html import HtmlElement

from pipeline.rules.families import Family
from pipeline.rules.page.markup import (
    link_text_share,
    list_of,
    part_of_article,
    same_site,
    text_of,
    word_count,
)
from pipeline.rules.page.shapes import PageContext, PageRule, Select

_HEADLINE_MIN_WORDS = 4
_NOT_PAGES = (".pdf", ".jpg", ".jpeg", ".png", ".gif", ".mp3", ".mp4", ".zip")
# Separators and labels may stand between the links of a row of related stories ("A | B").
_ROW_LINK_SHARE = 0.8


def _story_link(link: HtmlElement, page: PageContext) -> bool:
    """A headline-long link to another page of the same site."""
    href = link.get("href") or ""
    if not same_site(href, page) or href.split("?")[0].lower().endswith(_NOT_PAGES):
        return False
    return word_count(link) >= _HEADLINE_MIN_WORDS


def _only_story_links(element: HtmlElement, page: PageContext) -> bool:
    """The element's text is one story link, or several and their separators."""
    links = [link for link in element.iter("a") if text_of(link)]  # image links carry no text
    if not links or not all(_story_link(link, page) for link in links):
        return False
    if len(links) == 1:
        return text_of(links[0]) == text_of(element)
    return link_text_share(element) >= _ROW_LINK_SHARE


def _related_block(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    if part_of_article(element):
        return None
    if element.tag == "p":
        return element if _only_story_links(element, page) else None
    return list_of(element, page, 2, _only_story_links)


INLINE_RELATED_LINK = PageRule(
    name="inline-related-link",
    family=Family.RELATED_LINK,
    purpose="A paragraph, or a list, that is only links to other stories of the same site.",
    evidence="The related-story promos news CMSs drop between paragraphs (WordPress related-post "
    "blocks, the in-story links of newsroom CMSs such as Arc Publishing, 'Related:' lists): a `<p>` "
    "whose whole text is headline-long links to the same site (one, or a row of them with "
    "separators), or a `<ul>`/`<ol>` whose every item is. A link to another site, a document or an "
    "image, or a link inside prose, is kept, and so is a list in the article body that a sentence of "
    "the article leads into (a roundup's links).",
    select=Select(tags=frozenset({"p", "ul", "ol"})),
    pick=_related_block,
)

_TEASER_ITEMS = 2
_TEASER_MAX_WORDS = 40
_TEASER_LINK_SHARE = 0.25


def _teaser(item: HtmlElement, page: PageContext) -> bool:
    if word_count(item) > _TEASER_MAX_WORDS or link_text_share(item) < _TEASER_LINK_SHARE:
        return False
    return any(_story_link(link, page) for link in item.iter("a"))


def _teaser_list(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    return None if part_of_article(element) else list_of(element, page, _TEASER_ITEMS, _teaser)


TEASER_LIST = PageRule(
    name="teaser-list",
    family=Family.RELATED_LINK,
    purpose="A list of story teasers: each item a headline link to the same site and a line of summary.",
    evidence="The 'Latest', 'More stories' and 'Most read' rails of news CMSs and WordPress themes, "
    "rendered as a `<ul>`/`<ol>` of two or more items, each a headline-long link to another story of "
    "the site with at most a short summary (forty words, a quarter of it link text at least); a list in "
    "the article body that a sentence of the article leads into is the article's own roundup and stays.",
    select=Select(tags=frozenset({"ul", "ol"})),
    pick=_teaser_list,
)
