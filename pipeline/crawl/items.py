"""What a spider hands to the item pipeline: a fetched page, or why a page gave nothing to clean."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.document import Document

_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Page:
    """A fetched HTML page. `source` is the URL requested (before redirects), `url` the final one."""

    source: str
    url: str
    body: bytes = field(repr=False)
    content_type: str | None
    status: int
    fetched_at: str
    # The sitemap or feed date of the page (YYYY-MM-DD), when one listed it with a date.
    date_hint: str | None = None
    # Listed by a news sitemap or a feed: one of the article signals.
    listed_as_news: bool = False
    # Keep the page only if it is an article (pipeline.article); off for URLs the user named.
    articles_only: bool = False

    def document(self) -> Document:
        return Document(
            source=self.source,
            content=self.body,
            kind="html",
            url=self.url,
            content_type=self.content_type,
            fetched_at=self.fetched_at,
            status=self.status,
            date_hint=self.date_hint,
        )


@dataclass(frozen=True)
class PageFailure:
    """A page that produced no record before cleaning: `stage` is an output-contract stage."""

    source: str
    stage: str
    message: str


def requested_url(request: Request) -> str:
    """The URL first requested, before any redirect."""
    redirects = request.meta.get("redirect_urls")
    return str(redirects[0]) if redirects else request.url


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second with Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page_from_response(
    response: Response,
    *,
    date_hint: str | None = None,
    listed_as_news: bool = False,
    articles_only: bool = False,
) -> Page | PageFailure:
    source = requested_url(response.request) if response.request else response.url
    header = response.headers.get("Content-Type")
    content_type = header.decode("latin-1") if header else None
    if not _is_html(response, content_type):
        return PageFailure(source, "skipped", f"not an HTML page ({content_type or 'no Content-Type'})")
    return Page(
        source=source,
        url=response.url,
        body=response.body,
        content_type=content_type,
        status=response.status,
        fetched_at=utc_now(),
        date_hint=date_hint,
        listed_as_news=listed_as_news,
        articles_only=articles_only,
    )


def _is_html(response: Response, content_type: str | None) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() in _HTML_TYPES
    return isinstance(response, HtmlResponse)


def failure_from(failure: Failure) -> PageFailure:
    """The stage and message for a request that gave no response to clean."""
    request: Request | None = getattr(failure, "request", None)
    error = failure.value
    if isinstance(error, HttpError):
        response = error.response
        source = requested_url(response.request) if response.request else response.url
        return PageFailure(source, "http", f"HTTP {response.status}")
    source = requested_url(request) if request is not None else "unknown"
    message = str(error) or type(error).__name__
    if isinstance(error, IgnoreRequest) and "robots.txt" in message:
        return PageFailure(source, "robots", "disallowed by robots.txt")
    if isinstance(error, DownloadCancelledError | IgnoreRequest) and _over_size(message):
        return PageFailure(source, "too-large", message)
    return PageFailure(source, "http", f"{type(error).__name__}: {message}")


def _over_size(message: str) -> bool:
    # Scrapy says "larger than download max size" while downloading and "exceeded DOWNLOAD_MAXSIZE"
    # while decompressing.
    return "max size" in message or "DOWNLOAD_MAXSIZE" in message
