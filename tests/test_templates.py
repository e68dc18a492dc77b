"""`clean --site-templates`: paragraphs a site repeats across its different articles are learned by a first
run and removed by the run proper under `site-template`; copies of one article count once."""

from __future__ import annotations

import asyncio
import json
import pickle
import re
from collections import Counter
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.cli import main
from pipeline.corpus.templates import learn_templates
from pipeline.crawl.item_pipeline import CleanPipeline
from pipeline.document import Document
from pipeline.process import DEFAULT_MAX_BYTES, Config, run_one
from pipeline.readers import reader_for
from pipeline.rules.text.templates import (
    SiteTemplate,
    SiteTemplates,
    TemplateParagraph,
    paragraph_key,
    site_of,
)
from spiders.article import ArticleSpider

from .conftest import GOLD_DIR, SHARED, document_of, paragraphs, shared_dir

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


def _page(host: str, slug: str, story: str, extra: str | None, backwards: bool = False) -> str:
    first, second = (_backwards(p) for p in STORIES[story]) if backwards else STORIES[story]
    tail = f"<p>{extra}</p>" if extra else ""
    return (
        f"<html lang='en'><head><title>{story}</title><link rel='canonical' href='https://{host}/news/{slug}'>"
        f"</head><body><article><h1>The {story} story</h1><p>{first}</p><p>{second}</p>{tail}"
        "</article></body></html>"
    )


def _backwards(paragraph: str) -> str:
    """Another story: the paragraph's words in the reverse order (no 5-gram in common with it)."""
    return " ".join(reversed(paragraph.split()))


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
            "detail": "in 4 of 4 pages of harbour.example",
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
    paragraph = TemplateParagraph(paragraph_key(TEMPLATE), 3, TEMPLATE)
    templates = SiteTemplates((SiteTemplate("harbour.example", 4, (paragraph,)),))
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


def test_each_removal_says_on_how_many_of_the_sites_pages_it_stood(tmp_path: Path) -> None:
    host = "www.harbour.example"
    pages = {story: (host, story, TEMPLATE if story != "school" else None) for story in STORIES}
    records = _clean(_site(tmp_path, pages), "--site-templates")
    details = {r["detail"] for record in records.values() for r in record["removed"]}
    assert details == {"in 3 of 4 pages of harbour.example"}
    assert all(r["detail"] is None for r in _clean_again(tmp_path)["floods"]["removed"])


def _clean_again(tmp_path: Path) -> dict[str, dict[str, Any]]:
    """The same pages without templates: other rules' removals carry no detail."""
    folder = tmp_path / "in"
    (folder / "floods.html").write_text(
        _page("harbour.example", "floods", "floods", "Read more: Why the delta floods more often"),
        encoding="utf-8",
    )
    return _clean(folder)


@pytest.fixture
def saved(one_site: Path) -> Path:
    """The templates `clean --site-templates --save-templates` learned from one site's four pages."""
    path = one_site.parent / "harbour.templates"
    _clean(one_site, "--site-templates", "--save-templates", str(path))
    return path


def test_the_saved_file_holds_the_counts_and_the_template_paragraphs_only(saved: Path) -> None:
    header, *sites = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    assert header == {"format": "newsclean-templates", "version": 1, "min_articles": 3, "min_words": 3}
    key = paragraph_key(TEMPLATE).hex()
    assert sites == [
        {"site": "harbour.example", "pages": 4, "paragraphs": [{"key": key, "pages": 4, "text": TEMPLATE}]}
    ]
    assert not any(
        sentence in saved.read_text(encoding="utf-8") for story in STORIES.values() for sentence in story
    )


def test_show_lists_each_sites_paragraphs_with_their_support(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["templates", "show", str(saved)]) == 0
    shown = capsys.readouterr().out
    assert "harbour.example (4 pages)" in shown
    assert f"  4/4  {TEMPLATE}" in shown.splitlines()


