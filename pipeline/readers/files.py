"""Local files: command-line arguments (files, folders, globs) expanded into paths in order, every path
that cannot be an input reported with its reason, and the bytes of one file, read (and gunzipped) by
whoever processes it."""

from __future__ import annotations

import errno
import fnmatch
import glob
import gzip
import os
import stat
import zlib
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Protocol

from pipeline.document import DocumentError

_READ_CHUNK = 1024 * 1024
NO_SUCH_FILE = "no such file or directory"
REPEATED = "the same file as an input already read (a repeated path, a symbolic or a hard link)"

Identity = tuple[int, int]  # (st_dev, st_ino): one file whatever the name it is reached by


@dataclass(frozen=True)
class Found:
    """A path an argument led to: a regular file to read, or (`stage` set) one that gives an error line
    with `reason`; `missing` when the argument named nothing at all."""

    path: str
    stage: str | None = None
    reason: str = ""
    missing: bool = False


def identity(path: str) -> Identity | None:
    """The (device, inode) of the file a path leads to, or None when it leads nowhere."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found.st_dev, found.st_ino


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _stat_error(path: str, error: OSError) -> Found:
    if error.errno == errno.ELOOP:
        return Found(path, "read", "too many levels of symbolic links (a symbolic link loop)")
    if error.errno == errno.ENOENT and os.path.lexists(path):
        return Found(path, "read", "broken symbolic link: its target does not exist")
    return Found(path, "read", f"cannot open: {error.strerror or error}")


class Expansion:
    """One run's expansion of its arguments: each file is given once (by device and inode), symbolic
    links are followed with loops detected, and the files in `exclude` (the run's own outputs) are
    passed over. Memory grows by one (device, inode) pair per input file, about 100 bytes."""

    def __init__(self, exclude: Container[Identity] = frozenset()) -> None:
        self.exclude = exclude
        self.seen: set[Identity] = set()

    def expand(self, arguments: Iterable[str]) -> Iterator[Found]:
        """Expand command-line arguments lazily, in the order given (files sorted within a folder)."""
        for argument in arguments:
            if glob.has_magic(argument) and not os.path.lexists(argument):
                yield from self._pattern(argument)
            else:
                yield from self._path(argument, frozenset(), named=True)

    def _path(self, path: str, above: frozenset[Identity], *, named: bool = False) -> Iterator[Found]:
        try:
            found = os.stat(path)
        except OSError as error:
            if named and error.errno == errno.ENOENT and not os.path.lexists(path):
                yield Found(path, "read", NO_SUCH_FILE, missing=True)
            else:
                yield _stat_error(path, error)
            return
        except ValueError as error:  # a NUL byte in an argument
            yield Found(path, "read", f"not a usable file name: {error}")
            return
        key = (found.st_dev, found.st_ino)
        if stat.S_ISDIR(found.st_mode):
            if key in above:
                yield Found(path, "skipped", "a symbolic link loop: this folder contains itself")
            else:
                yield from self._walk(path, above | {key})
        elif not stat.S_ISREG(found.st_mode):
            yield Found(path, "skipped", f"{_kind(found.st_mode)}, not a regular file")
        elif key in self.exclude:
            return
        elif key in self.seen:
            yield Found(path, "skipped", REPEATED)
        else:
            self.seen.add(key)
            yield Found(path)

    def _walk(self, folder: str, above: frozenset[Identity]) -> Iterator[Found]:
        """Files under a folder, depth first, each folder's entries sorted by name."""
        try:
            with os.scandir(folder) as listing:
                names = sorted(entry.name for entry in listing)
        except OSError as error:
            yield Found(folder, "read", f"cannot list folder: {error.strerror or error}")
            return
        for name in names:
            yield from self._path(os.path.join(folder, name), above)

    def _pattern(self, pattern: str) -> Iterator[Found]:
        """A glob pattern (`**` recursive) matched by a walk that follows links without looping;
        a folder matched inside a folder already matched is not walked again."""
        walked: set[str] = set()
        matched = False
        for path, error in _match(pattern):
            if error is not None:
                yield Found(path, "read", error)
                continue
            matched = True
            parts = path.split(os.sep)
            if any(os.sep.join(parts[:end]) in walked for end in range(1, len(parts))):
                continue
            if os.path.isdir(path):
                walked.add(path)
            yield from self._path(path, frozenset())
        if not matched:
            yield Found(pattern, "read", NO_SUCH_FILE, missing=True)


def _match(pattern: str) -> Iterator[tuple[str, str | None]]:
    """The paths a glob pattern matches, in walk order, with (path, reason) for unlistable folders."""
    drive = os.sep if pattern.startswith(os.sep) else ""
    parts = [part for part in pattern.split(os.sep) if part]
    collapsed: list[str] = []
    for part in parts:
        if not (part == "**" and collapsed and collapsed[-1] == "**"):
            collapsed.append(part)
    literal = 0
    while literal < len(collapsed) - 1 and not glob.has_magic(collapsed[literal]):
        literal += 1
    base = drive + os.sep.join(collapsed[:literal])
    yield from _descend(base, collapsed[literal:], frozenset())


def _descend(base: str, parts: list[str], above: frozenset[Identity]) -> Iterator[tuple[str, str | None]]:
    if not parts:
        if base and os.path.lexists(base):
            yield base, None
        return
    part, rest = parts[0], parts[1:]
    if not glob.has_magic(part):
        yield from _descend(os.path.join(base, part) if base else part, rest, above)
        return
    try:
        with os.scandir(base or os.curdir) as listing:
            entries = sorted((entry.name, entry.is_dir()) for entry in listing)
    except OSError as error:
        if base and os.path.isdir(base):
            yield base, f"cannot list folder: {error.strerror or error}"
        return
    hidden = part.startswith(".")
    if part == "**":
        yield from _descend(base, rest, above)
        key = identity(base or os.curdir)
        inside = above | {key} if key else above
        for name, is_dir in entries:
            path = os.path.join(base, name) if base else name
            if is_dir and not name.startswith(".") and identity(path) not in inside:
                yield from _descend(path, parts, inside)
        return
    for name, _is_dir in entries:
        if (hidden or not name.startswith(".")) and fnmatch.fnmatchcase(name, part):
            yield from _descend(os.path.join(base, name) if base else name, rest, above)


def expand(arguments: Iterable[str], exclude: Container[Identity] = frozenset()) -> Iterator[Found]:
    """`Expansion(exclude).expand(arguments)`: every path the arguments lead to, each file once."""
    return Expansion(exclude).expand(arguments)


@dataclass(frozen=True)
class FileOrigin:
    """One file's bytes, gunzipped when its name ends in .gz, at most `max_bytes` of them."""

    path: str

    def load(self, max_bytes: int) -> bytes:
        try:
            with open_regular(self.path) as handle:
                if self.path.lower().endswith(".gz"):
                    with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                        return read_capped(unzipped, max_bytes)
                return read_capped(handle, max_bytes)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise DocumentError("read", f"truncated or corrupt gzip file: {error}") from error
        except OSError as error:
            raise DocumentError("read", f"{type(error).__name__}: {error.strerror or error}") from error


def open_regular(path: str) -> IO[bytes]:
    """A regular file opened for reading; never blocks (a FIFO put in a file's place is refused, not
    waited on) and raises DocumentError('skipped') for anything that is not a regular file."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise DocumentError("skipped", f"{_kind(mode)}, not a regular file")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def read_capped(handle: _Readable, max_bytes: int) -> bytes:
    """Everything a stream holds, or DocumentError('read') past `max_bytes`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = handle.read(_READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise DocumentError("read", f"larger than {max_bytes} bytes (raise it with --max-bytes)")
        chunks.append(chunk)
