"""Hand-written fixture pages in tests/gold come out as their hand-cleaned gold files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.readers import reader_for

from .conftest import GOLD_DIR, outcome_of, paragraphs

FIXTURES = sorted(p for p in GOLD_DIR.iterdir() if reader_for(p.name)[1] is not None)
HTML_FIXTURES = [p for p in FIXTURES if ".htm" in p.name]


def _gold(path: Path) -> list[str]:
    name = path.name[: -len(".gz")] if path.name.endswith(".gz") else path.name
    stem = name.rsplit(".", 1)[0]
    return paragraphs((path.parent / f"{stem}.gold.txt").read_text(encoding="utf-8"))


def _raw(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()


def test_there_are_enough_fixtures() -> None:
    assert len(FIXTURES) >= 8
    assert len(HTML_FIXTURES) >= 4
    assert all(
        p.with_name(p.name.rsplit(".", 1)[0] + ".gold.txt").exists() for p in FIXTURES if p.suffix != ".gz"
    )


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_output_equals_gold(path: Path) -> None:
    outcome = outcome_of(path)
    assert outcome.record is not None, outcome.error
    assert paragraphs(outcome.record["text"]) == _gold(path)
