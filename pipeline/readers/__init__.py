"""Inputs to documents: the readers, chosen by file suffix from one table, and `iter_documents`.

A reader turns one file into the documents it holds (a saved page or a text dump is one). Documents
carry an origin to read their bytes from, so the bytes are read by whoever processes them.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator

from pipeline.document import Document, Kind, Unreadable
from pipeline.readers.files import FileOrigin, Identity, expand, identity
from pipeline.readers.own import own_kind
from pipeline.readers.warc import read_archive

# A reader turns one file into its documents; records it passes over (an archive's requests, say) are
# counted by kind in the Counter it is given.
Reader = Callable[[str, Counter[str]], Iterator[Document]]


def _page_reader(kind: Kind) -> Reader:
    def read(path: str, passed: Counter[str]) -> Iterator[Document]:
        yield Document(path, kind, origin=FileOrigin(path))

    return read


_HTML, _TEXT = _page_reader("html"), _page_reader("text")
# Hand-cleaned gold files sit beside inputs and are never inputs: their suffixes map to None.
READERS: dict[str, Reader | None] = {
    ".html": _HTML,
    ".htm": _HTML,
    ".txt": _TEXT,
    ".html.gz": _HTML,
    ".htm.gz": _HTML,
    ".txt.gz": _TEXT,
    ".warc": read_archive,
    ".warc.gz": read_archive,
    ".arc.gz": read_archive,
    ".gold.txt": None,
    ".gold.txt.gz": None,
}
_BY_LENGTH = sorted(READERS, key=len, reverse=True)
UNSUPPORTED = "not a supported input type"
SUPPORTED = "supported: .html, .htm, .txt, each optionally .gz, and .warc, .warc.gz, .arc.gz"


def reader_for(name: str) -> tuple[str | None, Reader | None]:
    """The suffix a file name ends in (the longest in the table) and its reader; (None, None) if none."""
    lower = name.lower()
    for suffix in _BY_LENGTH:
        if lower.endswith(suffix):
            return suffix, READERS[suffix]
    return None, None


def iter_documents(
    arguments: Iterable[str],
    exclude: Container[Identity] = frozenset(),
    passed: Counter[str] | None = None,
    own: Counter[str] | None = None,
) -> Iterator[Document]:
    """The documents that command-line arguments name, in order, without reading their bytes.

    Every path that cannot be an input (missing, unreadable, unlistable, a broken link or a link loop,
    not a regular file, a file already given under another name) and every file of no supported type
    is a document too, which gives its error line (`read`, `skipped`) when processed; gold files and
    the files in `exclude` (the run's own outputs, by device and inode) are passed over, and so are
    the files newsclean wrote in other runs (pipeline.readers.own), counted by kind in `own`. Archive
    records that are not HTML responses are counted by kind in `passed`.
    """
    passed = Counter() if passed is None else passed
    own = Counter() if own is None else own
    for found in expand(arguments, exclude):
        if found.stage is not None:
            origin = Unreadable(found.stage, found.reason, "missing" if found.missing else None)
            yield Document(found.path, None, origin=origin)
            continue
        kind = own_kind(found.path)
        if kind is not None:
            own[kind] += 1
            continue
        suffix, reader = reader_for(os.path.basename(found.path))
        if reader is not None:
            yield from reader(found.path, passed)
        elif suffix is None:
            reason = f"{UNSUPPORTED} ({SUPPORTED})"
            yield Document(found.path, None, origin=Unreadable("skipped", reason, "unsupported"))


def is_missing(document: Document) -> bool:
    """Whether the document stands for an argument that named nothing."""
    origin = document.origin
    return isinstance(origin, Unreadable) and origin.cause == "missing"


def is_unsupported(document: Document) -> bool:
    """Whether the document stands for a file of no supported type."""
    origin = document.origin
    return isinstance(origin, Unreadable) and origin.cause == "unsupported"


def count_documents(arguments: Iterable[str]) -> int | None:
    """How many documents the arguments hold, from the file names alone (no file is opened); None when
    an archive is among them, whose records are known only once it is read."""
    count = 0
    for found in expand(arguments):
        if found.stage is None and own_kind(found.path) is None:
            reader = reader_for(os.path.basename(found.path))[1]
            if reader is read_archive:
                return None
            if reader is not None:
                count += 1
    return count


def find_among(arguments: Iterable[str], identities: Container[Identity]) -> str | None:
    """The first path the arguments lead to (of any type) that is one of the files `identities` names."""
    for found in expand(arguments):
        if found.stage is None and identity(found.path) in identities:
            return found.path
    return None


__all__ = [
    "READERS",
    "SUPPORTED",
    "Reader",
    "count_documents",
    "find_among",
    "is_missing",
    "is_unsupported",
    "iter_documents",
    "reader_for",
]
