"""JSONL output: whole lines only, flushed as written (cut back to the last whole line when a write
fails or is interrupted part-way), and a torn last line mended on resume."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pipeline.record import dumps


def errors_path(output: str | Path) -> Path:
    """`<output stem>.errors.ndjson` beside the output (output/clean.jsonl -> output/clean.errors.ndjson)."""
    path = Path(output)
    stem = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.stem
    return path.with_name(f"{stem}.errors.ndjson")


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def drop_torn_tail(path: str | Path) -> int:
    """Cut a last line that has no newline (a crash mid-write); return the bytes dropped. A path that is
    not a regular file (absent, a FIFO, a device) is left alone."""
    path = Path(path)
    if not _regular(path):
        return 0
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return 0
        keep = 0
        position = size
        while position > 0:
            step = min(65536, position)
            position -= step
            handle.seek(position)
            chunk = handle.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                keep = position + newline + 1
                break
        handle.truncate(keep)
        return size - keep


def read_sources(path: str | Path) -> set[str]:
    """The `source` of every whole line of a JSONL file (for --resume); none for a path that is not a
    regular file (absent, or a FIFO that reading would block on)."""
    sources: set[str] = set()
    path = Path(path)
    if not _regular(path):
        return sources
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.endswith("\n"):
                break
            try:
                source = json.loads(line).get("source")
            except (json.JSONDecodeError, AttributeError):
                continue
            if isinstance(source, str):
                sources.add(source)
    return sources


class JsonlWriter:
    """Write one JSON object per line; each line goes out whole and is flushed.

    `target` is a path, or "-" for standard output (or `stream` for any open text stream). A file is
    written unbuffered, appended to with O_APPEND when `append`: a write that fails or is interrupted
    part-way (a full disk, Ctrl-C) is cut back to the last whole line before the exception goes on, so
    the file never holds a partial line (a pipe or a device, which cannot be cut, is written as is).
    """

    def __init__(self, target: str | Path, *, append: bool = False, stream: IO[str] | None = None) -> None:
        self.count = 0
        self._stream: IO[str] | None = None
        self._file: IO[bytes] | None = None
        self._size: int | None = None  # the file's size after its last whole line, if it can be cut
        if stream is not None:
            self._stream = stream
        elif str(target) == "-":
            if sys.stdout is None:  # started with standard output closed
                raise OSError(errno.EBADF, "standard output is closed")
            self._stream = sys.stdout
        else:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            if append:
                drop_torn_tail(path)
            self._file = path.open("ab" if append else "wb", buffering=0)
            self._size = self._file.seek(0, os.SEEK_END) if self._file.seekable() else None

    def write(self, obj: dict[str, Any]) -> None:
        line = dumps(obj)
        if self._file is None:
            assert self._stream is not None
            self._stream.write(line)
            self._stream.flush()
        else:
            self._write_whole(line.encode("utf-8"))
        self.count += 1

    def _write_whole(self, data: bytes) -> None:
        assert self._file is not None
        view = memoryview(data)
        try:
            while view:
                written = self._file.write(view)
                if not written:
                    raise OSError(errno.EIO, "nothing written")
                view = view[written:]
        except BaseException:  # a failed write, or Ctrl-C between two parts of one
            if self._size is not None:
                with contextlib.suppress(OSError):  # a device (/dev/full) cannot be truncated
                    self._file.truncate(self._size)
            raise
        if self._size is not None:
            self._size += len(data)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        elif self._stream is not None:
            self._stream.flush()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
