"""`newsclean crawl news SITE` and `newsclean crawl article URL...`: the project's spiders from any folder,
with its settings, a progress line, a summary and the exit statuses of `clean`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UsageError,
    add_rule_options,
    languages,
    positive,
    unknown_families,
)
from pipeline.rules import FAMILIES, RULE_NAMES

SETTINGS_MODULE = "pipeline.crawl.settings"
PROGRESS_SECONDS = 0.5


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "crawl",
        help="crawl a news site, or pages you name, into JSONL",
        description="Run the newsclean spiders with the project's settings, as `scrapy crawl news` and "
        "`scrapy crawl article` do in the checkout, from any folder. Records go to "
        "output/<spider>-<UTC timestamp>.jsonl unless -o or -O say otherwise; pages that give no record "
        "are listed in <output stem>.errors.ndjson beside it.",
        epilog="exit status: 0 the crawl completed; 1 nothing could be fetched at all, every page failed, "
        "the output cannot be written, or the Redis frontier cannot be reached, gives out during the crawl "
        "or holds this crawl left stale; 2 usage error; 130 interrupted (records kept).",
    )
    spiders = parser.add_subparsers(dest="spider", metavar="SPIDER")
    spiders.required = True
    news = spiders.add_parser("news", help="a whole site: its sitemaps, feeds and links")
    news.add_argument("site", help="the home page (https is assumed without a scheme)")
    news.add_argument("--max-pages", type=positive, help="stop after this many articles (records)")
    news.add_argument("--since", metavar="YYYY-MM-DD", help="skip pages a sitemap or feed dates before this")
    news.add_argument("--depth", type=int, default=2, help="link hops from the home page (default 2)")
    article = spiders.add_parser("article", help="the pages you name, one record each")
    article.add_argument("urls", nargs="*", metavar="URL", help="pages to fetch")
    article.add_argument("--url-file", metavar="FILE", help="a file of URLs, one a line (# comments)")
    for sub in (news, article):
        _add_crawl_options(sub)
        sub.set_defaults(func=run_crawl)


def _add_crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", action="append", default=[], metavar="FILE", help="append records")
    parser.add_argument(
        "-O", "--overwrite-output", action="append", default=[], metavar="FILE", help="replace the file"
    )
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy or newsclean setting"
    )
    add_rule_options(parser)
    parser.add_argument("--lang", type=languages, metavar="CODES", help="keep only these languages")
    parser.add_argument("--workers", type=int, help="extraction processes, 0 inline (NEWSCLEAN_WORKERS)")
    parser.add_argument(
        "--templates",
        metavar="FILE",
        help="remove the paragraphs of a saved templates file (rule site-template; NEWSCLEAN_TEMPLATES)",
    )
    parser.add_argument(
        "--model",
        metavar="MODEL",
        help="the page model to read pages with, as `clean --model` (`none` for none; NEWSCLEAN_MODEL)",
    )
    parser.add_argument("--frontier", metavar="URL", help="redis://host:port/db to share the crawl")
    parser.add_argument("--archive", metavar="WARC", help="also write every response to this WARC file")
    parser.add_argument("--no-progress", action="store_true", help="no progress line even on a terminal")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line, summary or log")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Scrapy's tracebacks and each failed request in the log"
    )


def _settings(args: argparse.Namespace) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s takes NAME=VALUE, not {item!r}")
        settings.set(name.strip(), value, priority="cmdline")
    options = {
        "NEWSCLEAN_WORKERS": args.workers,
        "NEWSCLEAN_LANG": ",".join(sorted(args.lang)) if args.lang else None,
        "NEWSCLEAN_DISABLE_RULES": ",".join(args.disable) if args.disable else None,
        "NEWSCLEAN_DISABLE_FAMILIES": ",".join(args.disable_family) if args.disable_family else None,
        "NEWSCLEAN_FRONTIER": args.frontier,
        "NEWSCLEAN_TEMPLATES": args.templates,
        "NEWSCLEAN_MODEL": args.model,
        "ARCHIVE_WARC": args.archive,
    }
    for name, value in options.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    if args.quiet or not ({"LOG_LEVEL", "LOG_FILE"} & {i.partition("=")[0].strip() for i in args.set}):
        # Scrapy's log would bury the progress line; warnings and errors still show.
        settings.set("LOG_LEVEL", "ERROR" if args.quiet else "WARNING", priority="cmdline")
    if args.output or args.overwrite_output:
        from scrapy.exceptions import UsageError as ScrapyUsageError
        from scrapy.utils.conf import feed_process_params_from_cli

        try:
            feeds = feed_process_params_from_cli(
                settings,
                [_feed_uri(target) for target in args.output],
                overwrite_output=[_feed_uri(target) for target in args.overwrite_output],
            )
        except ScrapyUsageError as error:
            raise UsageError(str(error)) from error
        # Standard output cannot be replaced, only written: -O - is -o - (Scrapy would warn).
        feeds.get("stdout:", {}).pop("overwrite", None)
        settings.set("FEEDS", feeds, priority="cmdline")
    return settings


def _feed_uri(target: str) -> str:
    """A -o/-O target as Scrapy reads it: standard output (`-` or `stdout:`) without a format named gets
    JSON lines, like every other records file of the command (Scrapy would ask for a format)."""
    return f"{target}:jsonlines" if target in ("-", "stdout:") else target


def _check_settings(settings: Any) -> None:
    from pipeline.crawl.frontier import FRONTIERS
    from pipeline.language import parse_languages

    try:
        parse_languages(settings.getlist("NEWSCLEAN_LANG"))
    except ValueError as error:
        raise UsageError(str(error)) from error
    try:
        workers = settings.getint("NEWSCLEAN_WORKERS")
    except ValueError:
        raise UsageError(
            f"NEWSCLEAN_WORKERS must be a whole number, not {settings['NEWSCLEAN_WORKERS']!r}"
        ) from None
    if workers < 0:
        raise UsageError(f"NEWSCLEAN_WORKERS must be 0 or more, not {workers}")
    unknown = sorted(set(settings.getlist("NEWSCLEAN_DISABLE_RULES")) - RULE_NAMES)
    if unknown:
        raise UsageError(f"unknown rule(s) for --disable: {', '.join(unknown)} (see `newsclean rules`)")
    from pipeline.corpus.templates import TemplatesFileError
    from pipeline.crawl.item_pipeline import saved_templates
    from pipeline.model import ModelError, chosen_model

    try:
        chosen_model(settings.get("NEWSCLEAN_MODEL"))
    except ModelError as error:
        raise UsageError(f"NEWSCLEAN_MODEL: {error}") from error
    try:
        saved_templates(settings.get("NEWSCLEAN_TEMPLATES"))
    except TemplatesFileError as error:
        raise UsageError(f"NEWSCLEAN_TEMPLATES: {error}") from error
    families = frozenset(name.strip() for name in settings.getlist("NEWSCLEAN_DISABLE_FAMILIES"))
    if families - set(FAMILIES):
        raise UsageError(unknown_families(families))
    from pipeline.runners.failures import mask_secrets

    frontier = str(settings.get("NEWSCLEAN_FRONTIER") or "memory://")
    if frontier.split("://", 1)[0] not in FRONTIERS or "://" not in frontier:
        known = ", ".join(f"{name}://" for name in FRONTIERS)
        raise UsageError(f"NEWSCLEAN_FRONTIER {mask_secrets(frontier)!r}: unknown kind (known: {known})")


def _spider(args: argparse.Namespace) -> tuple[type[Any], dict[str, Any], Any]:
    """The spider class, its arguments and a spider made with them (checked the way the spider checks
    them)."""
    from spiders.article import ArticleSpider
    from spiders.news import NewsSpider

    spider: type[Any]
    if args.spider == "news":
        spider, arguments = NewsSpider, {"site": args.site, "depth": str(args.depth)}
        if args.max_pages:
            arguments["max_pages"] = str(args.max_pages)
        if args.since:
            arguments["since"] = args.since
    else:
        if not args.urls and not args.url_file:
            raise UsageError("no URLs: give them as arguments or with --url-file FILE")
        spider, arguments = ArticleSpider, {"urls": list(args.urls), "url_file": args.url_file}
    try:
        made = spider(**arguments)
    except ValueError as error:
        raise UsageError(str(error)) from error
    return spider, arguments, made


@dataclass
class _Run:
    """What the command watches while the crawl runs."""

    crawler: Any
    interrupts: int = 0
    started: float = field(default_factory=time.monotonic)
    shown: bool = False

    def counts(self) -> tuple[int, int, dict[str, int]]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        stages = {
            key.removeprefix("newsclean/no_record/"): int(value)
            for key, value in stats.items()
            if key.startswith("newsclean/no_record/")
        }
        return int(stats.get("downloader/response_count", 0)), int(stats.get("newsclean/records", 0)), stages

    def progress(self) -> None:
        fetched, records, stages = self.counts()
        without = ", ".join(f"{stage} {n}" for stage, n in sorted(stages.items())) or "none"
        line = f"crawling: {fetched} fetched, {records} records, without a record: {without}"
        sys.stderr.write(f"\r\x1b[K{line}")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False

    def filter(self, record: logging.LogRecord) -> bool:
        """A log line takes the progress line's place (the next tick draws it again below)."""
        self.clear()
        return True


