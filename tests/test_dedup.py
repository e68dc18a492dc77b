"""Near-duplicate records (`newsclean dedup`, `clean --dedup`): real records of the gold pages and the seeds,
and copies of them made as reprints are (cut short, other chrome, light edits)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.corpus.dedup import DedupOptions, Duplicates, find_duplicates
from pipeline.record import RECORD_KEYS, dumps, schema
from pipeline.schema.arrow import record_schema

from .conftest import GOLD_DIR, SHARED, outcome_of, shared_dir

Record = dict[str, Any]
GOLD_INPUTS = sorted(
    p for p in GOLD_DIR.iterdir() if p.suffix in (".html", ".txt") and ".gold." not in p.name
)
CHROME = ["Advertisement", "Share this article", "Sign up for our newsletter", "Follow us on Facebook"]


@pytest.fixture(scope="module")
def gold_records() -> dict[str, Record]:
    """The record `clean` writes for each gold page, by file name."""
    records = {}
    for path in GOLD_INPUTS:
        record = outcome_of(path).record
        assert record is not None
        records[path.name] = record
    return records


def _copy(record: Record, text: str, tag: str, **fields: Any) -> Record:
    """Another record of the same story: its own id (another URL), the text given."""
    copy_id = hashlib.sha1(f"{record['id']}#{tag}".encode()).hexdigest()
    return {**record, "id": copy_id, "url": f"https://reprints.example/{tag}", "text": text, **fields}


def _cut(text: str, share: float) -> str:
    """The first `share` of the words, paragraphs kept, as a truncated reprint has them."""
    budget = round(len(text.split()) * share)
    kept = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if len(words) >= budget:
            kept.append(" ".join(words[:budget]))
            break
        kept.append(paragraph)
        budget -= len(words)
    return "\n".join(kept)


def _edited(text: str) -> str:
    """A paragraph dropped and a few words changed."""
    paragraphs = text.split("\n")
    del paragraphs[len(paragraphs) // 2]
    first = paragraphs[0].split()
    first[1:4] = ["reportedly", "said", "today"]
    return "\n".join([" ".join(first), *paragraphs[1:]])


REPRINTS = {
    "cut-to-40%": lambda text: _cut(text, 0.4),
    "cut-to-70%": lambda text: _cut(text, 0.7),
    "other-chrome": lambda text: "\n".join([*CHROME[:2], text, *CHROME[2:]]),
    "light-edits": _edited,
    "cut-with-chrome": lambda text: "\n".join([CHROME[0], _cut(text, 0.5), CHROME[3]]),
}


def _run(records: list[Record]) -> Duplicates:
    return find_duplicates(lambda: iter(records))


def _fields(records: list[Record]) -> dict[str, dict[str, str | None]]:
    found = _run(records)
    return {record["id"]: found.fields(i) for i, record in enumerate(records)}


def test_the_gold_pages_are_not_copies_of_each_other(gold_records: dict[str, Record]) -> None:
    fields = _fields(list(gold_records.values()))
    assert {(f["duplicate_of"], f["cluster"]) for f in fields.values()} == {(None, None)}


@pytest.mark.parametrize("kind", sorted(REPRINTS))
@pytest.mark.parametrize("page", ["liveblog-long-intro.html", "wire-story-dump.txt", "german-news.html"])
def test_a_reprint_is_a_copy_of_its_original(gold_records: dict[str, Record], page: str, kind: str) -> None:
    original = gold_records[page]
    reprint = _copy(original, REPRINTS[kind](original["text"]), kind)
    fields = _fields([reprint, *gold_records.values()])
    longer, shorter = sorted([original, reprint], key=lambda record: -len(record["text"]))
    assert fields[shorter["id"]] == {"duplicate_of": longer["id"], "cluster": longer["id"]}
    assert fields[longer["id"]] == {"duplicate_of": None, "cluster": longer["id"]}
    assert sum(f["cluster"] is not None for f in fields.values()) == 2


def test_copies_of_copies_share_one_cluster(gold_records: dict[str, Record]) -> None:
    original = gold_records["liveblog-long-intro.html"]
    longer = _copy(original, _cut(original["text"], 0.8), "80")
    shorter = _copy(original, _cut(original["text"], 0.5), "50")
    fields = _fields([shorter, longer, original])
    assert {f["cluster"] for f in fields.values()} == {original["id"]}
    assert fields[shorter["id"]]["duplicate_of"] == original["id"]


def test_many_copies_of_one_text_make_one_cluster(gold_records: dict[str, Record]) -> None:
    original = gold_records["turkish-news.html"]
    copies = [_copy(original, original["text"], str(n)) for n in range(120)]  # more than the run limit
    found = _run([original, *copies])
    representative = min([original, *copies], key=lambda record: record["id"])["id"]
    assert {found.fields(i)["cluster"] for i in range(len(copies) + 1)} == {representative}
    assert found.copy_count == len(copies)


@pytest.mark.parametrize(
    ("first", "second", "representative"),
    [
        pytest.param({"date": "2024-01-01"}, {"date": "2024-06-01", "cut": 0.9}, "first", id="longest-text"),
        pytest.param(
            {"date": "2024-06-01", "cut": 0.9}, {"date": "2024-01-01"}, "second", id="longest-over-date"
        ),
        pytest.param({"date": "2024-06-01"}, {"date": "2024-01-01"}, "second", id="earliest-date"),
        pytest.param({"date": None}, {"date": "2024-01-01"}, "second", id="a-date-over-none"),
        pytest.param({"date": "2024-01-01"}, {"date": "2024-01-01"}, "smaller-id", id="smallest-id"),
    ],
)
def test_the_representative_rule(
    gold_records: dict[str, Record], first: dict[str, Any], second: dict[str, Any], representative: str
) -> None:
    original = gold_records["french-news.html"]
    pair = [
        _copy(original, _cut(original["text"], spec.get("cut", 1.0)), tag, date=spec["date"])
        for tag, spec in (("first", first), ("second", second))
    ]
    fields = _fields(pair)
    if representative == "smaller-id":
        want = min(record["id"] for record in pair)
    else:
        want = pair[0 if representative == "first" else 1]["id"]
    assert {f["cluster"] for f in fields.values()} == {want}
    assert fields[want]["duplicate_of"] is None


def test_a_higher_threshold_lets_a_short_cut_go(gold_records: dict[str, Record]) -> None:
    original = gold_records["liveblog-long-intro.html"]
    reprint = _copy(original, "\n".join([*CHROME, _cut(original["text"], 0.4)]), "chrome-heavy")
    records = [original, reprint]
    loose = find_duplicates(lambda: iter(records), DedupOptions(threshold=0.5))
    strict = find_duplicates(lambda: iter(records), DedupOptions(threshold=0.95))
    assert (loose.copy_count, strict.copy_count) == (1, 0)


SEEDS = ["000_2a7b7b23fbbc8d24", "001_930e9a1d074fde8c", "002_8e0743e9fe18db3b", "003_394da226c53c6e3b"]
SEEDS += ["004_4ddb18ca957b796d"]


@pytest.fixture(scope="module")
def seed_records() -> dict[str, Record]:
    folder = shared_dir("seeds")
    records = {}
    for name in SEEDS:
        record = outcome_of(folder / f"{name}.txt").record
        assert record is not None
        records[name] = record
    return records


def test_five_stories_of_one_event_are_not_copies(seed_records: dict[str, Record]) -> None:
    fields = _fields(list(seed_records.values()))
    assert {(f["duplicate_of"], f["cluster"]) for f in fields.values()} == {(None, None)}


@pytest.mark.parametrize("name", SEEDS)
def test_a_seed_dump_with_its_chrome_copies_its_cleaned_record(
    seed_records: dict[str, Record], name: str
) -> None:
    cleaned = seed_records[name]
    dump = (SHARED / "seeds" / f"{name}.txt").read_text(encoding="utf-8")
    raw = _copy(cleaned, dump, "raw", date=None)
    fields = _fields([*seed_records.values(), raw])
    assert {i for i, f in fields.items() if f["cluster"] is not None} == {cleaned["id"], raw["id"]}


def _write_jsonl(path: Path, records: list[Record]) -> Path:
    path.write_text("".join(dumps(record) for record in records), encoding="utf-8")
    return path


def _write_parquet(path: Path, records: list[Record]) -> Path:
    import pyarrow as pa

    pq.write_table(pa.Table.from_pylist(records, schema=record_schema()), path)
    return path


def _lines(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


@pytest.fixture
def mixed_inputs(tmp_path: Path, gold_records: dict[str, Record]) -> tuple[Path, Path, Record, Record]:
    """A JSONL file of the gold records and a Parquet file with a reprint of one of them."""
    original = gold_records["spanish-news.html"]
    reprint = _copy(original, _cut(original["text"], 0.6), "cut")
    jsonl = _write_jsonl(tmp_path / "clean.jsonl", list(gold_records.values()))
    parquet = _write_parquet(tmp_path / "crawl.parquet", [reprint])
    return jsonl, parquet, original, reprint


def test_dedup_marks_every_record_and_keeps_the_contract(
    mixed_inputs: tuple[Path, Path, Record, Record],
) -> None:
    jsonl, parquet, original, reprint = mixed_inputs
    out = jsonl.with_name("out.jsonl")
    assert main(["dedup", str(jsonl), str(parquet), "-o", str(out), "-q"]) == 0
    records = list(_lines(out))
    for record in records:
        jsonschema.validate(record, schema("record"))
    assert [tuple(record) for record in records] == [RECORD_KEYS] * len(records)
    by_id = {record["id"]: record for record in records}
    assert by_id[reprint["id"]]["duplicate_of"] == original["id"]
    assert len(records) == len(GOLD_INPUTS) + 1


def test_drop_duplicates_leaves_the_copies_out(mixed_inputs: tuple[Path, Path, Record, Record]) -> None:
    jsonl, parquet, original, reprint = mixed_inputs
    out = jsonl.with_name("out.parquet")
    assert main(["dedup", str(parquet), str(jsonl), "-o", str(out), "--drop-duplicates", "-q"]) == 0
    table = pq.read_table(out)
    assert table.schema == record_schema()
    ids = table.column("id").to_pylist()
    assert reprint["id"] not in ids
    assert original["id"] in ids
    assert len(ids) == len(GOLD_INPUTS)


def test_dedup_writes_to_standard_output(
    mixed_inputs: tuple[Path, Path, Record, Record], capsys: pytest.CaptureFixture[str]
) -> None:
    jsonl, parquet, original, reprint = mixed_inputs
    assert main(["dedup", str(jsonl), str(parquet), "-o", "-", "-q"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["id"]: line["duplicate_of"] for line in lines}[reprint["id"]] == original["id"]


def test_dedup_may_rewrite_its_input(mixed_inputs: tuple[Path, Path, Record, Record]) -> None:
    jsonl, _, original, reprint = mixed_inputs
    _write_jsonl(jsonl, [*_lines(jsonl), reprint])
    assert main(["dedup", str(jsonl), "-o", str(jsonl), "-q"]) == 0
    marked = {record["id"]: record["duplicate_of"] for record in _lines(jsonl)}
    assert len(marked) == len(GOLD_INPUTS) + 1
    assert marked[reprint["id"]] == original["id"]
    assert not jsonl.with_name(jsonl.name + ".partial").exists()


def test_a_file_that_holds_no_records_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.jsonl"
    bad.write_text("this is not JSON\n", encoding="utf-8")
    assert main(["dedup", str(bad), "-o", str(tmp_path / "out.jsonl")]) == 1
    assert "notes.jsonl:1: not a JSON record" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


def test_a_record_without_an_id_is_a_clear_error(
    tmp_path: Path, gold_records: dict[str, Record], capsys: pytest.CaptureFixture[str]
) -> None:
    records = list(gold_records.values())[:2]
    path = _write_jsonl(tmp_path / "in.jsonl", [records[0], {**records[1], "id": None}])
    assert main(["dedup", str(path), "-o", str(tmp_path / "out.jsonl")]) == 1
    assert "in.jsonl: record 2 has no id" in capsys.readouterr().err


def test_a_missing_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dedup", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "out.jsonl")]) == 2
    assert "no such records file" in capsys.readouterr().err


def test_clean_writes_null_fields_without_dedup(gold_records: dict[str, Record]) -> None:
    assert {(r["duplicate_of"], r["cluster"]) for r in gold_records.values()} == {(None, None)}


def test_clean_dedup_marks_the_copy_in_one_run(tmp_path: Path) -> None:
    dump = (GOLD_DIR / "wire-story-dump.txt").read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(dump, encoding="utf-8")
    (folder / "b.txt").write_text("\n".join([*CHROME, _cut(dump, 0.6)]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["clean", "--workers", "1", str(folder), "-o", str(out), "--dedup", "-q"]) == 0
    records = {Path(record["source"]).name: record for record in _lines(out)}
    assert records["b.txt"]["duplicate_of"] == records["a.txt"]["id"]
    assert records["a.txt"]["cluster"] == records["a.txt"]["id"]


def test_clean_dedup_needs_a_records_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(GOLD_INPUTS[0]), "-o", "-", "--dedup"]) == 2
    assert "--dedup" in capsys.readouterr().err


def test_a_record_parquet_cannot_hold_stops_dedup_with_one_line_and_no_file(
    tmp_path: Path, gold_records: dict[str, Record], capsys: pytest.CaptureFixture[str]
) -> None:
    records = list(gold_records.values())
    records[1] = {**records[1], "word_count": 2**70}
    jsonl = _write_jsonl(tmp_path / "clean.jsonl", records)
    out = tmp_path / "out.parquet"
    assert main(["dedup", str(jsonl), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"newsclean dedup: cannot write {out}: its word_count") and err.count("\n") == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clean.jsonl"]
