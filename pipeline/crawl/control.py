"""The frontier's Scrapy side: this process joins and leaves the crawl, hands out the pages the frontier
lets go, reports each page's outcome back to it, and keeps an idle process open while others still work.

Pages are handed to the engine here (`engine.crawl`), not yielded by spider callbacks: whenever the
scheduler runs dry, a page gives its outcome, or the spider is idle, the spider is asked for the
requests of the pages the frontier releases (NewsSpider holds them until discovery is done and while
the article budget allows).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from pipeline.crawl.items import PAGE, Interrupted

logger = logging.getLogger(__name__)

_DONE = "newsclean_done"
# Default of NEWSCLEAN_FRONTIER_IDLE: seconds an idle process of a shared crawl waits for the others
# to make progress before it closes anyway (a process that died leaves its work counted as in progress).
FRONTIER_IDLE = 120.0


class CrawlControl:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.idle_limit = crawler.settings.getfloat("NEWSCLEAN_FRONTIER_IDLE", FRONTIER_IDLE)
        self._progress = (-1, time.monotonic())
        self._joined = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlControl:
        control = cls(crawler)
        for handler, signal in (
            (control.spider_opened, signals.spider_opened),
            (control.spider_closed, signals.spider_closed),
            (control.spider_idle, signals.spider_idle),
            (control.scheduler_empty, signals.scheduler_empty),
            (control.item_scraped, signals.item_scraped),
            (control.item_dropped, signals.item_dropped),
            (control.item_error, signals.item_error),
            (control.spider_error, signals.spider_error),
        ):
            crawler.signals.connect(handler, signal=signal)
        return control

    def _spider(self) -> Any:
        spider = self.crawler.spider
        return spider if hasattr(spider, "frontier") and hasattr(spider, "released_requests") else None

    def spider_opened(self, spider: Spider) -> None:
        if self._spider() is not None:
            self._spider().frontier.join()
            self._joined = True

    def spider_closed(self, spider: Spider, reason: str) -> None:
        found = self._spider()
        if found is None or not self._joined:
            return
        left = found.frontier.waiting()
        if left and found.max_pages is not None:
            budget = found.max_pages
            logger.info("%d pages not requested: the budget of %d articles was reached", left, budget)
            self.crawler.stats.set_value("newsclean/pages_over_budget", left)
        found.frontier.leave()
        self._joined = False

    def interrupt(self) -> None:
        """Ctrl-C: drop the requests waiting in the downloader's queues, not sent yet, so that the stop
        waits only for the pages under way (at the polite delays, a queue of 16 takes 16 s to drain).
        Scrapy 2.19 keeps them in Downloader.slots[key].queue, as (request, deferred) pairs."""
        engine = self.crawler.engine
        slots = getattr(getattr(engine, "downloader", None), "slots", {})
        for slot in list(slots.values()):
            while slot.queue:
                request, waiting = slot.queue.popleft()
                waiting.errback(Interrupted(f"dropped by the interruption: {request.url}"))

    def release(self) -> int:
        """Hand the pages the frontier lets go to the engine; how many."""
        spider = self._spider()
        engine = self.crawler.engine
        if spider is None or engine is None or engine.spider is None:
            return 0
        count = 0
        for request in spider.released_requests():
            engine.crawl(request)
            count += 1
        return count

    def scheduler_empty(self) -> None:
        self.release()

    def spider_idle(self, spider: Spider) -> None:
        found = self._spider()
        if found is None:
            return
        if self.release():
            raise DontCloseSpider
        frontier = found.frontier
        if frontier.busy():
            progress, since = self._progress
            now = time.monotonic()
            if frontier.progress() != progress:
                self._progress = (frontier.progress(), now)
                raise DontCloseSpider
            if now - since < self.idle_limit:
                raise DontCloseSpider
            logger.warning("the other crawler processes made no progress for %.0f s: closing", now - since)
        if not frontier.settled():
            # Idle with discovery still counted open: the documents will not come back.
            frontier.settle()
            if self.release():
                raise DontCloseSpider

    def item_scraped(self, item: Any, response: Response | Failure, spider: Spider) -> None:
        self._page_done(response, article=True)

    def item_dropped(self, item: Any, response: Response | Failure, exception: Any, spider: Spider) -> None:
        self._page_done(response, article=False)

    def item_error(self, item: Any, response: Response | Failure, spider: Spider, failure: Failure) -> None:
        self._page_done(response, article=False)

    def spider_error(self, failure: Failure, response: Response | Failure, spider: Spider) -> None:
        self._page_done(response, article=False)

    def _page_done(self, response: Response | Failure | None, article: bool) -> None:
        request: Request | None = getattr(response, "request", None)
        spider = self._spider()
        if request is None or spider is None or not request.meta.get(PAGE) or request.meta.get(_DONE):
            return
        request.meta[_DONE] = True  # one outcome a page, even if its callback also failed
        spider.frontier.page_done(article)
        self.release()
