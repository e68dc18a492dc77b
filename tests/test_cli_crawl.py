"""`newsclean crawl`: the spiders from any folder, the same records as `scrapy crawl` in the checkout, a
progress line on a terminal, a summary, and the exit statuses of `clean`."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.writers.jsonl import errors_path

from .conftest import interruptible, press_ctrl_c, wait_until_written
from .fixture_site import FixtureSite
from .redis_server import free_port
from .test_crawl import ARTICLE_PATHS, CRAWL_TIMEOUT, FAST, read_jsonl, scrapy_crawl

# The tests' delays and size cap; the log level is left to the command (warnings only).
FAST_SETTINGS = [argument for argument in FAST if argument != "-s" and not argument.startswith("LOG_LEVEL=")]


def newsclean(arguments: list[str], cwd: Path, **popen: Any) -> subprocess.CompletedProcess[str]:
    """The installed command, run from a folder without scrapy.cfg."""
    settings = [part for name in FAST_SETTINGS for part in ("-s", name)]
    streams = popen or {"capture_output": True}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "crawl", *arguments, *settings],
        cwd=cwd,
        text=True,
        timeout=CRAWL_TIMEOUT,
        **streams,
    )


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    same = [{key: value for key, value in r.items() if key != "fetched_at"} for r in records]
    return sorted(same, key=lambda record: str(record["url"]))


@pytest.fixture(scope="module")
def site() -> Any:
    with FixtureSite() as served:
        yield served


# --- usage errors: one line, exit 2, nothing crawled ---------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["news", "ftp://news.example/"], "site 'ftp://news.example/' is not an http(s) URL"),
        (["news", "news.example", "--since", "2024-13-01"], "since must be a date"),
        (["news", "news.example", "--depth", "-1"], "depth must be a whole number of at least 0"),
        (["news", "news.example", "-s", "DOWNLOAD_DELAY"], "-s takes NAME=VALUE"),
        (["news", "news.example", "-s", "NEWSCLEAN_LANG=english"], "unknown language code(s) english"),
        (["news", "news.example", "-s", "NEWSCLEAN_WORKERS=two"], "NEWSCLEAN_WORKERS must be a whole number"),
        (["news", "news.example", "--frontier", "pigeon://loft"], "NEWSCLEAN_FRONTIER 'pigeon://loft'"),
        (
            ["news", "news.example", "--disable", "no-such-rule"],
            "unknown rule(s) for --disable: no-such-rule",
        ),
        (["article"], "no URLs"),
        (["article", "--url-file", "/no/such/list.txt"], "cannot read url_file /no/such/list.txt"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value)[:40],
)
def test_bad_arguments_are_one_line_and_exit_2(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crawl", *arguments]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("newsclean: error: ") and message in error


@pytest.mark.parametrize(
    "arguments",
    [["news", "news.example", "--lang", "xx"], ["news", "news.example", "--max-pages", "0"], ["crawl"]],
    ids=["unknown-lang", "zero-max-pages", "no-spider"],
)
def test_argument_types_are_checked_by_the_parser(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["crawl", *arguments][: 1 if arguments == ["crawl"] else None])
    assert stopped.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_an_unwritable_output_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert main(["crawl", "news", "http://127.0.0.1:9/", "-O", str(blocked / "out.jsonl"), "-q"]) == 1
    assert capsys.readouterr().err.startswith(
        f"newsclean: error: cannot write output {blocked / 'out.jsonl'}"
    )


def test_an_unreachable_redis_frontier_is_one_line_its_password_masked_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    url = f"redis://:s3cret@127.0.0.1:{port}/0"
    output = str(tmp_path / "out.jsonl")
    arguments = [
        "news",
        "http://127.0.0.1:9/",
        "--frontier",
        url,
        "-O",
        output,
        "-s",
        "NEWSCLEAN_FRONTIER_ATTEMPTS=1",
    ]
    assert main(["crawl", *arguments]) == 1
    error = capsys.readouterr().err
    masked = f"redis://:***@127.0.0.1:{port}/0"
    assert error.startswith(f"newsclean: error: Redis frontier at {masked} is unavailable: ConnectionError: ")
    assert error.count("\n") == 1 and "s3cret" not in error


# --- real crawls -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_newsclean_crawl_works_outside_the_checkout_like_scrapy_crawl_inside(
    site: FixtureSite, tmp_path: Path
) -> None:
    ours = newsclean(["news", site.url, "-O", str(tmp_path / "newsclean.jsonl"), "--workers", "0"], tmp_path)
    assert ours.returncode == 0, ours.stderr[-3000:]
    theirs = scrapy_crawl(["news", "-a", f"site={site.url}", "-O", str(tmp_path / "scrapy.jsonl")])
    assert theirs.returncode == 0, theirs.stderr[-3000:]
    records = read_jsonl(tmp_path / "newsclean.jsonl")
    assert len(records) == len(ARTICLE_PATHS)
    assert comparable(records) == comparable(read_jsonl(tmp_path / "scrapy.jsonl"))
    errors = read_jsonl(errors_path(tmp_path / "newsclean.jsonl"))
    assert sorted(map(json.dumps, errors)) == sorted(
        map(json.dumps, read_jsonl(errors_path(tmp_path / "scrapy.jsonl")))
    )
    # The summary, and Scrapy's INFO log kept out of the way.
    assert "newsclean: crawl finished in" in ours.stderr
    assert f", {len(ARTICLE_PATHS)} records, {len(errors)} pages without a record (" in ours.stderr
    assert (
        f"records: {tmp_path / 'newsclean.jsonl'}   errors: {errors_path(tmp_path / 'newsclean.jsonl')}"
        in ours.stderr
    )
    assert "[scrapy.core.engine] INFO" not in ours.stderr


@pytest.mark.slow
def test_article_takes_urls_as_arguments_and_a_bad_one_is_one_error_line(
    site: FixtureSite, tmp_path: Path
) -> None:
    output = tmp_path / "a.jsonl"
    url = f"{site.url}/2024/11/school-reopens.html"
    done = newsclean(["article", "http://[broken/x", url, "-O", str(output), "--workers", "0"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert [r["url"] for r in read_jsonl(output)] == [url]
    assert [e["stage"] for e in read_jsonl(errors_path(output))] == ["read"]


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """A crawl of a port nobody listens on, Scrapy's retries left at their default."""
    folder = tmp_path_factory.mktemp("unreachable")
    return newsclean(["news", f"http://127.0.0.1:{free_port()}/", "-O", str(folder / "x.jsonl")], folder)


