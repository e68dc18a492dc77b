"""What both spiders share: the default records file, the crawl's frontier, page requests, and pages or
failures handed to the item pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from pipeline.crawl.frontier import Frontier, MemoryFrontier, Waiting, open_frontier
from pipeline.crawl.item_pipeline import default_output
from pipeline.crawl.items import PAGE, Interrupted, failure_document, page_document
from pipeline.document import Document
from pipeline.runners.failures import ServiceUnavailable


class PageSpider(scrapy.Spider):
    """Base of the newsclean spiders; the item pipeline turns their pages into records.

    The crawl's state is the frontier's (pipeline.crawl.frontier), opened from the NEWSCLEAN_FRONTIER
    setting: the spider is the same whether one process or several share the crawl.
    """

    # Whether pages must pass the article rule (pipeline.article) to give a record; the item pipeline
    # reads it when it builds the run's Config.
    articles_only = False
    # The site's home page, for a spider that crawls one site (read by the discovery address guard).
    site: str | None = None
    # The budget of article pages (None: no limit); see pipeline.crawl.frontier.
    max_pages: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frontier: Frontier = MemoryFrontier()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Records go to output/<spider>-<UTC timestamp>.jsonl unless -o, -O or FEEDS say otherwise.
        if not settings.getdict("FEEDS"):
            settings.set("FEEDS", {default_output(cls.name): {"format": "jsonlines"}}, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.read_settings(crawler.settings)
        spider.frontier = open_frontier(crawler.settings, spider.crawl_id())
        if not crawler.settings.frozen:
            spider.frontier.configure(crawler.settings)
        return spider

    def read_settings(self, settings: BaseSettings) -> None:
        """Take what the spider reads from the settings (before the frontier is opened)."""

    def crawl_arguments(self) -> dict[str, Any]:
        """The arguments (and settings) that change what the crawl fetches."""
        return {}

    def crawl_id(self) -> str:
        """What makes two crawls the same crawl: processes given the same spider and the same arguments
        that change what is crawled share one frontier; any other difference is another crawl."""
        return json.dumps({"spider": self.name, **self.crawl_arguments()}, sort_keys=True)

    def page_request(self, page: Waiting) -> Request:
        """The request of a page the frontier handed out."""
        return Request(
            page.url,
            callback=self.parse_page,
            errback=self.page_failed,
            cb_kwargs={"hop": page.hop},
            meta={PAGE: True},
        )

    def released_requests(self) -> Iterator[Request]:
        """Requests for the pages the frontier lets go now (pipeline.crawl.control asks for them)."""
        for page in self.frontier.release(self.max_pages):
            yield self.page_request(page)

    def parse_page(self, response: Response, hop: int = 0) -> Iterator[Document | Request]:
        yield self.page(response)

    def page(self, response: Response, **hints: Any) -> Document:
        return page_document(response, **hints)

    def page_failed(self, failure: Failure) -> Iterator[Document]:
        """Errback of page requests: the HTTP error, robots.txt ban, size cap or refused redirect, as an
        error line; a request a Ctrl-C dropped before it was sent, or one the crawl could not go on with
        because its frontier gave out, gives none (it is not a page that failed)."""
        if not isinstance(failure.value, Interrupted | ServiceUnavailable):
            yield failure_document(failure)
