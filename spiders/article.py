"""`scrapy crawl article -a urls=URL1,URL2` or `-a url_file=FILE`: one record per page named."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from scrapy.http import Request

from pipeline.crawl.items import failed_page
from pipeline.crawl.urls import canonical_url
from pipeline.document import Document

from .base import PageSpider

_SEPARATORS = re.compile(r"[,\s]+")


def read_urls(urls: str | Sequence[str] | None, url_file: str | None) -> list[str]:
    """The URLs of `-a urls=` (comma-separated, or a list from `newsclean crawl article URL...`) and
    `-a url_file=` (one a line, # comments), in order."""
    given = _SEPARATORS.split(urls) if isinstance(urls, str) else list(urls or [])
    found = [url.strip() for url in given if url.strip()]
    if url_file:
        try:
            text = Path(url_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise ValueError(f"cannot read url_file {url_file}: {reason}") from error
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                found.append(line)
    return found


class ArticleSpider(PageSpider):
    """Fetch the pages named, each once; every page with article text gives a record."""

    name = "article"

    def __init__(
        self, urls: str | Sequence[str] | None = None, url_file: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.urls = read_urls(urls, url_file)
        if not self.urls:
            raise ValueError("no URLs: give -a urls=URL1,URL2 or -a url_file=FILE")

    def crawl_arguments(self) -> dict[str, Any]:
        return {"urls": self.urls}

    async def start(self) -> AsyncIterator[Request | Document]:
        for url in self.urls:
            if not url.lower().startswith(("http://", "https://")):
                yield failed_page(url, "read", "not an http(s) URL")
                continue
            try:
                canonical = canonical_url(url)
            except ValueError as error:
                # One unreadable URL is one error line; the others are still fetched.
                yield failed_page(url, "read", f"not a valid URL: {error}")
                continue
            # Each page once, whichever process of a shared crawl claims it first.
            if self.frontier.claim(canonical):
                yield Request(canonical, callback=self.parse_page, errback=self.page_failed)
