"""Real crawls of the fixture site on 127.0.0.1 with `scrapy crawl` in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipeline.cli import main as newsclean
from pipeline.document import Document
from pipeline.process import Config, process_document
from pipeline.record import RECORD_KEYS, to_record
from pipeline.writers.jsonl import errors_path

from .conftest import ROOT, interruptible, paragraphs, press_ctrl_c, wait_until_written
from .fixture_site import CHUNKED_OVERSIZE_PATH, GOLD_DIR, OVERSIZE_PATH, SITE_DIR, TEST_MAXSIZE, FixtureSite

# Tests lower the delays and the size cap; everything else is the project's settings.
FAST = [
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s", f"DOWNLOAD_MAXSIZE={TEST_MAXSIZE}",
    "-s", "DOWNLOAD_TIMEOUT=5",
    "-s", "LOG_LEVEL=INFO",
]  # fmt: skip
CRAWL_TIMEOUT = 120

pytestmark = pytest.mark.slow

ARTICLE_PATHS = {
    "harbour-dredging-approved": "/2024/11/harbour-dredging-approved.html",
    "council-budget-vote": "/2024/11/council-budget-vote.html",
    "lighthouse-restoration": "/2024/11/lighthouse-restoration.html",
    "fishing-quota-talks": "/2024/11/fishing-quota-talks.html",
    "school-reopens": "/2024/11/school-reopens.html",
    "storm-warning-issued": "/2024/11/storm-warning-issued.html",
    "ferry-timetable-changes": "/2024/11/ferry-timetable-changes.html",
    "port-strike-ends": "/2024/11/port-strike-ends.html",
    "marche-de-noel": "/fr/2024/11/marche-de-noel.html",
}


@dataclass
class Crawl:
    site: str
    records: list[dict[str, Any]]
    errors: list[dict[str, str]]
    log: str
    requests: list[str]
    output: Path

    def by_url(self) -> dict[str, dict[str, Any]]:
        return {r["url"].removeprefix(self.site): r for r in self.records}

    def errors_by_source(self) -> dict[str, dict[str, str]]:
        return {e["source"].removeprefix(self.site): e for e in self.errors}


def scrapy_crawl(arguments: list[str], cwd: Path = ROOT, **popen: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "pipeline.crawl.settings"}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *arguments, *FAST],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=CRAWL_TIMEOUT,
        **popen,
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as served:
        yield served


@pytest.fixture(scope="module")
def news(site: FixtureSite, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """One crawl of the whole site with a worker process and a WARC archive."""
    folder = tmp_path_factory.mktemp("news")
    output = folder / "news.jsonl"
    done = scrapy_crawl(
        [
            "news",
            "-a",
            f"site={site.url}",
            "-O",
            str(output),
            "-s",
            f"ARCHIVE_WARC={folder / 'crawl.warc.gz'}",
        ]
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Crawl(
        site.url,
        read_jsonl(output),
        read_jsonl(folder / "news.errors.ndjson"),
        done.stderr,
        site.requests,
        output,
    )


def gold(name: str) -> list[str]:
    return paragraphs((GOLD_DIR / f"{name}.gold.txt").read_text(encoding="utf-8"))


# --- the news crawl --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ARTICLE_PATHS))
def test_each_article_matches_its_gold(news: Crawl, name: str) -> None:
    record = news.by_url()[ARTICLE_PATHS[name]]
    assert paragraphs(record["text"]) == gold(name)


def test_one_record_per_article_and_none_for_other_pages(news: Crawl) -> None:
    assert sorted(news.by_url()) == sorted(ARTICLE_PATHS.values())
    assert len(news.records) == len(ARTICLE_PATHS)


@pytest.mark.parametrize(
    "name",
    [
        # Only in the sitemaps: lighthouse in the gzipped one, ferry a redirect listed in the news sitemap.
        "council-budget-vote",
        "lighthouse-restoration",
        "ferry-timetable-changes",
        # Only in the feeds: declared RSS, Atom at a usual path.
        "fishing-quota-talks",
        "marche-de-noel",
        # Only by links: from the home page, from a section page.
        "school-reopens",
        "storm-warning-issued",
    ],
)
def test_articles_come_from_sitemaps_feeds_and_links_alike(news: Crawl, name: str) -> None:
    assert ARTICLE_PATHS[name] in news.by_url()


def test_pages_without_a_record_are_in_the_errors_file_with_their_stage(news: Crawl) -> None:
    stages = {source: error["stage"] for source, error in news.errors_by_source().items()}
    assert stages == {
        "/private/leaked-memo.html": "robots",
        "/2024/10/withdrawn-story.html": "http",
        "/loop/a": "http",
        "/self-redirect": "http",
        "/moved-away": "http",
        OVERSIZE_PATH: "too-large",
        CHUNKED_OVERSIZE_PATH: "too-large",
        "/": "not-article",
        "/world/": "not-article",
        "/about.html": "not-article",
        "/tag/harbour.html": "not-article",
    }
    assert len(news.errors) == len(stages)  # one line each
    assert "newsclean: 9 records; 11 pages without a record" in news.log
    assert "'newsclean/no_record/not-article': 4" in news.log


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/loop/a", "HTTP 301: redirect loop {site}/loop/a -> {site}/loop/b -> {site}/loop/a"),
        ("/self-redirect", "HTTP 301 to itself"),
        ("/moved-away", "HTTP 301 out of the site, to http://elsewhere.example/moved/"),
        (CHUNKED_OVERSIZE_PATH, f"more than {TEST_MAXSIZE} bytes (DOWNLOAD_MAXSIZE), with no Content-Length"),
    ],
    ids=["redirect-loop", "self-redirect", "off-site-redirect", "too-large-without-content-length"],
)
def test_requests_that_give_no_page_say_why(news: Crawl, path: str, message: str) -> None:
    assert news.errors_by_source()[path]["error"] == message.format(site=news.site)


def test_redirects_that_cannot_be_followed_are_not_followed(news: Crawl) -> None:
    fetched = Counter(path.split("?")[0] for path in news.requests)
    assert (fetched["/loop/a"], fetched["/loop/b"], fetched["/self-redirect"]) == (1, 1, 1)


def test_malformed_entries_are_skipped_alone(news: Crawl) -> None:
    # One unreadable URL in robots.txt, in the RSS feed and in the Atom feed; the entries after each
    # (the sitemap index, the fishing story, the French story) are still read.
    assert "'newsclean/discovery/malformed_entry': 3" in news.log
    assert {ARTICLE_PATHS["fishing-quota-talks"], ARTICLE_PATHS["marche-de-noel"]} <= set(news.by_url())


def test_sitemaps_on_private_addresses_are_not_fetched(news: Crawl) -> None:
    assert "'newsclean/discovery/refused_address': 2" in news.log
    assert (
        "not fetching http://169.254.169.254/latest/sitemap.xml: 169.254.169.254 is a link-local" in news.log
    )
    assert "not fetching http://10.11.12.13/sitemap.xml: 10.11.12.13 is a private address" in news.log


def test_nested_sitemap_indexes_are_followed_a_few_levels_only(news: Crawl) -> None:
    chain = sorted(path for path in news.requests if path.startswith("/chain/"))
    # robots.txt names level 0; NEWSCLEAN_SITEMAP_DEPTH (3) more levels are followed, out of 200.
    assert chain == ["/chain/0.xml", "/chain/1.xml", "/chain/2.xml", "/chain/3.xml"]
    assert "'newsclean/discovery/sitemap_too_deep': 1" in news.log


def test_the_disallowed_page_is_never_fetched_and_each_page_is_fetched_once(news: Crawl) -> None:
    fetched = Counter(path.split("?")[0] for path in news.requests)
    assert "/private/leaked-memo.html" not in fetched
    # robots.txt twice: once for Scrapy's robots.txt check, once to read its Sitemap lines; the home
    # page twice: once for its feeds and links, once as a page when discovery is done.
    assert fetched.pop("/robots.txt") == 2
    assert fetched.pop("/") == 2
    assert max(fetched.values()) == 1, [path for path, count in fetched.items() if count > 1]


@pytest.mark.parametrize("name", sorted(ARTICLE_PATHS))
def test_each_record_follows_the_contract(news: Crawl, name: str) -> None:
    record = news.by_url()[ARTICLE_PATHS[name]]
    assert tuple(record) == RECORD_KEYS
    assert (record["source"].removeprefix(news.site)[:1], record["status"]) == ("/", 200)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["fetched_at"])
    assert record["extractor"].startswith("trafilatura ")


def test_records_are_written_like_clean_writes_them(news: Crawl) -> None:
    # Nulls are written, not dropped: the school story names no author and declares no summary.
    lines = news.output.read_text(encoding="utf-8").splitlines()
    (line,) = [line for line in lines if '/2024/11/school-reopens.html"' in line]
    assert ('"author": null' in line, '"description": null' in line) == (True, True)
    assert "marché" in news.output.read_text(encoding="utf-8")  # UTF-8, not \u-escaped


def test_a_redirect_gives_the_final_url_and_keeps_the_requested_one_as_source(news: Crawl) -> None:
    record = news.by_url()["/2024/11/ferry-timetable-changes.html"]
    assert record["source"] == f"{news.site}/story/4521"
    assert record["url"] == f"{news.site}/2024/11/ferry-timetable-changes.html"


def test_dates_languages_and_titles(news: Crawl) -> None:
    found = news.by_url()
    assert found[ARTICLE_PATHS["fishing-quota-talks"]]["date"] == "2024-11-20"  # only the feed gives it
    assert found[ARTICLE_PATHS["council-budget-vote"]]["date"] == "2024-11-15"
    assert found[ARTICLE_PATHS["marche-de-noel"]]["language"] == "fr"
    assert (
        found[ARTICLE_PATHS["port-strike-ends"]]["title"]
        == "Dock workers end twelve-day strike after pay deal"
    )
    families = {r["family"] for record in news.records for r in record["removed"]}
    assert len(families) >= 6, families


@pytest.mark.parametrize("name", sorted(ARTICLE_PATHS))
def test_clean_gives_the_same_text_title_and_removals_for_the_same_html(
    news: Crawl, name: str, tmp_path: Path
) -> None:
    served = (
        (SITE_DIR / ARTICLE_PATHS[name].lstrip("/")).read_bytes().replace(b"{{site}}", news.site.encode())
    )
    saved = tmp_path / f"{name}.html"
    saved.write_bytes(served)
    output = tmp_path / "clean.jsonl"
    assert newsclean(["clean", str(saved), "-o", str(output), "-q"]) == 0
    (cleaned,) = read_jsonl(output)
    crawled = news.by_url()[ARTICLE_PATHS[name]]
    assert (cleaned["text"], cleaned["title"], cleaned["removed"]) == (
        crawled["text"],
        crawled["title"],
        crawled["removed"],
    )


@pytest.fixture(scope="module")
def archived(news: Crawl) -> dict[str, tuple[int, bytes, str | None]]:
    """The crawl's WARC: status, body and Content-Type of each response, by path."""
    responses: dict[str, tuple[int, bytes, str | None]] = {}
    with (news.output.parent / "crawl.warc.gz").open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "response":
                url = record.rec_headers.get_header("WARC-Target-URI").removeprefix(news.site)
                status = int(record.http_headers.get_statuscode())
                body = record.content_stream().read()
                responses[url] = (status, body, record.http_headers.get_header("Content-Type"))
    return responses