def _interrupt(run: _Run, process: Any) -> None:
    """Ctrl-C: the first stops the crawl (queued requests dropped, pages under way finished), the next
    one stops it at once."""
    from twisted.internet import reactor as installed

    from pipeline.crawl.control import CrawlControl

    reactor: Any = installed

    run.interrupts += 1
    if run.interrupts == 1:
        control = run.crawler.get_extension(CrawlControl)

        def stop() -> None:
            if control is not None:
                control.interrupt()
            process.stop()

        reactor.callFromThread(stop)
    else:
        reactor.callFromThread(reactor.stop)


def _crawl(
    spider: type[Any], arguments: dict[str, Any], settings: Any, progress: bool, verbose: bool
) -> _Run:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    run = _Run(crawler)
    process.crawl(crawler, **arguments)
    # Only now: the crawl has installed the asyncio reactor that the settings ask for, and Scrapy's root
    # log handler is the one that stays.
    from twisted.internet import reactor, task

    from pipeline.crawl import logs

    if not verbose:
        logs.install(logs.Brief())
    signal.signal(signal.SIGINT, lambda number, frame: _interrupt(run, process))
    ticker = task.LoopingCall(run.progress)
    if progress:
        for handler in logging.root.handlers:
            handler.addFilter(run)
        reactor.callWhenRunning(ticker.start, PROGRESS_SECONDS, now=True)
    try:
        process.start(install_signal_handlers=False)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if ticker.running:
            ticker.stop()
        run.clear()
    if process.bootstrap_failed and _stopped(run) is None:
        raise RuntimeError("the crawl could not start; run with -s LOG_LEVEL=INFO to see why")
    return run


