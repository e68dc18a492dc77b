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


# A value that does not fit its column never costs the other records of its row group.


def _records(count: int) -> list[dict[str, Any]]:
    found = []
    for n in range(count):
        record = run_one(Document(f"d{n}.txt", "text", content=DUMP.encode()), Config()).record
        assert record is not None
        found.append(record)
    return found


ODD_NULLABLE = {
    "status-past-int64": ("status", 2**70),
    "status-below-int64": ("status", -(2**64)),
    "status-a-string": ("status", "200"),
    "status-a-bool": ("status", True),
    "status-not-whole": ("status", 200.5),
    "score-a-string": ("language_score", "high"),
    "score-past-any-double": ("language_score", 10**400),
    "title-a-number": ("title", 42),
    "tags-a-string": ("tags", "politics"),
    "tags-of-numbers": ("tags", [1, 2]),
    "paywalled-a-string": ("paywalled", "yes"),
    "date-a-dict": ("date", {"year": 2024}),
}


@pytest.mark.parametrize("odd", ODD_NULLABLE)
def test_a_value_that_does_not_fit_is_null_and_its_row_group_is_whole(
    tmp_path: Path, odd: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.writers import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 4)
    column, value = ODD_NULLABLE[odd]
    records = _records(7)
    records[2] = {**records[2], column: value}  # in the middle of the first row group
    writer = ParquetWriter(tmp_path / "o.parquet")
    for record in records:
        writer.write(record)
    writer.close()
    rows = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert [row["source"] for row in rows] == [record["source"] for record in records]
    assert rows[2][column] is None
    assert writer.nulled == {column: 1}
    assert rows[3] == {**records[3], **{key: None for key in rows[3] if key not in records[3]}}


ODD_REQUIRED = {
    "word-count-past-int64": ("word_count", 2**64),
    "word-count-a-string": ("word_count", "12"),
    "text-missing": ("text", None),
    "text-a-list": ("text", ["a", "b"]),
    "removed-a-bad-offset": ("removed", [{"rule": "r", "family": "f", "text": "t", "at": "one"}]),
    "extractor-a-number": ("extractor", 3),
}


@pytest.mark.parametrize("odd", ODD_REQUIRED)
def test_a_record_whose_required_value_does_not_fit_is_an_error_line_and_the_others_are_written(
    tmp_path: Path, odd: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.document import Outcome
    from pipeline.writers import Output, parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 4)
    column, value = ODD_REQUIRED[odd]
    records = _records(7)
    records[2] = {**records[2], column: value}
    output = Output(str(tmp_path / "o.parquet"), format="parquet")
    written = [output.write(Outcome(record["source"], record=record)) for record in records]
    output.close()
    assert [outcome.stage for outcome in written] == [None, None, "clean", None, None, None, None]
    rows = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert [row["source"] for row in rows] == [records[n]["source"] for n in (0, 1, 3, 4, 5, 6)]
    (error,) = lines(errors_path(tmp_path / "o.parquet"))
    assert (error["source"], error["stage"]) == (records[2]["source"], "clean")
    assert column in error["error"]


def test_a_dask_shard_writes_an_unfit_record_as_its_error_line(tmp_path: Path) -> None:
    from pipeline.document import Document, Outcome
    from pipeline.runners.dask import Partition, ShardFolder, write_shard

    records = _records(5)
    records[2] = {**records[2], "word_count": "12"}
    with ShardFolder(str(tmp_path / "shards.parquet"), "parquet") as folder:
        folder.start(resume=False)
        partition = Partition(0, tuple(Document(record["source"], "html") for record in records))
        outcomes = [Outcome(record["source"], record=record) for record in records]
        stats = write_shard(partition, outcomes, str(folder.path), "parquet", folder.run)
    shard = folder.path / f"{partition.name}.parquet"
    rows = pq.read_table(shard).to_pylist()
    assert [row["source"] for row in rows] == [records[n]["source"] for n in (0, 1, 3, 4)]
    (error,) = lines(folder.path / f"{partition.name}.errors.ndjson")
    assert (error["source"], error["stage"]) == (records[2]["source"], "clean")
    assert (stats.written, sum(stats.stages.values())) == (4, 1)
