"""The article rule, the listing readers and canonical URLs: the pure parts of the crawl."""

from __future__ import annotations

import unicodedata

import lxml.html
import pytest

from pipeline.article import MIN_WORDS, Signals, page_signals
from pipeline.article import not_article_reason as judge
from pipeline.crawl.discovery import Entry, day, parse_listing
from pipeline.crawl.urls import canonical_url, on_site, site_host
from pipeline.document import Document
from pipeline.process import Config, process_document, run_one

from .conftest import GOLD_DIR as GOLD
from .fixture_site import SITE_DIR

SITE_ROOT = SITE_DIR.parent

ENOUGH = MIN_WORDS + 10


def signals(html: str) -> Signals:
    """What a page says about itself, read from its parsed tree as the extraction reads it."""
    return page_signals(lxml.html.document_fromstring(html))


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def json_ld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


ARTICLES = [
    pytest.param(page('<meta property="og:type" content="article">'), False, id="og-type-article"),
    pytest.param(
        page(json_ld('{"@graph":[{"@type":"WebSite"},{"@type":"NewsArticle"}]}')),
        False,
        id="json-ld-graph-news-article",
    ),
    pytest.param(
        page(body='<div itemscope itemtype="https://schema.org/BlogPosting"><p>x</p></div>'),
        False,
        id="microdata",
    ),
    pytest.param(
        page(body='<article><time datetime="2024-11-04">4 Nov</time><p>x</p></article>'),
        False,
        id="markup-and-date",
    ),
    pytest.param(page(body="<article><p>x</p></article>"), True, id="markup-and-news-listing"),
    pytest.param(
        page('<meta property="article:published_time" content="2024-11-04">'),
        True,
        id="date-and-news-listing",
    ),
]
NOT_ARTICLES = [
    pytest.param(
        page('<meta property="og:type" content="website">', "<article><p>x</p></article>"), id="og-website"
    ),
    pytest.param(
        page(json_ld('{"@type":"CollectionPage"}')),
        id="json-ld-collection",
    ),
    pytest.param(
        page(
            body='<div itemtype="http://schema.org/NewsArticle"></div><div itemtype="http://schema.org/NewsArticle"></div>'
        ),
        id="teaser-items",
    ),
    pytest.param(page(body="<article><p>x</p></article>"), id="markup-alone"),
    pytest.param(
        page(body="".join(f'<article><time datetime="2024-11-0{i}">d</time></article>' for i in range(1, 5))),
        id="dated-teasers",
    ),
    pytest.param(page(body="<main><p>About us</p></main>"), id="nothing"),
    pytest.param(
        page('<meta name="author" content="Example News">', "<article><p>x</p></article>"), id="site-author"
    ),
]


UNDECLARED = [
    pytest.param(
        page(body='<article><p class="byline">By Rita Holm</p></article>'), False, id="markup-and-byline"
    ),
    pytest.param(
        page(body='<div class="post type-post hentry"><span class="author">Sofia</span></div>'),
        False,
        id="wordpress-post-and-author",
    ),
]


@pytest.mark.parametrize(("html", "listed"), ARTICLES + UNDECLARED)
def test_articles(html: str, listed: bool) -> None:
    assert judge(signals(html), ENOUGH, listed) is None


def test_a_date_the_extractor_found_is_a_signal() -> None:
    html = page(body="<article><p>x</p></article>")
    assert judge(signals(html), ENOUGH, False, found_date=False)
    assert judge(signals(html), ENOUGH, False, found_date=True) is None


def test_many_article_elements_are_a_list_of_teasers_even_when_listed() -> None:
    teasers = '<article><p class="byline">By A</p><time datetime="2024-11-01">d</time></article>' * 3
    assert judge(signals(page(body=teasers)), ENOUGH, True) == (
        "3 <article> elements and no declared type: a list of teasers"
    )


@pytest.mark.parametrize("html", NOT_ARTICLES)
def test_not_articles(html: str) -> None:
    assert judge(signals(html), ENOUGH, False)


def test_a_short_text_is_not_an_article_whatever_the_markup() -> None:
    reason = judge(signals(page('<meta property="og:type" content="article">')), MIN_WORDS - 1, True)
    assert reason == f"{MIN_WORDS - 1} words of text; an article has at least {MIN_WORDS}"


def test_a_declared_article_wins_over_a_second_declaration() -> None:
    head = '<meta property="og:type" content="article">' + json_ld('{"@type":"AboutPage"}')
    assert judge(signals(page(head)), ENOUGH, False) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-11-12T09:14:00+00:00", "2024-11-12"),
        ("2024-11-28", "2024-11-28"),
        ("Wed, 20 Nov 2024 17:45:00 +0100", "2024-11-20"),
        ("yesterday", None),
        ("", None),
    ],
)
def test_listing_dates(text: str, expected: str | None) -> None:
    assert day(text) == expected


