"""The page model: blocks, features, training (`newsclean train`), loading, and its use (`clean --model`)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from lxml.html import document_fromstring

from pipeline.cli import main
from pipeline.document import Document
from pipeline.model import (
    SHIPPED,
    SHIPPED_BY_DEFAULT,
    ModelError,
    PageModel,
    default_model,
    load_model,
    merge,
    read_header,
)
from pipeline.model.blocks import page_blocks
from pipeline.model.explain import explain_document
from pipeline.model.features import (
    PageReading,
    coverage,
    feature_names,
    features,
    read_blocks,
    shingle_sets,
)
from pipeline.model.forest import Forest
from pipeline.model.train import MODEL_READINGS, LabelledPage, labels, load_set, sample_page
from pipeline.process import Config, run_one

from .conftest import GOLD_DIR

PAGE = (
    "<html><head><title>Ferries resume</title><script>var x = 'not text';</script></head><body>"
    "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
    "<div class='story-body'><h1>Ferries resume after the storm</h1>"
    "<p>Ferry services between the islands resumed on Tuesday after a three-day suspension, "
    "<a href='/port'>the port authority</a> said.</p>"
    "<p>Passengers queued from dawn at the main harbour.<br>The first boat left at 7 a.m.</p>"
    "<style>.x { color: red }</style></div>"
    "<footer class='site-footer'>Copyright 2024 Example News</footer></body></html>"
)


def test_blocks_are_the_runs_of_text_a_browser_sets_apart_in_page_order() -> None:
    blocks = page_blocks(document_fromstring(PAGE))
    assert [block.text for block in blocks] == [
        "Home World",
        "Ferries resume after the storm",
        "Ferry services between the islands resumed on Tuesday after a three-day suspension, "
        "the port authority said.",
        "Passengers queued from dawn at the main harbour.",
        "The first boat left at 7 a.m.",
        "Copyright 2024 Example News",
    ]


def test_a_block_knows_its_element_and_its_link_text() -> None:
    nav, _, story, *_ = page_blocks(document_fromstring(PAGE))
    assert (nav.owner.tag, nav.link_chars, nav.chars) == ("nav", 9, 9)
    assert (story.owner.tag, story.link_chars) == ("p", len("theportauthority"))


def test_a_block_cut_by_a_line_break_says_so() -> None:
    blocks = page_blocks(document_fromstring(PAGE))
    assert [block.broken for block in blocks[3:5]] == [True, False]


def test_coverage_is_the_share_of_a_blocks_shingles_in_a_text() -> None:
    found = shingle_sets(["one two three four five", "six"])
    assert coverage("one two three four five".split(), found) == 1.0
    assert coverage("three four five seven".split(), found) == 0.0
    assert coverage("zero one two three four".split(), found) == 0.5


def test_a_block_shorter_than_a_shingle_is_found_whole_or_not_at_all() -> None:
    found = shingle_sets(["one two three four five"])
    assert (coverage(["two", "three"], found), coverage(["three", "two"], found)) == (1.0, 0.0)


def _reading(readings: dict[str, list[str]]) -> PageReading:
    page = read_blocks(document_fromstring(PAGE))
    page.readings.update(readings)
    return page


def test_features_give_one_row_of_every_named_feature_per_block() -> None:
    page = _reading({"newsclean": ["Ferry services between the islands resumed on Tuesday"]})
    rows = features(page)
    assert rows.shape == (6, len(feature_names()))


def test_a_block_a_reading_keeps_has_that_reading_as_a_feature() -> None:
    page = _reading({"newsclean": ["Passengers queued from dawn at the main harbour."]})
    column = feature_names().index("in_newsclean")
    assert features(page)[:, column].tolist() == [0, 0, 0, 1, 0, 0]


def test_features_of_fewer_readings_are_the_same_columns_of_the_full_rows() -> None:
    page = _reading({"newsclean": ["Ferries resume after the storm"], "readability": ["Home World"]})
    every, fewer = feature_names(), feature_names(("newsclean",))
    picked = features(page)[:, [every.index(name) for name in fewer]]
    assert np.array_equal(picked, features(page, ("newsclean",)))


def test_a_label_says_whether_a_block_is_mostly_gold_text() -> None:
    sample = sample_page(
        LabelledPage(
            "ferries", PAGE.encode(), "Passengers queued from dawn at the main harbour.\nOther text."
        )
    )
    # The page rules cut the menu before the page is read as blocks.
    assert dict(zip(sample.texts, labels(sample).tolist(), strict=True)) == {
        "Ferries resume after the storm": False,
        "Ferry services between the islands resumed on Tuesday after a three-day suspension, "
        "the port authority said.": False,
        "Passengers queued from dawn at the main harbour.": True,
        "The first boat left at 7 a.m.": False,
        "Copyright 2024 Example News": False,
    }


def test_a_folder_of_page_and_gold_pairs_is_a_labelled_set() -> None:
    found = load_set(GOLD_DIR)
    html = sorted(path.name[: -len(".html")] for path in GOLD_DIR.glob("*.html"))
    assert sorted(page.name for page in found.pages) == html


# --- training and using a model -----------------------------------------------------------------------


# Few boosting rounds: the fixtures' dozen pages need no more, and the tests stay quick.
FEW = ("--iterations", "20")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model fitted on the gold fixtures' pages by `newsclean train`."""
    path = tmp_path_factory.mktemp("model") / "gold.model"
    assert main(["train", str(GOLD_DIR), "-o", str(path), *FEW]) == 0
    return path


