"""The crawl's log lines: no password of a service's URL in any of them, and, for `newsclean crawl`, one
line for each thing that went wrong rather than Scrapy's tracebacks.

Scrapy logs its settings ("Overridden settings", at INFO), and the Redis frontier's URL is a setting
(NEWSCLEAN_FRONTIER, and REDIS_URL for scrapy-redis): `MaskSecrets`, a filter on the root logger's
handlers, masks the password of every URL in every line (`redis://:***@host:6379/0`), tracebacks
included. The `LogFilters` extension installs it for `scrapy crawl` and `newsclean crawl` alike: when the
crawler is built (before Scrapy logs its settings) and again when the spider opens (Scrapy replaces the
root handler in between).

`Brief` is the log of `newsclean crawl` without `-v`: a traceback becomes the one line of its exception,
and the failures of single requests that the errors file or the discovery counts already hold (Scrapy's
"Gave up retrying" and robots.txt's "Error downloading") are left out.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from pipeline.runners.failures import ServiceUnavailable, mask_secrets

# Set on a log record by whoever reports a stopped service in its own line (pipeline.crawl.control);
# `newsclean crawl` prints its own error line instead.
REPORTED = "newsclean_reported"

# Scrapy's lines for one request that failed, by logger and message: each such request is an error line
# (a page) or a discovery count (robots.txt, a sitemap or a feed).
_REQUEST_FAILURES = (
    ("scrapy.downloadermiddlewares.retry", "Gave up retrying"),
    ("scrapy.downloadermiddlewares.robotstxt", "Error downloading"),
)


def _exception(record: logging.LogRecord) -> BaseException | None:
    return record.exc_info[1] if record.exc_info else None


class MaskSecrets(logging.Filter):
    """Masks the password of every URL in a log line and its traceback. A line about a service that
    stopped (ServiceUnavailable) is left out when it carries the exception: the crawl says it once."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(_exception(record), ServiceUnavailable):
            return False
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_secrets(logging.Formatter().formatException(record.exc_info))
        return True


class Brief(MaskSecrets):
    """`newsclean crawl` without -v: one line a problem, no traceback (and secrets masked, whichever
    filter comes first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, REPORTED, False) or not super().filter(record):
            return False
        if any(
            record.name == name and str(record.msg).startswith(start) for name, start in _REQUEST_FAILURES
        ):
            return False
        error = _exception(record)
        if error is not None:
            message = f"{record.getMessage().rstrip()} ({type(error).__name__}: {error})"
            record.msg, record.args = mask_secrets(message.split("\n", 1)[0]), None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def install(log_filter: logging.Filter) -> None:
    """Add a filter to every handler of the root logger (once)."""
    for handler in logging.root.handlers:
        if not any(type(present) is type(log_filter) for present in handler.filters):
            handler.addFilter(log_filter)


class LogFilters:
    """Extension: MaskSecrets on the root handlers, before Scrapy logs its settings and after it
    replaces its handler."""

    def __init__(self) -> None:
        self.mask = MaskSecrets()
        install(self.mask)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogFilters:
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Any) -> None:
        install(self.mask)
