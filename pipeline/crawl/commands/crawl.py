"""`scrapy crawl`, as Scrapy's own, but a crawl that its frontier stopped (its Redis gave out, or held
the crawl left by processes that died; pipeline.crawl.control) exits with status 1, as `newsclean crawl`
does, rather than Scrapy's 0 for a spider it closed."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl

from pipeline.crawl.control import CrawlControl
from pipeline.runners.failures import SERVICE_EXIT


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's usage errors
            return
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        try:
            control = crawler.get_extension(CrawlControl)
        except RuntimeError:  # the crawl did not get as far as its extensions
            control = None
        if control is not None and control.failure is not None:
            self.exitcode = SERVICE_EXIT
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1
