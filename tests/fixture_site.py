"""The fixture news site (tests/site/www) served by a real HTTP server on 127.0.0.1, ephemeral port.

Besides the static files: `{{site}}` in text files becomes the server's base URL, a `.gz` path
serves the gzipped file without the suffix, the paths of REDIRECTS redirect (in a loop, to themselves,
out of the site), the oversize pages are generated on request (one with a Content-Length, one sent in
chunks without), /chain/N.xml is a sitemap index naming /chain/N+1.xml, and every request path is
logged so that tests can count fetches.
"""

from __future__ import annotations

import gzip
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

SITE_DIR = Path(__file__).resolve().parent / "site" / "www"
GOLD_DIR = Path(__file__).resolve().parent / "site" / "gold"

REDIRECTS = {
    "/story/4521": "/2024/11/ferry-timetable-changes.html",
    "/loop/a": "/loop/b",
    "/loop/b": "/loop/a",
    "/self-redirect": "/self-redirect",
    "/moved-away": "http://elsewhere.example/moved/",
}
OVERSIZE_PATH = "/2024/11/budget-papers.html"
# Over the size cap too, but sent in chunks: no Content-Length tells the size beforehand.
CHUNKED_OVERSIZE_PATH = "/2024/11/budget-annex.html"
CHAIN_LENGTH = 200
# Larger than the DOWNLOAD_MAXSIZE the crawl tests set; every other page is far below it.
OVERSIZE_BYTES = 300_000
TEST_MAXSIZE = 100_000

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
}
_FEED_TYPES = {
    "/feed.xml": "application/rss+xml; charset=utf-8",
    "/atom.xml": "application/atom+xml; charset=utf-8",
}


def oversize_page() -> bytes:
    """An article page over the size cap: the same paragraph repeated."""
    paragraph = "<p>Line 4.2.1 of the harbour budget covers the maintenance of quays, cranes and buoys.</p>\n"
    head = "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Budget papers</title>"
    head += "<meta property='og:type' content='article'></head><body><article><h1>The budget papers</h1>\n"
    body = paragraph * (OVERSIZE_BYTES // len(paragraph) + 1)
    return (head + body + "</article></body></html>").encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, delay: float, delays: dict[str, float], held: frozenset[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.delay = delay
        self.delays = delays
        self.held = held
        self.gate = threading.Event()
        self.requests: list[str] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """A crawler that hung up (killed, or stopped with pages under way) is no error of the site's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append(self.path)
        path = urlsplit(self.path).path
        if self.server.delay and path.endswith(".html"):
            time.sleep(self.server.delay)
        if path in self.server.delays:
            time.sleep(self.server.delays[path])
        if path in self.server.held:
            self.server.gate.wait(timeout=60)
        if path in REDIRECTS:
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/html", location=REDIRECTS[path])
        elif path == OVERSIZE_PATH:
            self._send(HTTPStatus.OK, oversize_page(), _TYPES[".html"])
        elif path == CHUNKED_OVERSIZE_PATH:
            self._send_chunked(oversize_page())
        elif path.startswith("/chain/") and path.endswith(".xml"):
            self._chain(path)
        else:
            self._static(path)

    def _chain(self, path: str) -> None:
        number = path.removeprefix("/chain/").removesuffix(".xml")
        if not number.isdigit() or int(number) >= CHAIN_LENGTH:
            self._send(HTTPStatus.NOT_FOUND, b"", _TYPES[".xml"])
            return
        child = f"{self.server.base_url}/chain/{int(number) + 1}.xml"
        index = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        body = f"{index}<sitemap><loc>{child}</loc></sitemap></sitemapindex>"
        self._send(HTTPStatus.OK, body.encode("utf-8"), _TYPES[".xml"])

    def _send_chunked(self, body: bytes, size: int = 16384) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", _TYPES[".html"])
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for start in range(0, len(body), size):
                chunk = body[start : start + size]
                self.wfile.write(f"{len(chunk):x}\r\n".encode("ascii") + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up at its size cap

    def _static(self, path: str) -> None:
        compressed = path.endswith(".gz")
        file = self._file(path[: -len(".gz")] if compressed else path)
        if file is None:
            self._send(HTTPStatus.NOT_FOUND, self._render(self.server.root / "404.html"), _TYPES[".html"])
            return
        body = self._render(file)
        if compressed:
            self._send(HTTPStatus.OK, gzip.compress(body, mtime=0), _TYPES[".gz"])
        else:
            self._send(HTTPStatus.OK, body, _FEED_TYPES.get(path) or _TYPES.get(file.suffix, "text/plain"))

    def _file(self, path: str) -> Path | None:
        root = self.server.root.resolve()
        file = (root / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file() or root not in file.parents or file.name == "404.html":
            return None
        return file

    def _render(self, file: Path) -> bytes:
        return file.read_bytes().replace(b"{{site}}", self.server.base_url.encode("ascii"))

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the tests read `requests`; no access log on stderr


class FixtureSite:
    """Serve a site folder in a background thread: `with FixtureSite() as site: site.url`.

    `delay` slows every .html page; `delays` slows the paths it names by their seconds; the paths `held`
    are answered only once `release()` is called (a minute at most), so that a test can act while a
    crawl is sure to have work under way.
    """

    def __init__(
        self,
        root: Path = SITE_DIR,
        delay: float = 0.0,
        delays: dict[str, float] | None = None,
        held: frozenset[str] = frozenset(),
    ) -> None:
        self._server = _Server(root, delay, delays or {}, held)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return self._server.base_url

    @property
    def requests(self) -> list[str]:
        with self._server.lock:
            return list(self._server.requests)

    def release(self) -> None:
        """Answer the held paths (those waiting and those to come)."""
        self._server.gate.set()

    def __enter__(self) -> FixtureSite:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.gate.set()
        self._server.shutdown()
        self._server.server_close()
