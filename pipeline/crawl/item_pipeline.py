"""The Scrapy item pipeline: each page through `clean_page` (inline, or in worker processes while the
reactor keeps fetching); pages without a record go to the errors file and the closing summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipeline.crawl.items import Page, PageFailure
from pipeline.crawl.worker import clean_page
from pipeline.document import DocumentError
from pipeline.process import Config
from pipeline.record import error_line
from pipeline.runners.local import Outcome, ignore_sigint, new_pool
from pipeline.writers.jsonl import JsonlWriter, errors_path

logger = logging.getLogger(__name__)


def default_output(spider_name: str, now: datetime | None = None) -> str:
    """`output/<spider>-<UTC timestamp>.jsonl`, the records file when no feed is configured."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"output/{spider_name}-{stamp}.jsonl"


def errors_target(feeds: dict[str, Any], spider: Spider) -> tuple[str, bool]:
    """Where error lines go: beside the first local feed (or stderr for a stdout feed), and whether
    to append (as Scrapy's -o appends to its feed) rather than replace.
    """
    for uri, options in feeds.items():
        uri = str(uri)
        if uri.startswith("stdout:"):
            return "-", True
        if "://" in uri and not uri.startswith("file://"):
            continue
        path = uri.removeprefix("file://")
        params = {name: getattr(spider, name, None) for name in dir(spider) if not name.startswith("_")}
        params["time"] = datetime.now(UTC).replace(microsecond=0).isoformat().replace(":", "-")
        with contextlib.suppress(KeyError, TypeError, ValueError):  # not a %-template after all
            path = path % params
        overwrite = bool((options or {}).get("overwrite", False))
        return str(errors_path(path)), not overwrite
    return str(errors_path(default_output(spider.name))), False


class CleanPipeline:
    """Settings: NEWSCLEAN_WORKERS (0 = inline), NEWSCLEAN_TIMEOUT (seconds per page),
    NEWSCLEAN_DISABLE_RULES and NEWSCLEAN_LANG (as `clean --disable` and `--lang`).
    """

    def __init__(self, crawler: Crawler, config: Config, workers: int, timeout: float) -> None:
        self.crawler = crawler
        self.config = config
        self.workers = workers
        self.timeout = timeout
        self.pool: ProcessPoolExecutor | None = None
        self.records = 0
        self.failed: Counter[str] = Counter()
        self.errors: JsonlWriter | None = None
        self.errors_file = ""
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        settings = crawler.settings
        codes = (code.strip().lower() for code in settings.getlist("NEWSCLEAN_LANG"))
        languages = frozenset(code for code in codes if code)
        config = Config(
            disabled_rules=frozenset(name.strip() for name in settings.getlist("NEWSCLEAN_DISABLE_RULES")),
            languages=languages or None,
        )
        workers = max(0, settings.getint("NEWSCLEAN_WORKERS", 1))
        return cls(crawler, config, workers, settings.getfloat("NEWSCLEAN_TIMEOUT", 60.0))

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        target, append = errors_target(self.crawler.settings.getdict("FEEDS"), spider)
        self.errors_file = "standard error" if target == "-" else target
        self.errors = JsonlWriter(target, append=append, stream=sys.stderr if target == "-" else None)
        self.started = time.monotonic()
        if self.workers:
            self.pool = new_pool(self.workers, preload=clean_page.__module__)
            # Start the workers now, while robots.txt, the home page and the sitemaps download.
            for _ in range(self.workers):
                self.pool.submit(ignore_sigint)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PageFailure):
            error = DocumentError(item.stage, item.message)
            outcome = Outcome(item.source, error=error_line(item.source, error))
        elif isinstance(item, Page):
            outcome = await self._clean(item)
        else:
            return item
        if outcome.record is not None:
            self.records += 1
            self.crawler.stats.inc_value("newsclean/records")
            return outcome.record
        assert outcome.error is not None
        self._record_failure(outcome.error)
        raise DropItem(f"no record, {outcome.error['stage']}: {outcome.error['error']}", log_level="INFO")

    async def _clean(self, page: Page) -> Outcome:
        doc = page.document()
        if self.pool is None:
            return clean_page(doc, self.config, page.articles_only, page.listed_as_news)
        for _attempt in range(2):
            pool = self.pool
            loop = asyncio.get_running_loop()
            try:
                future = loop.run_in_executor(
                    pool, clean_page, doc, self.config, page.articles_only, page.listed_as_news
                )
                result: Outcome = await asyncio.wait_for(future, self.timeout)
                return result
            except BrokenProcessPool:
                self._replace_pool(pool)
            except TimeoutError:
                # The worker keeps going until it finishes; only the wait stops here.
                error = DocumentError("extract", f"extraction took longer than {self.timeout:g} s")
                return Outcome(doc.source, error=error_line(doc.source, error))
        error = DocumentError("extract", "the worker process died twice while processing this page")
        return Outcome(doc.source, error=error_line(doc.source, error))

    def _replace_pool(self, broken: ProcessPoolExecutor) -> None:
        # A worker died (out of memory, a crash in a C library). Every page pending on that pool
        # fails the same way; the first to notice replaces it and each one is tried once more.
        if self.pool is broken:
            logger.warning("a worker process died; starting a new pool")
            broken.shutdown(wait=False, cancel_futures=True)
            self.pool = new_pool(self.workers, preload=clean_page.__module__)

    def _record_failure(self, line: dict[str, str]) -> None:
        assert self.errors is not None
        self.errors.write(line)
        self.failed[line["stage"]] += 1
        self.crawler.stats.inc_value(f"newsclean/no_record/{line['stage']}")

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.errors is not None:
            self.errors.close()
        elapsed = time.monotonic() - self.started
        pages = self.records + sum(self.failed.values())
        by_stage = ", ".join(f"{stage} {count}" for stage, count in sorted(self.failed.items())) or "none"
        logger.info(
            "newsclean: %d records; %d pages without a record (%s), listed in %s; "
            "%d pages in %.1f s (%.1f pages/s, %s)",
            self.records,
            sum(self.failed.values()),
            by_stage,
            self.errors_file,
            pages,
            elapsed,
            pages / elapsed if elapsed else 0.0,
            f"{self.workers} worker processes" if self.workers else "inline",
        )


__all__ = ["CleanPipeline", "default_output", "errors_target"]