def test_train_prints_held_out_figures(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", str(GOLD_DIR), "-o", str(tmp_path / "again.model"), *FEW]) == 0
    out = capsys.readouterr().out
    assert out.startswith("held out (folds), threshold ")
    assert "fold 1\t" in out


def test_a_model_file_records_its_training_data_and_versions(trained: Path) -> None:
    header = read_header(trained)
    assert header["data"] == [
        {
            "set": "gold",
            "pages": len(load_set(GOLD_DIR).pages),
            "ground_truth_sha256": load_set(GOLD_DIR).gold_sha256,
        }
    ]
    assert (header["readings"], header["features"]) == (list(MODEL_READINGS), feature_names(MODEL_READINGS))
    assert set(header["versions"]) == {"scikit-learn", "numpy"}


def test_training_is_deterministic(trained: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.model"
    assert main(["train", str(GOLD_DIR), "-o", str(again), *FEW]) == 0
    assert again.read_bytes() == trained.read_bytes()


def test_clean_with_a_model_writes_the_blocks_it_keeps(trained: Path, tmp_path: Path) -> None:
    page = GOLD_DIR / "spanish-news.html"
    out = tmp_path / "out.jsonl"
    assert (
        main(
            [
                "clean",
                "--workers",
                "1",
                "--no-progress",
                "-q",
                str(page),
                "-o",
                str(out),
                "--model",
                str(trained),
            ]
        )
        == 0
    )
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    model = load_model(trained)
    document = Document(str(page), "html", content=page.read_bytes())
    assert record["text"] == run_one(document, Config(model=model)).record["text"]  # type: ignore[index]


def test_what_the_model_leaves_out_is_not_a_rule_removal(trained: Path) -> None:
    page = GOLD_DIR / "spanish-news.html"
    document = Document(str(page), "html", content=page.read_bytes())
    with_model = run_one(document, Config(model=trained)).record
    without = run_one(document, Config(model=None)).record
    assert with_model is not None and without is not None
    page_rules = [r for r in with_model["removed"] if r["at"] is None]
    assert page_rules == [r for r in without["removed"] if r["at"] is None]


def test_a_config_loads_a_model_path_once(trained: Path) -> None:
    assert Config(model=trained).model is Config(model=str(trained)).model


def test_explain_gives_each_blocks_score_and_top_features(trained: Path) -> None:
    model = load_model(trained)
    page = _reading({"newsclean": ["Passengers queued from dawn at the main harbour."], "readability": []})
    explained = model.explain(page, top=2)
    assert [block.text for block in explained] == [block.text for block in page.blocks]
    assert all(0.0 <= block.score <= 1.0 and len(block.top) <= 2 for block in explained)
    assert [block.kept for block in explained] == [block.text in model.read(page) for block in page.blocks]


def test_clean_refuses_a_file_that_is_not_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.model"
    bogus.write_text("not a model\n", encoding="utf-8")
    status = main(
        ["clean", str(GOLD_DIR / "spanish-news.html"), "-o", str(tmp_path / "o.jsonl"), "--model", str(bogus)]
    )
    assert status == 2
    assert "is not a newsclean page model" in capsys.readouterr().err


def test_a_model_made_for_other_features_is_refused(trained: Path, tmp_path: Path) -> None:
    header, _, payload = trained.read_bytes().partition(b"\n")
    changed = json.loads(header)
    changed["features"] = changed["features"][:-1]
    other = tmp_path / "other.model"
    other.write_bytes(json.dumps(changed).encode() + b"\n" + payload)
    with pytest.raises(ModelError, match="other features"):
        load_model(other)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no labelled pages"),
        ({"a.gold.txt": "Some gold text here."}, "no page file matches a gold name"),
        ({"ground-truth.json": "[1, 2]"}, "an object keyed by document name"),
    ],
)
def test_train_says_what_is_wrong_with_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], message: str
) -> None:
    folder = tmp_path / "gold"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert main(["train", str(folder), "-o", str(tmp_path / "m.model"), *FEW]) == 2
    assert message in capsys.readouterr().err


