"""Spider callbacks on stored responses: the fixture site's files, no network."""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from pipeline.crawl.frontier import MemoryFrontier
from pipeline.crawl.items import DISCOVERY, PAGE, failure_document
from pipeline.document import Document, DocumentError
from spiders.article import ArticleSpider, read_urls
from spiders.news import FEED_PATHS, SITEMAP_DEPTH, NewsSpider

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
    (page,) = spider.parse_page(response)
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
    (page,) = spider.parse_page(response)
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


def held(spider: NewsSpider) -> list[tuple[str, int]]:
    """The pages waiting in the spider's frontier: (path, hop)."""
    assert isinstance(spider.frontier, MemoryFrontier)
    return [(page.url.removeprefix(SITE), page.hop) for page in spider.frontier.held]


def held_paths(spider: NewsSpider) -> list[str]:
    return [path for path, _hop in held(spider)]


def test_news_start_asks_robots_and_the_home_page_and_holds_the_home_page() -> None:
    spider = news_spider()
    out = collect(spider.start())
    assert urls(out) == [f"{SITE}/robots.txt", f"{SITE}/"]
    assert [r.callback for r in out] == [spider.parse_robots, spider.parse_home]
    assert all(r.dont_filter and r.meta[DISCOVERY] for r in out)
    # The home page is also a page: judged once discovery is done, when every hint is known.
    assert held(spider) == [("/", 0)]
    assert spider.frontier.release(None) == []  # two discovery documents are open
    assert spider.allowed_domains == ["news.example"]


def test_a_site_without_scheme_is_https_unless_local() -> None:
    crawler = get_crawler(NewsSpider)
    assert NewsSpider.from_crawler(crawler, site="news.example").home == "https://news.example/"
    assert NewsSpider.from_crawler(crawler, site="127.0.0.1:8000").home == "http://127.0.0.1:8000/"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"site": ""}, "no site"),
        ({"site": "ftp://news.example/"}, "not an http(s) URL"),
        ({"site": "http://[news/"}, "not a valid URL"),
        ({"site": SITE, "max_pages": "0"}, "max_pages must be a whole number of at least 1, not '0'"),
        ({"site": SITE, "max_pages": "ten"}, "max_pages must be a whole number"),
        ({"site": SITE, "depth": "-1"}, "depth must be a whole number of at least 0"),
        ({"site": SITE, "since": "2024-13-01"}, "since must be a date, YYYY-MM-DD, not '2024-13-01'"),
    ],
)
def test_bad_news_arguments_are_refused_with_a_reason(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        NewsSpider.from_crawler(get_crawler(NewsSpider), **arguments)


def test_robots_names_the_sitemaps_and_a_bad_line_is_skipped_alone() -> None:
    out = list(news_spider().parse_robots(stored("robots.txt", cls=TextResponse)))
    assert urls(out) == [
        f"{SITE}/sitemap_index.xml",
        "http://169.254.169.254/latest/sitemap.xml",
        "http://10.11.12.13/sitemap.xml",
        f"{SITE}/chain/0.xml",
    ]
    assert {r.meta[SITEMAP_DEPTH] for r in requests(out)} == {0}


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


def test_sitemap_indexes_are_followed_down_to_the_depth_setting_only() -> None:
    spider = news_spider()
    index = stored("sitemap_index.xml", cls=XmlResponse, **{SITEMAP_DEPTH: spider.max_sitemap_depth - 1})
    assert {r.meta[SITEMAP_DEPTH] for r in requests(spider.parse_listing(index))} == {
        spider.max_sitemap_depth
    }
    deepest = stored("sitemap_index.xml", cls=XmlResponse, **{SITEMAP_DEPTH: spider.max_sitemap_depth})
    assert list(spider.parse_listing(deepest)) == []


def test_discovery_documents_are_bounded() -> None:
    spider = news_spider()
    spider.max_discovery = 1
    index = stored("sitemap_index.xml", cls=XmlResponse)
    assert urls(spider.parse_listing(index)) == [f"{SITE}/sitemaps/news.xml"]


def test_a_news_sitemap_holds_its_pages_with_their_publication_dates() -> None:
    spider = news_spider()
    assert list(spider.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse))) == []
    assert held(spider) == [
        ("/2024/11/harbour-dredging-approved.html", spider.depth),
        ("/2024/11/council-budget-vote.html", spider.depth),
        ("/2024/11/port-strike-ends.html", spider.depth),
        ("/story/4521", spider.depth),
        ("/2024/10/withdrawn-story.html", spider.depth),
    ]
    (request, *_) = spider.released_requests()
    assert (request.callback, request.errback, request.meta[PAGE]) == (
        spider.parse_page,
        spider.page_failed,
        True,
    )
    page = next(spider.parse_page(stored("2024/11/council-budget-vote.html"), hop=spider.depth))
    assert isinstance(page, Document) and page.content is not None
    assert (page.date_hint, page.listed_as_news, spider.articles_only) == ("2024-11-15", True, True)


