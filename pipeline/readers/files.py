"""Local files: command-line arguments (files, folders, globs) expanded into paths in order, and the bytes
of one saved page or text dump, read (and gunzipped) by whoever processes it."""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.document import DocumentError

_READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Found:
    """A path an argument led to; `missing` when the argument named nothing that exists."""

    path: str
    missing: bool = False


def _walk(folder: str) -> Iterator[Found]:
    """Files under a folder, depth first, each folder's entries sorted by name."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        path = os.path.join(folder, entry.name)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        elif entry.is_file():
            yield Found(path)


def expand(arguments: Iterable[str]) -> Iterator[Found]:
    """Expand command-line arguments lazily, in the order given (files sorted within a folder)."""
    for argument in arguments:
        if glob.has_magic(argument) and not os.path.exists(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                yield Found(argument, missing=True)
            for match in matches:
                yield from (_walk(match) if os.path.isdir(match) else [Found(match)])
        elif os.path.isdir(argument):
            yield from _walk(argument)
        elif os.path.exists(argument):
            yield Found(argument)
        else:
            yield Found(argument, missing=True)


@dataclass(frozen=True)
class FileOrigin:
    """One file's bytes, gunzipped when its name ends in .gz, at most `max_bytes` of them."""

    path: str

    def load(self, max_bytes: int) -> bytes:
        path = Path(self.path)
        try:
            if path.name.lower().endswith(".gz"):
                with gzip.open(path, "rb") as handle:
                    return read_capped(handle, max_bytes)
            with path.open("rb") as handle:
                return read_capped(handle, max_bytes)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise DocumentError("read", f"truncated or corrupt gzip file: {error}") from error
        except OSError as error:
            raise DocumentError("read", f"{type(error).__name__}: {error.strerror or error}") from error


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
