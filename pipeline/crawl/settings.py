"""Scrapy settings for `scrapy crawl article` and `scrapy crawl news`: polite by default.

Tests and benchmarks lower the delays with -s; the defaults here stay polite.
"""

from __future__ import annotations

BOT_NAME = "newsclean"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` with newsclean's exit status for a crawl its frontier stopped (pipeline.crawl.commands).
COMMANDS_MODULE = "pipeline.crawl.commands"

# Who is asking, so that a site's operators can tell.
USER_AGENT = "newsclean/0.1 (news article text extraction; Scrapy)"
ROBOTSTXT_OBEY = True

# One request at a time per site on average, at least a second apart, slower when the site slows.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2

# A news page is rarely over 2 MiB; anything over 10 MiB is not one.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
# Transient failures (timeouts, 5xx, 429) are tried twice more.
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10

# The asyncio reactor (Scrapy's default) lets `async def process_item` await the worker pool.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

ITEM_PIPELINES = {"pipeline.crawl.item_pipeline.CleanPipeline": 300}
DOWNLOADER_MIDDLEWARES = {
    # Discovery kept off private networks, checked before robots.txt is asked for.
    "pipeline.crawl.addresses.DiscoveryGuard": 60,
    # Scrapy's robots.txt check lets through requests that wait for robots.txt (pipeline.crawl.robots).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "pipeline.crawl.robots.RobotsTxt": 100,
    # Redirects that cannot be followed become error lines (pipeline.crawl.refusals).
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "pipeline.crawl.refusals.RedirectPolicy": 600,
    # Next to the downloader, so that the archive gets responses as sent (see pipeline.crawl.archive).
    "pipeline.crawl.archive.WarcArchive": 950,
}
EXTENSIONS = {
    # No password of a service's URL in any log line (pipeline.crawl.logs).
    "pipeline.crawl.logs.LogFilters": 0,
    # The frontier's lifecycle and its pages (pipeline.crawl.control); bodies over the size cap.
    "pipeline.crawl.control.CrawlControl": 500,
    "pipeline.crawl.refusals.SizeCap": 500,
}

# Records as `clean` writes them: UTF-8, every key in the contract's order, one flushed line each.
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    "jsonlines": "pipeline.crawl.exporter.RecordExporter",
    "jsonl": "pipeline.crawl.exporter.RecordExporter",
    "jl": "pipeline.crawl.exporter.RecordExporter",
}

# Extraction and cleaning processes; 0 runs them inline in the crawling process.
NEWSCLEAN_WORKERS = 1
# Seconds one page may take before it is recorded as an extract error (0: no limit), and seconds after
# that before a worker still stuck on it is killed (pipeline.runners.failures.FailurePolicy).
NEWSCLEAN_TIMEOUT = 60.0
NEWSCLEAN_KILL_GRACE = 10.0
# Rule names to turn off, as `clean --disable`.
NEWSCLEAN_DISABLE_RULES: list[str] = []
# Removal families whose every rule is turned off, as `clean --disable-family`.
NEWSCLEAN_DISABLE_FAMILIES: list[str] = []
# Keep only records in these languages (ISO 639-1), as `clean --lang`.
NEWSCLEAN_LANG: list[str] = []
# A templates file (`clean --save-templates`, `newsclean templates learn`) whose paragraphs each page of
# its sites loses under the rule site-template, as `clean --templates`; empty for none.
NEWSCLEAN_TEMPLATES = ""
# A WARC path (e.g. output/crawl.warc.gz) to archive every fetched response; empty for none.
ARCHIVE_WARC = ""
# Where the crawl's state lives: memory:// (this process) or redis://host:port/db (shared by every
# process given the same spider and arguments).
NEWSCLEAN_FRONTIER = "memory://"
# Seconds an idle process of a shared crawl waits for the others to make progress before it closes.
NEWSCLEAN_FRONTIER_IDLE = 120.0
# A shared frontier's service: seconds each call may take, and calls before it counts as unavailable (the
# crawl then stops); seconds between two renewals of a process's lease (it lapses after three); whether
# to delete a crawl left by processes that stopped without finishing it, rather than refuse to start.
NEWSCLEAN_FRONTIER_TIMEOUT = 10.0
NEWSCLEAN_FRONTIER_ATTEMPTS = 3
NEWSCLEAN_FRONTIER_HEARTBEAT = 10.0
NEWSCLEAN_FRONTIER_RESET = False
# Sitemaps and feeds a news crawl fetches at most (robots.txt and the home page aside), and the sitemap
# index levels it follows below the sitemaps robots.txt names.
NEWSCLEAN_MAX_DISCOVERY = 500
NEWSCLEAN_SITEMAP_DEPTH = 3
# Hosts or networks (10.0.0.0/8) that discovery may reach although they are not public.
NEWSCLEAN_DISCOVERY_ALLOW: list[str] = []

LOG_LEVEL = "INFO"
