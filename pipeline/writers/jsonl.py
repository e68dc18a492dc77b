"""JSONL output: whole lines only, flushed as written, and a torn last line mended on resume."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pipeline.record import dumps


def errors_path(output: str | Path) -> Path:
    """`<output stem>.errors.jsonl` beside the output (output/clean.jsonl -> output/clean.errors.jsonl)."""
    path = Path(output)
    stem = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.stem
    return path.with_name(f"{stem}.errors.jsonl")


def drop_torn_tail(path: str | Path) -> int:
    """Cut a last line that has no newline (a crash mid-write); return the bytes dropped."""
    path = Path(path)
    if not path.exists():
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
    """The `source` of every whole line of a JSONL file (for --resume)."""
    sources: set[str] = set()
    path = Path(path)
    if not path.exists():
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
    """Write one JSON object per line; each line goes out in one write and is flushed.

    `target` is a path, or "-" for standard output (or `stream` for any open text stream).
    """

    def __init__(self, target: str | Path, *, append: bool = False, stream: IO[str] | None = None) -> None:
        self.count = 0
        self._owned = stream is None and str(target) != "-"
        if stream is not None:
            self._handle = stream
        elif str(target) == "-":
            self._handle = sys.stdout
        else:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            if append:
                drop_torn_tail(path)
            self._handle = path.open("a" if append else "w", encoding="utf-8", newline="\n")

    def write(self, obj: dict[str, Any]) -> None:
        self._handle.write(dumps(obj))
        self._handle.flush()
        self.count += 1

    def close(self) -> None:
        if self._owned:
            self._handle.close()
        else:
            self._handle.flush()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
