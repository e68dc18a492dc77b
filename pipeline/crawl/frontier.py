"""The crawl's state, kept out of the spider: which URLs were claimed, what sitemaps and feeds said of a
page (its date, whether it is listed as news), the discovery documents still open, the pages waiting to
be requested and the page budget.

Pages wait until every discovery document (robots.txt, the home page, sitemaps, feeds) has been read, so
that the hints of every sitemap and feed are known when a page is judged, whatever the order in which
its sources came in. The budget counts articles: pages are handed out only while the articles already
kept plus the pages still in progress stay under it.

A frontier is chosen by the URL of the NEWSCLEAN_FRONTIER setting from one table (`memory://` by
default: this process only; `redis://`: shared by every crawler process pointed at the same server), so
that the spider is the same whichever holds the state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from pipeline.runners.failures import ServiceUnavailable, mask_secrets

# Pages handed out by one `release`: the rest follow when the scheduler has run dry again.
RELEASE_BATCH = 1000


class StaleCrawl(Exception):
    """A shared crawl's state was left by processes that stopped without finishing it."""


@dataclass(frozen=True)
class Hints:
    """What discovery said of a page: its date (YYYY-MM-DD) and whether a news sitemap or feed lists it."""

    date: str | None = None
    news: bool = False


@dataclass(frozen=True)
class Waiting:
    """A page waiting to be requested: its canonical URL and the link hops that led to it."""

    url: str
    hop: int


class Frontier(Protocol):
    # Seconds between two heartbeats of a process of a shared crawl (0: none needed).
    heartbeat_seconds: float

    def claim(self, key: str) -> bool:
        """True the first time a key (a canonical URL, or a discovery document's) is claimed."""
        ...

    def note(self, url: str, date: str | None, news: bool) -> None:
        """Remember what a sitemap or feed said of a page; the first date given stays."""
        ...

    def hints(self, url: str) -> Hints: ...

    def open_discovery(self, limit: int | None) -> bool:
        """Count one more discovery document to read; False (and nothing counted) once `limit` were."""
        ...

    def close_discovery(self) -> None:
        """A discovery document was read, or failed."""
        ...

    def settled(self) -> bool:
        """Whether every discovery document opened so far was read (pages may then be requested)."""
        ...

    def settle(self) -> None:
        """Stop waiting for discovery documents that will not come back (a stalled crawl)."""
        ...

    def hold(self, page: Waiting) -> None:
        """Queue a claimed page until discovery has settled and the budget allows it."""
        ...

    def release(self, budget: int | None) -> list[Waiting]:
        """The waiting pages that may be requested now (none before discovery has settled; no more than
        `budget` minus the articles kept and the pages in progress); they count as in progress."""
        ...

    def page_done(self, article: bool) -> None:
        """A page handed out by `release` gave its outcome (a record, or an error line)."""
        ...

    def waiting(self) -> int:
        """Pages held and not handed out (at the end: the pages the budget left out)."""
        ...

    def busy(self) -> bool:
        """Whether other crawler processes may still add work (discovery or pages in progress there)."""
        ...

    def progress(self) -> int:
        """A number that grows whenever a discovery document or a page is done, in any process."""
        ...

    def configure(self, settings: BaseSettings) -> None:
        """Set the Scrapy settings this frontier needs (a shared scheduler), before they are frozen."""
        ...

    def check(self) -> None:
        """StaleCrawl when the crawl's state was left by processes that stopped without finishing it."""
        ...

    def join(self) -> None:
        """This process takes part in the crawl (StaleCrawl as `check`)."""
        ...

    def heartbeat(self) -> int:
        """This process is still at work (called every `heartbeat_seconds`); how many other processes
        of the crawl are."""
        ...

    def leave(self) -> None:
        """This process is done; the last one to leave clears a shared crawl's state."""
        ...

    def watch(self, callback: Callable[[ServiceUnavailable], None]) -> None:
        """Have `callback` called once if the service holding the state gives out."""
        ...


@dataclass
class MemoryFrontier:
    """The frontier of one crawler process."""

    heartbeat_seconds: float = 0.0
    claimed: set[str] = field(default_factory=set)
    dates: dict[str, str] = field(default_factory=dict)
    news: set[str] = field(default_factory=set)
    opened: int = 0
    pending: int = 0
    held: deque[Waiting] = field(default_factory=deque)
    in_progress: int = 0
    articles: int = 0
    done: int = 0

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

    def open_discovery(self, limit: int | None) -> bool:
        if limit is not None and self.opened >= limit:
            return False
        self.opened += 1
        self.pending += 1
        return True

    def close_discovery(self) -> None:
        self.pending = max(0, self.pending - 1)
        self.done += 1

    def settled(self) -> bool:
        return self.pending == 0

    def settle(self) -> None:
        self.pending = 0

    def hold(self, page: Waiting) -> None:
        self.held.append(page)

    def release(self, budget: int | None) -> list[Waiting]:
        if self.pending:
            return []
        room = len(self.held) if budget is None else budget - self.articles - self.in_progress
        released = [self.held.popleft() for _ in range(max(0, min(room, len(self.held), RELEASE_BATCH)))]
        self.in_progress += len(released)
        return released

    def page_done(self, article: bool) -> None:
        self.in_progress = max(0, self.in_progress - 1)
        self.articles += article
        self.done += 1

    def waiting(self) -> int:
        return len(self.held)

    def busy(self) -> bool:
        return False  # no other process: when this one is idle, nothing else will come

    def progress(self) -> int:
        return self.done

    def configure(self, settings: BaseSettings) -> None:
        pass

    def check(self) -> None:
        pass

    def join(self) -> None:
        pass

    def heartbeat(self) -> int:
        return 0

    def leave(self) -> None:
        pass

    def watch(self, callback: Callable[[ServiceUnavailable], None]) -> None:
        pass


def _memory(url: str, crawl: str, settings: BaseSettings) -> Frontier:
    return MemoryFrontier()


def _redis(url: str, crawl: str, settings: BaseSettings) -> Frontier:
    from pipeline.crawl.shared import RedisFrontier  # imports redis and scrapy-redis only when asked for

    return RedisFrontier(url, crawl, settings)


# A frontier is opened with the setting's URL, the identity of the crawl (the spider and the arguments that
# change what is crawled: processes given the same ones share a crawl) and the settings.
FRONTIERS: dict[str, Callable[[str, str, BaseSettings], Frontier]] = {
    "memory": _memory,
    "redis": _redis,
}


def open_frontier(settings: BaseSettings, crawl: str = "") -> Frontier:
    """The frontier the NEWSCLEAN_FRONTIER setting names (memory:// when unset)."""
    url = settings.get("NEWSCLEAN_FRONTIER") or "memory://"
    scheme = urlsplit(url).scheme
    if scheme not in FRONTIERS:
        known = ", ".join(f"{name}://" for name in FRONTIERS)
        raise ValueError(f"NEWSCLEAN_FRONTIER {mask_secrets(url)!r}: unknown kind (known: {known})")
    return FRONTIERS[scheme](url, crawl, settings)
