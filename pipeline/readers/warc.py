"""Web archives (`.warc`, `.warc.gz`, `.arc.gz`): every HTML response record a document, read by
reference (the archive's path and the record's offset) so that the worker that processes it reads it.

The scan walks the archive record by record, always forward, and reads only each record's headers. A
`.gz` archive is read member by member, and every record of a member is read: one record a member is the
norm, but an archive gzipped whole (one member) or in members of several records is read to its last
record. A truncated or corrupt record, or one whose Content-Length does not fit, is one error line, and
the walk goes on at the next record header found in its member, else at the next gzip member that
inflates, or in a plain `.warc` at the next record header found. A worker reads its record's payload
with warcio, which undoes chunked transfer and Content-Encoding as the crawl's archive stored them.

A record that begins its gzip member is read by reference (the archive's path and the member's offset);
one further into a member is `<member offset>+<its offset in the member's inflated bytes>`, and the scan
hands its bytes to the worker (up to _CARRIED bytes; a larger one is inflated again from its member's
start by the worker), so that an archive gzipped whole is inflated once, not once a record.
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from io import BytesIO
from typing import IO, Any, NoReturn

from pipeline.document import Document, DocumentError, Unreadable
from pipeline.readers.files import open_regular, read_capped
from pipeline.record import http_status, utc_timestamp

_CHUNK = 64 * 1024
# A record's headers (WARC or ARC, then HTTP) of more bytes than this are refused with an error line: a
# long Set-Cookie or URI is read, and the scan's memory stays bounded.
_HEAD_LIMIT = 4 * 1024 * 1024
# A record inside a gzip member (not its first) of at most this many bytes travels with its document;
# a larger one is read again from its member's start by the worker.
_CARRIED = 4 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = b"\nWARC/1."  # a record's first line, after the end of the record before it
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def address(offset: int, within: int = 0) -> str:
    """Where a record is, after the `#` of its source: the offset of its gzip member (of the record, in a
    plain archive), then `+` and its offset in the member's inflated bytes when it is not the first."""
    return f"{offset}+{within}" if within else str(offset)


@dataclass(frozen=True)
class WarcOrigin:
    """One record of a web archive: its payload (HTTP body, decoded of any transfer or content encoding).
    `within` is its offset in its gzip member's inflated bytes; `carried` its bytes, read by the scan."""

    path: str
    offset: int
    within: int = 0
    carried: bytes | None = field(default=None, repr=False)

    def load(self, max_bytes: int) -> bytes:
        from warcio.archiveiterator import ArchiveIterator

        try:
            if self.carried is not None:
                return _payload(ArchiveIterator(BytesIO(self.carried), check_digests=False), max_bytes)
            with open_regular(self.path) as handle:
                handle.seek(self.offset)
                raw: IO[bytes] | _Inflated = handle
                if self.path.lower().endswith(".gz"):
                    raw = _Inflated(handle)
                    if not raw.skip(self.within):
                        raise DocumentError("read", "no archive record at this offset")
                return _payload(ArchiveIterator(raw, check_digests=False), max_bytes)
        except (OSError, EOFError, ValueError, zlib.error) as error:
            raise DocumentError("read", f"cannot read the archive record: {error}") from error


def _payload(records: Iterable[Any], max_bytes: int) -> bytes:
    """The payload of the first record warcio reads."""
    for record in records:
        return read_capped(record.content_stream(), max_bytes)
    raise DocumentError("read", "no archive record at this offset")


