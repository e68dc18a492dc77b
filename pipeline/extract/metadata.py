"""A page's metadata for the record, and the one-pass author fallback."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from copy import deepcopy
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from pipeline.article import ARTICLE_TYPES
from pipeline.document import Metadata
from pipeline.extract.trafilatura import (
    AUTHOR_DISCARD_XPATHS,
    ExtractOptions,
    Unparsed,
    json_ld,
    metadata_fields,
    normalize_authors,
    prune_unwanted_nodes,
    trim,
)


def read_metadata(tree: HtmlElement, url: str | None, options: ExtractOptions) -> Metadata:
    """The record's metadata fields, and the language the page declares."""
    blocks = json_ld(tree)
    found = metadata_fields(tree, url, options, extract_author, blocks)
    sitename = found.sitename.lstrip("@") if found.sitename else None
    if sitename and "." not in sitename and not sitename[0].isupper():
        sitename = sitename.title()
    declared = Declared(tree, blocks)
    return Metadata(
        title=found.title or None,
        author=found.author or None,
        date=found.date or None,
        sitename=sitename or None,
        description=found.description or None,
        url=found.url or None,
        declared_language=_declared_language(tree),
        published_at=declared.moment(_PUBLISHED) or declared.time_element(),
        modified_at=declared.moment(_MODIFIED),
        image=declared.image(url or found.url),
        tags=declared.tags(),
        paywalled=declared.paywalled(),
    )


# Where a page declares each field, in order of preference: the JSON-LD object of the article (else of
# the page), then meta tags by their `property` or `name` (lowercased), then microdata's `itemprop`.
_PUBLISHED = ("datePublished", ("article:published_time",))
_MODIFIED = ("dateModified", ("article:modified_time", "og:updated_time"))
_OG_IMAGES = ("og:image", "og:image:url", "og:image:secure_url")
_TWITTER_IMAGES = ("twitter:image", "twitter:image:src")
# Tags: JSON-LD keys, then meta tags, in order; a text in the keyword keys and tags lists several,
# separated by commas (a JSON-LD list holds one a member).
_LD_TAGS = ("keywords", "articleSection")
_META_TAGS = ("article:tag", "article:section", "news_keywords", "keywords")
_COMMA_LISTS = frozenset({"keywords", "news_keywords"})
# schema.org types whose object describes the page itself.
_PAGE_TYPES = frozenset({"WebPage"})
_SCHEMA_ORG = re.compile(r"^https?://schema\.org/", re.IGNORECASE)


class Declared:
    """What a page declares about itself in its JSON-LD, its meta tags and its microdata, read from the
    parsed page and its parsed JSON-LD blocks (`json_ld`): nothing is parsed again."""

    def __init__(self, tree: HtmlElement, blocks: tuple[Any, ...]) -> None:
        objects = list(_ld_objects(blocks))
        articles = [found for found in objects if _types(found) & ARTICLE_TYPES]
        pages = [
            found for found in objects if _types(found) & _PAGE_TYPES and not _types(found) & ARTICLE_TYPES
        ]
        self.objects = articles + pages
        # What a reference ({"@id": ...}) points to.
        self.by_id = {found["@id"]: found for found in objects if isinstance(found.get("@id"), str)}
        self.meta: dict[str, list[str]] = {}
        self.itemprop: dict[str, list[str]] = {}
        self.times: list[HtmlElement] = []  # <time datetime> elements
        for element in tree.iter("meta", "time"):  # one walk of the page for both
            if element.tag == "time":
                if element.get("datetime"):
                    self.times.append(element)
                continue
            content = (element.get("content") or "").strip()
            if not content:
                continue
            for key in {(element.get(name) or "").strip().lower() for name in ("property", "name")} - {""}:
                self.meta.setdefault(key, []).append(content)
            itemprop = (element.get("itemprop") or "").strip()
            if itemprop:
                self.itemprop.setdefault(itemprop, []).append(content)

    def _ld(self, key: str) -> list[Any]:
        return [found[key] for found in self.objects if found.get(key) is not None]

    def _metas(self, keys: Iterable[str]) -> list[str]:
        return [content for key in keys for content in self.meta.get(key, ())]

    def moment(self, where: tuple[str, tuple[str, ...]]) -> str | None:
        """The first declared date-time that gives a time of day, as ISO 8601 (see `moment`)."""
        key, meta_keys = where
        candidates = [*self._ld(key), *self._metas(meta_keys), *self.itemprop.get(key, ())]
        return next(filter(None, (moment(value) for value in candidates if isinstance(value, str))), None)

    def time_element(self) -> str | None:
        """The publication time a <time> element declares: one marked as the publication's (`pubdate`,
        `itemprop="datePublished"`), else the page's only <time datetime> (several: a list's, or the
        comments')."""
        marked = [
            t for t in self.times if t.get("pubdate") is not None or t.get("itemprop") == "datePublished"
        ]
        for element in marked or (self.times if len(self.times) == 1 else []):
            found = moment(element.get("datetime"))
            if found:
                return found
        return None

    def image(self, base: str | None) -> str | None:
        """The lead image: og:image, else the JSON-LD image, else twitter:image; absolute."""
        ld_images = [url for value in self._ld("image") for url in _image_urls(value, self.by_id)]
        for candidate in [*self._metas(_OG_IMAGES), *ld_images, *self._metas(_TWITTER_IMAGES)]:
            absolute = _absolute(candidate, base)
            if absolute:
                return absolute
        return None

    def tags(self) -> tuple[str, ...]:
        """Declared keywords and sections, deduplicated (case aside), in order."""
        found: list[str] = []
        for key in _LD_TAGS:
            for value in self._ld(key):
                if isinstance(value, list):
                    found += [item for item in value if isinstance(item, str)]
                elif isinstance(value, str):
                    found += value.split(",") if key in _COMMA_LISTS else [value]
        for key in _META_TAGS:
            for content in self.meta.get(key, ()):
                found += content.split(",") if key in _COMMA_LISTS else [content]
        return _unique(found)

    def paywalled(self) -> bool | None:
        """True when the page declares its content not free to read (`isAccessibleForFree` false, on the
        article or on a part of it), False when it declares it free, else None."""
        declared = [*self._ld("isAccessibleForFree"), *self.itemprop.get("isAccessibleForFree", ())]
        for parts in self._ld("hasPart"):
            declared += [
                part.get("isAccessibleForFree") for part in _as_list(parts) if isinstance(part, dict)
            ]
        flags = {_boolean(value) for value in declared} - {None}
        if False in flags:
            return True
        return False if flags else None


