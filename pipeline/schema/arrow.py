"""The record as a fixed, typed Arrow schema (Parquet output) and as Hugging Face `datasets` Features, so
that files whose columns happen to be all null still load beside files that fill them."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from pipeline.record import RECORD_KEYS

_REMOVAL = pa.struct(
    [
        ("rule", pa.string()),
        ("family", pa.string()),
        ("text", pa.string()),
        ("at", pa.int64()),
        ("detail", pa.string()),
    ]
)
# Each key's type; a key not named here is a string.
_TYPES: dict[str, pa.DataType] = {
    "tags": pa.list_(pa.string()),
    "paywalled": pa.bool_(),
    "language_score": pa.float64(),
    "word_count": pa.int64(),
    "removed": pa.list_(_REMOVAL),
    "status": pa.int64(),
}
_REQUIRED = frozenset({"text", "word_count", "removed", "extractor"})


def record_schema() -> pa.Schema:
    """The contract's record: every key in order, each with its type, every field nullable but `text`,
    `word_count`, `removed` and `extractor`."""
    return pa.schema(
        [pa.field(key, _TYPES.get(key, pa.string()), nullable=key not in _REQUIRED) for key in RECORD_KEYS]
    )


def features() -> Any:
    """The record as `datasets.Features`: pass it to `datasets.load_dataset("json", ..., features=...)`
    (needs the `datasets` package, which newsclean itself does not)."""
    import datasets

    return datasets.Features.from_arrow_schema(record_schema())