class _Inflated:
    """The inflated bytes of the gzip member at the handle's position (after `pending`, bytes read past
    the member before it), read forward, _CHUNK bytes at a time however well they inflate. `ended` once
    the member's last byte is in `buffer`; then `used` is its compressed size and `rest` the bytes read
    after it. `cut` once the file ends inside the member; a corrupt member raises zlib.error."""

    def __init__(self, handle: IO[bytes], pending: bytes = b"") -> None:
        self.handle = handle
        self.inflate = zlib.decompressobj(31)
        self.buffer = bytearray()
        self.position = 0  # the offset in the member's inflated bytes of buffer[0]
        self.ended = False
        self.cut = False
        self.used = 0
        self.rest = b""
        self._read = 0
        self._pending = pending
        self.mark = 0  # where in the member the record being read starts

    def at_end_of_archive(self) -> bool:
        """Whether no byte follows (no member to read)."""
        if not self._pending and not self._read:
            self._pending = self.handle.read(_CHUNK)
        return not self._pending and not self._read

    def _more(self) -> None:
        if self.inflate.unconsumed_tail:
            data = self.inflate.decompress(self.inflate.unconsumed_tail, _CHUNK)
        else:
            chunk = self._pending or self.handle.read(_CHUNK)
            self._pending = b""
            if not chunk:
                self.cut = True
                return
            self._read += len(chunk)
            data = self.inflate.decompress(chunk, _CHUNK)
        self.buffer += data
        if self.inflate.eof:
            self.ended = True
            self.rest = self.inflate.unused_data
            self.used = self._read - len(self.rest)

    @property
    def done(self) -> bool:
        """Whether no more bytes of the member can be inflated (its end, or the file's)."""
        return self.ended or self.cut

    def fill(self, size: int) -> bool:
        """Whether the buffer holds `size` bytes, inflating more as needed (False: the member ends first)."""
        while len(self.buffer) < size and not self.done:
            self._more()
        return len(self.buffer) >= size

    def take(self, size: int) -> bytes:
        taken = bytes(self.buffer[:size])
        del self.buffer[:size]
        self.position += len(taken)
        return taken

    def skip(self, size: int) -> bool:
        """Pass over `size` bytes; False if the member ends first (everything up to its end passed over)."""
        while size > len(self.buffer) and not self.done:
            size -= len(self.buffer)
            self.take(len(self.buffer))
            self._more()
        if size > len(self.buffer):
            self.take(len(self.buffer))
            return False
        self.take(size)
        return True

    def skip_blank_lines(self) -> bool:
        """Pass over CR and LF bytes; False when the member ends before any other byte."""
        while True:
            kept = self.buffer.lstrip(b"\r\n")
            self.take(len(self.buffer) - len(kept))
            if self.buffer:
                return True
            if self.done:
                return False
            self._more()

    def next_line(self, line: bytes) -> bool:
        """Pass over bytes to the next `line` after a newline (its newline passed over too); False, all
        passed over, when the member holds no other."""
        while True:
            found = self.buffer.find(line)
            if found >= 0:
                self.take(found + 1)
                return True
            self.take(max(0, len(self.buffer) - len(line) + 1))
            if self.done:
                self.take(len(self.buffer))
                return False
            self._more()

    def read(self, size: int = -1) -> bytes:
        """File-like reading (warcio's): the member's bytes, b"" after its end. warcio reads ahead of the
        record it reads: a file cut short after the record does not stop it (the scan, which passes
        over records cut short, reported the cut)."""
        while not self.done and (size < 0 or len(self.buffer) < size):
            self._more()
        return self.take(len(self.buffer) if size < 0 else size)


@dataclass(frozen=True)
class Record:
    """What the scan reads of one record: where it is, its WARC headers, HTTP status and headers, and
    (inside a gzip member, not its first) its bytes."""

    offset: int
    warc: dict[str, str]
    status: int | None
    http: dict[str, str]
    within: int = 0
    carried: bytes | None = None