@pytest.mark.slow
def test_a_site_that_cannot_be_reached_is_exit_1(unreachable: subprocess.CompletedProcess[str]) -> None:
    assert unreachable.returncode == 1, unreachable.stderr[-3000:]
    assert (
        "newsclean: error: nothing could be fetched (DownloadConnectionRefusedError)\n" in unreachable.stderr
    )


@pytest.mark.slow
def test_a_site_that_cannot_be_reached_is_one_error_line_and_no_traceback(
    unreachable: subprocess.CompletedProcess[str],
) -> None:
    lines = unreachable.stderr.splitlines()
    assert [line for line in lines if line.startswith("newsclean: error")] == [
        "newsclean: error: nothing could be fetched (DownloadConnectionRefusedError)"
    ]
    # The summary follows it, and nothing else: no log line of Scrapy's, no traceback.
    assert [line.split(" ")[0] for line in lines] == ["newsclean:", "newsclean:", "discovery:", "records:"]


@pytest.mark.slow
def test_verbose_shows_scrapys_tracebacks(tmp_path: Path) -> None:
    arguments = ["news", f"http://127.0.0.1:{free_port()}/", "-O", str(tmp_path / "x.jsonl"), "-v"]
    done = newsclean([*arguments, "-s", "RETRY_TIMES=0"], tmp_path)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "[scrapy.downloadermiddlewares.retry] ERROR: Gave up retrying" in done.stderr


@pytest.mark.slow
def test_a_progress_line_shows_on_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    shown = b""
    try:
        with FixtureSite(delay=0.2) as slow:
            output = str(tmp_path / "t.jsonl")
            arguments = ["news", slow.url, "-O", output, "--workers", "0"]
            done = newsclean(arguments, tmp_path, stderr=follower, stdout=subprocess.DEVNULL)
        os.close(follower)
        while chunk := _read(leader):
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    text = shown.decode("utf-8", "replace")
    # Drawn in place when the crawl starts, and redrawn as it goes (its counts: test_crawl_components);
    # log lines take its place, never its end.
    assert re.search(r"\r\x1b\[Kcrawling: \d+ fetched, \d+ records, without a record: ", text)
    assert not re.search(r"without a record: [^\r]*\d{4}-\d\d-\d\d \d\d:", text)
    assert "newsclean: crawl finished in" in text


def _read(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the terminal's other end is closed: all was read
        return b""


@pytest.mark.slow
def test_ctrl_c_stops_at_once_keeps_the_records_and_exits_130(tmp_path: Path) -> None:
    # The project's polite delays (a second between requests): Scrapy's own stop would first fetch every
    # request already handed to its downloader.
    with FixtureSite(delay=0.3) as slow:
        listing = tmp_path / "urls.txt"
        listing.write_text("\n".join(f"{slow.url}/2024/11/school-reopens.html?copy={i}" for i in range(100)))
        output = tmp_path / "out.jsonl"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline",
                "crawl",
                "article",
                "--url-file",
                str(listing),
                "-O",
                str(output),
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=interruptible,
        )
        wait_until_written(output)
        before = len(slow.requests)
        log = press_ctrl_c(process)
        after = len(slow.requests) - before
    assert process.returncode == 130, log[-3000:]
    assert after == 0  # nothing more is requested once Ctrl-C is pressed
    assert "newsclean: interrupted; every record written so far is kept" in log
    text = output.read_text(encoding="utf-8")
    assert text.endswith("\n") and 1 <= len(text.splitlines()) < 100


@pytest.mark.slow
@pytest.mark.parametrize("target", [["-o", "-"], ["-o", "stdout:"], ["-O", "-"]], ids=" ".join)
def test_records_go_to_standard_output_and_everything_else_to_standard_error(
    site: FixtureSite, tmp_path: Path, target: list[str]
) -> None:
    page, missing = f"{site.url}/2024/11/school-reopens.html", f"{site.url}/no-such-page.html"
    done = newsclean(["article", page, missing, *target, "--workers", "0"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert [json.loads(line)["url"] for line in done.stdout.splitlines()] == [page]
    assert {"source": missing, "stage": "http", "error": "HTTP 404"} in [
        json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")
    ]
    assert "records: standard output   errors: standard error" in done.stderr
    assert not (tmp_path / "output").exists()
