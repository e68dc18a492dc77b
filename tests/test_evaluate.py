"""The eval command's scoring, on examples worked out by hand, and its matching, residue and CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.tools import evaluate
from pipeline.tools.evaluate import (
    DocumentScore,
    GoldDocument,
    WordScore,
    averages,
    find_residue,
    load_gold,
    load_records,
    match_records,
    name_candidates,
    score_document,
    score_words,
    shingles,
    summarise,
    summarise_words,
    tokens,
    word_bag,
)

ZYTE = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "zyte"


def test_tokens_are_unicode_word_runs() -> None:
    assert tokens("Hello, wörld! it's 42 — ok_1") == ["Hello", "wörld", "it", "s", "42", "ok_1"]


def test_shingles_are_token_four_grams() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}


def test_shingles_count_repeats() -> None:
    # 8 tokens give 5 four-grams; "a b c d" occurs twice.
    assert shingles("a b c d a b c d") == {
        ("a", "b", "c", "d"): 2,
        ("b", "c", "d", "a"): 1,
        ("c", "d", "a", "b"): 1,
        ("d", "a", "b", "c"): 1,
    }


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    assert shingles("Breaking news") == {("Breaking", "news"): 1}
    assert shingles("") == {}
    assert shingles(" — !") == {}


def test_extra_text_costs_precision_only() -> None:
    # gold: 6 tokens, 3 shingles; prediction adds one token, so one shingle more, all gold ones found.
    score = score_document("d", "the cat sat on the mat today", "the cat sat on the mat")
    assert (score.true_positives, score.predicted, score.gold) == (3, 4, 3)
    assert score.precision == pytest.approx(0.75)
    assert score.recall == pytest.approx(1.0)
    assert score.f1 == pytest.approx(2 * 0.75 / 1.75)


def test_overlap_is_a_multiset_intersection() -> None:
    # The prediction holds "a b c d" once; the gold twice among its 5 shingles.
    score = score_document("d", "a b c d", "a b c d a b c d")
    assert (score.true_positives, score.predicted, score.gold) == (1, 1, 5)
    assert (score.precision, score.recall) == (1.0, 0.2)


def test_tokens_are_case_sensitive() -> None:
    assert score_document("d", "A b c d", "a b c d").true_positives == 0


def test_short_texts_match_only_whole() -> None:
    assert score_document("d", "Breaking news", "Breaking news").f1 == 1.0
    assert score_document("d", "Breaking news today", "Breaking news").f1 == 0.0


def test_missing_or_empty_prediction_has_no_precision_and_zero_recall() -> None:
    for prediction in (None, "", "..."):
        score = score_document("d", prediction, "a b c d e")
        assert score.precision is None
        assert score.recall == 0.0
        assert score.f1 == 0.0
    assert not score_document("d", None, "a b c d").found


def test_averages_leave_out_empty_predictions_from_precision_only() -> None:
    scores = [
        score_document("one", "a b c d", "a b c d a b c d"),  # P 1, R 1/5
        score_document("two", "w x y z", "a b c d e"),  # P 0, R 0
        score_document("three", None, "a b c d"),  # no P, R 0
    ]
    precision, recall, f1 = averages(scores)
    assert precision == pytest.approx(0.5)  # (1 + 0) / 2
    assert recall == pytest.approx(0.2 / 3)  # (0.2 + 0 + 0) / 3
    assert f1 == pytest.approx(2 * 0.5 * (0.2 / 3) / (0.5 + 0.2 / 3))  # 0.11765


def test_empty_gold_is_left_out_of_recall() -> None:
    scores = [score_document("a", "a b c d", "a b c d"), score_document("b", "x y z w", "")]
    assert averages(scores) == pytest.approx((0.5, 1.0, 2 / 3))


def test_averages_of_nothing_are_zero() -> None:
    assert averages([]) == (0.0, 0.0, 0.0)
    assert averages([score_document("a", None, "a b c d")]) == (0.0, 0.0, 0.0)


def test_bootstrap_is_seeded_and_zero_for_identical_documents() -> None:
    same = [score_document(str(i), "a b c d e", "a b c d") for i in range(20)]
    summary = summarise(same)
    assert (summary.precision, summary.recall) == (0.5, 1.0)
    assert summary.precision_error == pytest.approx(0.0)
    assert summary.recall_error == pytest.approx(0.0)
    mixed = [score_document(str(i), "a b c d" if i % 3 else "w x y z", "a b c d") for i in range(30)]
    first, second = summarise(mixed), summarise(mixed)
    assert first == second
    assert 0.0 < first.precision_error < 0.5
    assert summarise(mixed, seed=1) != first


def test_document_f1_ranks_missing_documents_worst() -> None:
    good = score_document("good", "a b c d", "a b c d")
    half = score_document("half", "a b c d e f g", "a b c d")
    lost = score_document("lost", None, "a b c d")
    assert [s.key for s in evaluate.worst([good, half, lost], 2)] == ["lost", "half"]


def test_name_candidates_strip_each_extension() -> None:
    assert name_candidates("a/b/042bb7.html.gz") == ["042bb7.html.gz", "042bb7.html", "042bb7"]
    assert name_candidates("seed.000.txt")[-2:] == ["seed.000", "seed"]
    assert name_candidates("crawl.warc.gz#1234") == ["crawl.warc.gz", "crawl.warc", "crawl"]


def _record(source: str, text: str, url: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"source": source, "url": url, "text": text, "extractor": "trafilatura 2.3.1", **extra}


def test_records_match_by_name_then_url_and_gold_files_are_skipped() -> None:
    gold = {
        "042bb7": GoldDocument("a b c d", "https://example.org/story/"),
        "seed.000": GoldDocument("e f g h"),
        "other": GoldDocument("i j k l", "https://example.org/other"),
    }
    records = [
        _record("pages/042bb7.html.gz", "a b c d"),
        _record("samples/seed.000.txt", "e f g h"),
        _record("tests/gold/seed.000.gold.txt", "e f g h"),
        _record("crawl.warc.gz#99", "i j k l", url="https://example.org/other/"),
        _record("pages/unknown.html", "x", url="https://example.org/elsewhere"),
        _record("copy/042bb7.html", "a b c d"),
    ]
    matching = match_records(records, gold)
    assert {key: r["source"] for key, r in matching.pairs.items()} == {
        "042bb7": "pages/042bb7.html.gz",
        "seed.000": "samples/seed.000.txt",
        "other": "crawl.warc.gz#99",
    }
    assert [r["source"] for r in matching.unmatched] == ["pages/unknown.html"]
    assert [r["source"] for r in matching.duplicates] == ["copy/042bb7.html"]


def test_gold_folder_and_ground_truth_json(tmp_path: Path) -> None:
    folder = tmp_path / "gold"
    (folder / "sub").mkdir(parents=True)
    (folder / "seed.000.gold.txt").write_text("One two.\n", encoding="utf-8")
    (folder / "sub" / "seed.001.gold.txt").write_text("Three.\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not gold", encoding="utf-8")
    assert load_gold(folder) == {"seed.000": GoldDocument("One two.\n"), "seed.001": GoldDocument("Three.\n")}
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"abc": {"articleBody": "Body", "url": "https://x.org/a"}}), encoding="utf-8")
    assert load_gold(truth) == {"abc": GoldDocument("Body", "https://x.org/a")}
    truth.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="object keyed"):
        load_gold(truth)


def test_torn_last_line_is_dropped_and_a_bad_line_named(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text('{"source": "a.html", "text": "x"}\n{"source": "b.ht', encoding="utf-8")
    assert [r["source"] for r in load_records(path)] == ["a.html"]
    path.write_text('{"source": "a.html"}\nnot json\n{"source": "b.html"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"out\.jsonl:2"):
        load_records(path)


def test_residue_names_the_rules_that_would_still_fire() -> None:
    record = _record("a.html", "The minister spoke on Monday.\nShare this:\nHe left at noon.")
    found = find_residue(record)
    assert [(r.rule, r.family, r.text) for r in found] == [("nav-social-line", "chrome", "Share this:")]
    assert find_residue(_record("b.html", "The minister spoke on Monday.\nHe left at noon.")) == []


def test_residue_leaves_the_record_alone() -> None:
    record = _record("a.html", "Text.\nShare this:")
    find_residue(record)
    assert record["text"] == "Text.\nShare this:"


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def small_run(tmp_path: Path) -> tuple[Path, Path]:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "one.gold.txt").write_text("a b c d a b c d", encoding="utf-8")
    (gold / "two.gold.txt").write_text("a b c d e", encoding="utf-8")
    (gold / "three.gold.txt").write_text("a b c d", encoding="utf-8")
    records = [_record("in/one.html", "a b c d"), _record("in/two.html", "w x y z\nFollow us on Twitter")]
    return _write_jsonl(tmp_path / "out.jsonl", records), gold


def test_eval_command_prints_scores_worst_and_residue(
    small_run: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    predictions, gold = small_run
    assert main(["eval", str(predictions), "--gold", str(gold)]) == 0
    out = capsys.readouterr().out
    assert "3 gold documents, 2 matched by a record, 1 missing" in out
    assert "precision 0.500 ± " in out
    assert "recall    0.067 ± " in out
    assert "F1        0.118 ± " in out
    assert "three (no record)" in out
    assert "follow-prompt" in out or "nav-social-line" in out


def test_eval_command_json(small_run: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    predictions, gold = small_run
    assert main(["eval", str(predictions), "--gold", str(gold), "--json", "--worst", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["summary"]["precision"] == pytest.approx(0.5)
    assert result["summary"]["recall"] == pytest.approx(0.2 / 3)
    assert result["matching"]["missing"] == ["three"]
    assert [row["name"] for row in result["worst"]] == ["three", "two"]
    assert len(result["documents"]) == 3
    assert result["residue"]["rules"][0]["documents"] == 1
    assert result["residue"]["matches"][0]["source"] == "in/two.html"


def test_eval_command_exit_codes(tmp_path: Path, small_run: tuple[Path, Path]) -> None:
    predictions, gold = small_run

    def code(*argv: str) -> int:
        return main(["eval", *argv])

    assert code(str(tmp_path / "absent.jsonl"), "--gold", str(gold)) == 2
    assert code(str(tmp_path), "--gold", str(gold)) == 2
    assert code(str(predictions), "--gold", str(tmp_path / "absent")) == 2
    (tmp_path / "empty").mkdir()
    assert code(str(predictions), "--gold", str(tmp_path / "empty")) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n[\n{}\n", encoding="utf-8")
    assert code(str(bad), "--gold", str(gold)) == 1
    stray = _write_jsonl(tmp_path / "stray.jsonl", [_record("x/elsewhere.html", "a b c d")])
    assert code(str(stray), "--gold", str(gold)) == 1


def test_document_score_fields_are_plain() -> None:
    assert DocumentScore("k", 1, 2, 4).precision == 0.5


@pytest.mark.skipif(not ZYTE.exists(), reason=f"the Zyte benchmark data is not at {ZYTE}")
def test_gold_scores_itself_perfectly_on_the_benchmark() -> None:
    gold = load_gold(ZYTE / "ground-truth.json")
    assert len(gold) == 181
    records = [_record(f"html/{key}.html.gz", doc.text) for key, doc in gold.items()]
    result = evaluate.evaluate(records, gold)
    assert result["summary"]["f1"] == 1.0
    assert result["matching"]["matched"] == 181


# The WCXB metric, on cases worked out by hand.


def test_the_word_bag_is_lowercased_word_tokens_with_repeats() -> None:
    assert word_bag("The cat, THE hat!") == {"the": 2, "cat": 1, "hat": 1}


@pytest.mark.parametrize(
    ("prediction", "gold", "expected"),
    [
        # 4 words out, 3 of them in the 3-word gold: P 3/4, R 1, F1 2·(3/4)/(7/4) = 6/7.
        pytest.param("the cat sat down", "The cat sat", (0.75, 1.0, 6 / 7), id="extra-word"),
        # Repeats count: "a a b" against "a b b" overlaps on one a and one b.
        pytest.param("a a b", "a b b", (2 / 3, 2 / 3, 2 / 3), id="bag-not-set"),
        # Order does not matter, case does not either.
        pytest.param("Sat cat THE", "the cat sat", (1.0, 1.0, 1.0), id="order-and-case"),
        pytest.param("", "the cat sat", (0.0, 0.0, 0.0), id="empty-output"),
        pytest.param("dog", "the cat sat", (0.0, 0.0, 0.0), id="no-overlap"),
        pytest.param("", "", (1.0, 1.0, 1.0), id="empty-gold-empty-output"),
        pytest.param(" — !", "", (1.0, 1.0, 1.0), id="empty-gold-output-without-words"),
        pytest.param("menu", "", (0.0, 0.0, 0.0), id="empty-gold-some-output"),
    ],
)
def test_score_words(prediction: str, gold: str, expected: tuple[float, float, float]) -> None:
    score = score_words(prediction, gold)
    assert (score.precision, score.recall, score.f1) == pytest.approx(expected)


def test_phrases_are_case_insensitive_substrings() -> None:
    text = "Opening hours: Monday to Friday.\nAccept all cookies"
    score = score_words(text, "x", ["monday to FRIDAY", "Saturday"], ["accept all cookies", "Sign in"])
    assert score.found == pytest.approx(0.5)
    assert score.absent == pytest.approx(0.5)


def test_a_page_without_phrases_has_no_share() -> None:
    score = score_words("text", "text")
    assert score.found is None and score.absent is None


def test_word_scores_average_over_pages_and_phrases_over_pages_that_have_them() -> None:
    scores = [
        WordScore(1.0, 0.5, 2 / 3, found=1.0, absent=None),
        WordScore(0.5, 1.0, 2 / 3, found=0.0, absent=1.0),
        WordScore(0.0, 0.0, 0.0),
    ]
    summary = summarise_words(scores)
    assert (summary.precision, summary.recall) == pytest.approx((0.5, 0.5))
    # The mean of the pages' F1, not the F1 of the means.
    assert summary.f1 == pytest.approx(4 / 9)
    assert summary.found == pytest.approx(0.5)
    assert summary.absent == pytest.approx(1.0)
    assert summary.documents == 3


def test_word_scores_of_no_page() -> None:
    summary = summarise_words([])
    assert (summary.precision, summary.f1, summary.found, summary.absent) == (0.0, 0.0, None, None)
