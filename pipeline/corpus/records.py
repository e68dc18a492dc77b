"""Records files read back one record at a time, chosen by suffix: Parquet, else JSON lines (the output of
`clean` and of crawls, in either format)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.writers.read import read_json_lines as iter_jsonl

BATCH_ROWS = 1000


def _parquet(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)
        for batch in batches:
            yield from batch.to_pylist()
    except pa.ArrowException as error:
        raise ValueError(f"{path}: not a Parquet records file ({error})") from error


READERS: dict[str, Callable[[Path], Iterator[dict[str, Any]]]] = {".parquet": _parquet}


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one file. Raises ValueError naming the file (and line) when it holds no records,
    OSError when it cannot be read."""
    reader = READERS.get(path.suffix.lower(), iter_jsonl)
    return reader(path)