def test_the_warc_holds_every_response_as_sent(archived: dict[str, tuple[int, bytes, str | None]]) -> None:
    assert archived["/story/4521"][0] == 301
    assert archived["/2024/10/withdrawn-story.html"][0] == 404
    assert archived["/sitemaps/pages.xml.gz"][1][:2] == b"\x1f\x8b"


@pytest.mark.parametrize("name", sorted(ARTICLE_PATHS))
def test_each_archived_page_cleans_again_to_its_record(
    news: Crawl, archived: dict[str, tuple[int, bytes, str | None]], name: str
) -> None:
    path = ARTICLE_PATHS[name]
    status, body, content_type = archived[path]
    crawled = news.by_url()[path]
    doc = Document(
        crawled["source"],
        "html",
        content=body,
        url=news.site + path,
        content_type=content_type,
        fetched_at=crawled["fetched_at"],
        status=status,
    )
    again = to_record(process_document(doc, Config()))
    assert (again["text"], again["title"], again["removed"]) == (
        crawled["text"],
        crawled["title"],
        crawled["removed"],
    )


# --- the article crawl -----------------------------------------------------------------------------


def test_article_crawl_writes_the_default_output_and_errors_file(site: FixtureSite, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# two pages\n{site.url}/about.html\n{site.url}/2024/10/withdrawn-story.html\n", encoding="utf-8"
    )
    done = scrapy_crawl(
        [
            "article",
            "-a",
            f"urls={site.url}/story/4521",
            "-a",
            f"url_file={listing}",
            "-s",
            "NEWSCLEAN_WORKERS=0",
        ],
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (output,) = (tmp_path / "output").glob("article-*Z.jsonl")
    assert re.fullmatch(r"article-\d{8}T\d{6}Z\.jsonl", output.name)
    records = {r["source"].removeprefix(site.url): r for r in read_jsonl(output)}
    # Pages named by the user are not judged: the about page is kept.
    assert sorted(records) == ["/about.html", "/story/4521"]
    errors = read_jsonl(output.with_name(output.name.replace(".jsonl", ".errors.ndjson")))
    assert errors == [
        {"source": f"{site.url}/2024/10/withdrawn-story.html", "stage": "http", "error": "HTTP 404"}
    ]
    assert "inline" in done.stderr


def test_ctrl_c_stops_the_crawl_and_keeps_every_record_written(tmp_path: Path) -> None:
    with FixtureSite(delay=0.3) as slow:
        listing = tmp_path / "urls.txt"
        listing.write_text("\n".join(f"{slow.url}/2024/11/school-reopens.html?copy={i}" for i in range(200)))
        output = tmp_path / "out.jsonl"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "article",
            "-a",
            f"url_file={listing}",
            "-O",
            str(output),
        ]
        process = subprocess.Popen(
            [*command, *FAST, "-s", "NEWSCLEAN_WORKERS=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=interruptible,
        )
        wait_until_written(output)
        log = press_ctrl_c(process)
    assert "'finish_reason': 'shutdown'" in log
    text = output.read_text(encoding="utf-8")
    assert text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]
    assert 1 <= len(records) < 200


