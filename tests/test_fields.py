"""The declared fields of a record: `published_at`, `modified_at`, `image`, `tags`, `paywalled`.

The pages are small, hand-made, and shaped like the markup publishers write: Yoast SEO's `@graph` on
WordPress, Open Graph and `article:*` tags, Google's paywalled-content markup, microdata.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow.parquet as pq
import pytest

from pipeline.document import Document
from pipeline.extract.metadata import moment
from pipeline.process import Config, run_one
from pipeline.record import schema
from pipeline.schema.arrow import features
from pipeline.writers.jsonl import JsonlWriter
from pipeline.writers.parquet import ParquetWriter

from .conftest import GOLD_DIR, outcome_of, shared_dir

BODY = (
    "<article><h1>Council approves the new tram line</h1>"
    "<p>The city council approved the new tram line on Tuesday after a debate that lasted most of the "
    "afternoon, clearing the way for construction to start next spring.</p>"
    "<p>The line will run from the railway station to the university campus, with eleven stops, and "
    "is expected to carry about 30,000 passengers a day once it opens.</p>"
    "<p>Opponents said the cost had doubled since the plan was first presented, while supporters "
    "argued that buses on the route were already full at peak hours.</p>"
    "{extra}</article>"
)


def page(head: str, extra: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Council approves the new tram "
        f"line</title>{head}</head><body>{BODY.format(extra=extra)}</body></html>"
    ).encode()


def ld(data: dict[str, Any]) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def record(content: bytes, url: str | None = "https://news.example.com/2025/03/12/tram/") -> dict[str, Any]:
    outcome = run_one(Document("page.html", "html", content=content, url=url), Config())
    assert outcome.record is not None, outcome.error
    return outcome.record


# Yoast SEO (WordPress): one @graph, the article's image a reference to an ImageObject of the graph.
YOAST = ld(
    {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "@id": "https://news.example.com/2025/03/12/tram/#article",
                "headline": "Council approves the new tram line",
                "datePublished": "2025-03-12T07:30:00+00:00",
                "dateModified": "2025-03-12T09:05:12+00:00",
                "image": {"@id": "https://news.example.com/2025/03/12/tram/#primaryimage"},
                "keywords": ["trams", "city council", "Transport"],
                "articleSection": ["Local", "transport"],
            },
            {
                "@type": "WebPage",
                "@id": "https://news.example.com/2025/03/12/tram/",
                "datePublished": "2025-03-12T07:30:00+00:00",
                "primaryImageOfPage": {"@id": "https://news.example.com/2025/03/12/tram/#primaryimage"},
            },
            {
                "@type": "ImageObject",
                "@id": "https://news.example.com/2025/03/12/tram/#primaryimage",
                "url": "https://news.example.com/wp-content/uploads/2025/03/tram.jpg",
                "contentUrl": "https://news.example.com/wp-content/uploads/2025/03/tram.jpg",
            },
            {
                "@type": "Organization",
                "name": "Example News",
                "logo": {"url": "https://news.example.com/l.png"},
            },
        ],
    }
)


def test_a_yoast_graph_gives_times_image_and_tags() -> None:
    found = record(page(YOAST))
    assert found["published_at"] == "2025-03-12T07:30:00+00:00"
    assert found["modified_at"] == "2025-03-12T09:05:12+00:00"
    assert found["image"] == "https://news.example.com/wp-content/uploads/2025/03/tram.jpg"
    # Keywords, then sections; "transport" repeats "Transport" (case aside) and goes.
    assert found["tags"] == ["trams", "city council", "Transport", "Local"]
    assert found["paywalled"] is None


# Open Graph and article:* tags, as most news CMSs write them (no JSON-LD).
OPEN_GRAPH = (
    '<meta property="og:type" content="article">'
    '<meta property="og:image" content="/images/2025/03/tram-1200.jpg">'
    '<meta name="twitter:image" content="https://cdn.example.net/tram-twitter.jpg">'
    '<meta property="article:published_time" content="2025-03-12T08:30:00.000+0100">'
    '<meta property="article:modified_time" content="2025-03-12T10:05:00+01:00">'
    '<meta property="article:section" content="Politics">'
    '<meta property="article:tag" content="Trams">'
    '<meta property="article:tag" content="Budget">'
    '<meta name="news_keywords" content="tram, council vote, budget">'
    '<meta name="keywords" content="news, politics">'
)

# article:tag and article:section, then news_keywords and keywords split at commas; "budget" and
# "politics" repeat earlier tags (case aside).
OPEN_GRAPH_TAGS = ["Trams", "Budget", "Politics", "tram", "council vote", "news"]


def test_open_graph_tags_give_times_image_and_tags() -> None:
    found = record(page(OPEN_GRAPH))
    assert found["published_at"] == "2025-03-12T08:30:00+01:00"  # fraction dropped, offset with a colon
    assert found["modified_at"] == "2025-03-12T10:05:00+01:00"
    assert found["image"] == "https://news.example.com/images/2025/03/tram-1200.jpg"  # made absolute
    assert found["tags"] == OPEN_GRAPH_TAGS


def test_a_relative_image_without_the_pages_url_gives_way_to_an_absolute_one() -> None:
    assert record(page(OPEN_GRAPH), url=None)["image"] == "https://cdn.example.net/tram-twitter.jpg"


def test_an_image_that_is_no_web_address_is_dropped() -> None:
    head = '<meta property="og:image" content="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    assert record(page(head))["image"] is None


# Markup that breaks the expectations of every field: the page keeps its record, the fields are empty.
ODD = ld(
    {
        "@context": "https://schema.org",
        "@type": [{"name": "NewsArticle"}, "NewsArticle"],
        "datePublished": ["2025-03-12T07:30:00Z"],
        "image": [{"@id": ["#a"]}, 7, {"url": {"href": "x"}}],
        "keywords": {"a": "b"},
        "articleSection": [["World"], 3],
        "isAccessibleForFree": ["False"],
        "hasPart": [None, "part", {"isAccessibleForFree": {"value": False}}],
    }
)
ODD += (
    '<meta property="og:image" content="http://[::1/broken.jpg"><time datetime="yesterday">Yesterday</time>'
)


def test_odd_markup_leaves_the_fields_empty_and_the_record_whole() -> None:
    found = record(page(ODD))
    assert {key: found[key] for key in DECLARED} == dict.fromkeys(DECLARED)
    assert found["text"].startswith("The city council approved the new tram line")


def test_a_day_without_a_time_leaves_published_at_null_and_fills_date() -> None:
    head = ld({"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2025-03-12"})
    found = record(page(head))
    assert (found["date"], found["published_at"]) == ("2025-03-12", None)


def test_a_time_without_an_offset_is_given_without_one() -> None:
    head = '<meta property="article:published_time" content="2025-03-12 07:30">'
    assert record(page(head))["published_at"] == "2025-03-12T07:30:00"


def test_a_day_in_json_ld_gives_way_to_a_time_in_the_meta_tags() -> None:
    head = ld({"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2025-03-12"})
    head += '<meta property="article:published_time" content="2025-03-12T07:30:00Z">'
    assert record(page(head))["published_at"] == "2025-03-12T07:30:00+00:00"


def test_a_time_element_marked_as_the_publications_dates_the_page() -> None:
    byline = '<p class="meta">Posted <time itemprop="datePublished" datetime="2025-03-12T07:30:00-04:00">'
    byline += "March 12</time></p>"
    assert record(page("", byline))["published_at"] == "2025-03-12T07:30:00-04:00"


def test_several_unmarked_time_elements_date_nothing() -> None:
    # A list of related stories or comments, each with its time: none of them is the article's.
    times = "".join(
        f'<li><time datetime="2025-03-1{n}T0{n}:00:00Z">{n}</time> Another story</li>' for n in (1, 2)
    )
    assert record(page("", f"<ul>{times}</ul>"))["published_at"] is None


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("2025-03-12T07:30:00Z", "2025-03-12T07:30:00+00:00"),
        ("2025-03-12T07:30:00.123456-05:00", "2025-03-12T07:30:00-05:00"),
        ("2025-03-12T07:30+0530", "2025-03-12T07:30:00+05:30"),
        ("2025-03-12T07:30:00+02", "2025-03-12T07:30:00+02:00"),
        ("2025-03-12", None),
        ("2025-13-12T07:30:00Z", None),
        ("March 12, 2025 7:30 AM", None),
    ],
)
def test_moment(declared: str, expected: str | None) -> None:
    assert moment(declared) == expected


# Google's markup for paywalled content: the article not free, the part behind the wall named.
def paywall_markup(article: Any, part: Any = None, *, parts: int = 1) -> str:
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Tram"}
    if article is not None:
        data["isAccessibleForFree"] = article
    if part is not None:
        element = {"@type": "WebPageElement", "isAccessibleForFree": part, "cssSelector": ".paywall"}
        data["hasPart"] = element if parts == 1 else [element] * parts
    return ld(data)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (paywall_markup("False", "False"), True),
        (paywall_markup(False), True),
        (paywall_markup(None, False), True),  # only the part says so
        (paywall_markup(None, "False", parts=2), True),
        (paywall_markup("https://schema.org/False"), True),
        (paywall_markup(True), False),
        (paywall_markup("true"), False),
        (paywall_markup(None), None),
        ('<meta itemprop="isAccessibleForFree" content="false">', True),
    ],
)
def test_declared_access(head: str, expected: bool | None) -> None:
    assert record(page(head))["paywalled"] is expected


def test_a_paywall_prompt_cut_from_the_text_marks_the_page_paywalled() -> None:
    found = record(page(paywall_markup(True), "<p>Subscribe to continue reading this article.</p>"))
    assert [r["rule"] for r in found["removed"]] == ["paywall-prompt"]
    assert found["paywalled"] is True


def test_a_newsletter_prompt_says_nothing_of_access() -> None:
    found = record(page("", "<p>Sign up for our free newsletter to get the top stories every morning.</p>"))
    assert [r["rule"] for r in found["removed"]] == ["newsletter-signup"]
    assert found["paywalled"] is None


DECLARED = ("published_at", "modified_at", "image", "tags", "paywalled")
DUMP = (
    "Council approves the new tram line\n"
    "The city council approved the new tram line on Tuesday after a long debate.\n"
    "The line will run from the railway station to the university campus.\n"
)


def text_record(text: str) -> dict[str, Any]:
    outcome = run_one(Document("dump.txt", "text", content=text.encode()), Config())
    assert outcome.record is not None, outcome.error
    return outcome.record


def test_a_text_dump_declares_nothing() -> None:
    found = text_record(DUMP)
    assert {key: found[key] for key in DECLARED} == dict.fromkeys(DECLARED)


def test_a_paywall_prompt_in_a_text_dump_marks_it_paywalled() -> None:
    assert (
        text_record(DUMP + "You have reached your limit of free articles this month.\n")["paywalled"] is True
    )


def test_a_seed_with_a_newsletter_prompt_is_not_paywalled() -> None:
    (seed,) = [path for path in shared_dir("seeds").glob("000_*.txt") if not path.name.endswith(".gold.txt")]
    found = outcome_of(seed).record
    assert found is not None
    assert "newsletter-signup" in {removal["rule"] for removal in found["removed"]}
    assert found["paywalled"] is None


@pytest.mark.parametrize(
    ("name", "published_at", "modified_at", "tags"),
    [
        ("french-news.html", "2025-07-08T11:24:00+02:00", "2025-07-08T18:02:00+02:00", ["Marseille"]),
        ("news-gallery.html", "2025-09-08T10:42:00+00:00", "2025-09-08T16:15:00+00:00", ["Africa"]),
        ("wordpress-jetpack.html", "2025-03-12T07:30:00-04:00", "2025-03-12T09:05:12-04:00", None),
        ("reader-comments-list.html", None, None, None),  # the comments' times are not the article's
    ],
)
def test_gold_pages(
    name: str, published_at: str | None, modified_at: str | None, tags: list[str] | None
) -> None:
    found = outcome_of(GOLD_DIR / name).record
    assert found is not None
    assert (found["published_at"], found["modified_at"], found["tags"]) == (published_at, modified_at, tags)


FILLED = [page(YOAST), page(OPEN_GRAPH), page(paywall_markup("False"))]
FILLED_TAGS = [["trams", "city council", "Transport", "Local"], OPEN_GRAPH_TAGS, None]


@pytest.mark.parametrize("content", FILLED, ids=["yoast", "open-graph", "paywall"])
def test_filled_records_validate_against_the_schema(content: bytes) -> None:
    jsonschema.Draft202012Validator(schema("record")).validate(record(content))


def test_parquet_keeps_the_declared_fields(tmp_path: Path) -> None:
    records = [record(content) for content in FILLED] + [text_record(DUMP)]
    writer = ParquetWriter(tmp_path / "o.parquet")
    for found in records:
        writer.write(found)
    writer.close()
    assert pq.read_table(tmp_path / "o.parquet").to_pylist() == records


def test_datasets_loads_declared_and_undeclared_files_together(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    files = {"dumps.jsonl": [text_record(DUMP)], "pages.jsonl": [record(content) for content in FILLED]}
    for name, records in files.items():
        writer = JsonlWriter(tmp_path / name)
        for found in records:
            writer.write(found)
        writer.close()
    loaded = datasets.load_dataset(
        "json",
        data_files=[str(tmp_path / name) for name in files],  # the all-null file first
        features=features(),
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    assert loaded["tags"] == [None, *FILLED_TAGS]
    assert loaded["paywalled"] == [None, None, None, True]


def test_a_parquet_file_written_before_the_declared_fields_is_resumed(tmp_path: Path) -> None:
    from pipeline.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_bytes(page(OPEN_GRAPH))
    (tmp_path / "in" / "b.txt").write_text(DUMP, encoding="utf-8")
    out = tmp_path / "o.parquet"
    assert main(["clean", str(tmp_path / "in" / "a.html"), "-o", str(out), "-q", "--workers", "1"]) == 0
    pq.write_table(pq.read_table(out).drop_columns(list(DECLARED)), out)  # as the earlier version wrote it
    assert main(["clean", str(tmp_path / "in"), "-o", str(out), "-q", "--workers", "1", "--resume"]) == 0
    rows = pq.read_table(out).to_pylist()
    assert [row["source"] for row in rows] == [
        str(tmp_path / "in" / "a.html"),
        str(tmp_path / "in" / "b.txt"),
    ]
    assert rows[0]["tags"] is None and rows[0]["text"] == record(page(OPEN_GRAPH))["text"]
