"""The Redis frontier: one crawl shared by several crawler processes, on one machine or several.

scrapy-redis (pinned at 0.9.1) gives the shared request queue and the shared seen-URL filter; the rest of
the crawl's state (claims, sitemap and feed hints, discovery documents open, pages waiting, the page
budget) lives in Redis keys of the same crawl, changed by Lua scripts so that each step is atomic across
processes. Every key of a crawl starts with `newsclean:<crawl hash>:`; the last process to leave deletes
them.

The compatibility layer for scrapy-redis 0.9.1 on Scrapy 2.19 is SharedScheduler, and nothing else is
used from scrapy-redis but its scheduler, queue and dupefilter: its spiders (RedisSpider and the like)
are not, so its `start_requests()`, which Scrapy no longer calls since 2.16, does not matter here.
"""

from __future__ import annotations

import hashlib
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.settings import BaseSettings
from scrapy_redis.scheduler import Scheduler

from pipeline.crawl.frontier import RELEASE_BATCH, Hints, Waiting

# Seconds between two looks at the shared queue by an engine with nothing in flight. Scrapy's engine
# looks every 5 s (ExecutionEngine._SLOT_HEARTBEAT_INTERVAL, Scrapy 2.19): fine for its own queue, which
# only it fills, but a process whose share of the work ran out would sit up to 5 s before taking what
# another process has just queued.
SHARED_HEARTBEAT = 0.5

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
_LEAVE = """
if redis.call('DECR', KEYS[1]) <= 0 then
  redis.call('DEL', unpack(KEYS))
  return 1
end
return 0
"""
_NAMES = (
    *("members", "claimed", "dates", "news", "opened", "pending", "held", "in_progress", "articles", "done"),
    *("requests", "seen"),  # scrapy-redis's queue and dupefilter
)


class RedisFrontier:
    """The frontier of a crawl shared through the Redis server at `url` (redis://host:port/db)."""

    def __init__(self, url: str, crawl: str) -> None:
        self.url = url
        self.prefix = f"newsclean:{hashlib.sha1(crawl.encode('utf-8')).hexdigest()[:16]}:"
        self.keys = {name: self.prefix + name for name in _NAMES}
        self.server = redis.Redis.from_url(url, decode_responses=True)
        try:
            self.server.ping()
        except redis.RedisError as error:
            raise ConnectionError(f"cannot reach the Redis frontier at {url}: {error}") from error
        self._open = self.server.register_script(_OPEN)
        self._done = self.server.register_script(_DONE)
        self._release = self.server.register_script(_RELEASE)
        self._leave = self.server.register_script(_LEAVE)

    def _count(self, name: str) -> int:
        value = self.server.get(self.keys[name])
        return int(value) if value else 0

    def claim(self, key: str) -> bool:
        return bool(self.server.sadd(self.keys["claimed"], key))

    def note(self, url: str, date: str | None, news: bool) -> None:
        with self.server.pipeline() as pipe:
            if date:
                pipe.hsetnx(self.keys["dates"], url, date)
            if news:
                pipe.sadd(self.keys["news"], url)
            pipe.execute()

    def hints(self, url: str) -> Hints:
        with self.server.pipeline() as pipe:
            pipe.hget(self.keys["dates"], url)
            pipe.sismember(self.keys["news"], url)
            date, news = pipe.execute()
        return Hints(date, bool(news))

    def open_discovery(self, limit: int | None) -> bool:
        keys = [self.keys["opened"], self.keys["pending"]]
        return bool(self._open(keys=keys, args=[-1 if limit is None else limit]))

    def close_discovery(self) -> None:
        self._done(keys=[self.keys["pending"], self.keys["articles"], self.keys["done"]], args=["0"])

    def settled(self) -> bool:
        return self._count("pending") <= 0

    def settle(self) -> None:
        self.server.set(self.keys["pending"], 0)

    def hold(self, page: Waiting) -> None:
        self.server.rpush(self.keys["held"], f"{page.hop} {page.url}")

    def release(self, budget: int | None) -> list[Waiting]:
        keys = [self.keys[name] for name in ("pending", "held", "in_progress", "articles")]
        out = self._release(keys=keys, args=[-1 if budget is None else budget, RELEASE_BATCH])
        released = []
        for value in out:
            hop, url = str(value).split(" ", 1)
            released.append(Waiting(url, int(hop)))
        return released

    def page_done(self, article: bool) -> None:
        keys = [self.keys["in_progress"], self.keys["articles"], self.keys["done"]]
        self._done(keys=keys, args=["1" if article else "0"])

    def waiting(self) -> int:
        return int(self.server.llen(self.keys["held"]))

    def busy(self) -> bool:
        return self._count("pending") > 0 or self._count("in_progress") > 0

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

    def join(self) -> None:
        self.server.incr(self.keys["members"])

    def leave(self) -> None:
        self._leave(keys=list(self.keys.values()))


class SharedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler, fitted to Scrapy 2.19: its stats calls pass the `spider` argument that
    Scrapy 2.19 deprecates (and will remove), and the engine is asked to look at the shared queue more
    often than its own default (SHARED_HEARTBEAT)."""

    def open(self, spider: Spider) -> Any:
        result = super().open(spider)
        engine = spider.crawler.engine
        engine._SLOT_HEARTBEAT_INTERVAL = SHARED_HEARTBEAT  # read when the engine starts its heartbeat
        return result

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request: Request | None = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
