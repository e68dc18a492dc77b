"""Language identification: deterministic, null on short text, informed by the declared language."""

from __future__ import annotations

from pipeline.language import MIN_LETTERS, detect_language

ENGLISH = "The ferry services between the islands resumed on Tuesday after a three-day suspension."
GERMAN = "Die Fähren zwischen den Inseln fahren nach dem Sturm seit Dienstag wieder, teilte die Behörde mit."


def test_detects_common_languages() -> None:
    assert detect_language(ENGLISH)[0] == "en"
    assert detect_language(GERMAN)[0] == "de"


def test_same_text_same_answer() -> None:
    ambiguous = "Santa Maria de la Mar, Barcelona, Catalunya"
    answers = {detect_language(ambiguous) for _ in range(20)}
    assert len(answers) == 1


def test_short_text_is_unknown() -> None:
    assert detect_language("AFP") == (None, None)
    assert detect_language("x" * (MIN_LETTERS - 1)) == (None, None)


def test_declared_language_breaks_a_close_call() -> None:
    text = "Bolsonaro, Lula, Brasília, Rio de Janeiro, São Paulo"
    declared = detect_language(text, declared="pt")
    assert declared[0] == "pt" or declared == detect_language(text)


def test_score_is_a_probability() -> None:
    language, score = detect_language(ENGLISH)
    assert language == "en" and score is not None and 0.5 < score <= 1.0
