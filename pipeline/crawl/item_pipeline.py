"""The Scrapy item pipeline: each page through `run_one` (inline, or in worker processes while the
reactor keeps fetching); pages without a record go to the errors file and the closing summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipeline.document import Document, Outcome, Unreadable
from pipeline.language import parse_languages
from pipeline.model import chosen_model
from pipeline.process import DEFAULT_TIMEOUT, Config, run_one, warm_up
from pipeline.rules.text.templates import SiteTemplates
from pipeline.runners.failures import FailurePolicy
from pipeline.runners.pool import Pool, run_in_worker
from pipeline.runners.stats import RunStats
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


def saved_templates(path: object) -> SiteTemplates | None:
    """The templates file NEWSCLEAN_TEMPLATES names, or None when it names none; TemplatesFileError (a
    ValueError) saying why a file cannot be used."""
    if not path:
        return None
    from pipeline.corpus.templates import load_templates

    return load_templates(Path(str(path)))


class CleanPipeline:
    """Settings: NEWSCLEAN_WORKERS (0 = inline), NEWSCLEAN_TIMEOUT (seconds per page, 0 for no limit),
    NEWSCLEAN_KILL_GRACE (seconds after it before a stuck worker is killed), NEWSCLEAN_DISABLE_RULES,
    NEWSCLEAN_DISABLE_FAMILIES, NEWSCLEAN_LANG, NEWSCLEAN_TEMPLATES and NEWSCLEAN_MODEL (as `clean
    --disable`, `--disable-family`, `--lang`, `--templates` and `--model`). A spider whose
    `articles_only` is set (news) keeps only the pages that are articles. A page that takes too long, or
    whose worker dies, is decided by the same FailurePolicy as the pool of `clean`.
    """

    def __init__(self, crawler: Crawler, config: Config, workers: int, policy: FailurePolicy) -> None:
        self.crawler = crawler
        self.config = config
        self.workers = workers
        self.policy = policy
        self.pool: Pool | None = None
        # One page a worker at a time: a page's wait (the time limit and the grace) is then its own
        # processing, never the queue of pages ahead of it.
        self.free_workers = asyncio.Semaphore(max(1, workers))
        self.stats = RunStats()
        self.errors: JsonlWriter | None = None
        self.errors_file = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        settings = crawler.settings
        languages = parse_languages(settings.getlist("NEWSCLEAN_LANG"))
        timeout = settings.getfloat("NEWSCLEAN_TIMEOUT", DEFAULT_TIMEOUT) or None
        policy = FailurePolicy(timeout=timeout, kill_grace=settings.getfloat("NEWSCLEAN_KILL_GRACE", 10.0))
        config = Config(
            disabled_rules=frozenset(name.strip() for name in settings.getlist("NEWSCLEAN_DISABLE_RULES")),
            disabled_families=frozenset(
                name.strip() for name in settings.getlist("NEWSCLEAN_DISABLE_FAMILIES")
            ),
            languages=languages or None,
            articles_only=bool(getattr(crawler.spidercls, "articles_only", False)),
            timeout=policy.timeout,
            site_templates=saved_templates(settings.get("NEWSCLEAN_TEMPLATES")),
            model=chosen_model(settings.get("NEWSCLEAN_MODEL")),
        )
        workers = max(0, settings.getint("NEWSCLEAN_WORKERS", 1))
        return cls(crawler, config, workers, policy)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        target, append = errors_target(self.crawler.settings.getdict("FEEDS"), spider)
        self.errors_file = "standard error" if target == "-" else target
        self.errors = JsonlWriter(target, append=append, stream=sys.stderr if target == "-" else None)
        self.stats = RunStats()
        if not self.workers:
            warm_up()  # pages are cleaned in this process
        else:
            self.pool = Pool(self.workers, self.config)
            # Start the workers now, while robots.txt, the home page and the sitemaps download.
            self.pool.start()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Document):
            return item
        outcome = await self._outcome(item)
        self.stats.add(outcome)
        if outcome.record is not None:
            self.crawler.stats.inc_value("newsclean/records")
            return outcome.record
        assert outcome.error is not None and self.errors is not None
        self.errors.write(outcome.error)
        self.crawler.stats.inc_value(f"newsclean/no_record/{outcome.error['stage']}")
        raise DropItem(f"no record, {outcome.error['stage']}: {outcome.error['error']}", log_level="INFO")

    async def _outcome(self, doc: Document) -> Outcome:
        if self.pool is None or isinstance(doc.origin, Unreadable):  # inline, or failed before cleaning
            return run_one(doc, self.config)
        async with self.free_workers:
            return await self._in_worker(self.pool, doc)

    async def _in_worker(self, pool: Pool, doc: Document) -> Outcome:
        loop = asyncio.get_running_loop()
        attempt = 1
        while True:
            executor = pool.executor
            try:
                future = loop.run_in_executor(executor, run_in_worker, doc)
                result: Outcome = await asyncio.wait_for(future, self.policy.wait)
                return result
            except BrokenProcessPool:
                # A worker died (out of memory, a crash in a C library). Every page pending on that
                # pool fails the same way; the first to notice replaces it and each is tried again.
                if pool.renew(executor):
                    logger.warning("a worker process died; starting a new pool")
                if not self.policy.retry(attempt):
                    return run_one(self.policy.died(doc), self.config)
                attempt += 1
            except TimeoutError:
                # Past the time limit and the grace: the worker is stuck where the limit inside it cannot
                # reach (a C call). It is killed; the pages it shared the pool with are tried again.
                self.policy.kill(executor)
                if pool.renew(executor):
                    logger.warning("a worker process was stuck on %s; starting a new pool", doc.source)
                return run_one(self.policy.timed_out(doc), self.config)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close(cancel=True)
            self.pool = None
        if self.errors is not None:
            self.errors.close()
        stats = self.stats
        seconds = stats.seconds
        logger.info(
            "newsclean: %d records; %d pages without a record (%s), listed in %s; "
            "%d pages in %.1f s (%.1f pages/s, %s)",
            stats.written,
            stats.without_record,
            stats.by_stage(),
            self.errors_file,
            stats.written + stats.without_record,
            seconds,
            (stats.written + stats.without_record) / seconds if seconds else 0.0,
            f"{self.workers} worker processes" if self.workers else "inline",
        )


__all__ = ["CleanPipeline", "default_output", "errors_target"]
