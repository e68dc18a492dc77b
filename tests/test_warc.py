"""Web archives through `clean`: which records are documents, their fields, damaged archives, resume,
a run killed part-way, and worker processes that end with their run."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.cli import main
from pipeline.writers import errors_path

from .conftest import ROOT
from .test_cli import ARTICLE

DATE = "2024-11-28T10:15:00Z"


def run(*args: str) -> int:
    return main(["clean", "--workers", "1", *args, "--no-progress"])


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    *,
    status: str = "200 OK",
    identified: str | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
    headers = {"WARC-Date": DATE, **({"WARC-Identified-Payload-Type": identified} if identified else {})}
    record = writer.create_warc_record(
        url, "response", payload=BytesIO(body), http_headers=http, warc_headers_dict=headers
    )
    writer.write_record(record)


def archive(path: Path, pages: int = 3, *, gzipped: bool = True) -> list[str]:
    """A small archive like a news crawl's: warcinfo, then per page a request, a response and a metadata
    record, with a PDF, a stylesheet and a revisit among them. Returns the pages' URLs."""
    urls = [f"https://news.example/{n}.html" for n in range(pages)]
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for n, url in enumerate(urls):
            request = StatusAndHeaders(
                f"GET {url} HTTP/1.1", [("Host", "news.example")], is_http_request=True
            )
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            response(writer, url, ARTICLE.format(n=n).encode())
            meta = writer.create_warc_record(url, "metadata", payload=BytesIO(b"fetchTimeMs: 12\r\n"))
            writer.write_record(meta)
            if n == 0:
                response(writer, url + ".pdf", b"%PDF-1.4", "application/pdf")
                response(writer, url + ".css", b"body{}", "text/css")
                writer.write_record(writer.create_revisit_record(url, "sha1:AAAA", url, DATE))
    return urls


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out" / "clean.jsonl"


