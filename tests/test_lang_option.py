"""`--lang` of `newsclean clean`: ISO 639-1 codes the detector knows, `zh` for both Chinese codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.writers.jsonl import errors_path

from .fixture_site import SITE_DIR

SCRIPTS = SITE_DIR.parent / "scripts"


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("zh", "ja"):
        shutil.copy(SCRIPTS / f"{name}.html", folder / f"{name}.html")
    return folder


def test_zh_keeps_the_detectors_zh_cn(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "zh.jsonl"
    assert main(["clean", str(pages), "-o", str(out), "--lang", "zh", "-q"]) == 0
    assert [(Path(str(r["source"])).name, r["language"]) for r in records(out)] == [("zh.html", "zh-cn")]
    assert [e["stage"] for e in records(errors_path(out))] == ["filtered"]


def test_a_region_code_keeps_only_that_region(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "tw.jsonl"
    assert main(["clean", str(pages), "-o", str(out), "--lang", "zh-tw", "-q"]) == 0
    assert records(out) == []


@pytest.mark.parametrize("code", ["xx", "english", "en,deu"])
def test_an_unknown_code_is_a_usage_error_with_one_line(
    code: str, pages: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["clean", str(pages), "-o", str(tmp_path / "x.jsonl"), "--lang", code])
    assert stopped.value.code == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert "argument --lang: unknown language code(s)" in message
    assert not (tmp_path / "x.jsonl").exists()
