"""Web archives through `clean`: which records are documents, their fields, damaged archives, resume,
a run killed part-way, and worker processes that end with their run."""

from __future__ import annotations

import gzip
import json
import random
import signal
import subprocess
import sys
import time
import zlib
from io import BytesIO
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.cli import main
from pipeline.readers import warc
from pipeline.record import schema
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
    date: str = DATE,
) -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
    headers = {"WARC-Date": date, **({"WARC-Identified-Payload-Type": identified} if identified else {})}
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


# Damaged and hostile archives: every walk moves forward, and every value written fits the schema.


def record_bytes(
    url: str,
    *,
    status: str = "200 OK",
    date: str = DATE,
    cookie: str | None = None,
    body: bytes | None = None,
) -> bytes:
    """One response record of a news page, uncompressed; a Set-Cookie header comes before Content-Type."""
    cookies = [("Set-Cookie", cookie)] if cookie is not None else []
    http = StatusAndHeaders(status, [*cookies, ("Content-Type", "text/html")], protocol="HTTP/1.1")
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    payload = BytesIO(ARTICLE.format(n=len(url) % 10).encode() if body is None else body)
    record = writer.create_warc_record(
        url, "response", payload=payload, http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)
    return buffer.getvalue()


def with_length(record: bytes, length: str) -> bytes:
    """The record with its WARC Content-Length replaced."""
    head, _, rest = record.partition(b"\r\n\r\n")
    lines = [
        b"Content-Length: " + length.encode() if line.lower().startswith(b"content-length:") else line
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + rest


def write_archive(path: Path, records: list[bytes]) -> list[int]:
    """The records as an archive, one gzip member each when the name ends in .gz; their offsets."""
    members = [gzip.compress(r) for r in records] if path.name.endswith(".gz") else records
    path.write_bytes(b"".join(members))
    return [sum(len(m) for m in members[:n]) for n in range(len(members))]


def offsets_of(out: Path) -> list[int]:
    return [int(str(r["source"]).rsplit("#", 1)[1]) for r in lines(out)]


def three_pages() -> list[bytes]:
    return [record_bytes(f"https://news.example/{n}.html") for n in range(3)]


def _header_end(record: bytes) -> int:
    return record.index(b"\r\n\r\n") + 4


# A bad length as a function of the record's offset and the length of its WARC headers.
BAD_LENGTHS = {
    "negative": lambda offset, head: "-1500",
    # What the walk that added the length to the offset read next: this record again, the first one.
    "back-to-this-record": lambda offset, head: str(-(head + 4)),
    "back-to-the-start": lambda offset, head: str(-(offset + head + 4)),
    "not-a-number": lambda offset, head: "12ab",
    "empty": lambda offset, head: "",
    "beyond-the-end": lambda offset, head: "1000000000",
    "larger-than-any-file": lambda offset, head: "9" * 30,
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
@pytest.mark.parametrize("bad", BAD_LENGTHS)
def test_a_bad_content_length_is_one_error_line_and_the_records_after_it_are_read(
    tmp_path: Path, out: Path, name: str, bad: str
) -> None:
    records = three_pages()
    plain_offset = len(records[0])
    records[1] = with_length(records[1], BAD_LENGTHS[bad](plain_offset, _header_end(records[1])))
    path = tmp_path / name
    offsets = write_archive(path, records)
    assert run(str(path), "-o", str(out)) == 0
    assert offsets_of(out) == [offsets[0], offsets[2]]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#{offsets[1]}", "read")
    assert "length" in str(error["error"]).lower()
    assert str(error["error"]).endswith(f"to byte {offsets[2]})")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bad", ["negative", "back-to-the-start", "not-a-number", "beyond-the-end"])
def test_a_bad_content_length_in_the_last_record_of_a_plain_warc_is_one_error_line_to_the_end(
    tmp_path: Path, out: Path, bad: str
) -> None:
    records = three_pages()
    last_offset = len(records[0]) + len(records[1])
    records[2] = with_length(records[2], BAD_LENGTHS[bad](last_offset, _header_end(records[2])))
    path = tmp_path / "crawl.warc"
    offsets = write_archive(path, records)
    assert run(str(path), "-o", str(out)) == 0
    assert offsets_of(out) == offsets[:2]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#{offsets[2]}", "read")
    assert str(error["error"]).endswith("to the end)")


@pytest.mark.timeout(60)
def test_a_plain_warc_reads_on_at_the_next_record_after_bytes_that_are_not_one(
    tmp_path: Path, out: Path
) -> None:
    records = three_pages()
    records.insert(1, b"garbage between two records\r\n" * 3)
    path = tmp_path / "crawl.warc"
    offsets = write_archive(path, records)
    assert run(str(path), "-o", str(out)) == 0
    assert offsets_of(out) == [offsets[0], offsets[2], offsets[3]]
    (error,) = lines(errors_path(out))
    assert error["source"] == f"{path}#{offsets[1]}"
    assert str(error["error"]).startswith("not a WARC record")


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
@pytest.mark.parametrize("long", ["set-cookie", "uri"])
def test_headers_over_64_kib_are_read_and_the_records_after_them_too(
    tmp_path: Path, out: Path, name: str, long: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://news.example/0.html" + ("?q=" + "q" * 70_000 if long == "uri" else "")
    cookie = "session=" + "c" * 70_000 if long == "set-cookie" else None
    path = tmp_path / name
    offsets = write_archive(path, [record_bytes(url, cookie=cookie), record_bytes("https://news.example/1")])
    assert run(str(path), "-o", str(out)) == 0
    records = lines(out)
    assert [(r["url"], r["title"]) for r in records] == [
        (url, "Floods hit the delta"),
        ("https://news.example/1", "Floods hit the delta"),
    ]
    assert offsets_of(out) == offsets
    assert lines(errors_path(out)) == []
    assert "non-html" not in capsys.readouterr().err


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
@pytest.mark.parametrize("long", ["set-cookie", "uri"])
def test_headers_over_4_mib_are_one_error_line_and_the_records_after_them_are_read(
    tmp_path: Path, out: Path, name: str, long: str
) -> None:
    size = 4 * 1024 * 1024
    url = "https://news.example/0.html" + ("?q=" + "q" * size if long == "uri" else "")
    cookie = "session=" + "c" * size if long == "set-cookie" else None
    path = tmp_path / name
    records = [record_bytes(url, cookie=cookie), *three_pages()[1:]]
    offsets = write_archive(path, records)
    assert run(str(path), "-o", str(out)) == 0
    assert offsets_of(out) == offsets[1:]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#0", "read")
    assert "headers do not end within" in str(error["error"])


@pytest.mark.parametrize("format", ["jsonl", "parquet"])
@pytest.mark.parametrize(
    ("status_line", "status"),
    [
        ("200 OK", 200),
        ("404 Not Found", 404),
        ("12345678901234567890 OK", None),
        ("999 Request Denied", None),
        ("99 Low", None),
        ("2OO OK", None),
    ],
    ids=["200", "404", "20-digits", "999", "two-digits", "not-digits"],
)
def test_an_http_status_that_is_not_three_digits_from_100_to_599_is_null(
    tmp_path: Path, format: str, status_line: str, status: int | None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_archive(path, [record_bytes("https://news.example/a", status=status_line), *three_pages()[1:]])
    out = tmp_path / f"clean.{format}"
    assert run(str(path), "-o", str(out), "--format", format, "--status", "any") == 0
    if format == "parquet":
        found = pq.read_table(out).column("status").to_pylist()
    else:
        found = [r["status"] for r in lines(out)]
    assert found == [status, 200, 200]
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("warc_date", "fetched_at"),
    [
        ("2024-11-28T10:15:00Z", "2024-11-28T10:15:00Z"),
        ("2024-11-05T12:00:00+02:00", "2024-11-05T10:00:00Z"),
        ("2024-11-05T22:30:00-05:00", "2024-11-06T03:30:00Z"),
        ("2024-11-28T10:15:00.123456789Z", "2024-11-28T10:15:00Z"),
        ("2024-11-05", "2024-11-05T00:00:00Z"),
        ("20241128101500", "2024-11-28T10:15:00Z"),
        ("2024-13-01T00:00:00Z", None),
        ("yesterday", None),
    ],
    ids=[
        "utc",
        "offset-east",
        "offset-west-next-day",
        "nanoseconds",
        "bare-date",
        "14-digits",
        "month-13",
        "words",
    ],
)
def test_fetched_at_is_the_warc_date_in_utc_to_the_second_or_null(
    tmp_path: Path, out: Path, warc_date: str, fetched_at: str | None
) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_archive(path, [record_bytes("https://news.example/a", date=warc_date)])
    assert run(str(path), "-o", str(out)) == 0
    assert [r["fetched_at"] for r in lines(out)] == [fetched_at]


def _arc_page(url: str, date: str = "20081128101500", length: str | None = None) -> bytes:
    page = ARTICLE.format(n=1).encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page
    header = f"{url} 192.0.2.1 {date} text/html {length if length is not None else len(http)}\n"
    return header.encode() + http + b"\n"


@pytest.mark.parametrize(
    ("date", "fetched_at"),
    [("20081128101500", "2008-11-28T10:15:00Z"), ("20081399101500", None)],
    ids=["valid", "month-13"],
)
def test_an_arc_date_is_fetched_at_in_utc_or_null(
    tmp_path: Path, out: Path, date: str, fetched_at: str | None
) -> None:
    path = tmp_path / "old.arc.gz"
    write_archive(path, [_arc_page("https://news.example/a", date)])
    assert run(str(path), "-o", str(out)) == 0
    assert [r["fetched_at"] for r in lines(out)] == [fetched_at]


@pytest.mark.parametrize("length", ["-5", "12ab", "99999999"], ids=["negative", "not-a-number", "beyond"])
def test_a_bad_arc_record_length_is_one_error_line_and_the_records_after_it_are_read(
    tmp_path: Path, out: Path, length: str
) -> None:
    path = tmp_path / "old.arc.gz"
    urls = [f"https://news.example/{n}" for n in range(3)]
    records = [_arc_page(urls[0]), _arc_page(urls[1], length=length), _arc_page(urls[2])]
    offsets = write_archive(path, records)
    assert run(str(path), "-o", str(out)) == 0
    assert [r["url"] for r in lines(out)] == [urls[0], urls[2]]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#{offsets[1]}", "read")


def hostile_archive(path: Path) -> list[int]:
    """An archive with one of each defect users reported, and a sound record after each."""
    records = [
        record_bytes("https://news.example/0", date="2024-11-05T12:00:00+02:00"),
        with_length(record_bytes("https://news.example/bad"), "-1500"),
        record_bytes("https://news.example/1", status="12345678901234567890 OK"),
        record_bytes("https://news.example/2", cookie="c=" + "c" * 70_000),
        record_bytes("https://news.example/3", date="2024-11-05"),
    ]
    return write_archive(path, records)


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
@pytest.mark.parametrize("format", ["jsonl", "parquet"])
def test_the_command_on_a_hostile_archive_exits_0_and_writes_only_schema_valid_records(
    tmp_path: Path, name: str, format: str
) -> None:
    path = tmp_path / name
    offsets = hostile_archive(path)
    out = tmp_path / f"clean.{format}"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", str(path), "-o", str(out), "--format", format],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert (done.returncode, "Traceback" in done.stderr) == (0, False)
    records = pq.read_table(out).to_pylist() if format == "parquet" else lines(out)
    validator = jsonschema.Draft202012Validator(schema("record"))
    assert [list(validator.iter_errors(r)) for r in records] == [[]] * 4
    assert [(r["fetched_at"], r["status"]) for r in records] == [
        ("2024-11-05T10:00:00Z", 200),
        (DATE, None),
        (DATE, 200),
        ("2024-11-05T00:00:00Z", 200),
    ]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#{offsets[1]}", "read")


# Archives gzipped whole, or in members of several records: every record is read.


def pages(count: int) -> list[bytes]:
    """Response records of pages that differ (a comment of random digits each), so that their gzip
    stream holds the records one after the other rather than in a few repeated strings."""
    found = []
    for n in range(count):
        noise = "".join(random.Random(n).choices("0123456789", k=4000))
        body = ARTICLE.format(n=n).replace("</body>", f"<!-- {noise} --></body>").encode()
        found.append(record_bytes(f"https://news.example/{n}.html", body=body))
    return found


def grouped_archive(path: Path, groups: list[list[bytes]]) -> list[str]:
    """The groups of records as one gzip member each; the address of every record (the member's offset,
    then `+` and the record's offset in the member when it is not the first)."""
    addresses, offset = [], 0
    members = []
    for group in groups:
        within = 0
        for record in group:
            addresses.append(f"{offset}+{within}" if within else str(offset))
            within += len(record)
        members.append(gzip.compress(b"".join(group)))
        offset += len(members[-1])
    path.write_bytes(b"".join(members))
    return addresses


def addresses_of(out: Path) -> list[str]:
    return [str(r["source"]).rsplit("#", 1)[1] for r in lines(out)]


@pytest.mark.parametrize("carried", [True, False], ids=["carried", "read-again"])
def test_an_archive_gzipped_as_one_stream_gives_every_record(
    tmp_path: Path, out: Path, carried: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not carried:  # every record after the first is read again from the member's start by the worker
        monkeypatch.setattr(warc, "_CARRIED", 0)
    plain = tmp_path / "crawl.warc"
    urls = archive(plain, pages=4, gzipped=False)
    assert run(str(plain), "-o", str(tmp_path / "plain.jsonl")) == 0
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    assert run(str(path), "-o", str(out)) == 0
    records = lines(out)
    assert [r["url"] for r in records] == urls
    assert [r["text"] for r in records] == [r["text"] for r in lines(tmp_path / "plain.jsonl")]
    assert all(str(r["source"]).startswith(f"{path}#0+") for r in records)
    assert lines(errors_path(out)) == []


def test_members_of_several_records_are_read_to_their_last_record(tmp_path: Path, out: Path) -> None:
    records = pages(6)
    path = tmp_path / "crawl.warc.gz"
    addresses = grouped_archive(path, [records[:3], records[3:4], records[4:]])
    assert run(str(path), "-o", str(out)) == 0
    assert addresses_of(out) == addresses
    assert [r["url"] for r in lines(out)] == [f"https://news.example/{n}.html" for n in range(6)]
    assert lines(errors_path(out)) == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bad", BAD_LENGTHS)
def test_a_bad_content_length_inside_a_member_is_one_error_line_and_the_records_after_it_are_read(
    tmp_path: Path, out: Path, bad: str
) -> None:
    records = pages(3)
    records[1] = with_length(records[1], BAD_LENGTHS[bad](len(records[0]), _header_end(records[1])))
    path = tmp_path / "crawl.warc.gz"
    addresses = grouped_archive(path, [records])
    assert run(str(path), "-o", str(out)) == 0
    assert addresses_of(out) == [addresses[0], addresses[2]]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#{addresses[1]}", "read")
    assert str(error["error"]).endswith(f"to byte {addresses[2]})")


def test_an_archive_gzipped_whole_and_cut_short_keeps_every_whole_record_and_gives_one_error(
    tmp_path: Path, out: Path
) -> None:
    records = pages(8)
    path = tmp_path / "crawl.warc.gz"
    addresses = grouped_archive(path, [records])
    data = path.read_bytes()
    cut = data[: len(data) // 2]
    path.write_bytes(cut)
    inflated = len(zlib.decompressobj(31).decompress(cut))
    ends = [sum(len(r) for r in records[: n + 1]) - 4 for n in range(len(records))]  # without the CRLFs
    whole = sum(1 for end in ends if end <= inflated)
    assert 0 < whole < len(records)
    assert run(str(path), "-o", str(out)) == 0
    assert addresses_of(out) == addresses[:whole]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#{addresses[whole]}", "read")
    assert "truncated" in str(error["error"])


def test_resume_of_an_archive_gzipped_whole_writes_every_record_once(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    grouped_archive(path, [pages(4)])
    assert run(str(path), "-o", str(out)) == 0
    whole = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text(whole[0] + whole[1][:50], encoding="utf-8")
    assert run(str(path), "-o", str(out), "--resume") == 0
    assert out.read_text(encoding="utf-8").splitlines(keepends=True) == whole


def test_bytes_that_are_no_record_up_to_the_cut_of_an_archive_gzipped_whole_are_one_error_line(
    tmp_path: Path, out: Path
) -> None:
    noise = "".join(random.Random(7).choices("0123456789", k=300_000)).encode()
    records = [*pages(2), b"not a record\r\n" + noise]  # a stretch longer than the scan's first look
    path = tmp_path / "crawl.warc.gz"
    addresses = grouped_archive(path, [records])
    data = path.read_bytes()
    inside = sum(len(r) for r in records[:2]) + 200_000  # inflated bytes that end inside the stretch
    path.write_bytes(data[: _cut_after(data, inside)])
    assert run(str(path), "-o", str(out)) == 0
    assert addresses_of(out) == addresses[:2]
    (error,) = lines(errors_path(out))
    assert (error["source"], error["stage"]) == (f"{path}#{addresses[2]}", "read")
    assert "truncated" in str(error["error"]) and str(error["error"]).endswith("to the end)")


def _cut_after(data: bytes, inflated: int) -> int:
    """The fewest bytes of a gzip stream that inflate to more than `inflated` bytes."""
    low, high = 0, len(data)
    while low < high:
        middle = (low + high) // 2
        if len(zlib.decompressobj(31).decompress(data[:middle])) > inflated:
            high = middle
        else:
            low = middle + 1
    return low
