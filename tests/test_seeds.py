"""The five seed dumps in ../shared/seeds come out as their hand-cleaned gold files."""

from __future__ import annotations

import pytest

from .conftest import SHARED, outcome_of, paragraphs, shared_dir

SEED_NAMES = [
    pytest.param(
        "000_2a7b7b23fbbc8d24",
        marks=pytest.mark.xfail(
            reason="seed 000 opens with a photo caption that carries no credit: in a plain-text dump it "
            "cannot be told from prose, and the cleaning policy lets it stay",
        ),
    ),
    "001_930e9a1d074fde8c",
    "002_8e0743e9fe18db3b",
    "003_394da226c53c6e3b",
    "004_4ddb18ca957b796d",
]


def _clean(name: str) -> dict[str, object]:
    source = shared_dir("seeds") / f"{name}.txt"
    outcome = outcome_of(source)
    assert outcome.record is not None, outcome.error
    return outcome.record


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_matches_gold(name: str) -> None:
    record = _clean(name)
    got = paragraphs(str(record["text"]))
    want = paragraphs((SHARED / "seeds" / f"{name}.gold.txt").read_text(encoding="utf-8"))
    assert got == want


def test_seed_000_differs_from_its_gold_by_the_uncredited_caption_alone() -> None:
    got = paragraphs(str(_clean("000_2a7b7b23fbbc8d24")["text"]))
    want = paragraphs((SHARED / "seeds" / "000_2a7b7b23fbbc8d24.gold.txt").read_text(encoding="utf-8"))
    assert got[0].startswith("White Helmets members work at the scene") and got[1:] == want


@pytest.mark.parametrize("name", ["002_8e0743e9fe18db3b", "003_394da226c53c6e3b"])
def test_negative_controls_come_through_untouched(name: str) -> None:
    record = _clean(name)
    original = (SHARED / "seeds" / f"{name}.txt").read_text(encoding="utf-8")
    assert record["removed"] == []
    assert paragraphs(str(record["text"])) == paragraphs(original)


def test_seed_004_keeps_the_quoted_statement_and_its_signature() -> None:
    text = str(_clean("004_4ddb18ca957b796d")["text"])
    assert "NSC spokesperson Sean Savett" in paragraphs(text)
    assert "erroneous mention" not in text and "(AFP Photo)" not in text


def test_seed_004_date_comes_from_its_removed_timestamp_line() -> None:
    record = _clean("004_4ddb18ca957b796d")
    assert record["date"] == "2024-12-01"
    assert any(r["rule"] == "date-line" for r in record["removed"])  # type: ignore[attr-defined]
