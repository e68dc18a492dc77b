"""An output read back as records, whatever wrote it: a JSON lines file, a Parquet file, or a shard
folder of the Dask engine (`part-*.jsonl` or `part-*.parquet` beside `manifest.json`), in order."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.writers.guard import PARQUET

ERRORS_SUFFIX = ".errors.ndjson"
MANIFEST = "manifest.json"
_SHARD = re.compile(r"part-\d+\.(jsonl|parquet)")


class NotRecords(ValueError):
    """The path is not a records output (an errors file, a folder that holds no shards, ...)."""


def read_output(path: Path) -> list[dict[str, Any]]:
    """Every record of the output at `path`. Raises NotRecords for what is not a records output,
    ValueError naming the line for a JSON lines file with a line that is no record, OSError when it
    cannot be read."""
    if path.is_dir():
        return [record for shard in shards(path) for record in _records_of(shard)]
    if path.name.endswith(ERRORS_SUFFIX):
        raise NotRecords(
            f"{path} is an errors file (its lines say why inputs gave no record): give the records"
        )
    return list(_records_of(path))


def shards(folder: Path) -> list[Path]:
    """The records shards of a shard folder, in partition order; NotRecords for any other folder."""
    if not (folder / MANIFEST).is_file():
        raise NotRecords(
            f"{folder} is a folder without {MANIFEST}: not a shard folder of `clean --engine dask`"
        )
    return sorted(path for path in folder.iterdir() if _SHARD.fullmatch(path.name))


def _records_of(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        parquet = handle.read(len(PARQUET[0])) == PARQUET[0]
    if parquet:
        yield from _parquet_records(path)
    else:
        yield from read_json_lines(path)


def _parquet_records(path: Path) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except pa.ArrowException as error:
        raise ValueError(f"{path}: not a whole Parquet file ({error})") from error
    if "text" not in table.column_names:
        raise NotRecords(f"{path} holds no records (it has no `text` column)")
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON lines file; a torn last line (no newline, not JSON) is dropped. Raises
    ValueError naming the line when any other line is not a JSON object, NotRecords when the lines are
    error lines."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                if not line.endswith("\n"):
                    break
                raise ValueError(f"{path}:{number}: not a JSON record ({error.msg})") from error
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{number}: not a JSON object")
            if "text" not in record and {"stage", "error"} <= record.keys():
                raise NotRecords(f"{path} holds error lines, not records: give the records file")
            yield record
