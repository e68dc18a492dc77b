"""Crawls whose services give out: a real redis-server killed under a running crawl, a shared crawl left
by a killed process, a password in the frontier's URL. Each crawl must end by itself, with one line
saying why, and keep every record written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from .conftest import ROOT, wait_until_written
from .fixture_site import FixtureSite
from .redis_server import RedisServer
from .test_cli_crawl import FAST_SETTINGS
from .test_crawl import ARTICLE_PATHS, CRAWL_TIMEOUT, FAST, read_jsonl

pytestmark = pytest.mark.slow

PASSWORD = "s3cret-Pa55"
# The page a crawl is kept waiting on while the test acts, sure that the crawl still has work under way.
HELD = ARTICLE_PATHS["port-strike-ends"]
# Redis given up after three tries, half a second apart at first (pipeline.runners.failures).
FRONTIER = ["-s", "NEWSCLEAN_WORKERS=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]


def _command(tool: str, site: str, frontier: str, output: Path, *settings: str) -> list[str]:
    """`newsclean crawl news` or `scrapy crawl news` of the site on the frontier, with the tests' settings
    (`newsclean crawl` keeps its own log level unless one is given)."""
    given = [*FAST, *FRONTIER, *settings]
    if tool == "newsclean":
        fast = [*(part for name in FAST_SETTINGS for part in ("-s", name)), *FRONTIER, *settings]
        return [
            sys.executable,
            "-m",
            "pipeline",
            "crawl",
            "news",
            site,
            "--frontier",
            frontier,
            "-O",
            str(output),
            *fast,
        ]
    return [
        *(sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={site}"),
        *("-s", f"NEWSCLEAN_FRONTIER={frontier}", "-O", str(output), *given),
    ]


def _start(command: list[str], **popen: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "pipeline.crawl.settings"}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **popen
    )


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "pipeline.crawl.settings"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CRAWL_TIMEOUT)


def _records(output: Path) -> list[dict[str, Any]]:
    """Every line of a records file, each a whole record (json.loads fails on a torn line)."""
    text = output.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


# --- Redis dies under a running crawl ------------------------------------------------------------------


# How Redis gives out, and the error its client then meets: the server killed (connections refused), or
# the server hung with its port open (every read times out: after a second here).
FAULTS = {"killed": "ConnectionError", "hung": "TimeoutError"}


@pytest.fixture(
    scope="module",
    params=[(tool, fault) for tool in ("newsclean", "scrapy") for fault in FAULTS],
    ids=lambda param: "-".join(param),
)
def redis_died(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A crawl of the fixture site on a password-protected Redis frontier; once it has written a record
    (one page held back, so that it still has work), redis-server is killed or hung, then the page let
    go."""
    tool, fault = request.param
    output = tmp_path_factory.mktemp("died") / "out.jsonl"
    with RedisServer(PASSWORD) as redis, FixtureSite(held=frozenset({HELD})) as site:
        process = _start(_command(tool, site.url, redis.url, output, "-s", "NEWSCLEAN_FRONTIER_TIMEOUT=1"))
        wait_until_written(output)
        if fault == "killed":
            redis.kill()
        else:
            redis.freeze()
        site.release()
        try:
            _, log = process.communicate(timeout=CRAWL_TIMEOUT)
        finally:
            process.kill()
    return {
        "tool": tool,
        "fault": fault,
        "status": process.returncode,
        "log": log,
        "output": output,
        "port": redis.port,
    }


def test_a_crawl_whose_redis_dies_ends_with_one_line_naming_it_password_masked(
    redis_died: dict[str, Any],
) -> None:
    address = f"redis://:***@127.0.0.1:{redis_died['port']}/0"
    masked = f"Redis frontier at {address} is unavailable: {FAULTS[redis_died['fault']]}:"
    lines = [line for line in redis_died["log"].splitlines() if "is unavailable" in line]
    assert len(lines) == 1, redis_died["log"][-3000:]
    assert masked in lines[0]
    assert PASSWORD not in redis_died["log"]
    assert "Traceback" not in redis_died["log"]


