"""Every page rule cuts its block from its own fixture page, and the look-alikes there survive every rule.

A fixture is tests/page_rules/<rule>.html (more pages of a rule: <rule>-<case>.html) with <rule>.json
beside it: `removes`, texts the rule must cut (each within one cut), `keeps`, look-alikes that must
come through all the page rules, and optionally `rule_keeps`, look-alikes the fixture's rule must leave
that another rule may cut. The page's canonical URL and meta description are what the rules see.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from lxml.html import HtmlElement

from pipeline.document import Document
from pipeline.process import Config, process_document
from pipeline.rules import (
    FAMILIES,
    LEARNED_RULE_NAMES,
    PAGE_RULE_NAMES,
    PAGE_RULES,
    RULE_NAMES,
    TEXT_RULE_NAMES,
    PageRule,
    select,
)
from pipeline.rules.page import engine
from pipeline.rules.page.engine import prune
from pipeline.rules.page.markup import text_of
from pipeline.text import squeeze

DOM_DIR = Path(__file__).resolve().parent / "page_rules"


def _rule_of(path: Path) -> PageRule:
    stem = path.stem
    return next(r for r in PAGE_RULES if stem == r.name or stem.startswith(r.name + "-"))


FIXTURES = sorted(DOM_DIR.glob("*.html"))
CASES = [pytest.param(_rule_of(p), p, id=p.stem) for p in FIXTURES]


RULE_KEEP_CASES = [
    case for case in CASES if "rule_keeps" in json.loads(case.values[1].with_suffix(".json").read_text())
]


def _expected(path: Path) -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def _page(path: Path) -> tuple[HtmlElement, str | None, str | None]:
    tree = lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
    url = tree.xpath("string(//link[@rel='canonical']/@href | //meta[@property='og:url']/@content)") or None
    description = tree.xpath("string(//meta[@name='description']/@content)") or None
    return tree, url, description


def _body_text(tree: HtmlElement) -> str:
    return squeeze(text_of(tree.find("body")))


@pytest.mark.parametrize(("rule", "path"), CASES)
def test_rule_cuts_its_blocks(rule: PageRule, path: Path) -> None:
    tree, url, description = _page(path)
    removed = prune(tree, (rule,), url, description)
    assert all(r.rule == rule.name and r.family == rule.family and r.at is None for r in removed)
    left = _body_text(tree)
    for text in _expected(path)["removes"]:
        assert any(squeeze(text) in squeeze(r.text) for r in removed), text
        assert squeeze(text) not in left, text


@pytest.mark.parametrize(("rule", "path"), RULE_KEEP_CASES)
def test_the_rule_leaves_its_own_lookalikes(rule: PageRule, path: Path) -> None:
    """`rule_keeps`: look-alikes of the fixture's rule that another rule may rightly cut (a comment form
    beside a sign-up box)."""
    tree, url, description = _page(path)
    removed = prune(tree, (rule,), url, description)
    for text in _expected(path)["rule_keeps"]:
        assert squeeze(text) in _body_text(tree), text
        assert not any(squeeze(text) in squeeze(r.text) for r in removed), text


@pytest.mark.parametrize(("rule", "path"), CASES)
def test_lookalikes_survive_every_dom_rule(rule: PageRule, path: Path) -> None:
    tree, url, description = _page(path)
    removed = prune(tree, PAGE_RULES, url, description)
    left = _body_text(tree)
    for text in _expected(path)["keeps"]:
        assert squeeze(text) in left, text
        assert not any(squeeze(text) in squeeze(r.text) for r in removed), text


@pytest.mark.parametrize("rule", PAGE_RULES, ids=lambda rule: rule.name)
def test_every_page_rule_has_a_fixture_that_cuts_something(rule: PageRule) -> None:
    page = DOM_DIR / f"{rule.name}.html"
    assert page.is_file() and page.with_suffix(".json").is_file()
    expected = _expected(page)
    assert expected["removes"] and expected["keeps"]


@pytest.mark.parametrize("rule", PAGE_RULES, ids=lambda rule: rule.name)
def test_page_rules_are_named_and_documented(rule: PageRule) -> None:
    assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule.name)
    assert rule.family in FAMILIES
    assert rule.purpose.strip() and rule.evidence.strip()


def test_rule_names_are_unique_across_stages() -> None:
    assert len(PAGE_RULE_NAMES) == len(PAGE_RULES)
    assert not PAGE_RULE_NAMES & TEXT_RULE_NAMES
    assert not (PAGE_RULE_NAMES | TEXT_RULE_NAMES) & LEARNED_RULE_NAMES
    assert RULE_NAMES == PAGE_RULE_NAMES | TEXT_RULE_NAMES | LEARNED_RULE_NAMES


def test_disabling_a_dom_rule_is_validated_and_applied() -> None:
    assert select({"navigation-menu"})[1] == select()[1]
    assert "navigation-menu" not in {r.name for r in select({"navigation-menu"})[0]}
    assert "navigation-menu" not in {
        r.name for r in Config(disabled_rules=frozenset({"navigation-menu"})).active_page_rules
    }
    with pytest.raises(ValueError):
        Config(disabled_rules=frozenset({"no-such-rule"}))


@pytest.mark.parametrize("path", [p for p in FIXTURES if _expected(p)["removes"]], ids=lambda p: p.stem)
def test_pre_extraction_removals_come_first_with_a_null_position(path: Path) -> None:
    doc = Document(str(path), "html", content=path.read_bytes())
    done = process_document(doc, Config())
    dom = [r for r in done.removed if r.rule in PAGE_RULE_NAMES]
    assert dom and all(r.at is None for r in dom)
    assert list(done.removed[: len(dom)]) == dom
    text = "\n".join(done.paragraphs)
    for cut in _expected(path)["removes"]:
        assert squeeze(cut) not in squeeze(text), cut


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_page_is_cut_alike_whatever_pages_came_before(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What each class string selects is kept across pages; what a page loses must not depend on it.
    fresh, url, description = _page(path)
    monkeypatch.setattr(engine, "CLASS_CACHE", -1)  # emptied before every page: as if it came first
    alone = prune(fresh, PAGE_RULES, url, description)
    monkeypatch.undo()
    for other in FIXTURES:
        tree, other_url, other_description = _page(other)
        prune(tree, PAGE_RULES, other_url, other_description)
    again, url, description = _page(path)
    assert prune(again, PAGE_RULES, url, description) == alone
