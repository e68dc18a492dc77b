"""`scrapy crawl article -a urls=URL1,URL2` or `-a url_file=FILE`: one record per page named."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response

from pipeline.crawl.items import failed_page
from pipeline.crawl.urls import canonical_url
from pipeline.document import Document

from .base import PageSpider

_SEPARATORS = re.compile(r"[,\s]+")


def read_urls(urls: str | None, url_file: str | None) -> list[str]:
    """The URLs of `-a urls=` (comma-separated) and `-a url_file=` (one a line, # comments), in order."""
    found = [url for url in _SEPARATORS.split(urls or "") if url]
    if url_file:
        for line in Path(url_file).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                found.append(line)
    return found


class ArticleSpider(PageSpider):
    """Fetch the pages named, each once; every page with article text gives a record."""

    name = "article"

    def __init__(
        self, urls: str | None = None, url_file: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.urls = read_urls(urls, url_file)
        if not self.urls:
            raise ValueError("no URLs: give -a urls=URL1,URL2 or -a url_file=FILE")

    async def start(self) -> AsyncIterator[Request | Document]:
        seen: set[str] = set()
        for url in self.urls:
            if not url.lower().startswith(("http://", "https://")):
                yield failed_page(url, "read", "not an http(s) URL")
                continue
            canonical = canonical_url(url)
            if canonical not in seen:
                seen.add(canonical)
                yield Request(canonical, callback=self.parse, errback=self.page_failed)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Document]:
        yield self.page(response)
