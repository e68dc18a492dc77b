"""The crawl's downloader middlewares, log filters and progress line, in-process, the way Scrapy tests its
own middlewares: built with `build_from_crawler` on `scrapy.utils.test.get_crawler`, given requests and
responses, no network (the fast loop covers them; tests/test_crawl.py crawls the fixture site for real).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from scrapy import Spider
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from pipeline.cli.crawl import _Run
from pipeline.crawl.addresses import DiscoveryGuard
from pipeline.crawl.items import DISCOVERY, Refused
from pipeline.crawl.logs import REPORTED, Brief, MaskSecrets
from pipeline.crawl.refusals import RedirectPolicy
from pipeline.crawl.robots import RobotsTxt
from pipeline.runners.failures import ServiceUnavailable
from spiders.news import NewsSpider

SITE = "http://127.0.0.1:8000"


def news_crawler(**settings: Any) -> Any:
    """A crawler whose spider is `news` of SITE, as the middlewares find it during a crawl."""
    crawler = get_crawler(NewsSpider, settings)
    crawler.spider = NewsSpider.from_crawler(crawler, site=SITE)
    return crawler


# --- robots.txt: every request that waits for it obeys it ---------------------------------------------


class HeldRobotsTxt:
    """The engine's download, as the robots.txt middleware calls it: robots.txt (`Disallow: /`) arrives
    when the test lets it go, so that requests pile up waiting for it."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.fetched: list[str] = []

    async def download_async(self, request: Request) -> Response:
        self.fetched.append(request.url)
        await self.gate.wait()
        return TextResponse(request.url, body=b"User-agent: *\nDisallow: /\n", request=request)


async def _five_requests_for_one_robots_txt(middleware_class: type[RobotsTxtMiddleware]) -> list[str]:
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True})
    engine = crawler.engine = HeldRobotsTxt()
    middleware = build_from_crawler(middleware_class, crawler)
    waiting = [
        asyncio.ensure_future(middleware.process_request(Request(f"{SITE}/{n}.html"))) for n in range(5)
    ]
    # One turn of the event loop: each request's task runs in order up to its first wait (the first on the
    # download of robots.txt, the four others on the first one's).
    await asyncio.sleep(0)
    assert isinstance(middleware._parsers["127.0.0.1:8000"], Deferred)
    assert not any(request.done() for request in waiting)
    engine.gate.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert engine.fetched == [f"{SITE}/robots.txt"]
    return [type(result).__name__ for result in results]


def test_every_request_waiting_for_robots_txt_obeys_it() -> None:
    assert asyncio.run(_five_requests_for_one_robots_txt(RobotsTxt)) == ["IgnoreRequest"] * 5


def test_scrapys_own_robots_txt_check_lets_waiting_requests_through() -> None:
    # Why pipeline.crawl.robots replaces it (Scrapy 2.19): this test fails once Scrapy fixes it.
    assert asyncio.run(_five_requests_for_one_robots_txt(RobotsTxtMiddleware)) == [
        "IgnoreRequest",
        "IgnoreRequest",
        "NoneType",
        "NoneType",
        "NoneType",
    ]


# --- redirects that cannot be followed ----------------------------------------------------------------


def _redirect(location: str, chain: tuple[str, ...] = (), url: str = f"{SITE}/a.html") -> Request | Response:
    crawler = news_crawler()
    crawler.spider.frontier.claim(f"{SITE}/claimed.html")
    policy = build_from_crawler(RedirectPolicy, crawler)
    request = Request(url, meta={"redirect_urls": list(chain)} if chain else {})
    response = Response(url, status=301, headers={"Location": location}, request=request)
    result: Request | Response = policy.process_response(request, response)
    return result


@pytest.mark.parametrize(
    ("location", "chain", "message"),
    [
        ("/a.html", (), "HTTP 301 to itself"),
        (
            "/b.html",
            (f"{SITE}/b.html",),
            f"HTTP 301: redirect loop {SITE}/b.html -> {SITE}/a.html -> {SITE}/b.html",
        ),
        ("http://elsewhere.example/x", (), "HTTP 301 out of the site, to http://elsewhere.example/x"),
        ("/claimed.html", (), f"HTTP 301 to {SITE}/claimed.html, which this crawl requests already"),
    ],
    ids=["to-itself", "loop", "off-site", "claimed-already"],
)
def test_a_redirect_that_cannot_be_followed_is_refused_with_its_reason(
    location: str, chain: tuple[str, ...], message: str
) -> None:
    with pytest.raises(Refused) as refused:
        _redirect(location, chain)
    assert (refused.value.stage, str(refused.value)) == ("http", message)


