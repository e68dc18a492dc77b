"""Regression gate: newsclean's aggregate score on the project's own gold fixtures (tests/gold) must not drop.

The score is `pipeline.evaluate`'s (the Zyte benchmark's rule: token 4-gram shingles, precision and
recall averaged over documents, F1 of the two). Raise the floor when the output gets better; a change
that lowers the score is a regression, whatever it gains elsewhere.
"""

from __future__ import annotations

from pipeline.process import Config
from pipeline.readers import reader_for
from pipeline.rules import RULE_NAMES
from pipeline.tools.evaluate import Summary, load_gold, match_records, score_matching, summarise

from .conftest import GOLD_DIR, outcome_of

# Measured with the default Config when the DOM rules came in: every fixture comes out as its gold.
F1_FLOOR = 1.0


def _summary(config: Config) -> Summary:
    gold = load_gold(GOLD_DIR)
    records = []
    for path in sorted(GOLD_DIR.iterdir()):
        if reader_for(path.name)[1] is None:
            continue
        outcome = outcome_of(path, config)
        assert outcome.record is not None, outcome.error
        records.append(outcome.record)
    matching = match_records(records, gold)
    assert not matching.unmatched and not matching.duplicates
    assert set(matching.pairs) == set(gold)
    return summarise(score_matching(gold, matching), samples=0)


def test_gold_fixtures_score_at_least_the_recorded_floor() -> None:
    summary = _summary(Config())
    scores = f"P {summary.precision:.4f} R {summary.recall:.4f} F1 {summary.f1:.4f}"
    assert summary.f1 >= F1_FLOOR, f"aggregate F1 fell below {F1_FLOOR}: {scores}"


def test_the_gate_bites_when_the_rules_are_off() -> None:
    assert _summary(Config(disabled_rules=RULE_NAMES)).f1 < F1_FLOOR