def test_train_refuses_pages_without_main_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "gold"
    folder.mkdir()
    shutil.copy(GOLD_DIR / "spanish-news.html", folder / "a.html")
    (folder / "a.gold.txt").write_text("Words that stand nowhere on the page at all.", encoding="utf-8")
    assert main(["train", str(folder), "-o", str(tmp_path / "m.model"), *FEW]) == 2
    assert "none of them main content" in capsys.readouterr().err


def test_the_default_config_uses_the_shipped_model_only_when_it_is_on_by_default() -> None:
    assert isinstance(Config().model, PageModel) == SHIPPED_BY_DEFAULT
    assert Config().model is default_model()


def test_the_shipped_model_records_the_four_dev_sets() -> None:
    if not SHIPPED.exists():
        pytest.skip("no model is shipped")
    header = read_header(SHIPPED)
    assert [part["set"] for part in header["data"]] == ["zyte", "l3s-gn1", "fundus-tests", "wcxb-dev"]


def test_explain_document_gives_each_block_of_the_page_in_order(trained: Path) -> None:
    page = GOLD_DIR / "spanish-news.html"
    document = Document(str(page), "html", content=page.read_bytes())
    explained = explain_document(document, Config(model=trained))
    sample = sample_page(LabelledPage("spanish-news", page.read_bytes(), ""))
    assert [block.text for block in explained] == sample.texts


def test_explain_document_needs_a_model() -> None:
    page = GOLD_DIR / "spanish-news.html"
    with pytest.raises(ModelError, match="no page model"):
        explain_document(Document(str(page), "html", content=page.read_bytes()), Config(model=None))


def test_merge_adds_the_blocks_newsclean_left_out_after_the_line_above_them() -> None:
    lines = ["one two three four five", "six seven eight nine ten"]
    texts = [
        "kicker",
        "one two three four five",
        "a later section of the story",
        "six seven eight nine ten",
        "Share",
    ]
    covered = [False, True, False, True, False]
    scores = [0.9, 0.0, 0.8, 0.0, 0.1]
    assert merge(lines, texts, covered, scores, 0.5) == [
        "kicker",
        "one two three four five",
        "a later section of the story",
        "six seven eight nine ten",
    ]


