"""Parquet output: the records with the fixed, typed schema of pipeline.schema.arrow, in row groups as
the run goes, written to `<target>.partial` and moved into place when the run closes it; a resume keeps
the rows of a whole file of that schema and refuses any other. Each record is fitted to the schema as it
is written, so that a value of another type never costs the records of its row group."""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema.arrow import record_schema
from pipeline.writers.guard import OutputRefused, RecordUnfit, refuse_special

# Rows per row group, or fewer when their text passes ROW_GROUP_BYTES: memory stays bounded.
ROW_GROUP_ROWS = 1000
ROW_GROUP_BYTES = 32 * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


_INT64 = (-(2**63), 2**63 - 1)
_STRING, _BOOL, _LONG, _DOUBLE = pa.string(), pa.bool_(), pa.int64(), pa.float64()


def _valid(value: Any) -> Any:
    """A string Arrow can store: a lone surrogate (a file name byte that is not UTF-8) becomes the six
    characters of its escape, `\\udcff`, as in the JSONL output."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", value)
    return value


class _Unfit(Exception):
    """A value that a column's type cannot hold."""


Fitter = Callable[[Any], Any]


def _fitter(kind: pa.DataType) -> Fitter:
    """The function that gives a value as a column of type `kind` stores it (None stays None), or raises
    _Unfit: a string that is not one, an integer out of int64 or a bool for a number, a float that is
    not whole for an integer, a list or struct of values that do not fit."""
    if pa.types.is_list(kind):
        item = _fitter(kind.value_type)
        return lambda value: (
            [item(v) for v in value] if isinstance(value, list | tuple) else _scalar(value, kind)
        )
    if pa.types.is_struct(kind):
        fields = [(field.name, _fitter(field.type)) for field in kind]
        return lambda value: (
            {name: fit(value.get(name)) for name, fit in fields}
            if isinstance(value, dict)
            else _scalar(value, kind)
        )
    return lambda value: _scalar(value, kind)


