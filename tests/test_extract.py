"""Extraction: the text is trafilatura's own, and metadata stays out of it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import trafilatura
from trafilatura.utils import load_html

from pipeline.decode import decode_html
from pipeline.extract import ExtractOptions, _main_text, extract_html

from .conftest import GOLD_DIR, SHARED


def _pages() -> list[Path]:
    pages = sorted(GOLD_DIR.glob("*.html"))
    zyte = SHARED / "benchmarks" / "zyte" / "html"
    if zyte.is_dir():
        pages += sorted(zyte.glob("*.html.gz"))[:40]
    return pages


def _html(path: Path) -> str:
    data = path.read_bytes()
    return decode_html(gzip.decompress(data) if path.name.endswith(".gz") else data)


@pytest.mark.parametrize(
    "options",
    [ExtractOptions(), ExtractOptions(fast=False, favor_precision=True)],
    ids=["default", "precision"],
)
def test_main_text_is_bare_extractions_text(options: ExtractOptions) -> None:
    for path in _pages():
        html = _html(path)
        public = trafilatura.bare_extraction(
            html, include_comments=False, fast=options.fast, favor_precision=options.favor_precision
        )
        assert _main_text(load_html(html), None, options) == (public.text if public else ""), path.name


def test_metadata_is_kept_out_of_the_text() -> None:
    page = (GOLD_DIR / "wordpress-jetpack.html").read_text(encoding="utf-8")
    extraction = extract_html(page, None, ExtractOptions())
    meta = extraction.metadata
    assert meta.title and meta.url and meta.date
    text = "\n".join(extraction.paragraphs)
    assert meta.title not in extraction.paragraphs
    assert meta.date not in text


def test_canonical_url_and_declared_language() -> None:
    page = (
        "<html lang='de-DE'><head><title>T</title><link rel='canonical' href='https://example.de/a'></head>"
        "<body><article><p>"
        + "Ein Satz über die Stadt und ihre Brücken. " * 20
        + "</p></article></body></html>"
    )
    meta = extract_html(page, None, ExtractOptions()).metadata
    assert meta.url == "https://example.de/a"
    assert meta.declared_language == "de"
