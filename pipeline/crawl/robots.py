"""robots.txt obeyed for every request: Scrapy's RobotsTxtMiddleware with its waiting fixed.

Scrapy 2.19's middleware makes every request that arrives while a host's robots.txt is downloading await
one shared Deferred. Under the asyncio reactor each await turns that Deferred into a future with a
callback that returns None, so the first waiter gets the parser and every later one gets None, which the
middleware reads as "no robots.txt: allowed" (five URLs of a host under `Disallow: /` fetched three).
Here each waiter gets a Deferred of its own, fed by a callback that passes the parser on unchanged.
Enabled in place of Scrapy's in pipeline.crawl.settings; tests/test_crawl.py pins it.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from pipeline.crawl.items import Refused


class RobotsTxt(RobotsTxtMiddleware):
    def process_request_2(self, rp: Any, request: Request) -> None:
        """Scrapy's decision, raised as the crawl's typed refusal (stage `robots`) instead of an
        IgnoreRequest whose message the error line would have to be read from."""
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:
            raise Refused("robots", "disallowed by robots.txt") from error

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        shared = self._parsers.get(netloc)
        if not isinstance(shared, Deferred):
            # First request of the host (downloads robots.txt), or its parser is known already.
            return await super().robot_parser(request)
        waiter: Deferred[Any] = Deferred()

        def relay(parser: Any) -> Any:
            waiter.callback(parser)
            return parser  # the next waiter's relay gets the parser too

        shared.addBoth(relay)
        return await maybe_deferred_to_future(waiter)
