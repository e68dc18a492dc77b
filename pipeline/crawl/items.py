"""What a spider hands to the item pipeline: a Document for every page, fetched or not.

A fetched HTML page carries its bytes and the hints sitemaps and feeds gave for it; a page that could
not be fetched (HTTP error, robots.txt, size cap) or is not HTML is a Document that fails with its
stage, so that `run_one` writes its error line like any other.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.document import Document, Unreadable

_HTML_TYPES = ("text/html", "application/xhtml+xml")

# Request meta keys. PAGE: a page the frontier handed out (its outcome goes back to the frontier).
# DISCOVERY: a robots.txt, home page, sitemap or feed fetched for discovery (the address guard checks
# where it goes). OVER_SIZE: the body passed the size cap (set by pipeline.crawl.refusals.SizeCap, as
# Scrapy says so only in its log when no Content-Length announced the size).
PAGE = "newsclean_page"
DISCOVERY = "newsclean_discovery"
OVER_SIZE = "newsclean_over_size"


class Interrupted(IgnoreRequest):
    """A request dropped from the downloader's queue by a Ctrl-C: not a page that failed."""


class Refused(IgnoreRequest):
    """A request the crawl refuses (a redirect loop, a redirect out of the site, ...): its error line's
    stage and message."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage


def requested_url(request: Request) -> str:
    """The URL first requested, before any redirect."""
    redirects = request.meta.get("redirect_urls")
    return str(redirects[0]) if redirects else request.url


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second with Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def failed_page(source: str, stage: str, message: str) -> Document:
    """A page that gives no record, with its output-contract stage."""
    return Document(source, "html", origin=Unreadable(stage, message))


def page_document(
    response: Response, *, date_hint: str | None = None, listed_as_news: bool = False
) -> Document:
    """The Document of a fetched page: `source` is the URL requested (before redirects), `url` the
    final one."""
    source = requested_url(response.request) if response.request else response.url
    header = response.headers.get("Content-Type")
    content_type = header.decode("latin-1") if header else None
    if not _is_html(response, content_type):
        return failed_page(source, "skipped", f"not an HTML page ({content_type or 'no Content-Type'})")
    return Document(
        source,
        "html",
        content=response.body,
        url=response.url,
        content_type=content_type,
        fetched_at=utc_now(),
        status=response.status,
        date_hint=date_hint,
        listed_as_news=listed_as_news,
    )


def _is_html(response: Response, content_type: str | None) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() in _HTML_TYPES
    return isinstance(response, HtmlResponse)


def failure_document(failure: Failure) -> Document:
    """The failed Document for a request that gave no response to clean."""
    request: Request | None = getattr(failure, "request", None)
    error = failure.value
    if isinstance(error, HttpError):
        response = error.response
        source = requested_url(response.request) if response.request else response.url
        return failed_page(source, "http", f"HTTP {response.status}")
    source = requested_url(request) if request is not None else "unknown"
    message = str(error) or type(error).__name__
    if isinstance(error, Refused):
        return failed_page(source, error.stage, message)
    if request is not None and request.meta.get(OVER_SIZE):
        return failed_page(source, "too-large", str(request.meta[OVER_SIZE]))
    if isinstance(error, DownloadCancelledError | IgnoreRequest) and _over_size(message):
        return failed_page(source, "too-large", message)
    return failed_page(source, "http", f"{type(error).__name__}: {message}")


def _over_size(message: str) -> bool:
    # Scrapy says "larger than download max size" while downloading and "exceeded DOWNLOAD_MAXSIZE"
    # while decompressing.
    return "max size" in message or "DOWNLOAD_MAXSIZE" in message