# --- robots.txt, crawl order, budget, bad arguments --------------------------------------------------


def test_every_request_waiting_for_robots_txt_obeys_it(tmp_path: Path) -> None:
    # Scrapy 2.19 lets through the requests that wait while robots.txt downloads (the third and later
    # of a host); pipeline.crawl.robots replaces its middleware.
    with FixtureSite(SITE_DIR.parent / "closed") as closed:
        names = ["a.html", "b.html", "c.html", "d.html", "2024/11/school-reopens.html"]
        urls = ",".join(f"{closed.url}/{name}" for name in names)
        output = tmp_path / "closed.jsonl"
        done = scrapy_crawl(["article", "-a", f"urls={urls}", "-O", str(output), "-s", "NEWSCLEAN_WORKERS=0"])
        requests = closed.requests
    assert done.returncode == 0, done.stderr[-3000:]
    assert read_jsonl(output) == []
    errors = read_jsonl(errors_path(output))
    assert sorted(e["source"].removeprefix(closed.url + "/") for e in errors) == sorted(names)
    assert {e["stage"] for e in errors} == {"robots"}
    assert requests == ["/robots.txt"]


def test_pages_are_judged_with_every_hint_whichever_source_came_first(tmp_path: Path) -> None:
    # The stories have article markup and a news sitemap entry, nothing else; the home page links to
    # them and the sitemap arrives two seconds later.
    with FixtureSite(SITE_DIR.parent / "order", delays={"/news-sitemap.xml": 2.0}) as site:
        output = tmp_path / "order.jsonl"
        done = scrapy_crawl(
            ["news", "-a", f"site={site.url}", "-O", str(output), "-s", "NEWSCLEAN_WORKERS=0"]
        )
        requests = site.requests
    assert done.returncode == 0, done.stderr[-3000:]
    stories = sorted(r["url"].removeprefix(site.url) for r in read_jsonl(output))
    assert stories == [
        "/stories/lifeboat-crew.html",
        "/stories/night-ferry.html",
        "/stories/quay-repairs.html",
    ]
    # Every story was requested after the sitemap: pages wait for discovery.
    assert min(requests.index(story) for story in stories) > requests.index("/news-sitemap.xml")


