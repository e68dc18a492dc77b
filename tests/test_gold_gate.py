"""Regression gate over every hand-cleaned fixture of the project, known misses included.

The gold tests pin each fixture's text exactly, and the ones that cannot pass yet are strict xfails; this
gate scores them all together with the benchmarks' rule (token 4-gram shingles, P and R averaged over
documents): recall must stay 1.0 (no fixture may lose a word of its article), and precision must not
fall below the figure measured with the known misses in, so that a known miss cannot quietly get worse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.process import Config
from pipeline.readers import reader_for
from pipeline.rules import PAGE_RULE_NAMES, TEXT_RULE_NAMES
from pipeline.tools.evaluate import GoldDocument, Summary, score_document, summarise

from .conftest import GOLD_DIR, SHARED, outcome_of
from .fixture_site import GOLD_DIR as SITE_GOLD
from .fixture_site import SITE_DIR

# Measured when this gate was set: every fixture equals its gold but seed 000, whose uncredited caption
# stays (P 0.99908 over 28 fixtures; 0.99888 with the page rules off). Raise it when the output improves.
PRECISION_FLOOR = 0.999
RECALL_FLOOR = 1.0


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


def _summary(config: Config) -> Summary:
    scores = []
    for source, gold_path in _fixtures():
        gold = GoldDocument(gold_path.read_text(encoding="utf-8"))
        record = outcome_of(source, config).record
        scores.append(score_document(source.name, record["text"] if record else None, gold.text))
    return summarise(scores, samples=0)


def test_every_fixture_family_is_in_the_gate() -> None:
    sources = {source.parent for source, _ in _fixtures()}
    assert GOLD_DIR in sources and SITE_DIR / "2024" / "11" in sources


def test_no_fixture_loses_article_text_and_precision_holds() -> None:
    summary = _summary(Config())
    scores = f"P {summary.precision:.4f} R {summary.recall:.4f} F1 {summary.f1:.4f}"
    assert summary.recall >= RECALL_FLOOR, f"a fixture lost article text: {scores}"
    assert summary.precision >= PRECISION_FLOOR, f"precision fell below {PRECISION_FLOOR}: {scores}"


@pytest.mark.parametrize("off", [PAGE_RULE_NAMES, TEXT_RULE_NAMES], ids=["page-rules", "text-rules"])
def test_the_gate_bites_when_the_rules_are_off(off: frozenset[str]) -> None:
    assert _summary(Config(disabled_rules=off)).precision < PRECISION_FLOOR
