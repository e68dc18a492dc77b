"""Language identification: deterministic, null on short text, informed by the declared language."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from pipeline.language import (
    DECLARED_MIN_PROBABILITY,
    MIN_LETTERS,
    detect_language,
    parse_languages,
    wanted_language,
)

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


# Danish to the detector by two to one over Norwegian, which it still gives more than the threshold.
CLOSE_CALL = "Regeringen har i dag offentliggjort nye tiltag for landmænd i regionen"


def test_the_declared_language_wins_a_close_call() -> None:
    assert detect_language(CLOSE_CALL)[0] == "da"
    language, score = detect_language(CLOSE_CALL, declared="no")
    assert language == "no" and score is not None and DECLARED_MIN_PROBABILITY <= score < 0.5


def test_a_declared_language_the_detector_rules_out_loses() -> None:
    assert detect_language(ENGLISH, declared="de")[0] == "en"
    assert detect_language(CLOSE_CALL, declared="sv")[0] == "da"


def test_score_is_a_probability() -> None:
    language, score = detect_language(ENGLISH)
    assert language == "en" and score is not None and 0.5 < score <= 1.0


def test_nothing_global_happens_on_import_or_detection_only_in_warm_up() -> None:
    probe = (
        "import gc, logging, pipeline\n"
        "from langdetect import DetectorFactory\n"
        "from pipeline.language import detect_language\n"
        "detect_language('The ferry services between the islands resumed on Tuesday.')\n"
        "before = (logging.getLogger('trafilatura').level, gc.get_freeze_count(), DetectorFactory.seed)\n"
        "pipeline.warm_up()\n"
        "after = (logging.getLogger('trafilatura').level, gc.get_freeze_count() > 0)\n"
        "print(before, after)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"(0, 0, None) ({logging.CRITICAL}, True)"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["en", "DE"], {"en", "de"}),
        (["zh"], {"zh"}),
        (["zh-TW"], {"zh-tw"}),
        ([" fr ", ""], {"fr"}),
    ],
)
def test_language_codes_the_detector_knows_are_accepted(given: list[str], expected: set[str]) -> None:
    assert parse_languages(given) == expected


@pytest.mark.parametrize("code", ["xx", "english", "zh-hk", "eng"])
def test_unknown_language_codes_are_refused(code: str) -> None:
    with pytest.raises(ValueError, match=f"unknown language code\\(s\\) {code}"):
        parse_languages(["en", code])


@pytest.mark.parametrize(
    ("language", "wanted", "kept"),
    [
        ("zh-cn", {"zh"}, True),
        ("zh-tw", {"zh"}, True),
        ("zh-tw", {"zh-cn"}, False),
        ("zh-cn", {"zh-cn"}, True),
        ("en", {"en", "de"}, True),
        ("fr", {"en"}, False),
        (None, {"en"}, False),
    ],
)
def test_wanted_language(language: str | None, wanted: set[str], kept: bool) -> None:
    assert wanted_language(language, frozenset(wanted)) is kept