def test_merge_never_drops_newsclean_lines() -> None:
    lines = ["one two three four five", "six seven eight nine ten"]
    assert merge(lines, ["one two three four five"], [True], [0.0], 0.5) == lines


def test_the_saved_trees_predict_as_scikit_learn_does() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    generator = np.random.default_rng(7)
    rows = generator.normal(size=(400, 6))
    targets = rows[:, 0] + rows[:, 1] * rows[:, 2] > 0.3
    classifier = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(rows, targets)
    forest = Forest.from_bytes(Forest.of(classifier).to_bytes())
    assert np.allclose(forest.probabilities(rows), classifier.predict_proba(rows)[:, 1], rtol=0, atol=1e-9)


def test_a_model_file_with_damaged_trees_is_refused(trained: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.model"
    damaged.write_bytes(trained.read_bytes()[:-100])
    with pytest.raises(ModelError, match="trees cannot be read"):
        load_model(damaged)


@pytest.mark.parametrize("probability", [0.0, 1.0])
def test_blocks_of_one_class_give_a_constant_model(probability: float) -> None:
    scores = Forest.constant(probability).probabilities(np.zeros((3, 4)))
    assert np.allclose(scores, probability, atol=1e-5)


def test_clean_refuses_a_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.model"
    status = main(
        [
            "clean",
            str(GOLD_DIR / "spanish-news.html"),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--model",
            str(missing),
        ]
    )
    assert status == 2
    assert f"cannot read the model {missing}" in capsys.readouterr().err


def test_explain_with_a_model_shows_each_block_it_added_or_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A low threshold, so that the model adds blocks newsclean left out as well as leaving others out.
    model = tmp_path / "low.model"
    assert main(["train", str(GOLD_DIR), "-o", str(model), "--threshold", "0.1", *FEW]) == 0
    page = GOLD_DIR / "spanish-news.html"
    capsys.readouterr()
    assert main(["explain", str(page), "--model", str(model)]) == 0
    out = capsys.readouterr().out
    assert main(["explain", str(page), "--model", str(model)]) == 0
    assert capsys.readouterr().out == out  # the same scores every time
    text, _, account = out.partition("\n\npage model (threshold 0.1): ")
    assert text.startswith(f"{page}: kept ")
    document = Document(str(page), "html", content=page.read_bytes())
    blocks = explain_document(document, Config(model=model))
    decided = [block for block in blocks if not block.own]
    added = [block for block in decided if block.kept]
    assert added and len(added) < len(decided)
    head, *lines = account.rstrip("\n").split("\n")
    assert head == (
        f"{len(blocks)} blocks, {len(blocks) - len(decided)} in newsclean's reading, {len(added)} added, "
        f"{len(decided) - len(added)} left out"
    )
    assert len(lines) == len(decided)
    record = run_one(document, Config(model=model)).record
    assert record is not None
    for line, block in zip(lines, decided, strict=True):
        found = re.fullmatch(r"    ([+x])  (\d\.\d{3}) \[(.*)\] (.*)", line)
        assert found is not None, line
        assert found[1] == ("+" if block.kept else "x")
        assert found[2] == f"{block.score:.3f}" and found[4] == block.text
        reasons = found[3].split(", ")
        assert len(reasons) == len(block.top) and 1 <= len(reasons) <= 3
        assert [reason.partition("=")[0] for reason in reasons] == [name for name, _, _ in block.top]
        assert all(re.fullmatch(r"[\w-]+=-?[\d.e+-]+ [+-]\d\.\d{3}", reason) for reason in reasons)
        # An added block is in the text, but for the headline (never in the text) and what a text rule
        # then removed (in the record's removals); a block left out is in neither.
        in_text = block.text in record["text"].split("\n")
        removed = block.text in [removal["text"] for removal in record["removed"]]
        if block.kept:
            assert in_text or removed or block.text == record["title"]
        else:
            assert not in_text and not removed


def test_explain_refuses_a_file_that_is_not_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.model"
    bogus.write_text("not a model\n", encoding="utf-8")
    assert main(["explain", str(GOLD_DIR / "spanish-news.html"), "--model", str(bogus)]) == 2
    assert "is not a newsclean page model" in capsys.readouterr().err


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    """The gold fixtures' labelled pages dealt into two folders."""
    first, second = tmp_path / "sets", tmp_path / "mine"
    first.mkdir()
    second.mkdir()
    for number, gold in enumerate(sorted(GOLD_DIR.glob("*.gold.txt"))):
        page = gold.with_name(gold.name.removesuffix(".gold.txt") + ".html")
        if page.exists():
            target = first if number % 2 else second
            shutil.copy(gold, target / gold.name)
            shutil.copy(page, target / page.name)
    return first, second


def test_train_weighs_a_folders_pages_as_asked(tmp_path: Path) -> None:
    first, second = _two_folders(tmp_path)
    plain, weighed = tmp_path / "plain.model", tmp_path / "weighed.model"
    assert main(["train", str(first), str(second), "-o", str(plain), *FEW]) == 0
    assert main(["train", str(first), str(second), "-o", str(weighed), "--weight", f"{second}=5", *FEW]) == 0
    assert [part.get("weight") for part in read_header(weighed)["data"]] == [None, 5.0]
    assert [part.get("weight") for part in read_header(plain)["data"]] == [None, None]
    assert load_model(weighed).forest.to_bytes() != load_model(plain).forest.to_bytes()
    again = tmp_path / "again.model"
    assert main(["train", str(first), str(second), "-o", str(again), "--weight", f"{second}=5", *FEW]) == 0
    assert again.read_bytes() == weighed.read_bytes()


@pytest.mark.parametrize("weight", ["{other}=2", "{second}=0", "{second}=x", "{second}"])
def test_train_refuses_a_weight_it_cannot_use(
    weight: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = _two_folders(tmp_path)
    given = weight.format(second=second, other=tmp_path / "other")
    assert main(["train", str(first), str(second), "-o", str(tmp_path / "m"), "--weight", given]) == 2
    assert f"--weight {given}: " in capsys.readouterr().err


def test_the_model_option_names_a_file_none_or_the_default(trained: Path) -> None:
    from pipeline.model import chosen_model, default_model

    assert chosen_model(None) is default_model()
    assert chosen_model("none") is None
    assert chosen_model(" None ") is None
    assert chosen_model(str(trained)) is load_model(trained)


def test_clean_with_model_none_reads_pages_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.cli import clean as clean_command

    seen: list[object] = []
    real = clean_command._run_local
    monkeypatch.setattr(clean_command, "_run_local", lambda *a, **k: seen.append(a) or real(*a, **k))
    page = GOLD_DIR / "spanish-news.html"
    assert main(["clean", "-q", str(page), "-o", str(tmp_path / "o.jsonl"), "--model", "none"]) == 0
    assert any(isinstance(value, Config) and value.model is None for value in seen[0])


def test_a_crawl_reads_newsclean_model(tmp_path: Path, trained: Path) -> None:
    from scrapy.utils.test import get_crawler

    from pipeline.crawl.item_pipeline import CleanPipeline
    from spiders.article import ArticleSpider

    def model_of(value: str | None) -> object:
        settings = {"NEWSCLEAN_MODEL": value} if value is not None else {}
        crawler = get_crawler(
            ArticleSpider, {"FEEDS": {str(tmp_path / "o.jsonl"): {"format": "jsonlines"}}, **settings}
        )
        return CleanPipeline.from_crawler(crawler).config.model

    assert model_of("none") is None
    assert model_of(str(trained)) is load_model(trained)
    assert model_of(None) is Config().model


def test_crawl_refuses_a_model_that_is_no_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.model"
    bogus.write_text("not a model\n")
    status = main(
        ["crawl", "article", "http://127.0.0.1:9/", "-o", str(tmp_path / "o.jsonl"), "--model", str(bogus)]
    )
    assert status == 2
    assert "NEWSCLEAN_MODEL" in capsys.readouterr().err