class Damaged(Exception):
    """The archive cannot be read at `at` (an address); `resume` is where reading goes on (None: nowhere)."""

    def __init__(self, at: str, message: str, resume: str | None) -> None:
        super().__init__(message)
        self.at = at
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
                message = f"{found} (from byte {found.at}" + (
                    f" to byte {found.resume})" if found.resume is not None else " to the end)"
                )
                yield Document(f"{path}#{found.at}", None, origin=Unreadable("read", message))
                continue
            kind = _kind(found)
            if kind != "html":
                passed[kind] += 1
                given -= 1
                continue
            yield Document(
                f"{path}#{address(found.offset, found.within)}",
                "html",
                origin=WarcOrigin(path, found.offset, found.within, found.carried),
                url=found.warc.get("warc-target-uri"),
                content_type=found.http.get("content-type"),
                fetched_at=utc_timestamp(found.warc.get("warc-date")),
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


class _Short(Exception):
    """The bytes given end before the record's headers do, and the record has more."""


def _gzip_records(handle: IO[bytes]) -> Iterator[Record | Damaged]:
    """Records of a gzipped archive, member by member, read as one stream (the bytes after a member
    start the next), every record of each member; a corrupt member is reported from the record it
    damages and the walk goes on at the next member that inflates."""
    offset, pending = 0, b""
    while True:
        member = _Inflated(handle, pending)
        if member.at_end_of_archive():
            return
        try:
            yield from _member_records(offset, member)
        except EOFError as error:
            yield Damaged(address(offset, member.mark), f"truncated archive: {error}", None)
            return
        except zlib.error as error:
            resume = _next_member(handle, offset + 1)
            at = address(offset, member.mark)
            yield Damaged(at, f"corrupt gzip member: {error}", None if resume is None else str(resume))
            if resume is None:
                return
            handle.seek(resume)
            offset, pending = resume, b""
            continue
        offset += member.used
        pending = member.rest


def _member_records(offset: int, member: _Inflated) -> Iterator[Record | Damaged]:
    """The records of the gzip member at `offset`, in order (`member.mark` is where the one being read
    starts). A malformed one is reported and the walk goes on at the next record header found in the
    member, else at the next member; one that runs past its member's end is reported to that end."""
    while member.skip_blank_lines():
        within = member.mark = member.position
        try:
            record, length = _member_head(offset, member)
        except ValueError as error:
            found = member.next_line(_WARC_LINE)
            if member.cut and not found:  # one stretch from this record to the cut
                raise EOFError(f"{_CUT}, after {error}") from error
            resume = address(offset, member.position) if found else str(offset + member.used)
            yield Damaged(address(offset, within), str(error), resume)
            continue
        record = replace(record, within=within)
        if within and length <= _CARRIED:
            whole = member.fill(length)
            if whole:
                record = replace(record, carried=member.take(length))
        else:
            whole = member.skip(length)
        if whole:
            yield record
            continue
        if member.cut:
            raise EOFError(_CUT)
        message = (
            f"truncated archive, or a wrong length: the record declares {length:,} bytes with its headers "
            f"and {member.position + len(member.buffer) - within:,} follow in its gzip member"
        )
        member.skip(len(member.buffer))
        yield Damaged(address(offset, within), message, str(offset + member.used))
    if member.cut:  # the file ends after a whole record, inside the member
        member.mark = member.position
        raise EOFError(_CUT)


_CUT = "the file ends inside a gzip member"


def _member_head(offset: int, member: _Inflated) -> tuple[Record, int]:
    """The record at the start of the member's buffer and its length (headers and block); ValueError if
    it is malformed or its headers are too long."""
    want = _CHUNK
    while True:
        member.fill(want)
        available = len(member.buffer) if member.done else None  # the bytes left in the member
        try:
            return _parse(offset, bytes(member.buffer[:want]), available)
        except _Short:
            if want >= _HEAD_LIMIT:
                raise ValueError(_TOO_LONG) from None
            want = min(want * 8, _HEAD_LIMIT)


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
    """Records of an uncompressed archive, each found after the one before by its Content-Length (blank
    lines between records skipped). Where that leads to no record, or a record's WARC headers are
    malformed or its Content-Length is not a byte count that ends within the file, the walk goes on at
    the next record header found after it."""
    size = os.fstat(handle.fileno()).st_size
    offset = _skip_blank_lines(handle, 0, size)
    while offset < size:
        try:
            record, length = _read_head(handle, offset, size)
        except _Unread as error:
            yield Damaged(str(offset), str(error), str(offset + error.length))
            offset = _skip_blank_lines(handle, offset + error.length, size)
            continue
        except ValueError as error:
            resume = _next_header(handle, offset + 1, size)
            yield Damaged(str(offset), str(error), None if resume is None else str(resume))
            if resume is None:
                return
            offset = resume
            continue
        yield record
        offset = _skip_blank_lines(handle, offset + length, size)


class _Unread(ValueError):
    """A record whose headers cannot be read but whose length is known: the walk goes on after it."""

    def __init__(self, message: str, length: int) -> None:
        super().__init__(message)
        self.length = length


def _read_head(handle: IO[bytes], offset: int, size: int) -> tuple[Record, int]:
    """The record at `offset` of a plain archive of `size` bytes, and its length (headers and block);
    ValueError if it is malformed or does not fit the file, _Unread if its headers are longer than
    _HEAD_LIMIT but its WARC headers say where it ends."""
    want = _CHUNK
    while True:
        handle.seek(offset)
        head = handle.read(min(want, size - offset))
        try:
            return _parse(offset, head, size - offset)
        except _Short:
            if want >= _HEAD_LIMIT:
                break
            want = min(want * 8, _HEAD_LIMIT)
    try:
        _, start, length = _locate(head, size - offset)
    except _Short:
        raise ValueError(_TOO_LONG) from None
    raise _Unread(_TOO_LONG, start + length)


_TOO_LONG = f"the record's headers do not end within its first {_HEAD_LIMIT:,} bytes"


def _skip_blank_lines(handle: IO[bytes], offset: int, size: int) -> int:
    """The first offset at or after `offset` that is not a CR or LF (`size` if none): where the next
    record starts, after the CRLF CRLF that ends the one before."""
    want = 64
    while offset < size:
        handle.seek(offset)
        chunk = handle.read(want)
        if not chunk:
            return size
        rest = chunk.lstrip(b"\r\n")
        offset += len(chunk) - len(rest)
        if rest:
            return offset
        want = _CHUNK
    return size


def _next_header(handle: IO[bytes], start: int, size: int) -> int | None:
    """The offset of the next WARC record at or after `start`: a `WARC/1.` line after a newline, whose
    WARC headers end within _CHUNK bytes and whose Content-Length fits the file; None if there is none."""
    position = start - 1  # the newline before the record's first line
    while True:
        handle.seek(position)
        window = handle.read(_CHUNK)
        found = window.find(_WARC_LINE)
        if found < 0:
            if len(window) < _CHUNK:
                return None
            position += len(window) - len(_WARC_LINE) + 1
            continue
        candidate = position + found + 1
        handle.seek(candidate)
        try:
            _locate(handle.read(_CHUNK), size - candidate)
            return candidate
        except (_Short, ValueError):
            position = candidate


def _parse(offset: int, head: bytes, available: int | None) -> tuple[Record, int]:
    """The record whose first bytes are `head`, and its length (headers and block, without the blank
    lines after it). `available` is how many bytes the record can have (to the end of its gzip member
    or of the file; None: unknown). Raise _Short if `head` ends before the headers do and the record
    has more bytes, ValueError if it is malformed or its length does not fit."""
    warc, start, length = _locate(head, available)
    end = start + length
    status: int | None = None
    http: dict[str, str] = {}
    if warc.get("content-type", "").lower().startswith("application/http"):
        status, http = _http_header(head[start:end], complete=len(head) >= end)
    return Record(offset, warc, status, http), end


def _locate(head: bytes, available: int | None) -> tuple[dict[str, str], int, int]:
    """A record's WARC headers (or what an ARC header line stands for), where its block starts and the
    block's length, checked to fit in `available` bytes; raise _Short or ValueError as _parse does."""
    if head.startswith(b"WARC/"):
        end = head.find(b"\r\n\r\n")
        if end < 0:
            _short(head, available, "truncated archive, or not a WARC record: its WARC headers do not end")
        warc = _headers(head[:end].split(b"\n")[1:])
        start, length = end + 4, _length(warc.get("content-length"), "Content-Length")
    else:
        warc, start, length = _arc_header(head, available)
    if available is not None and start + length > available:
        raise ValueError(
            f"truncated archive, or a wrong length: the record declares {length:,} bytes after its headers "
            f"and {available - start:,} follow"
        )
    return warc, start, length


def _short(head: bytes, available: int | None, message: str) -> NoReturn:
    """Raise _Short if the record has bytes beyond `head`, else ValueError(message)."""
    if available is None or len(head) < available:
        raise _Short
    raise ValueError(message)


_NEITHER = "not a WARC record: neither a WARC version line nor an ARC record header"


def _length(value: str | None, name: str) -> int:
    """A record's declared length: a count of bytes, in decimal digits; ValueError otherwise."""
    if value is None:
        raise ValueError(f"not a WARC record: no {name}")
    digits = value.strip()
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"bad {name} {value[:40]!r}: not a count of bytes")
    if len(digits) > 18:
        raise ValueError(f"bad {name} {value[:40]!r}: larger than any archive")
    return int(digits)


