"""The Redis frontier: one crawl shared by several crawler processes, on one machine or several.

scrapy-redis (pinned at 0.9.1) gives the shared request queue and the shared seen-URL filter; the rest of
the crawl's state (claims, sitemap and feed hints, discovery documents open, pages waiting, the page
budget) lives in Redis keys of the same crawl, changed by Lua scripts so that each step is atomic across
processes. Every key of a crawl starts with `newsclean:<crawl hash>:`, the hash of the spider and the
arguments that change what is crawled (PageSpider.crawl_id); the last process to leave deletes them.

Every call to Redis is bounded (pipeline.runners.failures.ServicePolicy): a time limit on each socket
operation and a budget of attempts, after which the frontier is unavailable for good: the error is kept,
every later call raises it at once, and the watcher (pipeline.crawl.control) stops the crawl with one
line naming the Redis frontier, its password masked.

Each process of a crawl is a member with a lease, renewed every NEWSCLEAN_FRONTIER_HEARTBEAT seconds and
lapsing after three of them (or, when the process cleans pages itself, after the longest it may take over
one, NEWSCLEAN_TIMEOUT): a crawl whose keys are in Redis while no member's lease is current was left by
processes that were killed or lost, and its claims would make a new crawl skip the pages they had
claimed. Such a crawl is refused with a message saying so (StaleCrawl), unless NEWSCLEAN_FRONTIER_RESET
is set, which deletes it and starts the crawl afresh.

The compatibility layer for scrapy-redis 0.9.1 on Scrapy 2.19 is SharedScheduler, and nothing else is
used from scrapy-redis but its scheduler, queue and dupefilter: its spiders (RedisSpider and the like)
are not, so its `start_requests()`, which Scrapy no longer calls since 2.16, does not matter here.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from pipeline.crawl.frontier import RELEASE_BATCH, Hints, StaleCrawl, Waiting
from pipeline.runners.failures import ServicePolicy, ServiceUnavailable, mask_secrets

T = TypeVar("T")

SERVICE = "Redis frontier"
# Seconds between two looks at the shared queue by an engine with nothing in flight. Scrapy's engine
# looks every 5 s (ExecutionEngine._SLOT_HEARTBEAT_INTERVAL, Scrapy 2.19): fine for its own queue, which
# only it fills, but a process whose share of the work ran out would sit up to 5 s before taking what
# another process has just queued.
SHARED_HEARTBEAT = 0.5
# Defaults of NEWSCLEAN_FRONTIER_HEARTBEAT (seconds between two renewals of a member's lease; the lease
# lapses after LEASE_BEATS of them), NEWSCLEAN_FRONTIER_TIMEOUT (seconds per Redis call) and
# NEWSCLEAN_FRONTIER_ATTEMPTS (calls before the frontier is unavailable).
HEARTBEAT = 10.0
LEASE_BEATS = 3
TIMEOUT = 10.0
ATTEMPTS = 3
# Redis errors that a new attempt may cure: the server gone, slow or still loading.
_TRANSIENT = (redis.ConnectionError, redis.TimeoutError)

_OPEN = """
local opened = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) >= 0 and opened >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('INCR', KEYS[2])
return 1
"""
_DONE = """
if redis.call('DECR', KEYS[1]) < 0 then redis.call('SET', KEYS[1], 0) end
if ARGV[1] == '1' then redis.call('INCR', KEYS[2]) end
redis.call('INCR', KEYS[3])
return 1
"""
_RELEASE = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then return {} end
local waiting = redis.call('LLEN', KEYS[2])
local room = waiting
if tonumber(ARGV[1]) >= 0 then
  room = tonumber(ARGV[1]) - tonumber(redis.call('GET', KEYS[3]) or '0')
    - tonumber(redis.call('GET', KEYS[4]) or '0')
end
room = math.min(room, waiting, tonumber(ARGV[2]))
if room <= 0 then return {} end
local out = redis.call('LRANGE', KEYS[2], 0, room - 1)
redis.call('LTRIM', KEYS[2], room, -1)
redis.call('INCRBY', KEYS[3], #out)
return out
"""
# Members: a sorted set of member id -> the time (ms, the server's clock) its lease lapses.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
# KEYS: members, then every other key of the crawl. ARGV: member, lease (ms), reset (1/0), join (1/0).
# 0: a crawl left by dead processes (refused); 1: joined (or free to join).
_JOIN = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('EXISTS', unpack(KEYS, 2)) > 0 then
  if ARGV[3] ~= '1' then return 0 end
  redis.call('DEL', unpack(KEYS, 2))
end
if ARGV[4] == '1' then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) end
return 1
"""
)
# KEYS: members. ARGV: member, lease (ms). How many other members' leases are current.
_BEAT = (
    _NOW
    + """
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return redis.call('ZCOUNT', KEYS[1], now, '+inf') - 1
"""
)
# KEYS: members, then every other key. ARGV: member. The last member with a current lease deletes all.
_LEAVE = (
    _NOW
    + """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCOUNT', KEYS[1], now, '+inf') == 0 then
  redis.call('DEL', unpack(KEYS))
  return 1
