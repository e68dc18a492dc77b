"""The frontier's Scrapy side: this process joins and leaves the crawl, hands out the pages the frontier
lets go, reports each page's outcome back to it, and keeps an idle process open while others still work.

Pages are handed to the engine here (`engine.crawl`), not yielded by spider callbacks: whenever the
scheduler runs dry, a page gives its outcome, or the spider is idle, the spider is asked for the
requests of the pages the frontier releases (NewsSpider holds them until discovery is done and while
the article budget allows).

When the service that holds a shared crawl's state gives out (pipeline.crawl.shared: every call bounded,
then ServiceUnavailable), or the crawl it holds was left by processes that died (StaleCrawl), the crawl
stops here: one error line, the spider closed with the reason `frontier_unavailable` or `frontier_stale`,
the records written so far kept. `failure` then says why, for `newsclean crawl` to report.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task
from twisted.python.failure import Failure

from pipeline.crawl.frontier import StaleCrawl
from pipeline.crawl.items import PAGE, Interrupted
from pipeline.crawl.logs import REPORTED
from pipeline.runners.failures import ServiceUnavailable

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
        self._heartbeat: task.LoopingCall | None = None
        # Why the crawl stopped early: the frontier's service gave out, or its crawl was left stale.
        self.failure: ServiceUnavailable | StaleCrawl | None = None

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
        spider = control._spider()
        if spider is not None:
            spider.frontier.watch(control.service_failed)
        return control

    def _spider(self) -> Any:
        spider = self.crawler.spider
        return spider if hasattr(spider, "frontier") and hasattr(spider, "released_requests") else None

    def spider_opened(self, spider: Spider) -> None:
        found = self._spider()
        if found is None:
            return
        try:
            found.frontier.join()
        except StaleCrawl as error:
            self.stop(error, "frontier_stale")
            return
        except ServiceUnavailable:
            return  # stopped by service_failed
        self._joined = True
        if found.frontier.heartbeat_seconds:
            self._heartbeat = task.LoopingCall(self._beat)
            self._heartbeat.start(found.frontier.heartbeat_seconds, now=False)

    def _beat(self) -> None:
        found = self._spider()
        if found is not None and self.failure is None:
            with contextlib.suppress(ServiceUnavailable):  # stopped by service_failed
                found.frontier.heartbeat()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        found = self._spider()
        if found is None or not self._joined:
            return
        self._joined = False
        try:
            left = found.frontier.waiting()
            if left and found.max_pages is not None:
                budget = found.max_pages
                logger.info("%d pages not requested: the budget of %d articles was reached", left, budget)
                self.crawler.stats.set_value("newsclean/pages_over_budget", left)
            found.frontier.leave()
        except ServiceUnavailable:
            pass  # reported when it gave out; its keys stay, to be found stale by the next crawl

    def service_failed(self, error: ServiceUnavailable) -> None:
        """The frontier's service gave out (told once, by the frontier)."""
        self.stop(error, "frontier_unavailable")

    def stop(self, error: ServiceUnavailable | StaleCrawl, reason: str) -> None:
        """Stop the crawl for good: one error line, the spider closed with `reason`."""
        if self.failure is not None:
            return
        self.failure = error
        logger.error("%s", error, extra={REPORTED: True})
        self.crawler.stats.set_value("newsclean/stopped", str(error))
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            from twisted.internet import reactor as installed

            reactor: Any = installed
            reactor.callLater(0, lambda: deferred_from_coro(engine.close_spider_async(reason=reason)))

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
        if spider is None or engine is None or engine.spider is None or self.failure is not None:
            return 0
        count = 0
        try:
            for request in spider.released_requests():
                engine.crawl(request)
                count += 1
        except ServiceUnavailable:
            return 0  # stopped by service_failed
        return count

    def scheduler_empty(self) -> None:
        self.release()

    def spider_idle(self, spider: Spider) -> None:
        found = self._spider()
        if found is None or self.failure is not None:
            return
        with contextlib.suppress(ServiceUnavailable):  # stopped by service_failed
            self._idle(found)

    def _idle(self, found: Any) -> None:
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
        try:
            spider.frontier.page_done(article)
        except ServiceUnavailable:
            return  # stopped by service_failed
        self.release()
