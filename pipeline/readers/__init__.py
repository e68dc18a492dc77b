"""Inputs to documents: the readers, chosen by file suffix from one table, and `iter_documents`.

A reader turns one file into the documents it holds (a saved page or a text dump is one). Documents
carry an origin to read their bytes from, so the bytes are read by whoever processes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from pipeline.document import Document, Kind, Unreadable
from pipeline.readers.files import FileOrigin, expand

Reader = Callable[[str], Iterator[Document]]


def _page_reader(kind: Kind) -> Reader:
    def read(path: str) -> Iterator[Document]:
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
    ".gold.txt": None,
    ".gold.txt.gz": None,
}
_BY_LENGTH = sorted(READERS, key=len, reverse=True)
SUPPORTED = "supported: .html, .htm, .txt, each optionally .gz"


def reader_for(name: str) -> tuple[str | None, Reader | None]:
    """The suffix a file name ends in (the longest in the table) and its reader; (None, None) if none."""
    lower = name.lower()
    for suffix in _BY_LENGTH:
        if lower.endswith(suffix):
            return suffix, READERS[suffix]
    return None, None


def iter_documents(arguments: Iterable[str]) -> Iterator[Document]:
    """The documents that command-line arguments name, in order, without reading their bytes.

    A path that does not exist and a file of no supported type are documents too, which give their
    error line (`read`, `skipped`) when processed; gold files are passed over.
    """
    for found in expand(arguments):
        if found.missing:
            yield Document(found.path, None, origin=Unreadable("read", "no such file or directory"))
            continue
        suffix, reader = reader_for(os.path.basename(found.path))
        if reader is not None:
            yield from reader(found.path)
        elif suffix is None:
            reason = f"not a supported input type ({SUPPORTED})"
            yield Document(found.path, None, origin=Unreadable("skipped", reason))


def is_missing(document: Document) -> bool:
    """Whether the document stands for an argument that named nothing."""
    return isinstance(document.origin, Unreadable) and document.origin.stage == "read"


__all__ = ["READERS", "SUPPORTED", "Reader", "is_missing", "iter_documents", "reader_for"]
