"""`clean --site-templates`: paragraphs a site repeats across its different articles are learned by a first
run and removed by the run proper under `site-template`; copies of one article count once."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.process import Config
from pipeline.rules.text.templates import SiteTemplates, paragraph_key, site_of

STORIES = {
    "floods": (
        "Heavy rain flooded hundreds of villages in the river delta on Sunday, officials said, forcing "
        "thousands of families to leave their homes for shelters on higher ground.",
        "Rescue teams used boats to reach people stranded on rooftops, and the army sent helicopters with "
        "food, water and medicine to the worst-hit districts.",
    ),
    "ferry": (
        "Ferry services between the islands resumed on Tuesday after a three-day suspension caused by the "
        "storm, the port authority said in a statement.",
        "Passengers queued from dawn at the main harbour, where the first boat left at seven in the morning "
        "with every seat taken.",
    ),
    "budget": (
        "The city council approved next year's budget on Wednesday after a six-hour debate over cuts to "
        "libraries and the bus network.",
        "The mayor said the plan would keep every branch library open, though opening hours at four of them "
        "will be shortened from March.",
    ),
    "school": (
        "A new primary school opened its doors in the northern district on Monday, the first built in the "
        "area for more than twenty years.",
        "Parents lined the street as the first pupils arrived, and the head teacher said all 420 places for "
        "the coming year had been filled.",
    ),
}
TEMPLATE = (
    "The Harbour Gazette is an independent newspaper published by Harbour Media in Portsmouth since 1901."
)


def _page(host: str, slug: str, story: str, extra: str | None) -> str:
    first, second = STORIES[story]
    tail = f"<p>{extra}</p>" if extra else ""
    return (
        f"<html lang='en'><head><title>{story}</title><link rel='canonical' href='https://{host}/news/{slug}'>"
        f"</head><body><article><h1>The {story} story</h1><p>{first}</p><p>{second}</p>{tail}"
        "</article></body></html>"
    )


def _clean(folder: Path, *extra: str) -> dict[str, dict[str, Any]]:
    out = folder.parent / "out.jsonl"
    assert main(["clean", "--workers", "1", str(folder), "-o", str(out), "-q", *extra]) == 0
    with out.open(encoding="utf-8") as handle:
        return {Path(record["source"]).stem: record for record in map(json.loads, handle)}


def _site(tmp_path: Path, pages: dict[str, tuple[str, str, str | None]]) -> Path:
    """Pages by file stem: (host, story, extra paragraph)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for stem, (host, story, extra) in pages.items():
        (folder / f"{stem}.html").write_text(_page(host, stem, story, extra), encoding="utf-8")
    return folder


@pytest.fixture
def one_site(tmp_path: Path) -> Path:
    return _site(tmp_path, {story: ("www.harbour.example", story, TEMPLATE) for story in STORIES})


def test_a_paragraph_the_site_repeats_is_removed(one_site: Path) -> None:
    records = _clean(one_site, "--site-templates")
    for story, record in records.items():
        assert record["text"].split("\n")[-2:] == list(STORIES[story])
        assert record["removed"][-1] == {
            "rule": "site-template",
            "family": "template",
            "text": TEMPLATE,
            "at": 2,  # after the two kept paragraphs: the headline went to the title
        }


def test_without_the_option_it_stays(one_site: Path) -> None:
    records = _clean(one_site)
    assert {record["text"].split("\n")[-1] for record in records.values()} == {TEMPLATE}


def test_the_rule_can_be_turned_off(one_site: Path) -> None:
    records = _clean(one_site, "--site-templates", "--disable", "site-template")
    assert {record["text"].split("\n")[-1] for record in records.values()} == {TEMPLATE}


def test_copies_of_one_article_count_once(tmp_path: Path) -> None:
    host = "www.harbour.example"
    pages = {
        "floods": (host, "floods", TEMPLATE),
        "ferry": (host, "ferry", TEMPLATE),
        "ferry-reprint": (host, "ferry", TEMPLATE),  # the same story again, at another address
        "budget": (host, "budget", None),
    }
    records = _clean(_site(tmp_path, pages), "--site-templates")
    assert {record["text"].split("\n")[-1] for stem, record in records.items() if stem != "budget"} == {
        TEMPLATE
    }


def test_a_paragraph_repeated_by_different_sites_is_no_template(tmp_path: Path) -> None:
    pages = {story: (f"{story}.example", story, TEMPLATE) for story in STORIES}
    records = _clean(_site(tmp_path, pages), "--site-templates")
    assert {record["text"].split("\n")[-1] for record in records.values()} == {TEMPLATE}


def test_site_templates_need_a_whole_run(one_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = one_site.parent / "out.jsonl"
    assert main(["clean", str(one_site), "-o", str(out), "--site-templates", "--resume"]) == 2
    assert "--site-templates" in capsys.readouterr().err


def test_a_config_with_templates_pickles() -> None:
    templates = SiteTemplates((("harbour.example", frozenset({paragraph_key(TEMPLATE)})),))
    config = pickle.loads(pickle.dumps(Config(site_templates=templates)))
    assert config.site_templates == templates
    assert config.site_templates.rule_for(site_of("https://www.harbour.example/a", None)) is not None


def test_a_label_each_article_repeats_is_no_template(tmp_path: Path) -> None:
    label = "Our verdict on it"
    between = "Prices vary from one shop to the next."
    extra = f"{label}</p><p>{between}</p><p>{label}"  # twice in every article: its structure
    pages = {story: ("harbour.example", story, extra) for story in STORIES}
    records = _clean(_site(tmp_path, pages), "--site-templates")
    assert [record["text"].split("\n").count(label) for record in records.values()] == [2] * len(STORIES)
    assert {removal["text"] for record in records.values() for removal in record["removed"]} == {between}


def test_the_summary_counts_the_template_removals(one_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = one_site.parent / "out.jsonl"
    assert main(["clean", "--workers", "1", str(one_site), "-o", str(out), "--site-templates"]) == 0
    assert re.search(r"site-template +4 +\(template\)", capsys.readouterr().err)
