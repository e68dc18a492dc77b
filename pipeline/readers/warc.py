"""Web archives (`.warc`, `.warc.gz`, `.arc.gz`): every HTML response record a document, read by
reference (the archive's path and the record's offset) so that the worker that processes it reads it.

The scan walks the archive record by record (gzip member by member) and reads only each record's
headers; a truncated or corrupt record is one error line, and in a gzipped archive the walk goes on at
the next whole member. A worker reads its record's payload with warcio, which undoes chunked transfer
and Content-Encoding as the crawl's archive stored them.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from pipeline.document import Document, DocumentError, Unreadable
from pipeline.readers.files import open_regular, read_capped

_CHUNK = 64 * 1024
_HEAD = 64 * 1024  # WARC and HTTP headers of a record must fit in this many bytes
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class WarcOrigin:
    """One record of a web archive: its payload (HTTP body, decoded of any transfer or content encoding)."""

    path: str
    offset: int

    def load(self, max_bytes: int) -> bytes:
        from warcio.archiveiterator import ArchiveIterator

        try:
            with open_regular(self.path) as handle:
                handle.seek(self.offset)
                raw = _member(handle, max_bytes) if self.path.lower().endswith(".gz") else handle
                for record in ArchiveIterator(raw, check_digests=False):
                    return read_capped(record.content_stream(), max_bytes)
        except (OSError, EOFError, ValueError, zlib.error) as error:
            raise DocumentError("read", f"cannot read the archive record: {error}") from error
        raise DocumentError("read", "no archive record at this offset")


def _member(handle: IO[bytes], max_bytes: int) -> BytesIO:
    """The gzip member starting at the handle's position, decompressed (at most max_bytes + headers)."""
    inflate = zlib.decompressobj(31)
    out = BytesIO()
    while not inflate.eof:
        chunk = handle.read(_CHUNK)
        if not chunk:
            raise EOFError("the record's gzip member is truncated")
        out.write(inflate.decompress(chunk))
        if out.tell() > max_bytes + _HEAD:
            raise DocumentError("read", f"larger than {max_bytes} bytes (raise it with --max-bytes)")
    out.seek(0)
    return out


@dataclass(frozen=True)
class Record:
    """What the scan reads of one record: its offset, WARC headers, HTTP status and headers."""

    offset: int
    warc: dict[str, str]
    status: int | None
    http: dict[str, str]


class Damaged(Exception):
    """The archive cannot be read at `offset`; `resume` is where reading can go on (None: nowhere)."""

    def __init__(self, offset: int, message: str, resume: int | None) -> None:
        super().__init__(message)
        self.offset = offset
        self.resume = resume


def read_archive(path: str, passed: Counter[str]) -> Iterator[Document]:
    """The documents of an archive: its HTML response records, then one error line per damaged stretch.
    Records that are not HTML responses are counted in `passed` by kind (request, metadata, revisit,
    warcinfo, non-html)."""
    try:
        handle = open_regular(path)
    except (OSError, DocumentError) as error:
        stage = error.stage if isinstance(error, DocumentError) else "read"
        reason = error.message if isinstance(error, DocumentError) else f"cannot open: {error}"
        yield Document(path, None, origin=Unreadable(stage, reason))
        return
    given = 0
    with handle:
        scan = _gzip_records(handle) if path.lower().endswith(".gz") else _plain_records(handle)
        for found in scan:
            given += 1
            if isinstance(found, Damaged):
                message = f"{found} (from byte {found.offset}" + (
                    f" to byte {found.resume})" if found.resume is not None else " to the end)"
                )
                yield Document(f"{path}#{found.offset}", None, origin=Unreadable("read", message))
                continue
            kind = _kind(found)
            if kind != "html":
                passed[kind] += 1
                given -= 1
                continue
            yield Document(
                f"{path}#{found.offset}",
                "html",
                origin=WarcOrigin(path, found.offset),
                url=found.warc.get("warc-target-uri"),
                content_type=found.http.get("content-type"),
                fetched_at=_utc(found.warc.get("warc-date")),
                status=found.status,
            )
    if not given:  # every input gives a record or an error line, an archive without pages too
        yield Document(path, None, origin=Unreadable("empty", "the archive holds no HTML response record"))


def _kind(record: Record) -> str:
    warc_type = record.warc.get("warc-type", "unknown")
    if warc_type not in ("response", "resource"):
        return warc_type
    declared = record.warc.get("warc-identified-payload-type") or record.http.get("content-type") or ""
    return "html" if declared.split(";")[0].strip().lower() in _HTML_TYPES else "non-html"


def _utc(date: str | None) -> str | None:
    """A WARC-Date as the contract's fetched_at: to the second, with Z."""
    if not date:
        return None
    date = date.strip()
    if date.endswith("Z") and "." in date:
        date = date.split(".")[0] + "Z"
    return date