def test_a_crawl_whose_redis_dies_stops_as_frontier_unavailable(redis_died: dict[str, Any]) -> None:
    assert redis_died["status"] == 1, redis_died["log"][-3000:]  # SERVICE_EXIT, scrapy crawl too
    closed = {
        "newsclean": "newsclean: crawl frontier_unavailable in ",
        "scrapy": "'finish_reason': 'frontier_unavailable'",
    }
    assert closed[redis_died["tool"]] in redis_died["log"]


def test_the_records_written_before_redis_died_are_kept_whole(redis_died: dict[str, Any]) -> None:
    records = _records(redis_died["output"])
    assert records  # the first was written before the kill
    assert {record["url"].split("/", 3)[3] for record in records} <= {
        p.lstrip("/") for p in ARTICLE_PATHS.values()
    }


# --- a shared crawl left by a killed process -----------------------------------------------------------


def _leases(url: str) -> int:
    """Members of any crawl on this Redis whose lease is current (the server's clock)."""
    server = Redis.from_url(url, decode_responses=True)
    seconds, micros = server.time()
    now = seconds * 1000 + micros // 1000
    return sum(int(server.zcount(key, now, "+inf")) for key in server.keys("newsclean:*:members"))


@pytest.fixture(scope="module")
def left_stale(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A crawl killed (SIGKILL) while it works; once its lease has lapsed, the same crawl started again,
    then started with NEWSCLEAN_FRONTIER_RESET."""
    folder = tmp_path_factory.mktemp("stale")
    # A lease of a second or so (the crawl cleans pages itself: its lease outlasts NEWSCLEAN_TIMEOUT).
    beat = ["-s", "NEWSCLEAN_FRONTIER_HEARTBEAT=0.2", "-s", "NEWSCLEAN_TIMEOUT=1"]
    with RedisServer() as redis, FixtureSite(held=frozenset({HELD})) as site:
        killed = _start(_command("newsclean", site.url, redis.url, folder / "killed.jsonl", *beat))
        wait_until_written(folder / "killed.jsonl")
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=CRAWL_TIMEOUT)
        site.release()
        deadline = time.monotonic() + 30
        while _leases(redis.url) and time.monotonic() < deadline:
            time.sleep(0.1)
        again = _run(_command("newsclean", site.url, redis.url, folder / "again.jsonl", *beat))
        reset_setting = ["-s", "NEWSCLEAN_FRONTIER_RESET=True"]
        reset = _run(
            _command("newsclean", site.url, redis.url, folder / "reset.jsonl", *beat, *reset_setting)
        )
        left = Redis.from_url(redis.url).keys("newsclean:*")
    return {"again": again, "reset": reset, "folder": folder, "left": left}


def test_a_crawl_left_by_a_killed_process_is_refused_in_one_line(left_stale: dict[str, Any]) -> None:
    again: subprocess.CompletedProcess[str] = left_stale["again"]
    assert again.returncode == 1, again.stderr[-3000:]
    assert again.stderr.count("\n") == 1
    assert again.stderr.startswith("newsclean: error: the Redis frontier at redis://127.0.0.1:")
    assert "from processes that stopped without finishing it" in again.stderr
    assert "NEWSCLEAN_FRONTIER_RESET=True" in again.stderr
    assert not (left_stale["folder"] / "again.jsonl").read_text(encoding="utf-8")


def test_reset_crawls_the_whole_site_again(left_stale: dict[str, Any]) -> None:
    reset: subprocess.CompletedProcess[str] = left_stale["reset"]
    assert reset.returncode == 0, reset.stderr[-3000:]
    found = sorted(
        record["url"].split("/", 3)[3] for record in read_jsonl(left_stale["folder"] / "reset.jsonl")
    )
    assert found == sorted(path.lstrip("/") for path in ARTICLE_PATHS.values())
    assert left_stale["left"] == []


# --- no password in any log line ---------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["newsclean", "scrapy"])
def test_no_log_line_shows_the_frontiers_password(tool: str, tmp_path: Path) -> None:
    with RedisServer(PASSWORD) as redis, FixtureSite() as site:
        command = _command(tool, site.url, redis.url, tmp_path / "out.jsonl", "-s", "LOG_LEVEL=INFO")
        done = _run([*command, *(["-v"] if tool == "newsclean" else [])])
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Overridden settings" in done.stderr  # Scrapy's INFO log is on
    assert PASSWORD not in done.stderr
