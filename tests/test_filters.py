"""`clean`'s filters: HTTP status classes of archived pages, a minimum length, articles only; each
filtered input is an error line of its stage and counted in the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.document import Document
from pipeline.process import Config, run_one
from pipeline.writers import errors_path

from .conftest import GOLD_DIR
from .test_cli import ARTICLE
from .test_warc import record_bytes, three_pages, write_archive


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["clean", "--workers", "1", "--no-progress", *args])
    return status, capsys.readouterr().err


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """An archive of a 404 page, a redirect and two articles."""
    path = tmp_path / "crawl.warc.gz"
    pages = three_pages()
    write_archive(
        path,
        [
            record_bytes("https://news.example/gone", status="404 Not Found"),
            record_bytes("https://news.example/moved", status="301 Moved Permanently"),
            *pages[1:],
        ],
    )
    return path


def test_archived_pages_of_another_status_class_are_http_error_lines(
    tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    status, err = _run(capsys, str(archive), "-o", str(out))
    assert status == 0
    assert [r["status"] for r in _lines(out)] == [200, 200]
    errors = _lines(errors_path(str(out)))
    assert [(e["stage"], e["error"]) for e in errors] == [
        ("http", "HTTP 404, not 2xx (--status)"),
        ("http", "HTTP 301, not 2xx (--status)"),
    ]
    assert "failures by stage" not in err  # a page the archive holds with an error status is no failure


@pytest.mark.parametrize(("classes", "kept"), [("2xx,4xx", [404, 200, 200]), ("any", [404, 301, 200, 200])])
def test_status_classes_can_be_chosen(
    tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str], classes: str, kept: list[int]
) -> None:
    out = tmp_path / "out.jsonl"
    assert _run(capsys, str(archive), "-o", str(out), "--status", classes)[0] == 0
    assert [r["status"] for r in _lines(out)] == kept


@pytest.mark.parametrize("classes", ["200", "6xx", "2xx,", "all"])
def test_a_status_class_that_is_none_is_a_usage_error(
    tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str], classes: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["clean", str(archive), "-o", str(tmp_path / "o.jsonl"), "--status", classes])
    assert raised.value.code == 2
    assert "--status" in capsys.readouterr().err


def test_a_record_under_the_minimum_length_is_filtered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.html").write_text(ARTICLE.format(n=1), encoding="utf-8")
    short = (
        "<html><body><article><p>The ferry runs again on Tuesday after the storm.</p></article></body></html>"
    )
    (tmp_path / "in" / "short.html").write_text(short, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    status, err = _run(capsys, str(tmp_path / "in"), "-o", str(out), "--min-words", "20")
    assert status == 0
    assert [Path(str(r["source"])).name for r in _lines(out)] == ["long.html"]
    (error,) = _lines(errors_path(str(out)))
    assert error["stage"] == "filtered"
    assert error["error"] == "9 words, fewer than --min-words 20"
    assert "1 filtered" in err


def test_articles_only_drops_a_page_that_is_no_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "story.html").write_text((GOLD_DIR / "german-news.html").read_text(), encoding="utf-8")
    index = "<html><body><ul>" + "".join(
        f"<li><a href='/news/{n}'>Council approves harbour plan number {n} after long debate</a></li>"
        for n in range(30)
    )
    (tmp_path / "in" / "index.html").write_text(index + "</ul></body></html>", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _run(capsys, str(tmp_path / "in"), "-o", str(out))[0] == 0
    every = sorted(Path(str(r["source"])).name for r in _lines(out))
    assert _run(capsys, str(tmp_path / "in"), "-o", str(out), "--articles-only")[0] == 0
    assert [Path(str(r["source"])).name for r in _lines(out)] == ["story.html"]
    assert every == ["index.html", "story.html"]
    assert [e["stage"] for e in _lines(errors_path(str(out)))] == ["not-article"]


def test_a_local_file_has_no_status_and_passes_any_status_filter() -> None:
    document = Document("a.html", "html", content=ARTICLE.format(n=1).encode())
    assert run_one(document, Config(statuses=frozenset({5}))).record is not None


@pytest.mark.parametrize(
    ("documents", "ran"), [(3, "ran in this process"), (16, "ran on 2 worker processes")]
)
def test_a_pool_starts_only_for_an_input_large_enough(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    documents: int,
    ran: str,
) -> None:
    monkeypatch.delenv("NEWSCLEAN_POOL_MINIMUM")
    (tmp_path / "in").mkdir()
    for n in range(documents):
        (tmp_path / "in" / f"p{n:02d}.html").write_text(ARTICLE.format(n=n), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    status = main(["clean", str(tmp_path / "in"), "-o", str(out), "--workers", "2", "--no-progress"])
    assert status == 0
    assert len(_lines(out)) == documents
    assert ran in capsys.readouterr().err.splitlines()


def test_fast_turns_trafilaturas_fast_mode_on() -> None:
    from pipeline.cli import build_parser
    from pipeline.cli.common import config_from

    parser = build_parser()
    assert not config_from(parser.parse_args(["clean", "x"])).extract.fast
    assert config_from(parser.parse_args(["clean", "x", "--fast"])).extract.fast
