"""Outcomes to files: records to the records file in the chosen format (one table by format), error
lines to `<output stem>.errors.jsonl` beside it, and what an earlier run already wrote (for resume)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

from pipeline.document import Outcome
from pipeline.writers.jsonl import JsonlWriter, errors_path, read_sources


class RecordWriter(Protocol):
    def write(self, obj: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


# A writer is opened with its target path (or "-" for standard output) and whether to append.
WRITERS: dict[str, Callable[[str, bool], RecordWriter]] = {
    "jsonl": lambda target, append: JsonlWriter(target, append=append),
}


class Output:
    """Where a run's outcomes go. `target` "-" writes records to standard output and error lines to
    standard error; otherwise the error lines go beside the records file."""

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

    def write(self, outcome: Outcome) -> None:
        if outcome.record is not None:
            self.records.write(outcome.record)
        elif outcome.error is not None:
            self.errors.write(outcome.error)

    def close(self) -> None:
        self.records.close()
        self.errors.close()


def done_sources(target: str) -> set[str]:
    """The sources an earlier run already wrote to a records file or its errors file (for resume)."""
    if target == "-":
        return set()
    return read_sources(target) | read_sources(errors_path(target))


__all__ = ["WRITERS", "JsonlWriter", "Output", "RecordWriter", "done_sources", "errors_path"]