def test_a_news_sitemap_entry_keeps_its_publication_date() -> None:
    data = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://a.example/x</loc><lastmod>2024-12-01</lastmod>
        <news:news><news:publication_date>2024-11-30T23:30:00+02:00</news:publication_date></news:news></url>
      <url><loc>/y</loc><lastmod>2024-10-01</lastmod></url>
    </urlset>"""
    listing = parse_listing(data, "https://a.example/sitemap.xml")
    assert listing is not None and listing.kind == "sitemap"
    assert listing.entries == (
        Entry("https://a.example/x", "2024-11-30", True),
        Entry("https://a.example/y", "2024-10-01", False),
    )


def test_rdf_feeds_and_entities_are_read_safely() -> None:
    rdf = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
      xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://a.example/"><title>&e;</title></channel>
      <item rdf:about="https://a.example/1"><link>https://a.example/1</link><dc:date>2024-11-02T10:00Z</dc:date></item>
    </rdf:RDF>"""
    listing = parse_listing(rdf, "https://a.example/rdf")
    assert listing is not None and listing.entries == (Entry("https://a.example/1", "2024-11-02", True),)
    assert parse_listing(b"<html><body>not a feed</body></html>", "https://a.example/feed") is None
    assert parse_listing(b"\x00\x01 binary", "https://a.example/feed") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://News.Example:80/a b/?b=2&a=1#top", "http://news.example/a%20b/?a=1&b=2"),
        (
            "https://news.example/x?utm_source=rss&utm_medium=feed&id=3&fbclid=z",
            "https://news.example/x?id=3",
        ),
        ("https://news.example", "https://news.example/"),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/x"),
    ],
)
def test_canonical_urls(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_on_site_takes_subdomains_and_any_port() -> None:
    host = site_host("https://www.news.example/")
    assert host == "news.example"
    assert on_site("https://live.news.example/x", host)
    assert on_site("http://news.example:8080/x", host)
    assert not on_site("https://othernews.example/x", host)
    assert not on_site("mailto:desk@news.example", host)


def test_the_headline_is_the_title_not_the_first_paragraph() -> None:
    story = "".join(
        f"<p>Paragraph {i} of the story about the new tram line and its costs.</p>" for i in range(4)
    )
    html = page(
        "<title>Tram line approved | Example News</title>",
        f"<article><h1>Tram line approved</h1>{story}</article>",
    )
    doc = process_document(Document("x.html", "html", content=html.encode()), Config())
    assert doc.metadata.title == "Tram line approved"
    assert doc.paragraphs[0] == "Paragraph 0 of the story about the new tram line and its costs."


SCRIPTS = SITE_ROOT / "scripts"


def _han_and_kana(text: str) -> int:
    """Characters named as CJK ideographs, hiragana or katakana (an independent count of Unicode names)."""
    kinds = ("CJK UNIFIED IDEOGRAPH", "HIRAGANA", "KATAKANA")
    return sum(unicodedata.name(c, "").startswith(kinds) for c in text)


@pytest.mark.parametrize(
    ("name", "language"), [("zh", "zh-cn"), ("ja", "ja"), ("th", "th")], ids=["chinese", "japanese", "thai"]
)
def test_articles_written_without_spaces_pass_the_word_floor(name: str, language: str) -> None:
    body = (SCRIPTS / f"{name}.html").read_bytes()
    page = Document(f"https://news.example/{name}", "html", content=body, url=f"https://news.example/{name}")
    outcome = run_one(page, Config(articles_only=True))
    assert outcome.error is None and outcome.record is not None
    record = outcome.record
    assert record["language"] == language
    assert len(record["text"].split()) < MIN_WORDS  # counted by spaces, it would be a stub
    assert record["word_count"] >= MIN_WORDS


@pytest.mark.parametrize("name", ["zh", "ja"])
def test_chinese_and_japanese_words_are_their_characters(name: str) -> None:
    body = (SCRIPTS / f"{name}.html").read_bytes()
    outcome = run_one(Document(name, "html", content=body, url=f"https://news.example/{name}"), Config())
    assert outcome.record is not None
    assert outcome.record["word_count"] == _han_and_kana(outcome.record["text"])


def test_a_chinese_teaser_is_still_too_short() -> None:
    html = page(
        '<meta property="og:type" content="article">',
        "<article><h1>港口</h1><p>港口管理局周二宣布，疏浚工程获得批准。详情请见明日报道。</p></article>",
    )
    outcome = run_one(
        Document("t", "html", content=html.encode(), url="https://x.example/t"), Config(articles_only=True)
    )
    assert outcome.error is not None and outcome.error["stage"] == "not-article"
    assert outcome.error["error"].startswith("25 words of text")


def test_a_live_page_of_article_entries_is_an_article_not_a_list_of_teasers() -> None:
    live = (GOLD / "liveblog-newsroom.html").read_bytes()
    # Without its declaration the page is seven <article> elements and many times; its entries decide.
    undeclared = live.replace(b'"LiveBlogPosting"', b'"WebPage"').replace(b'content="article"', b'content=""')
    doc = process_document(Document("live.html", "html", content=undeclared), Config(articles_only=True))
    assert "Talks adjourn until tomorrow" in doc.paragraphs


def test_a_list_of_teasers_stays_a_list_of_teasers() -> None:
    teasers = "".join(
        f'<article><h2><a href="/s/{i}">Story {i} headline</a></h2><time datetime="2024-11-0{i}">d</time>'
        f"<p>One line of summary for story {i}.</p></article>"
        for i in range(1, 5)
    )
    assert judge(signals(page(body=teasers)), ENOUGH, False) == (
        "4 <article> elements and no declared type: a list of teasers"
    )