_RSS = '<rss version="2.0"><channel><title>t</title><item><link>{}</link></item>{}</channel></rss>'
_ATOM = '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><link href="{}"/></entry>{}</feed>'
_SITEMAP = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{}</loc></url>{}</urlset>'


@pytest.mark.parametrize(
    ("listing", "link", "escaped"),
    [
        (
            _SITEMAP,
            "http://news.example/list?id=9&page=2",
            "<url><loc>http://news.example/list?id=9&amp;page=3</loc></url>",
        ),
        (
            _RSS,
            "http://news.example/list?id=9&page=2",
            "<item><link>http://news.example/list?id=9&amp;page=3</link></item>",
        ),
        (
            _RSS,
            "<![CDATA[http://news.example/list?id=9&page=2]]>",
            "<item><link><![CDATA[http://news.example/list?id=9&page=3]]></link></item>",
        ),
        (
            _ATOM,
            "http://news.example/list?id=9&page=2",
            '<entry><link href="http://news.example/list?id=9&amp;page=3"/></entry>',
        ),
    ],
    ids=["sitemap", "rss", "rss-cdata", "atom"],
)
def test_a_bare_ampersand_in_a_listing_is_read_as_written(listing: str, link: str, escaped: str) -> None:
    body = listing.format(link, escaped).encode("utf-8")
    spider = news_spider()
    list(spider.parse_listing(XmlResponse(url=f"{SITE}/s.xml", body=body, request=Request(f"{SITE}/s.xml"))))
    assert held_paths(spider) == ["/list?id=9&page=2", "/list?id=9&page=3"]


@pytest.mark.parametrize(
    ("arguments", "settings"),
    [
        ({"since": "2024-11-01"}, {}),
        ({"depth": "1"}, {}),
        ({"max_pages": "5"}, {}),
        ({}, {"NEWSCLEAN_MAX_DISCOVERY": 10}),
        ({}, {"NEWSCLEAN_SITEMAP_DEPTH": 1}),
    ],
    ids=["since", "depth", "max_pages", "max-discovery", "sitemap-depth"],
)
def test_a_crawl_with_other_arguments_is_another_crawl(
    arguments: dict[str, str], settings: dict[str, int]
) -> None:
    other = NewsSpider.from_crawler(get_crawler(NewsSpider, settings), site=SITE, **arguments)
    assert other.crawl_id() != news_spider().crawl_id()


def test_a_crawl_with_the_same_arguments_is_the_same_crawl() -> None:
    assert (
        news_spider(since="2024-11-01", depth="1").crawl_id()
        == news_spider(depth="1", since="2024-11-01").crawl_id()
    )


def test_an_article_crawl_is_keyed_by_its_urls() -> None:
    assert ArticleSpider(urls=f"{SITE}/a").crawl_id() != ArticleSpider(urls=f"{SITE}/a,{SITE}/b").crawl_id()


def test_since_limits_the_pages_held() -> None:
    spider = news_spider(since="2024-11-16")
    list(spider.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse)))
    assert held_paths(spider) == ["/2024/11/port-strike-ends.html", "/story/4521"]


def test_a_gzipped_sitemap_is_read() -> None:
    body = gzip.compress((SITE_DIR / "sitemaps/pages.xml").read_bytes().replace(b"{{site}}", SITE.encode()))
    url = f"{SITE}/sitemaps/pages.xml.gz"
    response = Response(url=url, body=body, request=Request(url))
    spider = news_spider()
    list(spider.parse_listing(response))
    assert held_paths(spider)[:4] == [
        "/",
        "/about.html",
        "/tag/harbour.html",
        "/2024/11/lighthouse-restoration.html",
    ]


def test_feeds_hold_their_items_without_tracking_parameters_and_skip_a_bad_item_alone() -> None:
    spider = news_spider()
    list(spider.parse_listing(stored("feed.xml", cls=XmlResponse)))
    list(spider.parse_listing(stored("atom.xml", cls=XmlResponse)))
    assert held_paths(spider) == [
        "/2024/11/fishing-quota-talks.html",
        "/2024/11/harbour-dredging-approved.html",
        "/fr/2024/11/marche-de-noel.html",
    ]
    assert spider.crawler.stats.get_value("newsclean/discovery/malformed_entry") == 2
    page = next(spider.parse_page(stored("2024/11/fishing-quota-talks.html"), hop=spider.depth))
    assert isinstance(page, Document) and page.date_hint == "2024-11-20"