def _scalar(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        if kind == _STRING:
            return _valid(value)
    elif isinstance(value, bool):
        if kind == _BOOL:
            return value
    elif isinstance(value, int | float):
        if kind == _LONG and (isinstance(value, int) or value.is_integer()):
            if _INT64[0] <= value <= _INT64[1]:
                return int(value)
        elif kind == _DOUBLE:
            with contextlib.suppress(OverflowError):  # an integer past the largest double
                return float(value)
    raise _Unfit(f"{_shown(value)} is not {kind}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows of an existing file in the schema: a column the file lacks (written before the record gained
    it) is null."""
    for field in schema:
        if field.name not in table.column_names:
            table = table.append_column(field.name, pa.nulls(len(table), field.type))
    return table.select(schema.names).cast(schema)


class ParquetWriter:
    """Records to a Parquet file, written to `<target>.partial` and moved into place by `close`, so that a
    file named `.parquet` is always whole.

    Without `append` an existing file at the target is removed first (a run killed before it closed its
    file then leaves no stale records for a resume to keep). With `append` the rows of an existing
    whole file of records are kept (a column the file lacks, which the record gained since, is null); a
    file cut short, of other columns or not Parquet at all cannot be appended to, and OutputRefused says
    so before anything is written.
    """

    def __init__(self, target: str | Path, *, append: bool = False) -> None:
        if str(target) == "-":
            raise OSError("Parquet cannot be written to standard output; give -o FILE.parquet")
        self.path = Path(os.path.realpath(target))  # a link is written through, not replaced
        self.partial = self.path.with_name(self.path.name + ".partial")
        refuse_special(self.path, "a Parquet output")
        refuse_special(self.partial, "a Parquet output's .partial file")
        self.schema = record_schema()
        self._fitters = [(field.name, field.nullable, _fitter(field.type)) for field in self.schema]
        self.count = 0
        # Values that did not fit their column and were written as null, by column.
        self.nulled: Counter[str] = Counter()
        self._rows: list[dict[str, Any]] = []
        self._bytes = 0
        kept = _whole_file(self.path, self.schema) if append else None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not append:
            self.path.unlink(missing_ok=True)
        self._writer = pq.ParquetWriter(self.partial, self.schema, compression="zstd")
        if kept is not None:
            self._keep(kept)

    def _keep(self, kept: pq.ParquetFile) -> None:
        try:
            for batch in kept.iter_batches():
                self._writer.write_table(_conformed(pa.Table.from_batches([batch]), self.schema))
        except (OSError, pa.ArrowException, ValueError) as error:
            self._writer.close()
            self.partial.unlink(missing_ok=True)
            raise OutputRefused(self.path, f"cannot resume: {self.path} is damaged ({error})") from error
        finally:
            kept.close()

    def write(self, obj: dict[str, Any]) -> None:
        """Add a record; RecordUnfit (nothing added) when a column that may not be null cannot hold its
        value. A value that another column cannot hold is written as null and counted in `nulled`."""
        row = self.fit(obj)
        self._rows.append(row)
        self._bytes += len(row.get("text") or "")
        self.count += 1
        if len(self._rows) >= ROW_GROUP_ROWS or self._bytes >= ROW_GROUP_BYTES:
            self._flush()

    def fit(self, obj: dict[str, Any]) -> dict[str, Any]:
        """The record as the schema stores it, checked value by value (see `write`)."""
        row: dict[str, Any] = {}
        nulled = []
        for name, nullable, fit in self._fitters:
            try:
                row[name] = fit(obj.get(name))
            except _Unfit as error:
                if not nullable:
                    raise RecordUnfit(f"its {name} cannot be written to Parquet: {error}") from None
                row[name] = None
                nulled.append(name)
            if row[name] is None and not nullable:
                raise RecordUnfit(f"it has no {name}, which a Parquet record must have")
        self.nulled.update(nulled)
        return row

    def _flush(self) -> None:
        # The rows leave the buffer before they are written: Ctrl-C arriving as the write returns must
        # not leave them to be written again by `close`.
        rows, self._rows, self._bytes = self._rows, [], 0
        if rows:
            self._writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self._writer.close()
        os.replace(self.partial, self.path)


def _whole_file(path: Path, schema: pa.Schema) -> pq.ParquetFile | None:
    """The existing Parquet file at `path` to append to, None if there is none (or it is empty); a file
    that cannot be appended to is OutputRefused."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        found = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise OutputRefused(
            path,
            f"cannot resume: {path} is not a whole Parquet file (cut short, or not Parquet: {error}); "
            "nothing can be appended to it: move it away and resume again to redo its records",
        ) from error
    try:
        _appendable(found.schema_arrow, schema)
    except (pa.ArrowException, ValueError) as error:
        found.close()
        raise OutputRefused(
            path, f"cannot resume: {path} is not a file of newsclean records ({error}): give another -o"
        ) from error
    return found


def _appendable(found: pa.Schema, schema: pa.Schema) -> None:
    """ValueError unless a file of schema `found` holds records: no column the record lacks, every column
    the file lacks one that may be null (the record gained it since), and every type castable."""
    unknown = [name for name in found.names if name not in schema.names]
    if unknown:
        raise ValueError(f"columns a record does not have: {', '.join(unknown)}")
    required = [field.name for field in schema if not field.nullable and field.name not in found.names]
    if required:
        raise ValueError(f"no {', '.join(required)} column")
    _conformed(pa.Table.from_batches([], schema=found), schema)


def read_parquet_sources(path: str | Path) -> set[str]:
    """The `source` of every record of a whole Parquet file (for --resume); none if it is not whole."""
    try:
        table = pq.read_table(path, columns=["source"])
    except (OSError, pa.ArrowInvalid):
        return set()
    return {source for source in table.column("source").to_pylist() if isinstance(source, str)}