def test_max_pages_is_a_budget_of_articles(site: FixtureSite, tmp_path: Path) -> None:
    output = tmp_path / "three.jsonl"
    done = scrapy_crawl(["news", "-a", f"site={site.url}", "-a", "max_pages=3", "-O", str(output)])
    assert done.returncode == 0, done.stderr[-3000:]
    records = read_jsonl(output)
    assert len(records) == 3
    assert set(r["url"].removeprefix(site.url) for r in records) <= set(ARTICLE_PATHS.values())
    assert "pages not requested: the budget of 3 articles was reached" in done.stderr


def test_a_malformed_url_is_one_error_line_and_the_others_are_crawled(
    site: FixtureSite, tmp_path: Path
) -> None:
    output = tmp_path / "mixed.jsonl"
    urls = f"http://[broken/x.html,{site.url}/2024/11/school-reopens.html"
    done = scrapy_crawl(["article", "-a", f"urls={urls}", "-O", str(output), "-s", "NEWSCLEAN_WORKERS=0"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert [r["url"] for r in read_jsonl(output)] == [f"{site.url}/2024/11/school-reopens.html"]
    (error,) = read_jsonl(errors_path(output))
    assert (error["source"], error["stage"]) == ("http://[broken/x.html", "read")


@pytest.fixture(scope="module")
def cleaned_warc(news: Crawl, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """`newsclean clean` of the crawl's WARC: its records by URL."""
    warc = news.output.parent / "crawl.warc.gz"
    out = tmp_path_factory.mktemp("from-warc") / "from-warc.jsonl"
    assert newsclean(["clean", str(warc), "-o", str(out), "--workers", "1", "-q"]) == 0
    return {record["url"]: record for record in read_jsonl(out)}


@pytest.mark.parametrize("name", sorted(ARTICLE_PATHS))
def test_clean_reads_the_crawls_warc_back_to_the_same_records(
    news: Crawl, cleaned_warc: dict[str, dict[str, Any]], name: str
) -> None:
    path = ARTICLE_PATHS[name]
    crawled = news.by_url()[path]
    again = cleaned_warc[news.site + path]
    assert str(again["source"]).startswith(f"{news.output.parent / 'crawl.warc.gz'}#")
    assert (again["text"], again["title"], again["removed"], again["status"]) == (
        crawled["text"],
        crawled["title"],
        crawled["removed"],
        200,
    )
