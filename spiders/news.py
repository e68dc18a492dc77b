"""`scrapy crawl news -a site=URL`: a site's articles, found through its sitemaps, its feeds and its links.

All three sources run together and each page URL is requested once (canonical spelling). Discovery
documents come first: robots.txt (its Sitemap lines, else /sitemap.xml), the home page (its feed links
and its links), sitemaps (indexes and gzipped files included) and feeds (those the home page names and
the usual paths). Pages found meanwhile wait in the crawl's frontier, which hands them out once every
discovery document is read and while the article budget allows; links are followed `depth` hops within
the site. Every page fetched goes through the article rule (pipeline.article).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request, Response
from scrapy.linkextractors import LinkExtractor
from scrapy.settings import BaseSettings
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from pipeline.crawl.discovery import Entry, parse_listing, robots_sitemaps
from pipeline.crawl.frontier import Waiting
from pipeline.crawl.items import DISCOVERY, failed_page, requested_url
from pipeline.crawl.urls import canonical_url, on_site, site_host
from pipeline.document import Document

from .base import PageSpider

# Where sites usually publish a feed, tried besides the ones the home page names.
FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
ROBOTS_PRIORITY = 30
HOME_PRIORITY = 20
LISTING_PRIORITY = 10
# The sitemap index level of a request (0: a sitemap robots.txt names, or /sitemap.xml).
SITEMAP_DEPTH = "newsclean_sitemap_depth"
# Defaults of NEWSCLEAN_MAX_DISCOVERY (sitemaps and feeds fetched, robots.txt and the home page aside)
# and NEWSCLEAN_SITEMAP_DEPTH (sitemap index levels followed below the first sitemaps).
MAX_DISCOVERY = 500
MAX_SITEMAP_DEPTH = 3


class NewsSpider(PageSpider):
    """Arguments: site (required), max_pages (articles), since (YYYY-MM-DD), depth (link hops)."""

    name = "news"
    articles_only = True

    def __init__(
        self,
        site: str | None = None,
        max_pages: str | None = None,
        since: str | None = None,
        depth: str = "2",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.home = home_url(site)
        parts = urlsplit(self.home)
        self.root = f"{parts.scheme}://{parts.netloc}"
        self.host = site_host(self.home)
        self.site = self.home
        # Scrapy's offsite filter then also stops requests out of the site.
        self.allowed_domains = [self.host]
        self.max_pages = _whole(max_pages, "max_pages", 1) if max_pages else None
        self.since = _day(since) if since else None
        self.depth = _whole(depth, "depth", 0)
        self.max_discovery = MAX_DISCOVERY
        self.max_sitemap_depth = MAX_SITEMAP_DEPTH
        self._links = LinkExtractor()

    def read_settings(self, settings: BaseSettings) -> None:
        self.max_discovery = settings.getint("NEWSCLEAN_MAX_DISCOVERY", MAX_DISCOVERY)
        self.max_sitemap_depth = settings.getint("NEWSCLEAN_SITEMAP_DEPTH", MAX_SITEMAP_DEPTH)

    def crawl_arguments(self) -> dict[str, Any]:
        return {
            "site": self.home,
            "since": self.since,
            "depth": self.depth,
            "max_pages": self.max_pages,
            "max_discovery": self.max_discovery,
            "sitemap_depth": self.max_sitemap_depth,
        }

    async def start(self) -> AsyncIterator[Request]:
        robots = self._discovery(
            f"{self.root}/robots.txt",
            self.parse_robots,
            ROBOTS_PRIORITY,
            # Not checked against robots.txt: Scrapy's robots.txt check fetches it again, for itself.
            handle_httpstatus_all=True,
            dont_obey_robotstxt=True,
        )
        # The home page is read twice: now for its feeds and links, and as a page once discovery is done.
        # Both discovery documents are counted open before either is requested.
        requests = [*robots, *self._discovery(self.home, self.parse_home, HOME_PRIORITY)]
        if self.frontier.claim(self.home):
            self.frontier.hold(Waiting(self.home, 0))
        for request in requests:
            yield request

    def parse_robots(self, response: Response) -> Iterator[Request]:
        try:
            found: list[str] = []
            if response.status == 200:
                found, malformed = robots_sitemaps(response.body, response.url)
                self._count("malformed_entry", malformed)
            for url in found or [f"{self.root}/sitemap.xml"]:
                yield from self._listing(url, depth=0)
        finally:
            self.frontier.close_discovery()

    def parse_home(self, response: Response) -> Iterator[Request]:
        """The home page as a discovery document: the feeds it names and the pages it links to."""
        try:
            if isinstance(response, HtmlResponse):
                rel = 'contains(concat(" ", normalize-space(@rel), " "), " alternate ")'
                for link in response.xpath(f"//link[{rel}][@href]"):
                    if (link.attrib.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES:
                        yield from self._listing(response.urljoin(link.attrib["href"]), depth=0)
                self._follow(response, hop=0)
            for path in FEED_PATHS:
                yield from self._listing(f"{self.root}{path}", depth=0)
        finally:
            self.frontier.close_discovery()

    def parse_listing(self, response: Response) -> Iterator[Request]:
        """A sitemap, sitemap index or feed: its URLs, with their dates, and no record of its own."""
        try:
            yield from self._read_listing(response)
        finally:
            self.frontier.close_discovery()

    def _read_listing(self, response: Response) -> Iterator[Request]:
        body = response.body
        if body[:3] == b"\x1f\x8b\x08":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, EOFError, ValueError) as error:
                self.logger.warning("cannot gunzip %s: %s", response.url, error)
                return
        listing = parse_listing(body, response.url)
        if listing is None:
            self._count("not_a_listing")
            return
        self._count(listing.kind)
        self._count("malformed_entry", listing.malformed)
        depth = int(response.meta.get(SITEMAP_DEPTH, 0))
        for entry in listing.entries:
            if listing.kind != "sitemap-index":
                self._offer(entry, hop=self.depth)
            elif self._too_old(entry.date):
                continue  # a child sitemap last changed before `since` lists nothing newer
            elif depth >= self.max_sitemap_depth:
                self._count("sitemap_too_deep")
            else:
                yield from self._listing(entry.url, depth=depth + 1)

    def parse_page(self, response: Response, hop: int = 0) -> Iterator[Document | Request]:
        key = canonical_url(requested_url(response.request)) if response.request else response.url
        # Pages are requested once discovery is done: every sitemap's and feed's hints are known here.
        hints = self.frontier.hints(key)
        if self._too_old(hints.date):
            yield failed_page(key, "filtered", f"listed with date {hints.date}, before since={self.since}")
            return
        yield self.page(response, date_hint=hints.date, listed_as_news=hints.news)
        self._follow(response, hop)

    def discovery_failed(self, failure: Failure) -> None:
        """A sitemap or feed that is missing or refused is not a page: counted, not an error line."""
        self._count("failed")
        self.logger.debug("discovery request failed: %s", failure.getErrorMessage())
        self.frontier.close_discovery()

    def _discovery(self, url: str, callback: Any, priority: int, **meta: Any) -> Iterator[Request]:
        """The request of a discovery document not claimed yet, counted as open in the frontier."""
        if not self.frontier.claim(f"discovery {url}"):
            return
        limit = self.max_discovery if callback == self.parse_listing else None
        if not self.frontier.open_discovery(limit):
            self._count("over_max_discovery")
            return
        self._count("requested")
        yield Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            priority=priority,
            # The frontier has claimed it: no second filter, and a request that is dropped unseen would
            # leave discovery open for ever.
            dont_filter=True,
            meta={DISCOVERY: True, **meta},
        )

    def _listing(self, url: str, depth: int) -> Iterator[Request]:
        try:
            key = canonical_url(url)
        except ValueError:
            self._count("malformed_entry")
            return
        # A sitemap or feed the site names may live on another host (a CDN, a feed service); the
        # discovery address guard (pipeline.crawl.addresses) keeps it off private networks.
        yield from self._discovery(key, self.parse_listing, LISTING_PRIORITY, **{SITEMAP_DEPTH: depth})

    def _offer(self, entry: Entry, hop: int) -> None:
        """A page found by discovery or by a link: noted, and held in the frontier if it is new."""
        try:
            key = canonical_url(entry.url)
        except ValueError:
            self._count("malformed_entry")
            return
        if not on_site(key, self.host):
            return
        self.frontier.note(key, entry.date, entry.news)
        if self._too_old(entry.date):
            self._count("before_since")
        elif self.frontier.claim(key):
            self.frontier.hold(Waiting(key, hop))

    def _follow(self, response: Response, hop: int) -> None:
        if hop < self.depth and isinstance(response, HtmlResponse):
            for link in self._links.extract_links(response):
                if not link.nofollow:
                    self._offer(Entry(link.url), hop + 1)

    def _too_old(self, day: str | None) -> bool:
        return bool(self.since and day and day < self.since)

    def _count(self, name: str, count: int = 1) -> None:
        if count and self.crawler is not None:
            self.crawler.stats.inc_value(f"newsclean/discovery/{name}", count)


def home_url(site: str | None) -> str:
    """The canonical home page of `-a site=`; ValueError for a missing or unreadable site."""
    if not site or not site.strip():
        raise ValueError("no site: give -a site=https://example.org")
    site = site.strip()
    url = site if "://" in site else f"{_default_scheme(site)}://{site}"
    if url.split("://", 1)[0].lower() not in ("http", "https"):
        raise ValueError(f"site {site!r} is not an http(s) URL")
    try:
        return canonical_url(url)
    except ValueError as error:
        raise ValueError(f"site {site!r} is not a valid URL: {error}") from error


def _whole(value: str, name: str, least: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = least - 1
    if number < least:
        raise ValueError(f"{name} must be a whole number of at least {least}, not {value!r}")
    return number


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"since must be a date, YYYY-MM-DD, not {value!r}") from None


def _default_scheme(site: str) -> str:
    """https for a site given without a scheme, http for this machine and bare IP addresses."""
    try:
        host = urlsplit(f"//{site}").hostname or ""
    except ValueError:
        return "https"
    local = host == "localhost" or host.replace(".", "").isdigit() or ":" in host
    return "http" if local else "https"
