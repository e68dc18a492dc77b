"""Two crawler processes sharing one crawl through a real redis-server: the fixture site crawled once in
total, robots.txt obeyed, and the two outputs together the same records as a one-process crawl."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from pipeline.writers.jsonl import errors_path

from .conftest import ROOT
from .fixture_site import FixtureSite
from .redis_server import redis_server
from .test_crawl import ARTICLE_PATHS, CRAWL_TIMEOUT, FAST, read_jsonl, scrapy_crawl

pytestmark = pytest.mark.slow

# Slow pages and few requests at a time, so that the crawl lasts long enough for both processes to work.
SETTINGS = ["-s", "NEWSCLEAN_WORKERS=0", "-s", "CONCURRENT_REQUESTS=2"]


@dataclass
class Crawls:
    site: str
    # What the server was asked during the shared crawl.
    requests: list[str]
    outputs: list[Path]
    logs: list[str]
    # The records of the same crawl by one process alone, on the same server.
    alone: list[dict[str, Any]]
    # The crawl's keys still in Redis after both processes left.
    left: list[str]

    def records(self) -> list[dict[str, Any]]:
        return [record for output in self.outputs for record in read_jsonl(output)]

    def errors(self) -> list[dict[str, Any]]:
        return [line for output in self.outputs for line in read_jsonl(errors_path(output))]


def _two_processes(site: str, redis: str, folder: Path) -> tuple[list[Path], list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "pipeline.crawl.settings"}
    outputs = [folder / f"process-{n}.jsonl" for n in (1, 2)]
    arguments = ["news", "-a", f"site={site}", *SETTINGS, "-s", f"NEWSCLEAN_FRONTIER={redis}", *FAST]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", *arguments, "-O", str(output)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for output in outputs
    ]
    logs = [process.communicate(timeout=CRAWL_TIMEOUT)[1] for process in processes]
    for process, log in zip(processes, logs, strict=True):
        assert process.returncode == 0, log[-3000:]
    return outputs, logs


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    folder = tmp_path_factory.mktemp("shared")
    with redis_server() as redis, FixtureSite(delay=0.2) as site:
        outputs, logs = _two_processes(site.url, redis, folder)
        requests = site.requests
        left = [str(key) for key in Redis.from_url(redis, decode_responses=True).keys("newsclean:*")]
        alone = folder / "alone.jsonl"
        done = scrapy_crawl(["news", "-a", f"site={site.url}", *SETTINGS, "-O", str(alone)])
        assert done.returncode == 0, done.stderr[-3000:]
        yield Crawls(site.url, requests, outputs, logs, read_jsonl(alone), left)


def test_every_article_is_fetched_once_in_total(crawls: Crawls) -> None:
    fetched = Counter(path.split("?")[0] for path in crawls.requests)
    assert {path: fetched[path] for path in ARTICLE_PATHS.values()} == dict.fromkeys(
        ARTICLE_PATHS.values(), 1
    )
    assert fetched["/about.html"] == fetched["/2024/10/withdrawn-story.html"] == 1


def test_no_article_is_missed_and_none_is_written_twice(crawls: Crawls) -> None:
    found = [record["url"].removeprefix(crawls.site) for record in crawls.records()]
    assert sorted(found) == sorted(ARTICLE_PATHS.values())


def test_robots_txt_is_obeyed(crawls: Crawls) -> None:
    assert "/private/leaked-memo.html" not in {path.split("?")[0] for path in crawls.requests}
    robots = [e["source"].removeprefix(crawls.site) for e in crawls.errors() if e["stage"] == "robots"]
    assert robots == ["/private/leaked-memo.html"]


@pytest.mark.parametrize("process", [0, 1], ids=["first", "second"])
def test_both_processes_take_part(crawls: Crawls, process: int) -> None:
    output = crawls.outputs[process]
    # Each process writes a line (a record or an error line) for every page it fetched.
    lines = len(read_jsonl(output)) + len(read_jsonl(errors_path(output)))
    assert lines >= 1, crawls.logs[process][-2000:]


def test_the_two_outputs_are_the_records_of_one_process(crawls: Crawls) -> None:
    def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        same = [{key: value for key, value in r.items() if key != "fetched_at"} for r in records]
        return sorted(same, key=lambda record: str(record["url"]))

    assert comparable(crawls.records()) == comparable(crawls.alone)


def test_the_last_process_to_leave_clears_the_crawls_keys(crawls: Crawls) -> None:
    assert crawls.left == []