def test_saved_templates_clean_next_months_pages(saved: Path, tmp_path: Path) -> None:
    later = tmp_path / "december"
    later.mkdir()
    (later / "storm.html").write_text(_page("harbour.example", "storm", "ferry", TEMPLATE), encoding="utf-8")
    (later / "other.html").write_text(_page("other.example", "other", "budget", TEMPLATE), encoding="utf-8")
    records = _clean(later, "--templates", str(saved))
    assert records["storm"]["text"].split("\n") == list(STORIES["ferry"])
    assert records["storm"]["removed"] == [
        {
            "rule": "site-template",
            "family": "template",
            "text": TEMPLATE,
            "at": 2,
            "detail": "in 4 of 4 pages of harbour.example",
        }
    ]
    assert records["other"]["text"].split("\n")[-1] == TEMPLATE  # another site: not its template


def test_templates_learned_from_records_files_are_those_clean_saves(saved: Path, one_site: Path) -> None:
    records = one_site.parent / "plain.jsonl"
    assert main(["clean", "--workers", "1", str(one_site), "-o", str(records), "-q"]) == 0
    learned = one_site.parent / "learned.templates"
    assert main(["templates", "learn", str(records), "-o", str(learned), "-q"]) == 0
    assert learned.read_bytes() == saved.read_bytes()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_FILES = {
    "missing": (None, "not found"),
    "records": ('{"id": "a", "text": "x"}\n', "not a newsclean templates file"),
    "empty": ("", "not a newsclean templates file"),
    "binary": ("\x00\x01PAR1", "not JSON"),
    "version": ('{"format": "newsclean-templates", "version": 99, "min_articles": 3}\n', "version 99"),
    "site": (
        '{"format": "newsclean-templates", "version": 1, "min_articles": 3}\n{"site": "a.example"}\n',
        "line 2 is not a site's templates",
    ),
    "support": (
        '{"format": "newsclean-templates", "version": 1, "min_articles": 3}\n'
        '{"site": "a.example", "pages": 2, '
        '"paragraphs": [{"key": "00112233445566ff", "pages": 5, "text": "x"}]}\n',
        "line 2 is not a site's templates",
    ),
}