@pytest.mark.parametrize("gzipped", [True, False], ids=["warc.gz", "warc"])
def test_every_html_response_is_a_record_with_the_archives_fields(
    tmp_path: Path, out: Path, gzipped: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    urls = archive(path, gzipped=gzipped)
    assert run(str(path), "-o", str(out)) == 0
    records = lines(out)
    assert [r["url"] for r in records] == urls
    assert all(r["fetched_at"] == DATE and r["status"] == 200 for r in records)
    assert records[0]["title"] == "Floods hit the delta"
    assert lines(errors_path(out)) == []
    err = capsys.readouterr().err
    assert "archive records passed over: metadata 3, non-html 2, request 3, revisit 1, warcinfo 1" in err


def test_source_is_the_archive_and_the_offset_of_its_record(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    archive(path)
    assert run(str(path), "-o", str(out)) == 0
    for record in lines(out):
        name, offset = str(record["source"]).rsplit("#", 1)
        assert name == str(path)
        with path.open("rb") as handle:
            handle.seek(int(offset))
            member = gzip.GzipFile(fileobj=handle).read(4096)  # the record starts there
        assert member.startswith(b"WARC/1.") and str(record["url"]).encode() in member


@pytest.mark.parametrize(
    ("identified", "content_type", "is_document"),
    [
        ("text/html", "application/octet-stream", True),  # the identified type comes first
        ("application/pdf", "text/html", False),
        (None, "application/xhtml+xml; charset=utf-8", True),
        (None, "image/jpeg", False),
    ],
)
def test_html_is_decided_by_the_identified_payload_type_then_the_http_content_type(
    tmp_path: Path, out: Path, identified: str | None, content_type: str, is_document: bool
) -> None:
    path = tmp_path / "one.warc.gz"
    with path.open("wb") as handle:
        response(
            WARCWriter(handle, gzip=True),
            "https://news.example/x",
            ARTICLE.format(n=1).encode(),
            content_type,
            identified=identified,
        )
    (tmp_path / "other.txt").write_text("A line of text that makes the run have one input at least.\n")
    assert run(str(path), str(tmp_path / "other.txt"), "-o", str(out)) == 0
    assert any(str(r["source"]).startswith(str(path)) for r in lines(out)) == is_document


def test_the_http_charset_feeds_decoding(tmp_path: Path, out: Path) -> None:
    page = ARTICLE.format(n=1).replace("Heavy rain flooded", "Сильный дождь затопил").encode("cp1251")
    path = tmp_path / "ru.warc.gz"
    with path.open("wb") as handle:
        response(
            WARCWriter(handle, gzip=True), "https://news.example/ru", page, "text/html; charset=windows-1251"
        )
    assert run(str(path), "-o", str(out)) == 0
    assert "Сильный дождь затопил" in str(lines(out)[0]["text"])


def test_a_chunked_gzip_encoded_payload_is_decoded(tmp_path: Path, out: Path) -> None:
    body = gzip.compress(ARTICLE.format(n=1).encode())
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    path = tmp_path / "encoded.warc.gz"
    with path.open("wb") as handle:
        extra = [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
        response(WARCWriter(handle, gzip=True), "https://news.example/e", chunked, extra=extra)
    assert run(str(path), "-o", str(out)) == 0
    assert lines(out)[0]["title"] == "Floods hit the delta"


@pytest.mark.parametrize("gzipped", [True, False], ids=["warc.gz", "warc"])
def test_a_truncated_archive_gives_every_record_before_the_damage_and_one_error(
    tmp_path: Path, out: Path, gzipped: bool
) -> None:
    whole = tmp_path / "whole.warc"
    archive(whole, pages=4, gzipped=gzipped)
    data = whole.read_bytes()
    path = tmp_path / ("cut.warc.gz" if gzipped else "cut.warc")
    path.write_bytes(data[: len(data) - 20])  # the last metadata record is cut
    assert run(str(path), "-o", str(out)) == 0
    assert len(lines(out)) == 4
    errors = lines(errors_path(out))
    assert [e["stage"] for e in errors] == ["read"] and "truncated" in str(errors[0]["error"])
    assert str(errors[0]["source"]).startswith(f"{path}#")


def test_a_corrupt_gzip_member_does_not_hide_the_members_after_it(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    archive(path, pages=3)
    run(str(path), "-o", str(out))
    offsets = [int(str(r["source"]).rsplit("#", 1)[1]) for r in lines(out)]
    data = bytearray(path.read_bytes())
    middle = offsets[1] + 40  # inside the compressed data of the second page's response
    data[middle : middle + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    assert run(str(path), "-o", str(out)) == 0
    assert [int(str(r["source"]).rsplit("#", 1)[1]) for r in lines(out)] == [offsets[0], offsets[2]]
    errors = lines(errors_path(out))
    assert [(e["source"], e["stage"]) for e in errors] == [(f"{path}#{offsets[1]}", "read")]


def test_resume_keys_on_the_record_offset(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    archive(path, pages=4)
    assert run(str(path), "-o", str(out)) == 0
    whole = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text(whole[0] + whole[1][:50], encoding="utf-8")  # one record, then a torn line
    assert run(str(path), "-o", str(out), "--resume") == 0
    assert out.read_text(encoding="utf-8").splitlines(keepends=True) == whole


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, grandchildren...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _big_archive(path: Path, pages: int) -> None:
    body = "".join(
        f"<p>Paragraph {i} of a long report on the floods and what the towns do next.</p>" for i in range(150)
    )
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n in range(pages):
            page = ARTICLE.format(n=n).replace("</article>", body + "</article>")
            response(writer, f"https://news.example/{n}.html", page.encode())


def _start(path: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "clean",
            str(path),
            "-o",
            str(out),
            "-q",
            "--workers",
            "2",
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_lines(out: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.05)
    raise AssertionError("the run wrote nothing in two minutes")


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_process_outlives_a_killed_run(tmp_path: Path, how: signal.Signals) -> None:
    path = tmp_path / "big.warc.gz"
    _big_archive(path, 200)
    process = _start(path, tmp_path / "out.jsonl")
    _wait_for_lines(tmp_path / "out.jsonl", 2)
    helpers = _descendants(process.pid)
    assert len(helpers) >= 3  # the fork server, the resource tracker and the workers
    process.send_signal(how)
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in helpers):
        time.sleep(0.1)
    assert not [pid for pid in helpers if _alive(pid)]


@pytest.mark.slow
def test_a_run_killed_part_way_through_an_archive_resumes_to_every_record_once(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    _big_archive(path, 120)
    out = tmp_path / "out.jsonl"
    process = _start(path, out)
    _wait_for_lines(out, 10)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    first = out.read_bytes().count(b"\n")
    assert 10 <= first < 120
    resumed = _start(path, out, "--resume")
    assert resumed.wait(timeout=300) == 0
    sources = [r["source"] for r in lines(out)]
    assert len(sources) == len(set(sources)) == 120
    assert lines(errors_path(out)) == []


def _arc_member(uri: str, date: str, mime: str, content: bytes) -> bytes:
    return gzip.compress(f"{uri} 192.0.2.1 {date} {mime} {len(content)}\n".encode() + content + b"\n")


def test_an_arc_gz_archive_is_read_like_a_warc(tmp_path: Path, out: Path) -> None:
    described = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    page = ARTICLE.format(n=1).encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page
    path = tmp_path / "old.arc.gz"
    path.write_bytes(
        _arc_member("filedesc://old.arc", "20081128101500", "text/plain", described)
        + _arc_member("https://news.example/a", "20081128101500", "text/html", http)
    )
    assert run(str(path), "-o", str(out)) == 0
    (record,) = lines(out)
    assert (record["url"], record["fetched_at"], record["status"]) == (
        "https://news.example/a",
        "2008-11-28T10:15:00Z",
        200,
    )
    assert record["title"] == "Floods hit the delta"


@pytest.mark.parametrize(
    ("content", "stage"),
    [
        (b"", "empty"),
        (gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"), "empty"),
        (b"not an archive at all, just text that ends in .warc.gz", "read"),
        (gzip.compress(b"plain text gzipped, not a WARC record"), "read"),
    ],
    ids=["zero-bytes", "no-html-record", "not-gzip", "not-warc"],
)
def test_an_archive_without_pages_gives_one_error_line(
    tmp_path: Path, out: Path, content: bytes, stage: str
) -> None:
    path = tmp_path / "odd.warc.gz"
    path.write_bytes(content)
    (tmp_path / "ok.txt").write_text("A line of text that makes the run have one input at least.\n")
    assert run(str(path), str(tmp_path / "ok.txt"), "-o", str(out)) == 0
    errors = lines(errors_path(out))
    assert len(errors) == 1 and errors[0]["stage"] == stage
    assert str(errors[0]["source"]).startswith(str(path))
