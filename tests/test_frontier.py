"""The crawl frontier: claims, hints and the page budget, chosen by the NEWSCLEAN_FRONTIER setting."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from pipeline.crawl.frontier import Hints, MemoryFrontier, open_frontier


def test_a_key_is_claimed_once() -> None:
    frontier = MemoryFrontier()
    assert frontier.claim("https://a.example/1")
    assert not frontier.claim("https://a.example/1")
    assert frontier.claim("https://a.example/2")


def test_hints_keep_the_first_date_and_any_news_listing() -> None:
    frontier = MemoryFrontier()
    frontier.note("u", "2024-11-01", False)
    frontier.note("u", "2024-11-05", True)
    assert frontier.hints("u") == Hints("2024-11-01", True)
    assert frontier.hints("other") == Hints()


def test_the_page_budget() -> None:
    frontier = MemoryFrontier()
    assert [frontier.take_page(2) for _ in range(3)] == [True, True, False]
    assert all(frontier.take_page(None) for _ in range(5))


def test_the_setting_chooses_the_frontier() -> None:
    assert isinstance(open_frontier(Settings()), MemoryFrontier)
    assert isinstance(open_frontier(Settings({"NEWSCLEAN_FRONTIER": "memory://"})), MemoryFrontier)
    with pytest.raises(ValueError, match="unknown kind"):
        open_frontier(Settings({"NEWSCLEAN_FRONTIER": "carrier-pigeon://loft"}))