def _gzip_records(handle: IO[bytes]) -> Iterator[Record | Damaged]:
    """Records of a gzipped archive, one gzip member each, read as one stream (the bytes after a member
    start the next); a corrupt member is reported and the walk goes on at the next member that inflates."""
    offset, pending = 0, b""
    while True:
        try:
            head, used, pending = _inflate_member(handle, pending)
        except EOFError as error:
            yield Damaged(offset, f"truncated archive: {error}", None)
            return
        except zlib.error as error:
            resume = _next_member(handle, offset + 1)
            yield Damaged(offset, f"corrupt gzip member: {error}", resume)
            if resume is None:
                return
            handle.seek(resume)
            offset, pending = resume, b""
            continue
        if not used:
            return
        try:
            yield _parse(offset, head)
        except ValueError as error:
            yield Damaged(offset, f"not a WARC record: {error}", offset + used)
        offset += used


def _inflate_member(handle: IO[bytes], pending: bytes) -> tuple[bytes, int, bytes]:
    """The first bytes of the member that `pending` and then the handle hold, the compressed bytes it
    used, and the bytes read after it; (b"", 0, b"") at the end of the archive."""
    inflate = zlib.decompressobj(31)
    head = bytearray()
    used = 0
    chunk = pending or handle.read(_CHUNK)
    if not chunk:
        return b"", 0, b""
    while True:
        data = inflate.decompress(chunk)
        if len(head) < _HEAD:
            head += data[: _HEAD - len(head)]
        if inflate.eof:
            rest = inflate.unused_data
            return bytes(head), used + len(chunk) - len(rest), rest
        used += len(chunk)
        chunk = handle.read(_CHUNK)
        if not chunk:
            raise EOFError("the last record's gzip member ends before its end")


def _next_member(handle: IO[bytes], start: int) -> int | None:
    """The offset of the next gzip member at or after `start` that inflates, or None."""
    position = start
    while True:
        handle.seek(position)
        window = handle.read(_CHUNK + len(_GZIP_MAGIC))
        if len(window) < len(_GZIP_MAGIC):
            return None
        found = window.find(_GZIP_MAGIC)
        if found < 0:
            position += len(window) - len(_GZIP_MAGIC) + 1
            continue
        candidate = position + found
        handle.seek(candidate)
        try:
            inflate = zlib.decompressobj(31)
            inflate.decompress(handle.read(4096))
            return candidate
        except zlib.error:
            position = candidate + 1


def _plain_records(handle: IO[bytes]) -> Iterator[Record | Damaged]:
    """Records of an uncompressed archive, found by their Content-Length."""
    offset = 0
    while True:
        handle.seek(offset)
        head = handle.read(_HEAD)
        if not head.strip():
            return
        try:
            record = _parse(offset, head)
            length = int(record.warc.get("content-length", ""))
        except ValueError as error:
            yield Damaged(offset, f"not a WARC record: {error}", None)
            return
        block = head.index(b"\r\n\r\n") + 4
        end = offset + block + length + 4  # the block, then CRLF CRLF
        handle.seek(0, 2)
        if end - 4 > handle.tell():
            yield Damaged(offset, "truncated archive: the last record ends before its Content-Length", None)
            return
        yield record
        offset = end


def _parse(offset: int, head: bytes) -> Record:
    """WARC headers (or an ARC record's header line), then for a response the HTTP status and headers;
    raise ValueError if malformed."""
    if head.startswith(b"WARC/"):
        block, _, rest = head.partition(b"\r\n\r\n")
        warc = _headers(block.split(b"\r\n")[1:])
    else:
        warc, rest = _arc_header(head)
    status: int | None = None
    http: dict[str, str] = {}
    if warc.get("content-type", "").startswith("application/http") and rest.startswith(b"HTTP/"):
        http_block = rest.partition(b"\r\n\r\n")[0].split(b"\r\n")
        parts = http_block[0].split()
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        http = _headers(http_block[1:])
    return Record(offset, warc, status, http)


def _arc_header(head: bytes) -> tuple[dict[str, str], bytes]:
    """An ARC (version 1) record's header line, `URL IP DATE MIME LENGTH`, as the WARC headers it stands
    for, and the bytes after it."""
    line, newline, rest = head.partition(b"\n")
    fields = line.decode("utf-8", "replace").split(" ")
    if not newline or len(fields) != 5 or not fields[4].isdigit() or len(fields[2]) != 14:
        raise ValueError("neither a WARC version line nor an ARC record header")
    uri, _ip, date, mime, _length = fields
    stamp = f"{date[:4]}-{date[4:6]}-{date[6:8]}T{date[8:10]}:{date[10:12]}:{date[12:14]}Z"
    warc = {
        "warc-type": "warcinfo" if uri.startswith("filedesc:") else "response",
        "warc-target-uri": uri,
        "warc-date": stamp,
        "content-type": "application/http" if rest.startswith(b"HTTP/") else mime,
    }
    return warc, rest


def _headers(lines: list[bytes]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if colon:
            found.setdefault(name.strip().decode("latin-1").lower(), value.strip().decode("utf-8", "replace"))
    return found