def _records_target(crawler: Any, spider: type[Any]) -> str:
    from pipeline.crawl.item_pipeline import default_output

    feeds = crawler.settings.getdict("FEEDS") if crawler.settings else {}
    target = str(next(iter(feeds), default_output(spider.name)))
    return "standard output" if target == "stdout:" else target


def _check_output(settings: Any, spider: type[Any]) -> None:
    """Fail early (exit 1) when a local records file cannot be written."""
    from pipeline.crawl.item_pipeline import default_output

    for uri in settings.getdict("FEEDS") or {default_output(spider.name): {}}:
        uri = str(uri)
        if uri.startswith("stdout:") or ("://" in uri and not uri.startswith("file://")) or "%(" in uri:
            continue
        path = Path(uri.removeprefix("file://"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8"):
                pass
        except OSError as error:
            raise _Failed(f"cannot write output {path}: {error.strerror or error}") from error


def _check_frontier(settings: Any, spider: Any) -> None:
    """Fail early (exit 1) when the frontier's service cannot be reached, or holds this crawl stale."""
    from pipeline.crawl.frontier import StaleCrawl, open_frontier
    from pipeline.runners.failures import ServiceUnavailable

    spider.read_settings(settings)
    try:
        open_frontier(settings, spider.crawl_id()).check()
    except (ServiceUnavailable, StaleCrawl) as error:
        raise _Failed(str(error)) from error


class _Failed(Exception):
    """The crawl cannot run or reached nothing: reported on stderr, exit status 1."""


def _unreached(run: _Run) -> str | None:
    """Why nothing could be fetched at all, when no request got a response."""
    stats = run.crawler.stats.get_stats() if run.crawler.stats else {}
    if not stats.get("downloader/request_count") or stats.get("downloader/response_count"):
        return None
    prefix = "downloader/exception_type_count/"
    reasons = sorted(key.removeprefix(prefix).rsplit(".", 1)[-1] for key in stats if key.startswith(prefix))
    return ", ".join(reasons) or "no response"


def _summary(run: _Run, spider: type[Any], interrupted: bool) -> list[str]:
    from pipeline.crawl.item_pipeline import CleanPipeline

    stats = run.crawler.stats.get_stats() if run.crawler.stats else {}
    fetched, records, stages = run.counts()
    without = sum(stages.values())
    by_stage = ", ".join(f"{stage} {n}" for stage, n in sorted(stages.items())) or "none"
    reason = stats.get("finish_reason", "unknown")
    lines = [
        f"newsclean: crawl {reason} in {time.monotonic() - run.started:.1f} s: {fetched} responses, "
        f"{records} records, {without} pages without a record ({by_stage})"
    ]
    if interrupted:
        lines.insert(0, "newsclean: interrupted; every record written so far is kept")
    if spider.name == "news":
        discovery = {k.removeprefix("newsclean/discovery/"): v for k, v in stats.items() if "discovery/" in k}
        lines.append(
            f"discovery: {discovery.get('requested', 0)} documents requested, {discovery.get('failed', 0)} "
            f"missing or failed, {discovery.get('malformed_entry', 0)} malformed entries skipped, "
            f"{discovery.get('refused_address', 0)} refused (private addresses)"
        )
        if stats.get("newsclean/pages_over_budget"):
            lines.append(f"max pages reached: {stats['newsclean/pages_over_budget']} pages not requested")
    pipeline = run.crawler.get_item_pipeline(CleanPipeline)
    errors = pipeline.errors_file if pipeline is not None else "unknown"
    lines.append(f"records: {_records_target(run.crawler, spider)}   errors: {errors}")
    return lines


def _all_failed(run: _Run) -> bool:
    from pipeline.crawl.item_pipeline import CleanPipeline

    pipeline = run.crawler.get_item_pipeline(CleanPipeline)
    return pipeline is not None and pipeline.stats.all_failed()


def _stopped(run: _Run) -> tuple[str, int] | None:
    """Why the crawl stopped early, and its exit status: the frontier's service gave out, or holds a
    crawl left stale (pipeline.crawl.control)."""
    from pipeline.crawl.control import CrawlControl
    from pipeline.runners.failures import SERVICE_EXIT, ServiceUnavailable

    control = run.crawler.get_extension(CrawlControl)
    failure = getattr(control, "failure", None)
    if failure is None:
        return None
    return str(failure), SERVICE_EXIT if isinstance(failure, ServiceUnavailable) else EXIT_FAILED


def run_crawl(args: argparse.Namespace) -> int:
    from pipeline.runners.failures import mask_secrets

    spider, arguments, made = _spider(args)
    settings = _settings(args)
    _check_settings(settings)
    try:
        _check_output(settings, spider)
        _check_frontier(settings, made)
        progress = not (args.quiet or args.no_progress) and sys.stderr.isatty()
        run = _crawl(spider, arguments, settings, progress, args.verbose)
    except (_Failed, RuntimeError) as error:
        print(f"newsclean: error: {mask_secrets(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    interrupted = run.interrupts > 0
    status = EXIT_INTERRUPTED if interrupted else EXIT_OK
    stopped = _stopped(run)
    unreached = None if interrupted or stopped else _unreached(run)
    if stopped is not None:
        message, status = stopped
        print(f"newsclean: error: {message}", file=sys.stderr)
    elif unreached is not None:
        print(f"newsclean: error: nothing could be fetched ({unreached})", file=sys.stderr)
        status = EXIT_FAILED
    elif status == EXIT_OK and _all_failed(run):
        status = EXIT_FAILED
    if not args.quiet:
        for line in _summary(run, spider, interrupted):
            print(line, file=sys.stderr)
    return status
