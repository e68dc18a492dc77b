"""Spider callbacks on stored responses: the fixture site's files, no network."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from pipeline.crawl.items import failure_document
from pipeline.document import Document, DocumentError
from spiders.article import ArticleSpider, read_urls
from spiders.news import FEED_PATHS, NewsSpider

from .fixture_site import SITE_DIR

SITE = "http://news.example"


def failure(document: Document) -> tuple[str, str, str]:
    """(source, stage, message) of a page the spider hands over as failed."""
    assert document.origin is not None and document.content is None
    with pytest.raises(DocumentError) as raised:
        document.origin.load(1)
    return document.source, raised.value.stage, raised.value.message


def stored(path: str, url: str | None = None, cls: type[Response] = HtmlResponse, **meta: Any) -> Response:
    """A response for a fixture file, as the site would serve it at SITE."""
    body = (SITE_DIR / path).read_bytes().replace(b"{{site}}", SITE.encode())
    url = url or f"{SITE}/{path}"
    request = Request(url, meta=meta)
    if cls is Response:
        return Response(url=url, body=body, request=request)
    headers = {"Content-Type": "text/html; charset=utf-8"} if cls is HtmlResponse else {}
    return cls(url=url, body=body, encoding="utf-8", request=request, headers=headers)  # type: ignore[call-arg]


def news_spider(**arguments: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider)
    spider: NewsSpider = NewsSpider.from_crawler(crawler, site=SITE, **arguments)
    return spider


def requests(results: Iterable[Any]) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def urls(results: Iterable[Any]) -> list[str]:
    return [r.url for r in requests(results)]


def collect(generator: AsyncIterator[Any]) -> list[Any]:
    async def run() -> list[Any]:
        return [item async for item in generator]

    return asyncio.run(run())


# --- article ---------------------------------------------------------------------------------------


def test_read_urls_takes_commas_and_a_file(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("# today\nhttps://a.example/1\n\n  https://a.example/2  \n", encoding="utf-8")
    assert read_urls("https://b.example/x,https://b.example/y", str(listing)) == [
        "https://b.example/x",
        "https://b.example/y",
        "https://a.example/1",
        "https://a.example/2",
    ]


def test_article_spider_needs_urls() -> None:
    with pytest.raises(ValueError, match="urls="):
        ArticleSpider.from_crawler(get_crawler(ArticleSpider))


def test_article_spider_requests_each_page_once_in_canonical_form() -> None:
    given = f"{SITE}/a.html#top,{SITE}/a.html?utm_source=x,ftp://news.example/f,{SITE}/b.html?z=1&a=2"
    spider = ArticleSpider.from_crawler(get_crawler(ArticleSpider), urls=given)
    out = collect(spider.start())
    assert urls(out) == [f"{SITE}/a.html", f"{SITE}/b.html?a=2&z=1"]
    assert [failure(f) for f in out if isinstance(f, Document)] == [
        ("ftp://news.example/f", "read", "not an http(s) URL")
    ]


def test_article_parse_gives_the_page_with_the_url_before_and_after_redirects() -> None:
    spider = ArticleSpider.from_crawler(get_crawler(ArticleSpider), urls=f"{SITE}/story/4521")
    response = stored("2024/11/ferry-timetable-changes.html", redirect_urls=[f"{SITE}/story/4521"])
    (page,) = spider.parse(response)
    assert isinstance(page, Document)
    assert page.source == f"{SITE}/story/4521"
    assert page.url == f"{SITE}/2024/11/ferry-timetable-changes.html"
    assert (page.status, page.content_type, page.kind) == (200, "text/html; charset=utf-8", "html")
    assert page.fetched_at is not None and page.fetched_at.endswith("Z") and len(page.fetched_at) == 20
    assert page.content == response.body


def test_a_page_that_is_not_html_is_skipped() -> None:
    spider = ArticleSpider.from_crawler(get_crawler(ArticleSpider), urls=f"{SITE}/feed.xml")
    response = TextResponse(
        url=f"{SITE}/feed.xml",
        body=b"<rss/>",
        headers={"Content-Type": "application/rss+xml"},
        request=Request(f"{SITE}/feed.xml"),
    )
    (page,) = spider.parse(response)
    assert failure(page) == (f"{SITE}/feed.xml", "skipped", "not an HTML page (application/rss+xml)")


# --- failures ----------------------------------------------------------------------------------------


def _failure(error: Exception, url: str = f"{SITE}/x.html") -> Failure:
    failure = Failure(error)
    failure.request = Request(url)  # type: ignore[attr-defined]
    return failure


def test_failures_map_to_the_contract_stages() -> None:
    missing = HtmlResponse(
        url=f"{SITE}/gone.html", status=404, body=b"", request=Request(f"{SITE}/gone.html")
    )
    assert failure(failure_document(_failure(HttpError(missing, "Ignoring non-200 response")))) == (
        f"{SITE}/gone.html",
        "http",
        "HTTP 404",
    )
    assert failure(failure_document(_failure(IgnoreRequest("Forbidden by robots.txt"))))[1] == "robots"
    big = (
        "Expected to receive 300230 bytes which is larger than download max size (100000) in request <GET x>."
    )
    assert failure(failure_document(_failure(DownloadCancelledError(big))))[1] == "too-large"
    inflated = (
        "Ignored response <200 x> because its body (10 B compressed, 20 B) exceeded DOWNLOAD_MAXSIZE (5 B)"
    )
    assert failure(failure_document(_failure(IgnoreRequest(inflated))))[1] == "too-large"
    timeout = failure(failure_document(_failure(DownloadTimeoutError("took longer than 30.0 seconds"))))
    assert timeout[1:] == ("http", "DownloadTimeoutError: took longer than 30.0 seconds")


# --- news: discovery -------------------------------------------------------------------------------


def test_news_start_asks_robots_then_the_home_page() -> None:
    spider = news_spider()
    assert urls(collect(spider.start())) == [f"{SITE}/robots.txt", f"{SITE}/"]
    assert spider.allowed_domains == ["news.example"]  # redirects out of the site are not followed


def test_a_site_without_scheme_is_https_unless_local() -> None:
    crawler = get_crawler(NewsSpider)
    assert NewsSpider.from_crawler(crawler, site="news.example").home == "https://news.example/"
    assert NewsSpider.from_crawler(crawler, site="127.0.0.1:8000").home == "http://127.0.0.1:8000/"


def test_robots_names_the_sitemaps() -> None:
    out = list(news_spider().parse_robots(stored("robots.txt", cls=TextResponse)))
    assert urls(out) == [f"{SITE}/sitemap_index.xml"]


def test_without_a_sitemap_line_or_robots_file_sitemap_xml_is_tried() -> None:
    spider = news_spider()
    missing = TextResponse(
        url=f"{SITE}/robots.txt", status=404, body=b"", request=Request(f"{SITE}/robots.txt")
    )
    assert urls(spider.parse_robots(missing)) == [f"{SITE}/sitemap.xml"]


def test_a_sitemap_index_leads_to_its_sitemaps_and_since_skips_old_ones() -> None:
    index = stored("sitemap_index.xml", cls=XmlResponse)
    assert urls(news_spider().parse_listing(index)) == [
        f"{SITE}/sitemaps/news.xml",
        f"{SITE}/sitemaps/pages.xml.gz",
    ]
    assert urls(news_spider(since="2024-11-25").parse_listing(index)) == [f"{SITE}/sitemaps/news.xml"]


def test_a_news_sitemap_gives_page_requests_with_their_publication_dates() -> None:
    spider = news_spider()
    out = requests(spider.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse)))
    assert [r.url.removeprefix(SITE) for r in out] == [
        "/2024/11/harbour-dredging-approved.html",
        "/2024/11/council-budget-vote.html",
        "/2024/11/port-strike-ends.html",
        "/story/4521",
        "/2024/10/withdrawn-story.html",
    ]
    assert all(r.callback == spider.parse_page and r.cb_kwargs == {"hop": spider.depth} for r in out)
    page = next(spider.parse_page(stored("2024/11/council-budget-vote.html"), hop=spider.depth))
    assert isinstance(page, Document) and page.content is not None
    assert (page.date_hint, page.listed_as_news, spider.articles_only) == ("2024-11-15", True, True)


def test_since_and_max_pages_limit_the_pages_requested() -> None:
    news = stored("sitemaps/news.xml", cls=XmlResponse)
    recent = urls(news_spider(since="2024-11-16").parse_listing(news))
    assert [u.removeprefix(SITE) for u in recent] == ["/2024/11/port-strike-ends.html", "/story/4521"]
    assert len(urls(news_spider(max_pages="2").parse_listing(news))) == 2


def test_a_gzipped_sitemap_is_read() -> None:
    body = gzip.compress((SITE_DIR / "sitemaps/pages.xml").read_bytes().replace(b"{{site}}", SITE.encode()))
    url = f"{SITE}/sitemaps/pages.xml.gz"
    response = Response(url=url, body=body, request=Request(url))
    spider = news_spider()
    # The home page is already scheduled by start(); the rest are new.
    assert [u.removeprefix(SITE) for u in urls(spider.parse_listing(response))] == [
        "/about.html",
        "/tag/harbour.html",
        "/2024/11/lighthouse-restoration.html",
    ]


def test_feeds_give_their_items_without_tracking_parameters() -> None:
    spider = news_spider()
    rss = urls(spider.parse_listing(stored("feed.xml", cls=XmlResponse)))
    assert rss == [
        f"{SITE}/2024/11/fishing-quota-talks.html",
        f"{SITE}/2024/11/harbour-dredging-approved.html",
    ]
    atom = urls(spider.parse_listing(stored("atom.xml", cls=XmlResponse)))
    assert atom == [f"{SITE}/fr/2024/11/marche-de-noel.html"]
    page = next(spider.parse_page(stored("2024/11/fishing-quota-talks.html"), hop=spider.depth))
    assert isinstance(page, Document) and page.date_hint == "2024-11-20"


def test_a_page_that_is_not_a_listing_gives_nothing() -> None:
    assert list(news_spider().parse_listing(stored("index.html", url=f"{SITE}/feed"))) == []


def test_the_home_page_is_judged_and_leads_to_feeds_and_links() -> None:
    spider = news_spider()
    out = list(spider.parse_home(stored("index.html", url=f"{SITE}/")))
    home = out[0]
    assert isinstance(home, Document) and home.content is not None and home.source == f"{SITE}/"
    listing = [r.url.removeprefix(SITE) for r in requests(out) if r.callback == spider.parse_listing]
    assert listing == ["/feed.xml", *(p for p in FEED_PATHS if p != "/feed.xml")]
    pages = [r for r in requests(out) if r.callback == spider.parse_page]
    assert [r.url.removeprefix(SITE) for r in pages] == [
        "/world/",
        "/tag/harbour.html",
        "/about.html",
        "/2024/11/harbour-dredging-approved.html",
        "/2024/11/port-strike-ends.html",
        "/2024/11/school-reopens.html",
        "/2024/11/budget-papers.html",
        "/private/leaked-memo.html",
    ]
    assert {r.cb_kwargs["hop"] for r in pages} == {1}


def test_links_are_followed_to_the_depth_limit_only() -> None:
    spider = news_spider(depth="2")
    section = list(spider.parse_page(stored("world/index.html", url=f"{SITE}/world/"), hop=1))
    followed = {r.url.removeprefix(SITE): r.cb_kwargs["hop"] for r in requests(section)}
    assert followed["/2024/11/storm-warning-issued.html"] == 2
    assert "/" not in followed  # the home page is scheduled from the start
    deepest = list(spider.parse_page(stored("2024/11/storm-warning-issued.html"), hop=2))
    assert requests(deepest) == [] and isinstance(deepest[0], Document)


def test_nofollow_and_off_site_links_are_not_followed() -> None:
    spider = news_spider()
    tag = [u.removeprefix(SITE) for u in urls(spider.parse_page(stored("tag/harbour.html"), hop=1))]
    assert not any("page=2" in u for u in tag)
    home = urls(spider.parse_home(stored("index.html", url=f"{SITE}/")))
    assert not any("coastalwire" in u or u.startswith("mailto:") for u in home)


def test_each_page_is_requested_once_across_sources() -> None:
    spider = news_spider()
    first = urls(spider.parse_home(stored("index.html", url=f"{SITE}/")))
    again = urls(spider.parse_listing(stored("feed.xml", cls=XmlResponse)))
    assert f"{SITE}/2024/11/harbour-dredging-approved.html" in first
    assert again == [f"{SITE}/2024/11/fishing-quota-talks.html"]


def test_the_crawl_state_is_the_frontiers_so_two_spiders_on_one_frontier_share_it() -> None:
    first, second = news_spider(), news_spider()
    second.frontier = first.frontier
    listed = urls(first.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse)))
    assert listed and urls(second.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse))) == []
    page = next(second.parse_page(stored("2024/11/council-budget-vote.html"), hop=second.depth))
    assert isinstance(page, Document) and (page.date_hint, page.listed_as_news) == ("2024-11-15", True)
