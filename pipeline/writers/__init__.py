"""Outcomes to files: records to the records file in the chosen format (one table by format), error
lines to `<output stem>.errors.ndjson` beside it, one run at a time per output (a lock beside each
file), never over a file newsclean did not write, and what an earlier run already wrote (for resume)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

from pipeline.document import Outcome
from pipeline.readers.files import Identity, identity
from pipeline.writers.guard import JSON_LINES, PARQUET, OutputRefused, RecordUnfit, refuse_foreign
from pipeline.writers.jsonl import JsonlWriter, errors_path, read_sources
from pipeline.writers.lock import OutputBusy, OutputLock, lock_path


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
    """The files a run with this output target writes, lock files included (none for standard output)."""
    if target == "-":
        return []
    written = [target, target + ".partial", str(errors_path(target))]
    return written + [str(lock_path(path)) for path in (target, written[2])]


def output_identities(target: str) -> set[Identity]:
    """(device, inode) of the files a run with this output target writes that exist now."""
    found = (identity(path) for path in output_paths(target))
    return {key for key in found if key is not None}


class Output:
    """Where a run's outcomes go. `target` "-" writes records to standard output and error lines to
    standard error; otherwise the error lines go beside the records file. A failed write raises
    WriteError.

    A file target is locked for the run (OutputBusy when another run holds it) and its files are written
    only if newsclean wrote them before (OutputRefused otherwise): both are checked before any file is
    opened. `append` (resume) adds to the files with O_APPEND after dropping a torn last line."""

    def __init__(self, target: str, *, format: str = "jsonl", append: bool = False) -> None:
        self.target = target
        self.to_stdout = target == "-"
        self.errors_target = "-" if self.to_stdout else str(errors_path(target))
        self.lock = OutputLock([] if self.to_stdout else [target, self.errors_target])
        try:
            check_output(target, format, append=append)
            self.records = WRITERS[format](target, append)
            try:
                stream = sys.stderr if self.to_stdout else None
                self.errors = JsonlWriter(self.errors_target, append=append, stream=stream)
            except OSError:
                self.records.close()
                raise
        except BaseException:
            self.lock.release()
            raise

    def identities(self) -> set[Identity]:
        """(device, inode) of the files this output writes: never inputs of the same run."""
        return output_identities(self.target) | self.lock.identities()

    def write(self, outcome: Outcome) -> Outcome:
        """Write the outcome and return it as written: a record the format cannot hold (RecordUnfit) is
        written as its document's `clean` error line instead."""
        try:
            outcome = write_outcome(self.records, self.errors, outcome)
        except (OSError, ValueError) as error:  # ValueError: a stream closed under us
            where = self.target if outcome.record is not None else self.errors_target
            raise WriteError(f"cannot write {_name(where)}: {_reason(error)}") from error
        return outcome

    def close(self) -> None:
        try:
            try:
                self.records.close()
            finally:
                self.errors.close()
        finally:
            self.lock.release()


def write_outcome(records: RecordWriter, errors: JsonlWriter, outcome: Outcome) -> Outcome:
    """Write an outcome's record, or its error line, and return it as written: a record the format cannot
    hold (RecordUnfit) is written as its document's `clean` error line instead."""
    if outcome.record is not None:
        try:
            records.write(outcome.record)
        except RecordUnfit as unfit:
            outcome = unwritable(outcome, unfit)
    if outcome.record is None and outcome.error is not None:
        errors.write(outcome.error)
    return outcome


def unwritable(outcome: Outcome, unfit: RecordUnfit) -> Outcome:
    """The error line of a document whose record the output's format cannot hold."""
    error = {"source": outcome.source, "stage": "clean", "error": f"the record cannot be written: {unfit}"}
    return Outcome(outcome.source, error=error)


def check_output(target: str, format: str = "jsonl", *, append: bool = False) -> None:
    """OutputRefused when a file a run with this output would write holds what newsclean did not write
    (a resume needs the format it appends to)."""
    if target == "-":
        return
    errors = str(errors_path(target))
    if append:
        refuse_foreign(target, JSON_LINES if format == "jsonl" else PARQUET, resume=True)
    else:
        refuse_foreign(target, JSON_LINES + PARQUET)
    if format == "parquet":
        refuse_foreign(target + ".partial", PARQUET)
    refuse_foreign(errors, JSON_LINES, resume=append)


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
    "OutputBusy",
    "OutputRefused",
    "RecordUnfit",
    "RecordWriter",
    "WriteError",
    "check_output",
    "done_sources",
    "errors_path",
    "format_for",
    "output_identities",
    "output_paths",
    "unwritable",
    "write_outcome",
]