def _arc_header(head: bytes, available: int | None) -> tuple[dict[str, str], int, int]:
    """An ARC (version 1) record's header line, `URL IP DATE MIME LENGTH`, as the WARC headers it stands
    for, where its block starts, and the block's length."""
    end = head.find(b"\n")
    if end < 0:
        _short(head, available, _NEITHER)
    fields = head[:end].decode("utf-8", "replace").rstrip("\r").rsplit(" ", 4)
    if len(fields) != 5 or len(fields[2]) != 14 or not fields[2].isdigit():
        raise ValueError(_NEITHER)
    uri, _ip, date, mime, length = fields
    block = head[end + 1 : end + 6]
    if len(block) < 5 and b"HTTP/".startswith(block) and (available is None or len(head) < available):
        raise _Short
    warc = {
        "warc-type": "warcinfo" if uri.startswith("filedesc:") else "response",
        "warc-target-uri": uri,
        "warc-date": date,
        "content-type": "application/http" if block == b"HTTP/" else mime,
    }
    return warc, end + 1, _length(length, "ARC record length")


def _http_header(block: bytes, complete: bool) -> tuple[int | None, dict[str, str]]:
    """The HTTP status and headers that begin a record's block (`complete`: the block is whole); None and
    no headers if it does not begin with an HTTP status line. Raise _Short if the headers go on past an
    incomplete block."""
    if not block.startswith(b"HTTP/"):
        if not complete and b"HTTP/".startswith(block):
            raise _Short
        return None, {}
    end = block.find(b"\r\n\r\n")
    bare = block.find(b"\n\n", 0, len(block) if end < 0 else end)  # headers that end lines with LF alone
    end = bare if bare >= 0 else end
    if end < 0:
        if not complete:
            raise _Short
        end = len(block)
    lines = block[:end].split(b"\n")
    parts = lines[0].split()
    return http_status(parts[1] if len(parts) > 1 else None), _headers(lines[1:])


def _headers(lines: list[bytes]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if colon:
            found.setdefault(name.strip().decode("latin-1").lower(), value.strip().decode("utf-8", "replace"))
    return found
