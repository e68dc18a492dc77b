"""Counting words in every script: spaces where a language has them, characters where it has none."""

from __future__ import annotations

import pytest

from pipeline.text import count_words, without_code


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("The ferry resumed on Tuesday.", 5, id="english"),
        pytest.param("Die Fähre — wieder\nim Dienst", 6, id="punctuation-token-counts-as-split-does"),
        pytest.param("港口管理局周二宣布", 9, id="chinese-one-word-a-character"),
        pytest.param("港口管理局，周二宣布。", 9, id="chinese-punctuation-is-not-a-word"),
        pytest.param("据BBC报道", 4, id="latin-name-inside-chinese"),
        pytest.param("東京都で 2024年に", 7, id="japanese-kanji-kana-and-a-number"),
        pytest.param("カタカナ", 4, id="katakana"),
        pytest.param("ประเทศไทย", 3, id="thai-four-letters-a-word"),
        pytest.param("น้ำ", 1, id="thai-combining-marks-are-not-letters"),
        pytest.param("서울에서 열린 회의", 3, id="korean-has-spaces"),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_text_without_unspaced_scripts_counts_like_split() -> None:
    text = "Line 4.2.1 of the budget — quays, cranes & buoys • 12 %"
    assert count_words(text) == len(text.split())


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        pytest.param("One.\n<style>p { color: red }</style>\nTwo.", "One.\n\nTwo.", id="style-sheet"),
        pytest.param("One <SCRIPT type='x'>var a = '<p>';</SCRIPT>two", "One two", id="script-any-case"),
        pytest.param(
            "A <noscript><p>Enable it</p></noscript>B<template>\n<b>T</b>\n</template>", "A B", id="both"
        ),
        pytest.param(
            "One <style>p { color: red }\nTwo.", "One <style>p { color: red }\nTwo.", id="not-closed"
        ),
        pytest.param("Prices <styled> and a < b, script", "Prices <styled> and a < b, script", id="no-code"),
    ],
)
def test_without_code(text: str, kept: str) -> None:
    assert without_code(text) == kept
