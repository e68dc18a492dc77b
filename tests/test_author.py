"""The one-pass author fallback gives trafilatura's answer."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_author as trafilatura_author
from trafilatura.utils import load_html

from pipeline.extract import extract_author

from .conftest import GOLD_DIR

CASES = [
    '<div class="byline">By <a rel="author">Jane Doe</a></div><p>Text.</p>',
    '<p class="author-name">Jane Doe <time>Nov 1, 2024</time></p>',
    '<div id="comments"><span class="author">Commenter Bob</span></div>'
    '<span itemprop="author">Ann Lee</span>',
    '<aside class="sidebar"><p class="author">Sidebar Sam</p></aside>'
    '<div class="post-author">Real Writer</div>',
    '<figure><span class="author">Photo Person</span></figure><h4 class="journalist-name">Kim Park</h4>',
    '<div data-component="Byline">Reporting by Luis Gomez</div>',
    '<div class="writer">Al</div><div class="writer">Alexandra Nilsson</div>',
    "<p>No author markup here at all.</p>",
]


@pytest.mark.parametrize("body", CASES)
def test_same_answer_as_trafilatura_on_markup_cases(body: str) -> None:
    tree = load_html(f"<html><body><article>{body}</article></body></html>")
    assert extract_author(tree) == trafilatura_author(tree)


@pytest.mark.parametrize("path", sorted(GOLD_DIR.glob("*.html")), ids=lambda p: p.name)
def test_same_answer_as_trafilatura_on_fixture_pages(path) -> None:  # type: ignore[no-untyped-def]
    tree = load_html(path.read_bytes().decode("utf-8"))
    assert extract_author(tree) == trafilatura_author(tree)
