"""Outcomes to files: records to the records file in the chosen format (one table by format), error
lines to `<output stem>.errors.ndjson` beside it, and what an earlier run already wrote (for resume)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

from pipeline.document import Outcome
from pipeline.readers.files import identity
from pipeline.writers.jsonl import JsonlWriter, errors_path, read_sources


class RecordWriter(Protocol):
    def write(self, obj: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


# A writer is opened with its target path (or "-" for standard output) and whether to append.
WRITERS: dict[str, Callable[[str, bool], RecordWriter]] = {
    "jsonl": lambda target, append: JsonlWriter(target, append=append),
    "parquet": lambda target, append: _parquet(target, append),
}
# How an earlier run's records are read back, by format (for --resume).
SOURCES: dict[str, Callable[[str], set[str]]] = {
    "jsonl": lambda target: read_sources(target),
    "parquet": lambda target: _parquet_sources(target),
}


def _parquet(target: str, append: bool) -> RecordWriter:
    from pipeline.writers.parquet import ParquetWriter  # pyarrow is imported only when asked for

    return ParquetWriter(target, append=append)


def _parquet_sources(target: str) -> set[str]:
    from pipeline.writers.parquet import read_parquet_sources

    return read_parquet_sources(target)


def format_for(target: str, given: str | None) -> str:
    """The output format: the one given, else `parquet` for a `.parquet` target, else `jsonl`."""
    if given:
        return given
    return "parquet" if target.lower().endswith(".parquet") else "jsonl"


class WriteError(Exception):
    """Writing the output failed (a full disk, a closed stream); every line written before is whole."""


def output_paths(target: str) -> list[str]:
    """The files a run with this output target writes (none for standard output)."""
    return [] if target == "-" else [target, target + ".partial", str(errors_path(target))]


class Output:
    """Where a run's outcomes go. `target` "-" writes records to standard output and error lines to
    standard error; otherwise the error lines go beside the records file. A failed write raises
    WriteError."""

    def __init__(self, target: str, *, format: str = "jsonl", append: bool = False) -> None:
        self.target = target
        self.to_stdout = target == "-"
        self.errors_target = "-" if self.to_stdout else str(errors_path(target))
        self.records = WRITERS[format](target, append)
        try:
            stream = sys.stderr if self.to_stdout else None
            self.errors = JsonlWriter(self.errors_target, append=append, stream=stream)
        except OSError:
            self.records.close()
            raise

    def identities(self) -> set[tuple[int, int]]:
        """(device, inode) of the files this output writes: never inputs of the same run."""
        found = (identity(path) for path in output_paths(self.target))
        return {key for key in found if key is not None}

    def write(self, outcome: Outcome) -> None:
        try:
            if outcome.record is not None:
                self.records.write(outcome.record)
            elif outcome.error is not None:
                self.errors.write(outcome.error)
        except (OSError, ValueError) as error:  # ValueError: a stream closed under us
            where = self.target if outcome.record is not None else self.errors_target
            raise WriteError(f"cannot write {_name(where)}: {_reason(error)}") from error

    def close(self) -> None:
        try:
            self.records.close()
        finally:
            self.errors.close()


def _name(target: str) -> str:
    return "standard output" if target == "-" else target


def _reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def done_sources(target: str, format: str = "jsonl") -> set[str]:
    """The sources an earlier run already wrote to a records file or its errors file (for resume)."""
    if target == "-":
        return set()
    return SOURCES[format](target) | read_sources(errors_path(target))


__all__ = [
    "WRITERS",
    "JsonlWriter",
    "Output",
    "RecordWriter",
    "WriteError",
    "done_sources",
    "errors_path",
    "format_for",
    "output_paths",
]
