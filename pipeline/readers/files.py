"""Local inputs: expand files, folders and globs in order, and read one input into a Document."""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.document import Document, DocumentError, Kind

SUPPORTED = "supported: .html, .htm, .txt, each optionally .gz"
# Inputs larger than this (after decompression) are refused with a read error.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Input:
    """One thing named on the command line: a readable file, an unsupported one, or a missing path."""

    source: str
    kind: Kind | None = None
    missing: bool = False

    @property
    def supported(self) -> bool:
        return self.kind is not None


def kind_of(name: str) -> Kind | None:
    """The input kind a file name stands for, or None for unsupported names and gold files."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    if lower.endswith(".gold.txt"):
        return None
    if lower.endswith((".html", ".htm")):
        return "html"
    if lower.endswith(".txt"):
        return "text"
    return None


def _is_gold(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".gold.txt", ".gold.txt.gz"))


def _file(source: str) -> Input | None:
    name = os.path.basename(source)
    if _is_gold(name):
        return None  # hand-cleaned gold files sit beside inputs and are never inputs
    return Input(source, kind_of(name))


def _walk(folder: str) -> Iterator[Input]:
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
            found = _file(path)
            if found is not None:
                yield found


def iter_inputs(arguments: Iterable[str]) -> Iterator[Input]:
    """Expand command-line arguments lazily, in the order given (files sorted within a folder)."""
    for argument in arguments:
        if glob.has_magic(argument) and not os.path.exists(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                yield Input(argument, missing=True)
            for match in matches:
                if os.path.isdir(match):
                    yield from _walk(match)
                else:
                    found = _file(match)
                    if found is not None:
                        yield found
        elif os.path.isdir(argument):
            yield from _walk(argument)
        elif os.path.exists(argument):
            found = _file(argument)
            if found is not None:
                yield found
        else:
            yield Input(argument, missing=True)


def read_input(item: Input, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read (and gunzip) one input; raise DocumentError('read') when it cannot be read."""
    if item.missing:
        raise DocumentError("read", "no such file or directory")
    if item.kind is None:
        raise DocumentError("skipped", f"not a supported input type ({SUPPORTED})")
    path = Path(item.source)
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                content = _read_capped(handle, max_bytes)
        else:
            with path.open("rb") as handle:
                content = _read_capped(handle, max_bytes)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise DocumentError("read", f"truncated or corrupt gzip file: {error}") from error
    except OSError as error:
        raise DocumentError("read", f"{type(error).__name__}: {error.strerror or error}") from error
    return Document(source=item.source, content=content, kind=item.kind)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _read_capped(handle: _Readable, max_bytes: int) -> bytes:
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
