"""Sitemaps, RSS/Atom feeds and robots.txt `Sitemap:` lines, read into the URLs they list and the dates
they give for them.

Scrapy's own sitemap reader flattens a Google News entry and loses its publication date, so both
formats are read here, with an lxml parser that neither resolves entities nor touches the network.
A malformed entry is skipped alone: the entries after it are still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree

ListingKind = Literal["sitemap-index", "sitemap", "feed"]

_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
# An `&` that starts no entity or character reference: sitemaps and feeds often leave the `&` of a query
# bare, and a recovering parser would drop what follows it as a broken entity. Escaped outside CDATA
# sections only: a CDATA section (common around feed links) holds its `&` as written already.
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z][A-Za-z0-9._-]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.S)
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I)


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
    # Entries skipped because their URL could not be read.
    malformed: int = 0


def robots_sitemaps(body: bytes, base_url: str) -> tuple[list[str], int]:
    """The URLs of a robots.txt's `Sitemap:` lines, and how many lines named no readable URL."""
    found, malformed = [], 0
    for line in body.decode("utf-8", "replace").splitlines():
        match = _ROBOTS_SITEMAP.match(line)
        if not match:
            continue
        url = _join(base_url, match.group(1))
        if url is None:
            malformed += 1
        else:
            found.append(url)
    return found, malformed


def _join(base: str, url: str) -> str | None:
    """`url` made absolute against `base`; None when it is not a readable URL (`http://[bad`)."""
    try:
        joined = urljoin(base, url.strip())
        urlsplit(joined).port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    return joined


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
    kind: ListingKind
    if name == "sitemapindex":
        kind, found = "sitemap-index", _sitemap_entries(root, "sitemap", base_url)
    elif name == "urlset":
        kind, found = "sitemap", _sitemap_entries(root, "url", base_url)
    elif name in ("rss", "RDF"):
        kind, found = "feed", _rss_entries(root, base_url)
    elif name == "feed":
        kind, found = "feed", _atom_entries(root, base_url)
    else:
        return None
    entries = tuple(entry for entry in found if entry is not None)
    return Listing(kind, entries, len(found) - len(entries))


def _root(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(escape_bare_ampersands(data.lstrip()), parser=parser)
    except etree.XMLSyntaxError:
        return None
    return root


def escape_bare_ampersands(data: bytes) -> bytes:
    """The XML with every bare `&` outside CDATA sections written `&amp;`, so that `?id=7&page=1` in a
    sitemap's `<loc>`, a feed's `<link>` or an Atom `href` is read as written."""
    parts = _CDATA.split(data)
    # split() with one group: the CDATA sections are the odd parts.
    return b"".join(part if n % 2 else _BARE_AMPERSAND.sub(b"&amp;", part) for n, part in enumerate(parts))


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


def _entry(base: str, url: str, date: str | None, news: bool) -> Entry | None:
    joined = _join(base, url)
    return None if joined is None else Entry(joined, date, news)


def _sitemap_entries(root: etree._Element, item: str, base_url: str) -> list[Entry | None]:
    entries = []
    for element in _children(root, item):
        loc = _text(element, "loc")
        if not loc:
            continue
        news = bool(_children(element, "news"))
        published = _text(element, "news", "publication_date") if news else None
        entries.append(_entry(base_url, loc, day(published) or day(_text(element, "lastmod")), news))
    return entries


def _rss_entries(root: etree._Element, base_url: str) -> list[Entry | None]:
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
        entries.append(_entry(base_url, link, day(date), True))
    return entries


def _atom_entries(root: etree._Element, base_url: str) -> list[Entry | None]:
    entries: list[Entry | None] = []
    for element in _children(root, "entry"):
        links = [link for link in _children(element, "link") if link.get("rel", "alternate") == "alternate"]
        href = links[0].get("href") if links else None
        if not href:
            continue
        date = _text(element, "published") or _text(element, "updated")
        base = _join(base_url, element.base or root.base or base_url)
        entries.append(None if base is None else _entry(base, href, day(date), True))
    return entries
