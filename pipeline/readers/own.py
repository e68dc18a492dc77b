"""Files newsclean itself writes (records, error lines, reports, shard manifests, lock and partial files),
known by their names and first bytes, so that a folder given as input never has them read as pages.

A name alone is not enough where a user's file may carry it (a page saved as `x.report.html`): those are
newsclean's only when their first bytes are what newsclean writes there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

# The mark `newsclean report` puts in the head of its page, and the title every report carries.
REPORT_MARK = b'<meta name="generator" content="newsclean report">'
_REPORT_TITLE = b"<title>newsclean report: "
_HEAD = 1024


def _head(path: str, size: int = _HEAD) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def is_report(head: bytes) -> bool:
    """Whether a page's first bytes are those of a page `newsclean report` wrote."""
    start = head[:_HEAD]
    return REPORT_MARK in start or _REPORT_TITLE in start


def _parquet_records(path: str) -> bool:
    """A Parquet file whose footer names the record's columns."""
    try:
        with open(path, "rb") as handle:
            if handle.read(4) != b"PAR1":
                return False
            end = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, end - 64 * 1024))
            tail = handle.read()
    except OSError:
        return False
    return all(name in tail for name in (b"word_count", b"extractor", b"removed"))


def _starts(*heads: bytes) -> Callable[[str], bool]:
    size = max(len(head) for head in heads)
    return lambda path: _head(path, size).startswith(heads) or not _head(path, 1)


def _anything(path: str) -> bool:
    return True


# (kind, the file's name in full, a test of its bytes), in the order tried; the names as newsclean gives
# them (pipeline.writers, pipeline.writers.lock, pipeline.tools.report, pipeline.runners.dask).
_OWN: tuple[tuple[str, re.Pattern[str], Callable[[str], bool]], ...] = (
    ("report", re.compile(r".+\.report\.html", re.I), lambda path: is_report(_head(path))),
    ("errors", re.compile(r".+\.errors\.ndjson"), _starts(b'{"source": ')),
    ("records", re.compile(r".+\.jsonl"), _starts(b'{"id": ')),
    ("records", re.compile(r".+\.parquet"), _parquet_records),
    ("partial", re.compile(r".+\.(jsonl|parquet)\.partial"), _anything),
    ("lock", re.compile(r"\..+\.lock"), lambda path: os.path.getsize(path) == 0),
    ("manifest", re.compile(r"manifest\.json"), lambda path: b'"written_by": "newsclean' in _head(path)),
    ("shard", re.compile(r"\.part-\d{5,}\.[0-9a-f]{32}\..+\.tmp(\.partial)?"), _anything),
    ("shard", re.compile(r"\.manifest\.json\.tmp|\.newsclean-run"), _anything),
)


def own_kind(path: str) -> str | None:
    """The kind of newsclean output the file at `path` is (report, errors, records, partial, lock, manifest,
    shard), or None when it is not one."""
    name = os.path.basename(path)
    for kind, named, holds in _OWN:
        if named.fullmatch(name):
            try:
                if holds(path):
                    return kind
            except OSError:
                return None
    return None
