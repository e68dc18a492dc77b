"""Output that loads everywhere: Parquet with a fixed schema, datasets loading clean and crawl output
mixed in either order and either format, and a records glob that takes no errors file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.document import Document
from pipeline.process import Config, run_one
from pipeline.schema.arrow import features, record_schema
from pipeline.writers import errors_path
from pipeline.writers.jsonl import JsonlWriter
from pipeline.writers.parquet import ParquetWriter

from .test_cli import ARTICLE, DUMP


def run(*args: str) -> int:
    return main(["clean", "--workers", "1", *args, "--no-progress"])


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_text(ARTICLE.format(n=1), encoding="utf-8")
    (folder / "b.txt").write_text(DUMP, encoding="utf-8")
    (folder / "c.txt").write_text("")  # an error line
    return folder


def test_parquet_holds_the_same_records_as_jsonl(tmp_path: Path, inputs: Path) -> None:
    assert run(str(inputs), "-o", str(tmp_path / "o.jsonl")) == 0
    assert run(str(inputs), "-o", str(tmp_path / "o.parquet")) == 0
    assert pq.read_table(tmp_path / "o.parquet").to_pylist() == lines(tmp_path / "o.jsonl")
    assert lines(errors_path(tmp_path / "o.parquet")) == lines(errors_path(tmp_path / "o.jsonl"))


def test_parquet_columns_are_typed_even_when_all_null(tmp_path: Path, inputs: Path) -> None:
    assert run(str(inputs), "-o", str(tmp_path / "o.parquet")) == 0
    schema = pq.read_schema(tmp_path / "o.parquet")
    assert schema.remove_metadata() == record_schema()
    assert str(schema.field("status").type) == "int64" and str(schema.field("fetched_at").type) == "string"
    removed = str(schema.field("removed").type)
    assert (
        removed.startswith("list<")
        and "struct<rule: string, family: string, text: string, at: int64, detail: string>" in removed
    )


def test_parquet_is_written_in_row_groups_as_it_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.writers import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 2)
    writer = ParquetWriter(tmp_path / "o.parquet")
    record = run_one(Document("d.txt", "text", content=DUMP.encode()), Config()).record
    assert record is not None
    for _ in range(5):
        writer.write(record)
    writer.close()
    assert pq.ParquetFile(tmp_path / "o.parquet").metadata.num_row_groups == 3
    assert not (tmp_path / "o.parquet.partial").exists()


def test_parquet_resume_keeps_the_records_of_the_whole_file(tmp_path: Path, inputs: Path) -> None:
    assert run(str(inputs / "a.html"), "-o", str(tmp_path / "o.parquet")) == 0
    assert run(str(inputs), "-o", str(tmp_path / "o.parquet"), "--resume") == 0
    sources = [r["source"] for r in pq.read_table(tmp_path / "o.parquet").to_pylist()]
    assert sources == [str(inputs / "a.html"), str(inputs / "b.txt")]


def _crawl_output(path: Path) -> None:
    """Records as the crawl writes them: url, fetched_at and status filled."""
    page = Document(
        "https://news.example/a",
        "html",
        content=ARTICLE.format(n=7).encode(),
        url="https://news.example/a",
        fetched_at="2024-11-28T10:15:00Z",
        status=200,
    )
    record = run_one(page, Config()).record
    assert record is not None
    if path.suffix == ".parquet":
        writer: JsonlWriter | ParquetWriter = ParquetWriter(path)
    else:
        writer = JsonlWriter(path)
    writer.write(record)
    writer.close()


@pytest.mark.parametrize("format", ["jsonl", "parquet"])
@pytest.mark.parametrize("order", ["clean-first", "crawl-first"])
def test_datasets_loads_clean_and_crawl_output_mixed_in_either_order(
    tmp_path: Path, format: str, order: str
) -> None:
    import datasets

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.txt").write_text(DUMP, encoding="utf-8")
    clean, crawl = tmp_path / f"clean.{format}", tmp_path / f"crawl.{format}"
    assert run(str(tmp_path / "in"), "-o", str(clean)) == 0  # fetched_at and status all null
    _crawl_output(crawl)
    files = [str(clean), str(crawl)] if order == "clean-first" else [str(crawl), str(clean)]
    loader = "json" if format == "jsonl" else "parquet"
    kwargs = {"features": features()} if format == "jsonl" else {}
    dataset = datasets.load_dataset(
        loader, data_files=files, split="train", cache_dir=str(tmp_path / "cache"), **kwargs
    )
    assert sorted(dataset["status"], key=str) == [200, None]


def test_the_obvious_records_glob_takes_no_errors_file(tmp_path: Path, inputs: Path) -> None:
    import datasets

    assert run(str(inputs), "-o", str(tmp_path / "out" / "clean.jsonl")) == 0
    assert errors_path(tmp_path / "out" / "clean.jsonl").exists()
    dataset = datasets.load_dataset(
        "json",
        data_files=str(tmp_path / "out" / "*.jsonl"),
        split="train",
        features=features(),
        cache_dir=str(tmp_path / "cache"),
    )
    assert sorted(dataset["source"]) == [str(inputs / "a.html"), str(inputs / "b.txt")]