end
return 0
"""
)
_NAMES = (
    *("members", "claimed", "dates", "news", "opened", "pending", "held", "in_progress", "articles", "done"),
    *("requests", "seen"),  # scrapy-redis's queue and dupefilter
)


def _client(url: str, policy: ServicePolicy, *, decode: bool) -> redis.Redis:
    """A client whose every socket operation is bounded by the policy's time limit, and which does not
    try again by itself (redis-py would, three times with backoff): the policy counts the attempts."""
    return redis.Redis.from_url(
        url,
        decode_responses=decode,
        socket_timeout=policy.timeout,
        socket_connect_timeout=policy.timeout,
        retry=Retry(NoBackoff(), 0),
    )


class RedisFrontier:
    """The frontier of a crawl shared through the Redis server at `url` (redis://host:port/db)."""

    def __init__(self, url: str, crawl: str, settings: BaseSettings | None = None) -> None:
        settings = settings if settings is not None else BaseSettings()
        self.url = url
        self.policy = ServicePolicy(
            SERVICE,
            timeout=settings.getfloat("NEWSCLEAN_FRONTIER_TIMEOUT", TIMEOUT),
            attempts=max(1, settings.getint("NEWSCLEAN_FRONTIER_ATTEMPTS", ATTEMPTS)),
        )
        self.heartbeat_seconds = settings.getfloat("NEWSCLEAN_FRONTIER_HEARTBEAT", HEARTBEAT)
        # A process that cleans pages itself (NEWSCLEAN_WORKERS=0) renews nothing while it cleans one, for
        # up to NEWSCLEAN_TIMEOUT: its lease outlasts that.
        inline = settings.getint("NEWSCLEAN_WORKERS", 1) == 0
        busy = (settings.getfloat("NEWSCLEAN_TIMEOUT", 0.0) if inline else 0.0) + self.heartbeat_seconds
        self.lease_seconds = max(self.heartbeat_seconds * LEASE_BEATS, busy)
        self.reset = settings.getbool("NEWSCLEAN_FRONTIER_RESET")
        self.prefix = f"newsclean:{hashlib.sha1(crawl.encode('utf-8')).hexdigest()[:16]}:"
        self.keys = {name: self.prefix + name for name in _NAMES}
        self.member = uuid.uuid4().hex
        self.unavailable: ServiceUnavailable | None = None
        self._watchers: list[Callable[[ServiceUnavailable], None]] = []
        self.server = _client(url, self.policy, decode=True)
        # scrapy-redis's queue holds pickled requests: bytes, not text.
        self.raw = _client(url, self.policy, decode=False)
        self.guard(self.server.ping)
        self._open = self.server.register_script(_OPEN)
        self._done = self.server.register_script(_DONE)
        self._release = self.server.register_script(_RELEASE)
        self._join = self.server.register_script(_JOIN)
        self._beat = self.server.register_script(_BEAT)
        self._leave = self.server.register_script(_LEAVE)

    def guard(self, operation: Callable[[], T]) -> T:
        """`operation()` (a call to this Redis) within the policy's budget. Once the budget is spent the
        frontier is unavailable: the watchers are told once, and every call raises ServiceUnavailable."""
        if self.unavailable is not None:
            raise self.unavailable
        try:
            return self.policy.call(operation, self.url, retry_on=_TRANSIENT)
        except ServiceUnavailable as error:
            self.unavailable = error
            for watcher in self._watchers:
                watcher(error)
            raise

    def watch(self, callback: Callable[[ServiceUnavailable], None]) -> None:
        self._watchers.append(callback)

    def _count(self, name: str) -> int:
        value = self.guard(lambda: self.server.get(self.keys[name]))
        return int(value) if value else 0

    def claim(self, key: str) -> bool:
        return bool(self.guard(lambda: self.server.sadd(self.keys["claimed"], key)))

    def note(self, url: str, date: str | None, news: bool) -> None:
        def write() -> None:
            with self.server.pipeline() as pipe:
                if date:
                    pipe.hsetnx(self.keys["dates"], url, date)
                if news:
                    pipe.sadd(self.keys["news"], url)
                pipe.execute()

        self.guard(write)

    def hints(self, url: str) -> Hints:
        def read() -> list[Any]:
            with self.server.pipeline() as pipe:
                pipe.hget(self.keys["dates"], url)
                pipe.sismember(self.keys["news"], url)
                return list(pipe.execute())

        date, news = self.guard(read)
        return Hints(date, bool(news))

    def open_discovery(self, limit: int | None) -> bool:
        keys = [self.keys["opened"], self.keys["pending"]]
        return bool(self.guard(lambda: self._open(keys=keys, args=[-1 if limit is None else limit])))

    def close_discovery(self) -> None:
        keys = [self.keys["pending"], self.keys["articles"], self.keys["done"]]
        self.guard(lambda: self._done(keys=keys, args=["0"]))

    def settled(self) -> bool:
        return self._count("pending") <= 0

    def settle(self) -> None:
        self.guard(lambda: self.server.set(self.keys["pending"], 0))

    def hold(self, page: Waiting) -> None:
        self.guard(lambda: self.server.rpush(self.keys["held"], f"{page.hop} {page.url}"))

    def release(self, budget: int | None) -> list[Waiting]:
        keys = [self.keys[name] for name in ("pending", "held", "in_progress", "articles")]
        out = self.guard(
            lambda: self._release(keys=keys, args=[-1 if budget is None else budget, RELEASE_BATCH])
        )
        released = []
        for value in out:
            hop, url = str(value).split(" ", 1)
            released.append(Waiting(url, int(hop)))
        return released

    def page_done(self, article: bool) -> None:
        keys = [self.keys["in_progress"], self.keys["articles"], self.keys["done"]]
        self.guard(lambda: self._done(keys=keys, args=["1" if article else "0"]))

    def waiting(self) -> int:
        return int(self.guard(lambda: self.server.llen(self.keys["held"])))

    def busy(self) -> bool:
        """Work counted open that another live process may still finish or add to. Work counted open by
        processes whose lease lapsed will not come back."""
        if self._count("pending") <= 0 and self._count("in_progress") <= 0:
            return False
        return self.heartbeat() > 0

    def progress(self) -> int:
        return self._count("done")

    def configure(self, settings: BaseSettings) -> None:
        shared = {
            "SCHEDULER": "pipeline.crawl.shared.SharedScheduler",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "SCHEDULER_QUEUE_KEY": self.keys["requests"],
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_DUPEFILTER_KEY": self.keys["seen"],
            # The state outlives each process; the last one to leave deletes it (leave()).
            "SCHEDULER_PERSIST": True,
            "REDIS_URL": self.url,
        }
        for name, value in shared.items():
            settings.set(name, value, priority="spider")

    def _lease(self) -> int:
        return int(self.lease_seconds * 1000)

    def _check(self, join: bool) -> None:
        keys = list(self.keys.values())
        args: list[str | int] = [self.member, self._lease(), "1" if self.reset else "0", "1" if join else "0"]
        if not self.guard(lambda: self._join(keys=keys, args=args)):
            raise StaleCrawl(
                f"the {SERVICE} at {mask_secrets(self.url)} holds this crawl (keys {self.prefix}*) from "
                f"processes that stopped without finishing it (no lease renewed for "
                f"{self._lease() / 1000:g} s): its claims would skip the pages they had claimed. "
                "Set NEWSCLEAN_FRONTIER_RESET=True to delete it and crawl afresh"
            )

    def check(self) -> None:
        """StaleCrawl when the crawl was left by processes that died (see the module's docstring)."""
        self._check(join=False)

    def join(self) -> None:
        self._check(join=True)

    def heartbeat(self) -> int:
        """Renew this process's lease; how many other processes of the crawl hold a current one."""
        return int(
            self.guard(lambda: self._beat(keys=[self.keys["members"]], args=[self.member, self._lease()]))
        )

    def leave(self) -> None:
        self.guard(lambda: self._leave(keys=list(self.keys.values()), args=[self.member]))


class SharedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler, fitted to Scrapy 2.19: its stats calls pass the `spider` argument that
    Scrapy 2.19 deprecates (and will remove), and the engine is asked to look at the shared queue more
    often than its own default (SHARED_HEARTBEAT). It talks to Redis through the spider's frontier, so
    that its calls are bounded like the frontier's; once the frontier is unavailable it hands out
    nothing and takes nothing, while the crawl stops."""

    frontier: RedisFrontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        frontier = getattr(crawler.spider, "frontier", None)
        if not isinstance(frontier, RedisFrontier):
            raise TypeError("SharedScheduler needs a spider with a Redis frontier (NEWSCLEAN_FRONTIER)")
        settings = crawler.settings
        dupefilter = RFPDupeFilter(
            frontier.raw, key=settings["SCHEDULER_DUPEFILTER_KEY"], debug=settings.getbool("DUPEFILTER_DEBUG")
        )
        scheduler = cls(
            frontier.raw,
            persist=True,
            queue_key=settings["SCHEDULER_QUEUE_KEY"],
            queue_cls=settings["SCHEDULER_QUEUE_CLASS"],
            dupefilter=dupefilter,
        )
        scheduler.stats = crawler.stats
        scheduler.frontier = frontier
        return scheduler

    def open(self, spider: Spider) -> Any:
        result = self.frontier.guard(lambda: super(SharedScheduler, self).open(spider))
        engine = spider.crawler.engine
        engine._SLOT_HEARTBEAT_INTERVAL = SHARED_HEARTBEAT  # read when the engine starts its heartbeat
        return result

    def __len__(self) -> int:
        try:
            return int(self.frontier.guard(lambda: len(self.queue)))
        except ServiceUnavailable:
            return 0

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self.frontier.guard(lambda: self._enqueue(request))
        except ServiceUnavailable:
            return False

    def _enqueue(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        try:
            request: Request | None = self.frontier.guard(lambda: self.queue.pop(self.idle_before_close))
        except ServiceUnavailable:
            return None
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
