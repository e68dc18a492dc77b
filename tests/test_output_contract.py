"""Real output validates against the shipped JSON Schemas and loads in pandas and `datasets`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.cli import main
from pipeline.record import RECORD_KEYS, schema

from .conftest import GOLD_DIR, ROOT, SHARED


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("contract") / "clean.jsonl"
    inputs = [str(ROOT / "samples"), str(GOLD_DIR)]
    if (SHARED / "seeds").is_dir():
        inputs.append(str(SHARED / "seeds"))
    assert main(["clean", *inputs, "-o", str(out), "-q"]) == 0
    return out


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_validate_against_the_schema(output: Path) -> None:
    validator = jsonschema.Draft202012Validator(schema("record"))
    records = _records(output)
    assert len(records) >= 8
    for record in records:
        validator.validate(record)


def test_error_lines_validate_against_the_schema(output: Path) -> None:
    validator = jsonschema.Draft202012Validator(schema("error"))
    for line in _records(output.with_name("clean.errors.ndjson")):
        validator.validate(line)


def test_every_line_has_the_contract_keys_in_order(output: Path) -> None:
    raw = output.read_text(encoding="utf-8")
    assert raw.endswith("\n") and "\\u00" not in raw  # UTF-8, not ASCII-escaped
    for record in _records(output):
        assert tuple(record) == RECORD_KEYS


def test_removals_point_at_kept_paragraphs(output: Path) -> None:
    for record in _records(output):
        kept = len(str(record["text"]).split("\n"))
        for removal in record["removed"]:  # type: ignore[attr-defined]
            assert removal["at"] is None or 0 <= removal["at"] <= kept


def test_pandas_reads_the_output(output: Path) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_json(output, lines=True, dtype=False)
    assert list(frame.columns) == list(RECORD_KEYS)
    assert len(frame) == len(_records(output))


def test_datasets_reads_the_output(output: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset("json", data_files=str(output), split="train", cache_dir=str(tmp_path))
    assert loaded.column_names == list(RECORD_KEYS)
    assert loaded.num_rows == len(_records(output))
