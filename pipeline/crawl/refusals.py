"""Requests that give no page, each turned into an error line with its reason: redirects that loop,
lead to themselves, leave the site or lead to a page the crawl requests already, and bodies over the
size cap that no Content-Length announced.

Left to Scrapy these leave no trace: a redirect out of the site or to a URL seen before is dropped by
the scheduler without calling the request's errback, and a body cut at DOWNLOAD_MAXSIZE without a
Content-Length fails as a bare CancelledError, the size being named only in the log.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from pipeline.crawl.items import DISCOVERY, OVER_SIZE, Refused
from pipeline.crawl.urls import canonical_url, on_site, site_host

_RECEIVED = "newsclean_received"


class RedirectPolicy(RedirectMiddleware):
    """Scrapy's redirects, with every redirect of a page that cannot be followed refused with its reason
    (its errback then writes the error line). Discovery documents are redirected as Scrapy does."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        if not request.meta.get(DISCOVERY):
            self._check(redirected.url, request, reason)
        try:
            result: Request = super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            chain = " -> ".join([*request.meta.get("redirect_urls", []), request.url, redirected.url])
            raise Refused("http", f"more than {self.max_redirect_times} redirects: {chain}") from None
        return result

    def _check(self, target: str, request: Request, reason: Any) -> None:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        try:
            key = canonical_url(target)
            earlier = {canonical_url(url) for url in chain}
        except ValueError:
            raise Refused("http", f"HTTP {reason} to an unreadable URL: {target}") from None
        if key in earlier:
            if len(chain) == 1:
                raise Refused("http", f"HTTP {reason} to itself")
            raise Refused("http", f"HTTP {reason}: redirect loop {' -> '.join([*chain, target])}")
        spider = self.crawler.spider
        site = getattr(spider, "site", None)
        if site and not on_site(target, site_host(site)):
            raise Refused("http", f"HTTP {reason} out of the site, to {target}")
        frontier = getattr(spider, "frontier", None)
        if frontier is not None and not frontier.claim(key):
            raise Refused("http", f"HTTP {reason} to {target}, which this crawl requests already")


class SizeCap:
    """Marks a request whose body grew past the size cap, so that its failure is filed as `too-large`."""

    def __init__(self, crawler: Crawler) -> None:
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SizeCap:
        cap = cls(crawler)
        crawler.signals.connect(cap.bytes_received, signal=signals.bytes_received)
        return cap

    def bytes_received(self, data: bytes, request: Request, **kwargs: Any) -> None:
        maxsize = int(request.meta.get("download_maxsize", self.maxsize) or 0)
        if not maxsize:
            return
        received = int(request.meta.get(_RECEIVED, 0)) + len(data)
        request.meta[_RECEIVED] = received
        if received > maxsize and OVER_SIZE not in request.meta:
            request.meta[OVER_SIZE] = f"more than {maxsize} bytes (DOWNLOAD_MAXSIZE), with no Content-Length"