def test_a_page_that_is_not_a_listing_gives_nothing() -> None:
    spider = news_spider()
    assert list(spider.parse_listing(stored("index.html", url=f"{SITE}/feed"))) == []
    assert held(spider) == []


def test_the_home_page_leads_to_feeds_and_holds_its_links() -> None:
    spider = news_spider()
    collect(spider.start())
    out = list(spider.parse_home(stored("index.html", url=f"{SITE}/")))
    assert all(isinstance(r, Request) and r.callback == spider.parse_listing for r in out)
    assert [r.url.removeprefix(SITE) for r in requests(out)] == [
        "/feed.xml",
        *(p for p in FEED_PATHS if p != "/feed.xml"),
    ]
    assert held(spider) == [
        ("/", 0),  # held by start()
        ("/world/", 1),
        ("/tag/harbour.html", 1),
        ("/about.html", 1),
        ("/2024/11/harbour-dredging-approved.html", 1),
        ("/2024/11/port-strike-ends.html", 1),
        ("/2024/11/school-reopens.html", 1),
        ("/2024/11/budget-papers.html", 1),
        ("/private/leaked-memo.html", 1),
    ]


def test_links_are_followed_to_the_depth_limit_only() -> None:
    spider = news_spider(depth="2")
    collect(spider.start())
    section = list(spider.parse_page(stored("world/index.html", url=f"{SITE}/world/"), hop=1))
    assert isinstance(section[0], Document)
    followed = dict(held(spider))
    assert followed["/2024/11/storm-warning-issued.html"] == 2
    assert followed["/"] == 0  # held by start(), not again by the section's link
    deepest = list(spider.parse_page(stored("2024/11/storm-warning-issued.html"), hop=2))
    assert len(deepest) == 1 and dict(held(spider)) == followed


def test_nofollow_and_off_site_links_are_not_followed() -> None:
    spider = news_spider()
    list(spider.parse_page(stored("tag/harbour.html"), hop=1))
    list(spider.parse_home(stored("index.html", url=f"{SITE}/")))
    paths = held_paths(spider)
    assert not any("page=2" in p for p in paths)
    assert all(p.startswith("/") for p in paths)  # no coastalwire.example, no mailto:


def test_each_page_is_held_once_across_sources() -> None:
    spider = news_spider()
    list(spider.parse_home(stored("index.html", url=f"{SITE}/")))
    list(spider.parse_listing(stored("feed.xml", cls=XmlResponse)))
    paths = held_paths(spider)
    assert paths.count("/2024/11/harbour-dredging-approved.html") == 1
    assert paths[-1] == "/2024/11/fishing-quota-talks.html"


def test_a_page_linked_before_the_sitemap_is_read_gets_the_sitemaps_hints() -> None:
    spider = news_spider()
    collect(spider.start())
    list(spider.parse_robots(stored("robots.txt", cls=TextResponse)))
    list(spider.parse_home(stored("index.html", url=f"{SITE}/")))  # links first ...
    assert spider.frontier.release(None) == []  # ... wait: the sitemaps are still open
    list(spider.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse)))  # ... the sitemap after
    for _ in range(spider.frontier.pending):
        spider.frontier.close_discovery()  # the other discovery documents come back
    released = {request.url.removeprefix(SITE): request for request in spider.released_requests()}
    linked = released["/2024/11/port-strike-ends.html"]
    page = next(
        spider.parse_page(stored("2024/11/port-strike-ends.html", url=linked.url), **linked.cb_kwargs)
    )
    assert isinstance(page, Document) and (page.date_hint, page.listed_as_news) == ("2024-11-18", True)


def test_the_crawl_state_is_the_frontiers_so_two_spiders_on_one_frontier_share_it() -> None:
    first, second = news_spider(), news_spider()
    second.frontier = first.frontier
    list(first.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse)))
    before = held(first)
    list(second.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse)))
    assert before and held(second) == before
    page = next(second.parse_page(stored("2024/11/council-budget-vote.html"), hop=second.depth))
    assert isinstance(page, Document) and (page.date_hint, page.listed_as_news) == ("2024-11-15", True)


def test_the_frontier_hands_out_pages_within_the_article_budget() -> None:
    spider = news_spider(max_pages="2")
    list(spider.parse_listing(stored("sitemaps/news.xml", cls=XmlResponse)))
    first = list(spider.released_requests())
    assert len(first) == 2 and list(spider.released_requests()) == []
    spider.frontier.page_done(article=False)  # a page that was not an article frees its place
    assert len(list(spider.released_requests())) == 1
    spider.frontier.page_done(article=True)
    spider.frontier.page_done(article=True)
    assert list(spider.released_requests()) == []  # two articles: the budget is spent