def _ld_objects(blocks: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    """Every top-level JSON-LD object, @graph members included, in page order."""
    stack = [block for block in reversed(blocks) if not isinstance(block, Unparsed)]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            yield node
            stack.extend(reversed(_as_list(node.get("@graph"))))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        name.rstrip("/").rsplit("/", 1)[-1] for name in _as_list(node.get("@type")) if isinstance(name, str)
    )


def _image_urls(value: Any, by_id: dict[str, dict[str, Any]]) -> Iterator[str]:
    """The URLs of a JSON-LD image: a URL, an ImageObject (or a reference to one), or a list of these."""
    for item in _as_list(value):
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            reference = item.get("@id")
            if set(item) == {"@id"} and isinstance(reference, str) and reference in by_id:
                item = by_id[reference]
            for key in ("url", "contentUrl"):
                if isinstance(item.get(key), str):
                    yield item[key]


def _absolute(value: str, base: str | None) -> str | None:
    """An http(s) URL, a relative one made absolute against the page's URL; None for anything else."""
    try:
        if base and urlsplit(base).scheme in ("http", "https"):
            value = urljoin(base, value.strip())
        parts = urlsplit(value.strip())
    except ValueError:  # an address that cannot be one ("http://[::1")
        return None
    return parts.geturl() if parts.scheme in ("http", "https") and parts.netloc else None


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept = []
    for item in items:
        text = " ".join(item.split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    return tuple(kept)


def _boolean(value: Any) -> bool | None:
    """A schema.org Boolean: true or false, as JSON, as text or as a schema.org URL."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = _SCHEMA_ORG.sub("", value.strip()).lower()
        return {"true": True, "false": False}.get(word)
    return None


# An ISO 8601 date and time of day, with seconds, fractions and an offset as the page gives them.
_MOMENT = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)


def moment(value: str) -> str | None:
    """A declared date-time as ISO 8601 to the second, with its offset when it gives one
    ("2025-03-12T07:30:00-04:00"); None for a day without a time, or a text that is no ISO 8601 date-time."""
    found = _MOMENT.fullmatch(value.strip())
    if not found:
        return None
    day, time, offset = found.groups()
    if offset and offset.upper() != "Z":
        offset = offset[:3] + ":" + (offset[3:].lstrip(":") or "00")
    try:
        parsed = datetime.fromisoformat(f"{day}T{time}{offset or ''}")
    except ValueError:  # a month 13, an hour 25
        return None
    return parsed.isoformat(timespec="seconds")


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
