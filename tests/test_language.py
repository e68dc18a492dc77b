"""Language identification: deterministic, null on short text, informed by the declared language."""

from __future__ import annotations

import logging
import subprocess
import sys

from pipeline.language import DECLARED_MIN_PROBABILITY, MIN_LETTERS, detect_language

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
