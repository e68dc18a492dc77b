"""The crawl's components without a crawl: the item pipeline, where its errors go, the exporter."""

from __future__ import annotations

import asyncio
import io
import json
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipeline.crawl.exporter import RecordExporter
from pipeline.crawl.item_pipeline import CleanPipeline, errors_target
from pipeline.crawl.items import failed_page
from pipeline.document import Document
from spiders.article import ArticleSpider
from spiders.news import NewsSpider

from .fixture_site import SITE_DIR


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _pipeline(tmp_path: Path, spider: type[Spider] = NewsSpider, **settings: Any) -> CleanPipeline:
    crawler = get_crawler(
        spider, {"FEEDS": {str(tmp_path / "out.jsonl"): {"format": "jsonlines"}}, **settings}
    )
    arguments = {"site": "http://news.example"} if spider is NewsSpider else {"urls": "http://news.example/"}
    crawler.spider = spider.from_crawler(crawler, **arguments)
    pipeline = CleanPipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_the_item_pipeline_turns_pages_into_records_and_failures_into_error_lines(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, NEWSCLEAN_WORKERS=0)
    body = (SITE_DIR / "about.html").read_bytes()
    url = "http://news.example/about.html"
    page = Document(url, "html", content=body, url=url, content_type="text/html", status=200)
    with pytest.raises(DropItem, match="not-article"):
        _run(pipeline.process_item(page))
    with pytest.raises(DropItem, match="robots"):
        _run(pipeline.process_item(failed_page(f"{url}/private/x", "robots", "disallowed by robots.txt")))
    pipeline.close_spider()
    stages = [line["stage"] for line in read_jsonl(tmp_path / "out.errors.ndjson")]
    assert stages == ["not-article", "robots"]
    # The article crawl keeps every page with text, whatever it is.
    pipeline = _pipeline(tmp_path, ArticleSpider, NEWSCLEAN_WORKERS=0)
    record = _run(pipeline.process_item(page))
    assert record["title"] == "About The Harbour Gazette" and record["status"] == 200
    pipeline.close_spider()


class Slow:
    """An origin that takes 30 s to read, in plain Python: the time limit inside the process stops it."""

    def load(self, max_bytes: int) -> bytes:
        time.sleep(30)
        return b""


class Stuck:
    """An origin stuck where the time limit cannot reach it (SIGALRM blocked, as in a C call that does
    not return): only a kill stops it."""

    def load(self, max_bytes: int) -> bytes:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
        return b""


def _about_page() -> Document:
    url = "http://news.example/about.html"
    body = (SITE_DIR / "about.html").read_bytes()
    return Document(url, "html", content=body, url=url, content_type="text/html", status=200)


def test_the_crawls_time_limit_is_newsclean_timeout(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, ArticleSpider, NEWSCLEAN_WORKERS=0, NEWSCLEAN_TIMEOUT=0.5)
    slow = Document("http://news.example/slow.html", "html", origin=Slow())
    with pytest.raises(DropItem, match=re.escape("extract: took longer than 0.5 s")):
        _run(pipeline.process_item(slow))
    pipeline.close_spider()


@pytest.mark.slow
def test_a_worker_stuck_past_the_time_limit_is_killed_and_the_next_page_is_cleaned(tmp_path: Path) -> None:
    settings = {"NEWSCLEAN_WORKERS": 1, "NEWSCLEAN_TIMEOUT": 3.0, "NEWSCLEAN_KILL_GRACE": 1.0}
    pipeline = _pipeline(tmp_path, ArticleSpider, **settings)
    stuck = Document("http://news.example/stuck.html", "html", origin=Stuck())
    with pytest.raises(DropItem, match=re.escape("extract: took longer than 3 s")):
        _run(pipeline.process_item(stuck))
    record = _run(pipeline.process_item(_about_page()))
    pipeline.close_spider()
    assert record["title"] == "About The Harbour Gazette"
    assert read_jsonl(tmp_path / "out.errors.ndjson") == [
        {"source": stuck.source, "stage": "extract", "error": "took longer than 3 s (the --timeout limit)"}
    ]


def test_errors_go_beside_the_feed_or_to_stderr() -> None:
    spider = ArticleSpider(urls="http://x.example/")
    assert errors_target({"out/a.jsonl": {"format": "jsonl", "overwrite": True}}, spider) == (
        "out/a.errors.ndjson",
        False,
    )
    assert errors_target({"file:///tmp/%(name)s.jsonl": {}}, spider) == ("/tmp/article.errors.ndjson", True)
    assert errors_target({"stdout:": {"format": "jsonlines"}}, spider) == ("-", True)
    target, _ = errors_target({"s3://bucket/x.jsonl": {}}, spider)
    assert re.fullmatch(r"output/article-\d{8}T\d{6}Z\.errors\.ndjson", target)


def test_the_exporter_writes_every_key_in_order_like_clean() -> None:
    buffer = io.BytesIO()
    exporter = RecordExporter(buffer, encoding="utf-8")
    exporter.export_item({"id": "1", "title": None, "text": "Noël", "removed": []})
    assert buffer.getvalue().decode("utf-8") == '{"id": "1", "title": null, "text": "Noël", "removed": []}\n'
