"""`newsclean explain`: kept and removed text in order, numbered as the record's `at`, for a file, one
archive record, or a folder."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.cli.explain import explanation

from .conftest import GOLD_DIR, outcome_of
from .test_cli import DUMP
from .test_warc import archive


def _explained(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["explain", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_each_removal_is_shown_before_the_kept_paragraph_its_at_names() -> None:
    record = outcome_of(GOLD_DIR / "german-news.html").record
    assert record is not None
    lines = explanation(record)
    kept = record["text"].split("\n")
    numbered = {int(m[1]): i for i, line in enumerate(lines) if (m := re.match(r"  +(\d+)  ", line))}
    assert sorted(numbered) == list(range(len(kept)))
    for removal in (r for r in record["removed"] if r["at"] is not None and r["at"] < len(kept)):
        line = f"    -  [{removal['rule']}, {removal['family']}] {removal['text']}"
        position = lines.index(line)
        assert position < numbered[removal["at"]]
        assert removal["at"] == 0 or position > numbered[removal["at"] - 1]


def test_removals_before_extraction_and_after_the_last_paragraph_have_their_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
        + "<p>The harbor board approved the new seawall budget after a long night of debate.</p>" * 8
        + "</article></body></html>",
        encoding="utf-8",
    )
    status, out, _ = _explained(capsys, str(page))
    assert status == 0
    assert "cut from the page before extraction:\n    -  [navigation-menu, chrome] Home World\n" in out
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    status, out, _ = _explained(capsys, str(tmp_path / "ok.txt"))
    last = out.rstrip("\n").split("\n")[-1]
    assert re.match(r"    -  \[source-domain, trailer\] ", last)


def test_a_disabled_rule_removes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = GOLD_DIR / "german-news.html"
    assert "[navigation-menu, chrome]" in _explained(capsys, str(page))[1]
    assert "navigation-menu" not in _explained(capsys, "--disable", "navigation-menu", str(page))[1]


def test_one_archive_record_is_named_by_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warc = tmp_path / "crawl.warc.gz"
    archive(warc, pages=3)
    status, _, err = _explained(capsys, str(warc))
    assert status == 2
    sources = re.findall(r"^  (\S+#\d+)$", err, re.M)
    assert len(sources) == 3
    status, out, _ = _explained(capsys, "--json", sources[1])
    assert status == 0
    assert json.loads(out)["source"] == sources[1]
    assert json.loads(out)["url"] == "https://news.example/1.html"


def test_all_explains_each_record_of_an_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warc = tmp_path / "crawl.warc.gz"
    archive(warc, pages=3)
    status, out, _ = _explained(capsys, "--all", "--json", str(warc))
    assert status == 0
    assert [json.loads(line)["url"] for line in out.splitlines()] == [
        f"https://news.example/{n}.html" for n in range(3)
    ]


@pytest.mark.parametrize("offset", ["1", "x1"])
def test_an_offset_with_no_record_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offset: str
) -> None:
    warc = tmp_path / "crawl.warc.gz"
    archive(warc, pages=1)
    status, out, err = _explained(capsys, f"{warc}#{offset}")
    assert status == 2
    assert out == ""
    assert str(warc) in err


def test_a_folder_of_one_document_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(GOLD_DIR / "german-news.html", tmp_path / "a.html")
    status, out, _ = _explained(capsys, str(tmp_path))
    assert status == 0
    assert out.startswith(f"{tmp_path / 'a.html'}: kept 10 paragraphs")


def test_a_folder_of_several_asks_for_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        shutil.copy(GOLD_DIR / "german-news.html", tmp_path / f"{name}.html")
    status, out, err = _explained(capsys, str(tmp_path))
    assert status == 2
    assert out == ""
    assert re.findall(r"^  (\S+)$", err, re.M) == [str(tmp_path / "a.html"), str(tmp_path / "b.html")]


def test_a_missing_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _explained(capsys, str(tmp_path / "nope.html"))
    assert status == 2
    assert "no such file or folder" in err
