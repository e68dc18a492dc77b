"""Discovery kept off private networks: a sitemap or feed that another host serves is fetched only when
that host is on a public address, or on an address of the same kind as the site's own.

A site's robots.txt `Sitemap:` lines and its feed links may name any host; without this guard a hostile
site could make the crawler send requests into the crawler's own network (loopback, private and
link-local addresses, such as a cloud's metadata service at 169.254.169.254). The site's own host is never
refused: the user chose it. NEWSCLEAN_DISCOVERY_ALLOW widens the guard (host names, or networks such as
10.0.0.0/8). A downloader middleware, before robots.txt is asked for, so a refused host is never contacted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

from pipeline.crawl.items import DISCOVERY, Refused
from pipeline.crawl.urls import on_site, site_host

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def address_kind(address: Address) -> str:
    """`public`, `loopback`, `link-local` or `private` (any other address that is not global)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    return "public" if address.is_global else "private"


async def resolve(host: str) -> list[Address]:
    """The addresses of a host (an IP literal is its own); none when it does not resolve."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # the download fails on its own, as a discovery failure
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


class DiscoveryGuard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.hosts: set[str] = set()
        self.networks: list[Network] = []
        for item in crawler.settings.getlist("NEWSCLEAN_DISCOVERY_ALLOW"):
            try:
                self.networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                self.hosts.add(item.strip().lower())
        self._site_kinds: set[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiscoveryGuard:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if not request.meta.get(DISCOVERY):
            return
        host = (urlparse_cached(request).hostname or "").lower()
        site = getattr(self.crawler.spider, "site", None)
        if not host or host in self.hosts or (site and on_site(request.url, site_host(site))):
            return
        if self._site_kinds is None:
            site_name = urlsplit(site).hostname if site else None
            self._site_kinds = {address_kind(a) for a in await resolve(site_name)} if site_name else set()
        for address in await resolve(host):
            kind = address_kind(address)
            if kind == "public" or kind in self._site_kinds or any(address in n for n in self.networks):
                continue
            self.crawler.stats.inc_value("newsclean/discovery/refused_address")
            logger.warning("not fetching %s: %s is a %s address (%s)", request.url, host, kind, address)
            raise Refused("http", f"{host} is a {kind} address ({address}); see NEWSCLEAN_DISCOVERY_ALLOW")
