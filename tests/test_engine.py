"""The rule engine: cuts, credit, `at` positions, document order, spaces."""

from __future__ import annotations

from pipeline.rules import TEXT_RULES
from pipeline.rules.text.engine import apply_rules
from pipeline.writers.jsonl import drop_torn_tail


def test_at_positions_follow_the_contract() -> None:
    kept, removed = apply_rules(
        [
            "Close",  # before kept paragraph 0
            "First paragraph of the story.",
            "Aleppo at dawn. (AFP Photo)",  # between kept 0 and 1 -> at 1
            "Second paragraph with a credit (Photo by Jane DOE / AFP) inside a long stretch of prose "
            + "word " * 80,
            "Leave a Reply",  # after the last kept paragraph -> at 2
        ],
        TEXT_RULES,
    )
    assert len(kept) == 2
    assert [(r.rule, r.at) for r in removed] == [
        ("nav-social-line", 0),
        ("credited-caption", 1),
        ("credited-caption", 1),  # a span cut from inside kept paragraph 1
        ("comment-form", 2),
    ]
    assert "(Photo by" not in kept[1] and "prose  word" not in kept[1]


def test_each_text_is_credited_to_one_rule_in_document_order() -> None:
    paragraphs = ["Read more: A headline", "Story text here.", "Read more: A headline", "Advertisement"]
    _, removed = apply_rules(paragraphs, TEXT_RULES)
    assert [r.paragraph for r in removed] == [0, 2, 3]
    assert [r.rule for r in removed] == ["see-also-link", "see-also-link", "ad-label"]


def test_unicode_spaces_match_but_the_kept_text_keeps_them() -> None:
    kept, removed = apply_rules(
        ["Price\u00a0rises continue in the region.", "See also\u00a0 Another headline"], TEXT_RULES
    )
    assert kept == ("Price\u00a0rises continue in the region.",)
    assert removed[0].text == "See also\u00a0 Another headline"


def test_punctuation_left_by_a_cut_goes_with_it() -> None:
    kept, removed = apply_rules(["/ (AFP Photo) /", "Story text."], TEXT_RULES)
    assert kept == ("Story text.",)
    assert {r.rule for r in removed} == {"credited-caption"}


def test_rules_do_not_fire_inside_quotes() -> None:
    text = "“Subscribe to get the latest posts sent to your email,” the blog told readers, said the court."
    assert apply_rules([text], TEXT_RULES) == ((text,), ())


def test_drop_torn_tail(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": ')
    assert drop_torn_tail(path) == len(b'{"c": ')
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert drop_torn_tail(path) == 0
