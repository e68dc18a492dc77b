"""The record as a fixed, typed Arrow schema (Parquet output) and as Hugging Face `datasets` Features, so
that files whose columns happen to be all null still load beside files that fill them."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

_STRING = ("id", "source", "url", "title", "author", "date", "sitename", "description", "language")
_REMOVAL = pa.struct(
    [("rule", pa.string()), ("family", pa.string()), ("text", pa.string()), ("at", pa.int64())]
)


def record_schema() -> pa.Schema:
    """The contract's record: every key in order, each with its type, every field nullable but `text`,
    `word_count`, `removed` and `extractor`."""
    fields = [pa.field(name, pa.string()) for name in _STRING]
    fields += [
        pa.field("language_score", pa.float64()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("word_count", pa.int64(), nullable=False),
        pa.field("removed", pa.list_(_REMOVAL), nullable=False),
        pa.field("extractor", pa.string(), nullable=False),
        pa.field("fetched_at", pa.string()),
        pa.field("status", pa.int64()),
        pa.field("duplicate_of", pa.string()),
        pa.field("cluster", pa.string()),
    ]
    return pa.schema(fields)


def features() -> Any:
    """The record as `datasets.Features`: pass it to `datasets.load_dataset("json", ..., features=...)`
    (needs the `datasets` package, which newsclean itself does not)."""
    import datasets

    return datasets.Features.from_arrow_schema(record_schema())
