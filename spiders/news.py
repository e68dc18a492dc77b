"""`scrapy crawl news -a site=URL`: a site's articles, found through its sitemaps, its feeds and its links.

All three sources run together and each page URL is requested once (canonical spelling); what was
claimed, the hints sitemaps and feeds gave and the page budget live in the crawl's frontier.
Sitemaps come from robots.txt (else /sitemap.xml), indexes and gzipped files included; feeds from
the home page's `<link rel="alternate">` and the usual paths; links from the home page, followed
`depth` hops within the site. Every page fetched goes through the article rule (pipeline.article).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from pipeline.crawl.discovery import Entry, parse_listing
from pipeline.crawl.frontier import Frontier, MemoryFrontier, open_frontier
from pipeline.crawl.items import failed_page, requested_url
from pipeline.crawl.urls import canonical_url, on_site, site_host
from pipeline.document import Document

from .base import PageSpider

# Where sites usually publish a feed, tried besides the ones the home page names.
FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
# Discovery documents are fetched before pages, so that their dates are known when pages arrive.
ROBOTS_PRIORITY = 30
HOME_PRIORITY = 20
LISTING_PRIORITY = 10


class NewsSpider(PageSpider):
    """Arguments: site (required), max_pages, since (YYYY-MM-DD), depth (link hops from the home page)."""

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
        if not site:
            raise ValueError("no site: give -a site=https://example.org")
        self.home = canonical_url(site if "://" in site else f"{_default_scheme(site)}://{site}")
        parts = urlsplit(self.home)
        self.root = f"{parts.scheme}://{parts.netloc}"
        self.host = site_host(self.home)
        # Scrapy's offsite filter then also stops redirects out of the site.
        self.allowed_domains = [self.host]
        self.max_pages = int(max_pages) if max_pages else None
        self.since = date.fromisoformat(since).isoformat() if since else None
        self.depth = int(depth)
        self._links = LinkExtractor()
        self.frontier: Frontier = MemoryFrontier()
        self.frontier.claim(self.home)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.frontier = open_frontier(crawler.settings)
        spider.frontier.claim(spider.home)  # requested from the start
        return spider

    async def start(self) -> AsyncIterator[Request]:
        yield Request(
            f"{self.root}/robots.txt",
            callback=self.parse_robots,
            errback=self.discovery_failed,
            priority=ROBOTS_PRIORITY,
            meta={"handle_httpstatus_all": True, "dont_obey_robotstxt": True},
        )
        yield Request(self.home, callback=self.parse_home, errback=self.page_failed, priority=HOME_PRIORITY)

    def parse_robots(self, response: Response) -> Iterator[Request]:
        sitemaps = (
            list(sitemap_urls_from_robots(response.body, response.url)) if response.status == 200 else []
        )
        for url in sitemaps or [f"{self.root}/sitemap.xml"]:
            yield from self._listing_request(url)

    def parse_home(self, response: Response) -> Iterator[Document | Request]:
        yield from self.parse_page(response, hop=0)
        if not isinstance(response, HtmlResponse):
            return
        rel = 'contains(concat(" ", normalize-space(@rel), " "), " alternate ")'
        for link in response.xpath(f"//link[{rel}][@href]"):
            if (link.attrib.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES:
                yield from self._listing_request(response.urljoin(link.attrib["href"]))
        for path in FEED_PATHS:
            yield from self._listing_request(f"{self.root}{path}")

    def parse_listing(self, response: Response) -> Iterator[Request]:
        """A sitemap, sitemap index or feed: its URLs, with their dates, and no record of its own."""
        body = response.body
        if body[:3] == b"\x1f\x8b\x08":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, EOFError, ValueError) as error:
                self.logger.warning("cannot gunzip %s: %s", response.url, error)
                return
        listing = parse_listing(body, response.url)
        if listing is None:
            self.crawler.stats.inc_value("newsclean/discovery/not_a_listing")
            return
        self.crawler.stats.inc_value(f"newsclean/discovery/{listing.kind}")
        for entry in listing.entries:
            if listing.kind == "sitemap-index":
                # A child sitemap last changed before `since` lists nothing newer.
                if not self._too_old(entry.date):
                    yield from self._listing_request(entry.url)
            else:
                yield from self._page_request(entry, hop=self.depth)

    def parse_page(self, response: Response, hop: int) -> Iterator[Document | Request]:
        key = canonical_url(requested_url(response.request)) if response.request else response.url
        hints = self.frontier.hints(key)
        if self._too_old(hints.date):
            yield failed_page(key, "filtered", f"listed with date {hints.date}, before since={self.since}")
            return
        yield self.page(response, date_hint=hints.date, listed_as_news=hints.news)
        if hop < self.depth and isinstance(response, HtmlResponse):
            for link in self._links.extract_links(response):
                if not link.nofollow:
                    yield from self._page_request(Entry(link.url), hop=hop + 1)

    def discovery_failed(self, failure: Failure) -> None:
        """A sitemap or feed that is missing or refused is not a page: counted, not an error line."""
        self.crawler.stats.inc_value("newsclean/discovery/failed")
        self.logger.debug("discovery request failed: %s", failure.getErrorMessage())

    def _listing_request(self, url: str) -> Iterator[Request]:
        key = canonical_url(url)
        if not self.frontier.claim(f"discovery {key}"):
            return
        # A sitemap or feed the site names may live on another host (a CDN, a feed service).
        yield Request(
            key,
            callback=self.parse_listing,
            errback=self.discovery_failed,
            priority=LISTING_PRIORITY,
            meta={"allow_offsite": True},
        )

    def _page_request(self, entry: Entry, hop: int) -> Iterator[Request]:
        if not on_site(entry.url, self.host):
            return
        key = canonical_url(entry.url)
        self.frontier.note(key, entry.date, entry.news)
        if self._too_old(entry.date):
            self.crawler.stats.inc_value("newsclean/discovery/before_since")
            return
        if not self.frontier.claim(key):
            return
        if not self.frontier.take_page(self.max_pages):
            self.crawler.stats.inc_value("newsclean/discovery/over_max_pages")
            return
        yield Request(key, callback=self.parse_page, errback=self.page_failed, cb_kwargs={"hop": hop})

    def _too_old(self, day: str | None) -> bool:
        return bool(self.since and day and day < self.since)


def _default_scheme(site: str) -> str:
    """https for a site given without a scheme, http for this machine and bare IP addresses."""
    host = urlsplit(f"//{site}").hostname or ""
    local = host == "localhost" or host.replace(".", "").isdigit() or ":" in host
    return "http" if local else "https"
