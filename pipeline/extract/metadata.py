"""A page's metadata for the record, and the one-pass author fallback."""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree
from lxml.html import HtmlElement

from pipeline.document import Metadata
from pipeline.extract.trafilatura import (
    AUTHOR_DISCARD_XPATHS,
    ExtractOptions,
    metadata_fields,
    normalize_authors,
    prune_unwanted_nodes,
    trim,
)


def read_metadata(tree: HtmlElement, url: str | None, options: ExtractOptions) -> Metadata:
    """The record's metadata fields, and the language the page declares."""
    found = metadata_fields(tree, url, options, extract_author)
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


# The author fallback.
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
