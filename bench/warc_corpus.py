"""Build a CC-NEWS-shaped `.warc.gz` from the benchmark pages in ../shared/benchmarks (never committed).

Like a Common Crawl news file: a warcinfo record, then per page a request, a response (HTTP headers,
WARC-Identified-Payload-Type) and a metadata record; a few non-HTML responses and revisit records; and
a truncated last record. `--files DIR` also writes the same pages as `.html` files, for comparisons.

    python bench/warc_corpus.py output/bench/cc-news.warc.gz --copies 4 --files output/bench/pages
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
SETS = ("zyte", "l3s-gn1", "fundus-tests")
START = datetime(2024, 11, 28, 10, 0, 0, tzinfo=UTC)


def pages(data: Path, copies: int) -> Iterator[tuple[str, str, bytes]]:
    """(name, url, html bytes) of every benchmark page, `copies` times with distinct URLs."""
    found: list[tuple[str, str, Path]] = []
    for name in SETS:
        folder = data / name
        if not folder.is_dir():
            continue
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        for path in sorted((folder / "html").glob("*.html.gz")):
            stem = path.name.removesuffix(".html.gz")
            url = (truth.get(stem) or {}).get("url") or f"https://{name}.example/{stem}"
            found.append((f"{name}-{stem}", url, path))
    for copy in range(copies):
        for name, url, path in found:
            suffix = "" if copy == 0 else f"{'&' if '?' in url else '?'}copy={copy}"
            yield (f"{name}-{copy}", url + suffix, gzip.decompress(path.read_bytes()))


def _when(n: int) -> str:
    return (START + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str, n: int, *, identified: str | None
) -> None:
    http = StatusAndHeaders(
        "200 OK",
        [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Server", "nginx")],
        protocol="HTTP/1.1",
    )
    headers = {"WARC-Date": _when(n)}
    if identified:
        headers["WARC-Identified-Payload-Type"] = identified
    record = writer.create_warc_record(
        url, "response", payload=BytesIO(body), http_headers=http, warc_headers_dict=headers
    )
    writer.write_record(record)


def build(target: Path, data: Path, copies: int, files: Path | None) -> dict[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    counts = {"html": 0, "other": 0, "revisit": 0, "request": 0, "metadata": 0}
    if files is not None:
        files.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(target.name, {"software": "newsclean bench"}))
        for n, (name, url, html) in enumerate(pages(data, copies)):
            request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("User-Agent", "bench")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            counts["request"] += 1
            _response(writer, url, html, "text/html; charset=utf-8", n, identified="text/html")
            counts["html"] += 1
            meta = writer.create_warc_record(
                url,
                "metadata",
                payload=BytesIO(b"fetchTimeMs: 120\r\n"),
                warc_content_type="application/warc-fields",
            )
            writer.write_record(meta)
            counts["metadata"] += 1
            if files is not None:
                (files / f"{name}.html").write_bytes(html)
            if n % 100 == 50:  # a few non-HTML responses and revisits, as a news crawl has
                _response(
                    writer,
                    url + ".pdf",
                    b"%PDF-1.4 not a page",
                    "application/pdf",
                    n,
                    identified="application/pdf",
                )
                _response(writer, url + ".css", b"body{}", "text/css", n, identified=None)
                revisit = writer.create_revisit_record(url, "sha1:AAAA", url, _when(n - 1))
                writer.write_record(revisit)
                counts["other"] += 2
                counts["revisit"] += 1
        # A last response cut in the middle of its gzip member, as a download that stopped.
        tail = BytesIO()
        cut = WARCWriter(tail, gzip=True)
        _response(
            cut,
            "https://truncated.example/last",
            b"<html><body><p>cut</p></body></html>" * 50,
            "text/html",
            0,
            identified="text/html",
        )
        handle.write(tail.getvalue()[: len(tail.getvalue()) // 2])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("target", type=Path)
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared benchmarks folder")
    parser.add_argument("--copies", type=int, default=1, help="each page this many times (distinct URLs)")
    parser.add_argument("--files", type=Path, help="also write the pages as .html files here")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data} is absent: the shared benchmarks are not beside this checkout")
    counts = build(args.target, args.data, args.copies, args.files)
    size = os.path.getsize(args.target)
    print(f"{args.target}: {size / 1e6:.1f} MB, " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
