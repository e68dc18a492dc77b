"""Every fetched response written to a WARC file, so that a crawl can be cleaned again without refetching.

A downloader middleware placed next to the downloader: it sees each response as the server sent it
(redirects, error statuses, robots.txt, sitemaps and feeds included; bodies still content-encoded),
before Scrapy decompresses or follows it. Enabled by the ARCHIVE_WARC setting (a path; `.gz` gzips
each record).
"""

from __future__ import annotations

from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.crawl.items import utc_now

# Twisted has already undone chunking; the header would make WARC readers try again.
_DROPPED_HEADERS = frozenset({b"transfer-encoding"})


class WarcArchive:
    def __init__(self, path: Path, software: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.count = 0
        self._handle: IO[bytes] = path.open("wb")
        self._writer = WARCWriter(self._handle, gzip=path.name.endswith(".gz"))
        fields = {"software": software, "format": "WARC File Format 1.0"}
        info = self._writer.create_warcinfo_record(path.name, fields)
        self._writer.write_record(info)
        self._handle.flush()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchive:
        target = crawler.settings.get("ARCHIVE_WARC")
        if not target:
            raise NotConfigured  # no message: Scrapy then logs nothing
        archive = cls(Path(target), str(crawler.settings.get("USER_AGENT")))
        crawler.signals.connect(archive.close, signal=signals.spider_closed)
        return archive

    def process_response(self, request: Request, response: Response) -> Response:
        if not self._handle.closed:
            self.write(response)
        return response

    def write(self, response: Response) -> None:
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in response.headers.items()
            if name.lower() not in _DROPPED_HEADERS
            for value in values
        ]
        status = f"{response.status} {_reason(response.status)}"
        http_headers = StatusAndHeaders(status, headers, protocol=response.protocol or "HTTP/1.1")
        warc_headers = {"WARC-Date": utc_now()}
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        record = self._writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        self._writer.write_record(record)
        self._handle.flush()  # whole records on disk as the crawl goes
        self.count += 1

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
