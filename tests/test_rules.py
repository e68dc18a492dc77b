"""Every registered rule removes its examples and keeps its look-alikes (through every rule)."""

from __future__ import annotations

import re

import pytest

from pipeline.rules.text import FAMILIES, RULES, apply_rules
from pipeline.rules.text.base import Rule

REMOVE_CASES = [
    pytest.param(rule, example, id=f"{rule.name}-removes-{i}")
    for rule in RULES
    for i, example in enumerate(rule.removes)
]
KEEP_CASES = [
    pytest.param(rule, example, id=f"{rule.name}-keeps-{i}")
    for rule in RULES
    for i, example in enumerate(rule.keeps)
]


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize(("rule", "example"), REMOVE_CASES)
def test_rule_removes_its_examples(rule: Rule, example: str | tuple[str, str]) -> None:
    source, expected = (example, "") if isinstance(example, str) else example
    kept, removed = apply_rules(_paragraphs(source), (rule,), "text")
    assert list(kept) == _paragraphs(expected)
    assert removed and all(r.rule == rule.name and r.family == rule.family for r in removed)


@pytest.mark.parametrize(("rule", "example"), KEEP_CASES)
def test_lookalikes_survive_every_rule(rule: Rule, example: str) -> None:
    kept, removed = apply_rules(_paragraphs(example), RULES, "text")
    assert removed == ()
    assert list(kept) == _paragraphs(example)


def test_every_rule_carries_evidence() -> None:
    for rule in RULES:
        assert rule.removes and rule.keeps, rule.name
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule.name), rule.name
        assert rule.family in FAMILIES, rule.name
        assert rule.purpose.strip(), rule.name


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))


def test_every_family_has_a_rule() -> None:
    assert {rule.family for rule in RULES} == set(FAMILIES)
