"""Every registered rule removes its examples and keeps its look-alikes (through every rule)."""

from __future__ import annotations

import pickle
import re

import pytest

from pipeline.process import Config
from pipeline.rules import FAMILIES, LEARNED_RULES, PAGE_RULES, TEXT_RULES, Family
from pipeline.rules.text.engine import apply_rules
from pipeline.rules.text.shapes import Rule, WholeLine, describe

REMOVE_CASES = [
    pytest.param(rule, example, id=f"{rule.name}-removes-{i}")
    for rule in TEXT_RULES
    for i, example in enumerate(rule.removes)
]
KEEP_CASES = [
    pytest.param(rule, example, id=f"{rule.name}-keeps-{i}")
    for rule in TEXT_RULES
    for i, example in enumerate(rule.keeps)
]


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize(("rule", "example"), REMOVE_CASES)
def test_rule_removes_its_examples(rule: Rule, example: str | tuple[str, str]) -> None:
    source, expected = (example, "") if isinstance(example, str) else example
    kept, removed = apply_rules(_paragraphs(source), (rule,))
    assert list(kept) == _paragraphs(expected)
    assert removed and all(r.rule == rule.name and r.family == rule.family for r in removed)


@pytest.mark.parametrize(("rule", "example"), KEEP_CASES)
def test_lookalikes_survive_every_rule(rule: Rule, example: str) -> None:
    kept, removed = apply_rules(_paragraphs(example), TEXT_RULES)
    assert removed == ()
    assert list(kept) == _paragraphs(example)


@pytest.mark.parametrize("rule", TEXT_RULES, ids=lambda rule: rule.name)
def test_every_rule_carries_evidence(rule: Rule) -> None:
    assert rule.removes and rule.keeps
    assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule.name)
    assert rule.family in FAMILIES
    assert rule.purpose.strip()


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in TEXT_RULES]
    assert len(names) == len(set(names))


def test_every_family_has_a_rule() -> None:
    assert {rule.family for rule in (*PAGE_RULES, *TEXT_RULES, *LEARNED_RULES)} == set(FAMILIES)


def test_a_config_carries_its_own_rules_and_pickles_with_them() -> None:
    only = Rule(
        "shout-line",
        Family.CHROME,
        "A line in capitals.",
        WholeLine(r"[A-Z ]+", max_words=5, flags=0),
        removes=("CLICK HERE",),
        keeps=("Click here.",),
    )
    config = Config(page_rules=(), text_rules=(only,))
    copy = pickle.loads(pickle.dumps(config))
    assert copy.active_text_rules == (only,) and copy.active_page_rules == ()
    kept, removed = apply_rules(["CLICK HERE", "The talks resume."], copy.active_text_rules)
    assert kept == ("The talks resume.",) and [r.rule for r in removed] == ["shout-line"]


def test_the_default_config_pickles() -> None:
    config = Config(disabled_rules=frozenset({"date-line"}))
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config
    assert [r.name for r in copy.active_text_rules] == [r.name for r in config.active_text_rules]


@pytest.mark.parametrize(
    "rule", [r for r in TEXT_RULES if isinstance(r.find, WholeLine)], ids=lambda r: r.name
)
def test_whole_line_rules_show_their_pattern_and_limits(rule: Rule) -> None:
    shown = describe(rule.find)
    assert isinstance(rule.find, WholeLine)
    assert shown["shape"] == "whole-line"
    assert shown["pattern"] == rule.find.pattern and shown["max_words"] == rule.find.max_words
    assert shown["needs"] == list(rule.find.needs)
