"""What both spiders share: the default records file, and pages or failures handed to the item pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from pipeline.crawl.item_pipeline import default_output
from pipeline.crawl.items import failure_document, page_document
from pipeline.document import Document


class PageSpider(scrapy.Spider):
    """Base of the newsclean spiders; the item pipeline turns their pages into records."""

    # Whether pages must pass the article rule (pipeline.article) to give a record; the item pipeline
    # reads it when it builds the run's Config.
    articles_only = False

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Records go to output/<spider>-<UTC timestamp>.jsonl unless -o, -O or FEEDS say otherwise.
        if not settings.getdict("FEEDS"):
            settings.set("FEEDS", {default_output(cls.name): {"format": "jsonlines"}}, priority="spider")

    def page(self, response: Response, **hints: Any) -> Document:
        return page_document(response, **hints)

    def page_failed(self, failure: Failure) -> Iterator[Document]:
        """Errback of page requests: the HTTP error, robots.txt ban or size cap, as an error line."""
        yield failure_document(failure)