@pytest.mark.parametrize("command", ["clean", "show", "crawl"])
@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_file_that_is_no_templates_file_is_a_usage_error(
    tmp_path: Path, one_site: Path, kind: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content, message = BAD_FILES[kind]
    path = tmp_path / "bad.templates"
    if content is not None:
        _write(path, content)
    out = tmp_path / "out.jsonl"
    arguments = {
        "clean": ["clean", str(one_site), "-o", str(out), "--templates", str(path)],
        "show": ["templates", "show", str(path)],
        "crawl": ["crawl", "article", "http://127.0.0.1:9/", "--templates", str(path), "-q"],
    }[command]
    assert main(arguments) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "options",
    [["--templates", "x.templates", "--site-templates"], ["--save-templates", "x.templates"]],
    ids=["templates-and-site-templates", "save-without-learning"],
)
def test_template_options_that_do_not_go_together(
    one_site: Path, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clean", str(one_site), "-o", str(one_site.parent / "o.jsonl"), *options]) == 2
    assert "templates" in capsys.readouterr().err


def test_saved_templates_serve_a_resumed_run(saved: Path, one_site: Path) -> None:
    out = one_site.parent / "resumed.jsonl"
    first = ["clean", "--workers", "1", str(one_site / "floods.html"), "-o", str(out), "-q"]
    assert main([*first, "--templates", str(saved)]) == 0
    assert (
        main(
            [
                "clean",
                "--workers",
                "1",
                str(one_site),
                "-o",
                str(out),
                "-q",
                "--resume",
                "--templates",
                str(saved),
            ]
        )
        == 0
    )
    with out.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    assert len(records) == len(STORIES)
    assert all(record["removed"][-1]["rule"] == "site-template" for record in records)


ARCHIVE_TEMPLATE = (
    "Wire Daily is published by Wire Media Group; reproduction of its articles needs permission."
)
DUMP_TEXT = (
    "Ferry services resume after the storm\n\nFerry services between the islands resumed on Tuesday after "
    "a three-day suspension caused by the storm.\n\n" + TEMPLATE + "\n"
)


def mixed_inputs(folder: Path) -> Path:
    """Every kind of input `clean` reads: one site's saved pages, a CC-NEWS-shaped archive of another
    site's pages (other stories, each twice; each site with its own template paragraph), and text dumps
    (no URL, no publisher: no site)."""
    folder.mkdir()
    for story in STORIES:
        (folder / f"{story}.html").write_text(_page("www.harbour.example", story, story, TEMPLATE), "utf-8")
    for n in range(3):
        (folder / f"dump{n}.txt").write_text(DUMP_TEXT, encoding="utf-8")
    with (folder / "cc-news.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n, story in enumerate(sorted(STORIES) * 2):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            page = BytesIO(_page("wire.example", f"{story}-{n}", story, ARCHIVE_TEMPLATE, True).encode())
            url = f"https://wire.example/{story}-{n}"
            writer.write_record(writer.create_warc_record(url, "response", payload=page, http_headers=http))
    return folder


def check_mixed(records: dict[str, dict[str, Any]]) -> None:
    """What `clean --site-templates` gives for mixed_inputs: each site's paragraph gone, with its support
    (the archive's copies of one story count once), the dumps untouched."""
    removed = Counter((r["text"], r["detail"]) for record in records.values() for r in record["removed"])
    assert removed == {
        (TEMPLATE, "in 4 of 4 pages of harbour.example"): 4,
        (ARCHIVE_TEMPLATE, "in 4 of 4 pages of wire.example"): 8,
    }
    dumps = [record for source, record in records.items() if source.endswith(".txt")]
    assert len(dumps) == 3 and all(record["text"].split("\n")[-1] == TEMPLATE for record in dumps)


def _records_of(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        found = [json.loads(line) for line in handle]
    by_source = {record["source"]: record for record in found}
    assert len(by_source) == len(found), "a record was written twice"
    return by_source


@pytest.mark.parametrize("workers", ["1", "2"])
def test_every_kind_of_input_with_any_worker_count(tmp_path: Path, workers: str) -> None:
    inputs = mixed_inputs(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    assert main(["clean", "--workers", workers, str(inputs), "-o", str(out), "-q", "--site-templates"]) == 0
    check_mixed(_records_of(out))


def test_the_crawl_applies_saved_templates_in_its_item_pipeline(saved: Path, tmp_path: Path) -> None:
    crawler = get_crawler(
        ArticleSpider,
        {
            "FEEDS": {str(tmp_path / "crawl.jsonl"): {"format": "jsonlines"}},
            "NEWSCLEAN_WORKERS": 0,
            "NEWSCLEAN_TEMPLATES": str(saved),
        },
    )
    crawler.spider = ArticleSpider.from_crawler(crawler, urls="https://www.harbour.example/")
    pipeline = CleanPipeline.from_crawler(crawler)
    pipeline.open_spider()
    url = "https://www.harbour.example/news/storm"
    body = _page("www.harbour.example", "storm", "ferry", TEMPLATE).encode()
    page = Document(url, "html", content=body, url=url, content_type="text/html", status=200)
    record = asyncio.run(pipeline.process_item(page))
    pipeline.close_spider()
    assert record["text"].split("\n") == list(STORIES["ferry"])
    assert record["removed"][-1]["detail"] == "in 4 of 4 pages of harbour.example"


# Every gold fixture and seed as the pages of one site that prints a standing notice under each (after the
# last paragraph of a page: some pages' extraction leaves it out with their footer): the notice is learned
# and removed, and no paragraph of any gold goes with it.
NOTICE = "One Site Media publishes these reports each weekday from its newsroom beside the old harbour."
SEEDS = SHARED / "seeds"
GOLD_PAGES = sorted(p for p in GOLD_DIR.iterdir() if reader_for(p.name)[1] is not None) + sorted(
    p for p in (SEEDS.iterdir() if SEEDS.is_dir() else ()) if reader_for(p.name)[1] is not None
)


def _gold_of(path: Path) -> list[str]:
    return paragraphs(path.with_name(path.name.rsplit(".", 1)[0] + ".gold.txt").read_text(encoding="utf-8"))


def _as_one_sites_page(path: Path) -> Document:
    document = document_of(path)
    content = document.origin.load(DEFAULT_MAX_BYTES) if document.origin else document.content or b""
    if document.kind == "html":
        head, tail = content.rsplit(b"</p>", 1)
        content = head + b"</p><p>" + NOTICE.encode() + b"</p>" + tail
    else:
        content = content.rstrip() + b"\n\n" + NOTICE.encode() + b"\n"
    return replace(document, content=content, origin=None, url=f"https://one.example/{path.name}")


@pytest.fixture(scope="module")
def one_sites_records() -> tuple[SiteTemplates, dict[str, dict[str, Any]]]:
    pages = [_as_one_sites_page(path) for path in GOLD_PAGES]
    first = [record for page in pages if (record := run_one(page, Config()).record) is not None]
    learned = learn_templates(lambda: iter(first))
    config = Config(site_templates=learned)
    return learned, {page.source: run_one(page, config).record or {} for page in pages}


def test_the_seeds_are_among_the_pages() -> None:
    seeds = shared_dir("seeds")
    assert len([path for path in GOLD_PAGES if path.parent == seeds]) == 5


def test_the_notice_printed_under_every_gold_page_is_learned(
    one_sites_records: tuple[SiteTemplates, dict[str, dict[str, Any]]],
) -> None:
    learned, records = one_sites_records
    (site,) = learned.sites
    assert site.site == "one.example" and site.pages >= len(GOLD_PAGES) - 2  # copies count once
    assert [p.text for p in site.paragraphs] == [NOTICE]
    assert not any(NOTICE in record["text"] for record in records.values())


@pytest.mark.parametrize("path", GOLD_PAGES, ids=lambda p: p.name)
def test_no_gold_paragraph_goes_as_a_site_template(
    one_sites_records: tuple[SiteTemplates, dict[str, dict[str, Any]]], path: Path
) -> None:
    record = one_sites_records[1][str(path)]
    gone = [r["text"] for r in record["removed"] if r["rule"] == "site-template"]
    assert [text for text in gone if any(text in paragraph for paragraph in _gold_of(path))] == []
    assert set(gone) <= {NOTICE} and NOTICE not in record["text"]  # (where the page's extraction kept it)


def test_explain_shows_each_template_removal_with_its_support(
    saved: Path, one_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", str(one_site / "floods.html"), "--templates", str(saved)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert f"    -  [site-template, template] {TEMPLATE} (in 4 of 4 pages of harbour.example)" in shown


@pytest.mark.parametrize("target", ["records", "output", "folder"])
def test_templates_are_never_saved_over_another_file(
    one_site: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = one_site.parent / "records.jsonl"
    assert main(["clean", "--workers", "1", str(one_site), "-o", str(records), "-q"]) == 0
    before = records.read_bytes()
    path = {"records": records, "output": records, "folder": one_site}[target]
    out = records if target == "output" else one_site.parent / "out.jsonl"
    clean = ["clean", "--workers", "1", str(one_site), "-o", str(out), "-q", "--site-templates"]
    assert main([*clean, "--save-templates", str(path)]) == 2
    assert "templates" in capsys.readouterr().err
    assert records.read_bytes() == before


@pytest.mark.parametrize("target", ["records", "folder"])
def test_templates_learn_never_writes_over_another_file(
    one_site: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = one_site.parent / "records.jsonl"
    assert main(["clean", "--workers", "1", str(one_site), "-o", str(records), "-q"]) == 0
    before = records.read_bytes()
    path = records if target == "records" else one_site
    assert main(["templates", "learn", str(records), "-o", str(path), "-q"]) == 2
    assert "not a templates file" in capsys.readouterr().err
    assert records.read_bytes() == before


def test_saved_templates_are_replaced_by_new_ones(saved: Path, one_site: Path) -> None:
    (one_site / "school.html").unlink()
    _clean(one_site, "--site-templates", "--save-templates", str(saved))
    _, site = saved.read_text(encoding="utf-8").splitlines()
    assert json.loads(site)["pages"] == 3
    assert [path.name for path in saved.parent.iterdir() if "partial" in path.name] == []
