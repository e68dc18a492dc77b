"""`clean_page` and `clean_text`: the record `newsclean clean` writes, a typed error for an input that
gives none, a TypeError naming a wrong argument."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

import pipeline
from pipeline import Config, DocumentError, NoRecordError, clean_page, clean_text
from pipeline.cli import main

from .conftest import GOLD_DIR, ROOT

PAGES = sorted(GOLD_DIR.glob("*.html"))
DUMPS = sorted(path for path in GOLD_DIR.glob("*.txt") if not path.name.endswith(".gold.txt"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """What `newsclean clean` wrote for each gold input, by source."""
    out = tmp_path_factory.mktemp("api") / "gold.jsonl"
    assert main(["clean", "--workers", "1", *map(str, PAGES + DUMPS), "-o", str(out), "-q"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {record["source"]: record for record in records}


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_clean_page_gives_the_record_the_cli_writes(path: Path, written: dict[str, dict[str, Any]]) -> None:
    assert clean_page(path.read_bytes(), source=str(path)) == written[str(path)]


@pytest.mark.parametrize("path", DUMPS, ids=lambda path: path.name)
def test_clean_text_gives_the_record_the_cli_writes(path: Path, written: dict[str, dict[str, Any]]) -> None:
    assert clean_text(path.read_bytes(), source=str(path)) == written[str(path)]


def test_a_page_given_as_text_is_read_as_that_text() -> None:
    # The page declares ISO-8859-1; once decoded, that declaration no longer applies to its text.
    raw = (ROOT / "samples" / "latin1-page.html").read_bytes()
    assert b"iso-8859-1" in raw.lower() and not raw.isascii()
    from_text = clean_page(raw.decode("iso-8859-1"))
    from_bytes = clean_page(raw)
    assert (from_text["title"], from_text["text"]) == (from_bytes["title"], from_bytes["text"])
    assert "Münster" in from_text["text"]


def test_the_url_names_the_record() -> None:
    url = "https://news.example.com/2025/04/07/library-reopens/"
    found = clean_page((ROOT / "samples" / "wordpress-post.html").read_bytes(), url)
    assert (found["url"], found["source"]) == (url, url)
    assert found["id"] == hashlib.sha1(url.encode()).hexdigest()


def test_the_config_is_the_runs() -> None:
    page = (GOLD_DIR / "inline-links-newsletter.html").read_bytes()
    assert "inline-related-link" in {removal["rule"] for removal in clean_page(page)["removed"]}
    config = Config(disabled_rules=frozenset({"inline-related-link"}))
    assert "inline-related-link" not in {
        removal["rule"] for removal in clean_page(page, config=config)["removed"]
    }


@pytest.mark.parametrize(
    ("call", "stage"),
    [
        (lambda: clean_page(b""), "empty"),
        (lambda: clean_page("<html><body><nav>Home</nav></body></html>"), "empty"),
        (lambda: clean_page(b"\x00\x01\x02\x03" * 100), "decode"),
        (lambda: clean_text("Subscribe to get the latest posts sent to your email.\n"), "empty"),
        (lambda: clean_text((GOLD_DIR / "italian-dump.txt").read_bytes(), config=english_only()), "filtered"),
    ],
    ids=["empty-bytes", "no-article", "binary", "only-residue", "other-language"],
)
def test_an_input_without_a_record_raises_its_stage(call: Any, stage: str) -> None:
    with pytest.raises(NoRecordError) as raised:
        call()
    assert raised.value.stage == stage
    assert isinstance(raised.value, DocumentError)


def english_only() -> Config:
    return Config(languages=frozenset({"en"}))


def test_the_error_names_the_input() -> None:
    with pytest.raises(NoRecordError, match=r"^https://news\.example\.com/a: empty: "):
        clean_page(b"", "https://news.example.com/a")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: clean_page(None), "clean_page() argument 'html' must be str or bytes, not NoneType"),
        (lambda: clean_page(42), "clean_page() argument 'html' must be str or bytes, not int"),
        (
            lambda: clean_page(GOLD_DIR / "french-news.html"),
            "argument 'html' must be str or bytes, not Posix",
        ),
        (
            lambda: clean_page("<p>x</p>", b"https://a.example/"),
            "argument 'url' must be str or None, not bytes",
        ),
        (
            lambda: clean_page("<p>x</p>", config={"timeout": 5}),
            "argument 'config' must be a pipeline.Config",
        ),
        (lambda: clean_text(["a line"]), "clean_text() argument 'text' must be str or bytes, not list"),
        (
            lambda: clean_text("a line", source=1),
            "clean_text() argument 'source' must be str or None, not int",
        ),
    ],
    ids=["none", "int", "path", "url-bytes", "config-dict", "text-list", "source-int"],
)
def test_a_wrong_argument_type_is_a_type_error_naming_it(call: Any, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        call()
    assert message in str(raised.value)


def test_the_front_door_exports_what_it_lists() -> None:
    assert {"clean_page", "clean_text", "NoRecordError"} <= set(pipeline.__all__)
    assert all(hasattr(pipeline, name) for name in pipeline.__all__)


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "pipeline" / "py.typed").is_file()


def test_the_readme_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From Python", 1)[1]
    example = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[0]
    assert "clean_page" in example
    monkeypatch.chdir(ROOT)
    exec(compile(example, "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines()[:2] == [
        "Millbrook library reopens after two-year renovation",
        "2025-04-07T06:00:00-05:00",
    ]
