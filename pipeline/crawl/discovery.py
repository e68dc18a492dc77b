"""Sitemaps and RSS/Atom feeds, read into the URLs they list and the dates they give for them.

Scrapy's own sitemap reader flattens a Google News entry and loses its publication date, so both
formats are read here, with an lxml parser that neither resolves entities nor touches the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urljoin

from lxml import etree

ListingKind = Literal["sitemap-index", "sitemap", "feed"]

_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Entry:
    """One listed URL; `date` is YYYY-MM-DD or None; `news` marks news-sitemap and feed entries."""

    url: str
    date: str | None = None
    news: bool = False


@dataclass(frozen=True)
class Listing:
    kind: ListingKind
    entries: tuple[Entry, ...]


def day(text: str | None) -> str | None:
    """YYYY-MM-DD from a W3C/ISO 8601 date or an RFC 822 date (as written, not moved to UTC)."""
    if not text or not text.strip():
        return None
    found = _DAY.match(text)
    if found:
        return "-".join(found.groups())
    try:
        return parsedate_to_datetime(text.strip()).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def parse_listing(data: bytes, base_url: str) -> Listing | None:
    """Read a sitemap, sitemap index or feed; None when the data is none of them."""
    root = _root(data)
    if root is None:
        return None
    name = _local(root)
    if name == "sitemapindex":
        return Listing("sitemap-index", tuple(_sitemap_entries(root, "sitemap", base_url)))
    if name == "urlset":
        return Listing("sitemap", tuple(_sitemap_entries(root, "url", base_url)))
    if name in ("rss", "RDF"):
        return Listing("feed", tuple(_rss_entries(root, base_url)))
    if name == "feed":
        return Listing("feed", tuple(_atom_entries(root, base_url)))
    return None


def _root(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(data.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None
    return root


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _text(element: etree._Element, *path: str) -> str | None:
    """The stripped text of the first element down a path of local names."""
    current = [element]
    for name in path:
        current = [child for parent in current for child in _children(parent, name)]
    for found in current:
        text = found.text
        if isinstance(text, str) and text.strip():
            return text.strip()
    return None


def _sitemap_entries(root: etree._Element, item: str, base_url: str) -> list[Entry]:
    entries = []
    for element in _children(root, item):
        loc = _text(element, "loc")
        if not loc:
            continue
        news = bool(_children(element, "news"))
        published = _text(element, "news", "publication_date") if news else None
        entries.append(Entry(urljoin(base_url, loc), day(published) or day(_text(element, "lastmod")), news))
    return entries


def _rss_entries(root: etree._Element, base_url: str) -> list[Entry]:
    channel = _children(root, "channel")
    # RSS 2.0 puts items in the channel; RSS 1.0 (RDF) puts them beside it.
    items = [*_children(channel[0], "item"), *_children(root, "item")] if channel else _children(root, "item")
    entries = []
    for element in items:
        link = _text(element, "link") or element.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if not link:
            guid = _children(element, "guid")
            if guid and guid[0].get("isPermaLink", "true") == "true":
                link = _text(element, "guid")
        if not link:
            continue
        date = _text(element, "pubDate") or _text(element, "date") or _text(element, "updated")
        entries.append(Entry(urljoin(base_url, link), day(date), True))
    return entries


def _atom_entries(root: etree._Element, base_url: str) -> list[Entry]:
    entries = []
    for element in _children(root, "entry"):
        links = [link for link in _children(element, "link") if link.get("rel", "alternate") == "alternate"]
        href = links[0].get("href") if links else None
        if not href:
            continue
        base = element.base or root.base or base_url
        date = _text(element, "published") or _text(element, "updated")
        entries.append(Entry(urljoin(urljoin(base_url, base), href), day(date), True))
    return entries
