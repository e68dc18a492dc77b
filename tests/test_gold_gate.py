"""No fixture loses article text, whichever family of rules a user turns off.

The gold tests pin each fixture's text with the default rules (the known misses as strict xfails, each
pinned to its difference). What they do not show is that the rules are independent: a rule that removes
article text only when another family is off (a repeat that the other would have taken first, a label left
standing that a later rule reads as the start of a trailer) would pass them. This gate runs every
hand-cleaned fixture with each family off in turn: every word of its gold text must still be in its
record (words, not the benchmarks' 4-gram shingles, whose recall a line of residue left between two
paragraphs lowers).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from pipeline.process import Config
from pipeline.readers import reader_for
from pipeline.rules import PAGE_RULES, TEXT_RULES

from .conftest import GOLD_DIR, SHARED, outcome_of
from .fixture_site import GOLD_DIR as SITE_GOLD
from .fixture_site import SITE_DIR


def _fixtures() -> list[tuple[Path, Path]]:
    """(input, gold) pairs: tests/gold, the fixture site's articles, and the seeds when ../shared is here."""
    pairs = [
        (path, path.with_name(path.name.split(".")[0] + ".gold.txt"))
        for path in sorted(GOLD_DIR.iterdir())
        if reader_for(path.name)[1] is not None
    ]
    pairs += [(page, SITE_GOLD / f"{page.stem}.gold.txt") for page in sorted(SITE_DIR.rglob("*.html"))]
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        pairs += [
            (dump, dump.with_suffix(".gold.txt")) for dump in sorted(seeds.glob("0*_????????????????.txt"))
        ]
    return [(source, gold) for source, gold in pairs if gold.is_file()]


def _lost_words(config: Config) -> dict[str, int]:
    """Per fixture that lost any, how many of its gold words (lowercased `\\w+` tokens, counted with their
    repeats) are missing from its record's text."""
    lost = {}
    for source, gold_path in _fixtures():
        record = outcome_of(source, config).record
        missing = _words(gold_path.read_text(encoding="utf-8")) - _words(record["text"] if record else "")
        if missing:
            lost[source.name] = missing.total()
    return lost


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def test_every_fixture_family_is_in_the_gate() -> None:
    sources = {source.parent for source, _ in _fixtures()}
    assert GOLD_DIR in sources
    assert SITE_DIR / "2024" / "11" in sources


def _family_rules() -> list[tuple[str, frozenset[str]]]:
    names: dict[str, set[str]] = {}
    for rule in (*PAGE_RULES, *TEXT_RULES):
        names.setdefault(rule.family.value, set()).add(rule.name)
    return sorted((family, frozenset(rules)) for family, rules in names.items())


@pytest.mark.slow
@pytest.mark.parametrize(("family", "off"), _family_rules(), ids=[family for family, _ in _family_rules()])
def test_no_fixture_loses_article_text_with_a_family_of_rules_off(family: str, off: frozenset[str]) -> None:
    assert _lost_words(Config(disabled_rules=off)) == {}
