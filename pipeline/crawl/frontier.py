"""The crawl's state, kept out of the spider: which URLs were claimed, what sitemaps and feeds said of a
page (its date, whether it is listed as news), and the page budget.

A frontier is chosen by the URL of the NEWSCLEAN_FRONTIER setting from one table (`memory://` by
default: this process only), so that a shared one can take its place without the spider changing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class Hints:
    """What discovery said of a page: its date (YYYY-MM-DD) and whether a news sitemap or feed lists it."""

    date: str | None = None
    news: bool = False


class Frontier(Protocol):
    def claim(self, key: str) -> bool:
        """True the first time a key (a canonical URL, or a discovery document's) is claimed."""
        ...

    def note(self, url: str, date: str | None, news: bool) -> None:
        """Remember what a sitemap or feed said of a page; the first date given stays."""
        ...

    def hints(self, url: str) -> Hints: ...

    def take_page(self, budget: int | None) -> bool:
        """Take one page from the budget; False when `budget` pages were taken already."""
        ...


@dataclass
class MemoryFrontier:
    """The frontier of one crawler process."""

    claimed: set[str] = field(default_factory=set)
    dates: dict[str, str] = field(default_factory=dict)
    news: set[str] = field(default_factory=set)
    pages: int = 0

    def claim(self, key: str) -> bool:
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    def note(self, url: str, date: str | None, news: bool) -> None:
        if date:
            self.dates.setdefault(url, date)
        if news:
            self.news.add(url)

    def hints(self, url: str) -> Hints:
        return Hints(self.dates.get(url), url in self.news)

    def take_page(self, budget: int | None) -> bool:
        if budget is not None and self.pages >= budget:
            return False
        self.pages += 1
        return True


FRONTIERS: dict[str, Callable[[str, BaseSettings], Frontier]] = {
    "memory": lambda url, settings: MemoryFrontier(),
}


def open_frontier(settings: BaseSettings) -> Frontier:
    """The frontier the NEWSCLEAN_FRONTIER setting names (memory:// when unset)."""
    url = settings.get("NEWSCLEAN_FRONTIER") or "memory://"
    scheme = urlsplit(url).scheme
    if scheme not in FRONTIERS:
        known = ", ".join(f"{name}://" for name in FRONTIERS)
        raise ValueError(f"NEWSCLEAN_FRONTIER {url!r}: unknown kind (known: {known})")
    return FRONTIERS[scheme](url, settings)