def test_a_redirect_within_the_site_is_followed() -> None:
    followed = _redirect("/2024/11/story.html")
    assert isinstance(followed, Request)
    assert (followed.url, followed.meta["redirect_urls"]) == (
        f"{SITE}/2024/11/story.html",
        [f"{SITE}/a.html"],
    )


# --- discovery kept off private networks ---------------------------------------------------------------


def _discover(url: str, discovery: bool = True, **settings: Any) -> None:
    guard = build_from_crawler(DiscoveryGuard, news_crawler(**settings))
    asyncio.run(guard.process_request(Request(url, meta={DISCOVERY: discovery})))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.11.12.13/sitemap.xml", "10.11.12.13 is a private address (10.11.12.13)"),
        (
            "http://169.254.169.254/latest/sitemap.xml",
            "169.254.169.254 is a link-local address (169.254.169.254)",
        ),
        ("http://[::ffff:10.0.0.1]/feed", "::ffff:10.0.0.1 is a private address (::ffff:a00:1)"),
    ],
    ids=["private", "link-local", "ipv4-mapped"],
)
def test_discovery_on_a_private_address_is_refused(url: str, message: str) -> None:
    with pytest.raises(Refused) as refused:
        _discover(url)
    assert str(refused.value) == f"{message}; see NEWSCLEAN_DISCOVERY_ALLOW"


@pytest.mark.parametrize(
    ("url", "discovery", "settings"),
    [
        (f"{SITE}/sitemap.xml", True, {}),
        ("http://127.0.0.2/sitemap.xml", True, {}),
        ("http://10.11.12.13/sitemap.xml", True, {"NEWSCLEAN_DISCOVERY_ALLOW": "10.0.0.0/8"}),
        ("http://10.11.12.13/page.html", False, {}),
    ],
    ids=["the-site", "same-kind-as-the-site", "allowed-network", "not-discovery"],
)
def test_discovery_that_may_go_is_let_through(url: str, discovery: bool, settings: dict[str, str]) -> None:
    _discover(url, discovery, **settings)


# --- log lines ------------------------------------------------------------------------------------------


def _record(
    message: str, *args: Any, error: BaseException | None = None, name: str = "scrapy.core.scraper"
) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, args, exc_info)


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


def test_the_password_of_a_url_is_masked_in_a_log_line_and_its_traceback() -> None:
    record = _record(
        "settings: %s",
        {"REDIS_URL": "redis://:s3cret@h:6379/0"},
        error=_raised(OSError("redis://u:s3cret@h/0")),
    )
    assert MaskSecrets().filter(record)
    shown = logging.Formatter().format(record)
    assert "settings: {'REDIS_URL': 'redis://:***@h:6379/0'}" in shown
    assert "OSError: redis://u:***@h/0" in shown
    assert "s3cret" not in shown


def test_brief_makes_a_traceback_one_line() -> None:
    record = _record(
        "Spider error processing %s", "<GET http://a.example/>", error=_raised(KeyError("title"))
    )
    assert Brief().filter(record)
    assert (
        logging.Formatter().format(record)
        == "Spider error processing <GET http://a.example/> (KeyError: 'title')"
    )


@pytest.mark.parametrize(
    "record",
    [
        _record(
            "Gave up retrying %(request)s", {"request": "<GET x>"}, name="scrapy.downloadermiddlewares.retry"
        ),
        _record(
            "Error downloading %(request)s",
            {"request": "<GET x>"},
            name="scrapy.downloadermiddlewares.robotstxt",
        ),
        _record("Spider error", error=ServiceUnavailable("Redis frontier", "redis://h", "down")),
    ],
    ids=["retries-given-up", "robots-txt-unreachable", "service-already-reported"],
)
def test_brief_leaves_out_what_is_said_elsewhere(record: logging.LogRecord) -> None:
    assert not Brief().filter(record)


def test_the_reported_stop_is_left_to_newsclean_crawls_own_error_line() -> None:
    record = _record("Redis frontier at redis://h is unavailable")
    setattr(record, REPORTED, True)
    assert not Brief().filter(record)
    assert MaskSecrets().filter(record)  # scrapy crawl shows it


# --- the progress line ------------------------------------------------------------------------------------


def test_the_progress_line_shows_the_counts_in_place(capsys: pytest.CaptureFixture[str]) -> None:
    crawler = get_crawler(Spider)
    for key, value in {
        "downloader/response_count": 12,
        "newsclean/records": 5,
        "newsclean/no_record/robots": 1,
        "newsclean/no_record/http": 2,
    }.items():
        crawler.stats.set_value(key, value)
    run = _Run(crawler)
    run.progress()
    run.clear()
    assert capsys.readouterr().err == (
        "\r\x1b[Kcrawling: 12 fetched, 5 records, without a record: http 2, robots 1\r\x1b[K"
    )
