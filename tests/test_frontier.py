"""The crawl frontier: claims, hints, discovery, waiting pages and the article budget, chosen by the
NEWSCLEAN_FRONTIER setting. Every case runs on the memory frontier and on the Redis one (a real
redis-server on 127.0.0.1, started for the module; those cases skip when redis-server is absent)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from scrapy.settings import Settings

from pipeline.crawl.frontier import Frontier, Hints, MemoryFrontier, StaleCrawl, Waiting, open_frontier
from pipeline.crawl.shared import RedisFrontier
from pipeline.runners.failures import ServiceUnavailable

from .redis_server import free_port, redis_server

# A Redis that does not answer is given up at once (the policy's budget is tested in test_failures).
ONE_TRY = {"NEWSCLEAN_FRONTIER_ATTEMPTS": 1, "NEWSCLEAN_FRONTIER_TIMEOUT": 2.0}


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest) -> Callable[[], Frontier]:
    """A factory of frontiers of one crawl: two calls give two processes' views of the same crawl."""
    if request.param == "memory":
        shared = MemoryFrontier()
        return lambda: shared
    url = request.getfixturevalue("redis_url")
    crawl = f"test {uuid.uuid4()}"
    settings = Settings({"NEWSCLEAN_FRONTIER": url})
    return lambda: open_frontier(settings, crawl)


def test_a_key_is_claimed_once(make: Callable[[], Frontier]) -> None:
    one, other = make(), make()
    assert one.claim("https://a.example/1")
    assert not other.claim("https://a.example/1")
    assert other.claim("https://a.example/2")


def test_hints_keep_the_first_date_and_any_news_listing(make: Callable[[], Frontier]) -> None:
    frontier = make()
    frontier.note("u", "2024-11-01", False)
    make().note("u", "2024-11-05", True)
    assert frontier.hints("u") == Hints("2024-11-01", True)
    assert frontier.hints("other") == Hints()


def test_pages_wait_until_every_discovery_document_is_read(make: Callable[[], Frontier]) -> None:
    frontier = make()
    assert frontier.open_discovery(None) and frontier.open_discovery(None)
    frontier.hold(Waiting("https://a.example/1", 1))
    frontier.close_discovery()
    assert not frontier.settled() and frontier.release(None) == []
    make().close_discovery()
    assert frontier.settled()
    assert frontier.release(None) == [Waiting("https://a.example/1", 1)]
    assert frontier.release(None) == []


def test_discovery_documents_are_bounded(make: Callable[[], Frontier]) -> None:
    frontier = make()
    assert [frontier.open_discovery(2) for _ in range(3)] == [True, True, False]
    assert frontier.open_discovery(None)  # robots.txt and the home page are not counted against it


def test_a_stalled_discovery_can_be_settled(make: Callable[[], Frontier]) -> None:
    frontier = make()
    frontier.open_discovery(None)
    frontier.hold(Waiting("https://a.example/1", 0))
    frontier.settle()
    assert frontier.release(None) == [Waiting("https://a.example/1", 0)]


def test_the_budget_counts_articles_and_pages_in_progress(make: Callable[[], Frontier]) -> None:
    frontier, other = make(), make()
    for n in range(5):
        frontier.hold(Waiting(f"https://a.example/{n}", 0))
    assert [p.url[-1] for p in frontier.release(2)] == ["0", "1"]
    assert other.release(2) == []  # two in progress
    other.page_done(article=False)
    assert [p.url[-1] for p in other.release(2)] == ["2"]
    frontier.page_done(article=True)
    frontier.page_done(article=True)
    assert frontier.release(2) == [] and frontier.waiting() == 2
    assert frontier.progress() == 3


def test_a_shared_frontier_is_busy_while_pages_are_in_progress(make: Callable[[], Frontier]) -> None:
    frontier, other = make(), make()
    frontier.join()
    other.join()
    shared = not isinstance(frontier, MemoryFrontier)  # alone, a process has nobody else to wait for
    other.hold(Waiting("https://a.example/1", 0))
    assert not frontier.busy()
    assert other.release(None)
    assert frontier.busy() is shared
    other.page_done(article=True)
    assert not frontier.busy()


