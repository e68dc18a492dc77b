"""Parquet output: the records with the fixed, typed schema of pipeline.schema.arrow, in row groups as
the run goes, written to `<target>.partial` and moved into place when the run closes it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema.arrow import record_schema

# Rows per row group, or fewer when their text passes ROW_GROUP_BYTES: memory stays bounded.
ROW_GROUP_ROWS = 1000
ROW_GROUP_BYTES = 32 * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid(value: Any) -> Any:
    """A string Arrow can store: a lone surrogate (a file name byte that is not UTF-8) becomes the six
    characters of its escape, `\\udcff`, as in the JSONL output."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", value)
    return value


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows of an existing file in the schema: a column the file lacks (written before the record gained
    it) is null."""
    for field in schema:
        if field.name not in table.column_names:
            table = table.append_column(field.name, pa.nulls(len(table), field.type))
    return table.select(schema.names).cast(schema)


class ParquetWriter:
    """Records to a Parquet file. `append` keeps the rows of an existing, whole file (a run killed before
    it closed its file left only `<target>.partial`, whose rows are done again)."""

    def __init__(self, target: str | Path, *, append: bool = False) -> None:
        if str(target) == "-":
            raise OSError("Parquet cannot be written to standard output; give -o FILE.parquet")
        self.path = Path(target)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = record_schema()
        self.count = 0
        self._rows: list[dict[str, Any]] = []
        self._bytes = 0
        self._writer = pq.ParquetWriter(self.partial, self.schema, compression="zstd")
        if append and self.path.exists():
            for batch in pq.ParquetFile(self.path).iter_batches():
                self._writer.write_table(_conformed(pa.Table.from_batches([batch]), self.schema))

    def write(self, obj: dict[str, Any]) -> None:
        self._rows.append({key: _valid(value) for key, value in obj.items()})
        self._bytes += len(obj.get("text") or "")
        self.count += 1
        if len(self._rows) >= ROW_GROUP_ROWS or self._bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows, self._bytes = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()
        os.replace(self.partial, self.path)


def read_parquet_sources(path: str | Path) -> set[str]:
    """The `source` of every record of a whole Parquet file (for --resume); none if it is not whole."""
    try:
        table = pq.read_table(path, columns=["source"])
    except (OSError, pa.ArrowInvalid):
        return set()
    return {source for source in table.column("source").to_pylist() if isinstance(source, str)}