def test_the_last_process_to_leave_clears_the_shared_crawl(redis_url: str) -> None:
    settings, crawl = Settings({"NEWSCLEAN_FRONTIER": redis_url}), f"test {uuid.uuid4()}"
    first, second = open_frontier(settings, crawl), open_frontier(settings, crawl)
    first.join()
    second.join()
    first.claim("https://a.example/1")
    first.leave()
    assert not second.claim("https://a.example/1")  # still shared
    second.leave()
    assert open_frontier(settings, crawl).claim("https://a.example/1")  # a new crawl


def test_the_redis_frontier_shares_scrapy_redis_queue_and_filter_keys(redis_url: str) -> None:
    settings = Settings({"NEWSCLEAN_FRONTIER": redis_url})
    frontier = open_frontier(settings, "news https://a.example/")
    frontier.configure(settings)
    assert settings["SCHEDULER"] == "pipeline.crawl.shared.SharedScheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    prefix = settings["SCHEDULER_QUEUE_KEY"].removesuffix("requests")
    assert prefix.startswith("newsclean:") and settings["SCHEDULER_DUPEFILTER_KEY"] == prefix + "seen"
    assert open_frontier(settings, "news https://b.example/").keys["requests"] != prefix + "requests"


def test_the_setting_chooses_the_frontier() -> None:
    assert isinstance(open_frontier(Settings()), MemoryFrontier)
    assert isinstance(open_frontier(Settings({"NEWSCLEAN_FRONTIER": "memory://"})), MemoryFrontier)
    with pytest.raises(ValueError, match="unknown kind"):
        open_frontier(Settings({"NEWSCLEAN_FRONTIER": "carrier-pigeon://loft"}))


def test_an_unreachable_redis_is_a_clear_error_with_its_password_masked() -> None:
    port = free_port()
    settings = Settings({"NEWSCLEAN_FRONTIER": f"redis://:s3cret@127.0.0.1:{port}/0", **ONE_TRY})
    with pytest.raises(ServiceUnavailable) as raised:
        open_frontier(settings, "x")
    assert str(raised.value).startswith(
        f"Redis frontier at redis://:***@127.0.0.1:{port}/0 is unavailable: ConnectionError: "
    )
    assert "s3cret" not in str(raised.value)


def test_a_process_whose_peers_lease_lapsed_does_not_wait_for_them(redis_url: str) -> None:
    settings, crawl = Settings({"NEWSCLEAN_FRONTIER": redis_url}), f"test {uuid.uuid4()}"
    frontier = open_frontier(settings, crawl)
    assert isinstance(frontier, RedisFrontier)
    frontier.join()
    frontier.hold(Waiting("https://a.example/1", 0))
    assert frontier.release(None)  # a page in progress...
    # ...in a process that died: its lease lapsed long ago.
    frontier.server.zadd(frontier.keys["members"], {"dead": 0})
    assert not frontier.busy()


def test_a_crawl_left_by_processes_that_died_is_refused_and_can_be_reset(redis_url: str) -> None:
    settings, crawl = Settings({"NEWSCLEAN_FRONTIER": redis_url}), f"test {uuid.uuid4()}"
    dead = open_frontier(settings, crawl)
    assert isinstance(dead, RedisFrontier)
    dead.join()
    assert dead.claim("https://a.example/1")
    dead.server.zadd(dead.keys["members"], {dead.member: 0})  # killed: its lease lapsed, nobody left
    with pytest.raises(StaleCrawl, match="NEWSCLEAN_FRONTIER_RESET=True"):
        open_frontier(settings, crawl).join()
    fresh = open_frontier(Settings({**settings, "NEWSCLEAN_FRONTIER_RESET": True}), crawl)
    fresh.join()
    assert fresh.claim("https://a.example/1")  # the dead crawl's claims are gone


def test_a_crawl_with_live_processes_is_joined_whatever_it_holds(redis_url: str) -> None:
    settings, crawl = Settings({"NEWSCLEAN_FRONTIER": redis_url}), f"test {uuid.uuid4()}"
    first = open_frontier(settings, crawl)
    first.join()
    first.claim("https://a.example/1")
    second = open_frontier(Settings({**settings, "NEWSCLEAN_FRONTIER_RESET": True}), crawl)
    second.join()
    assert not second.claim("https://a.example/1")
    assert second.heartbeat() == 1
