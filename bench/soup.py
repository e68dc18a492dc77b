"""What a beautifulsoup4 parse of each page would cost next to newsclean's whole extraction.

newsclean uses beautifulsoup4 only to sniff a page's declared charset from its head; this script
shows why it does not parse pages with it too. One run, the Zyte pages, per-page milliseconds.

    python bench/soup.py
"""

from __future__ import annotations

import gzip
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector

from pipeline.decode import decode_html
from pipeline.extract import ExtractOptions, extract_html

PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "zyte" / "html"


def per_page(function: Callable[[Any], object], items: list[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        function(item)
    return (time.perf_counter() - start) / len(items) * 1000


def main() -> int:
    if not PAGES.is_dir():
        print(f"{PAGES} is absent: this benchmark needs the shared Zyte pages", file=sys.stderr)
        return 2
    raw = [gzip.decompress(p.read_bytes()) for p in sorted(PAGES.glob("*.html.gz"))]
    pages = [decode_html(data) for data in raw]
    extraction = per_page(lambda html: extract_html(html, None, ExtractOptions()), pages)
    rows = [
        ("newsclean extract_html (parse, metadata, text)", extraction),
        ("BeautifulSoup(html, 'lxml')", per_page(lambda html: BeautifulSoup(html, "lxml"), pages)),
        (
            "BeautifulSoup(html, 'html.parser')",
            per_page(lambda html: BeautifulSoup(html, "html.parser"), pages),
        ),
        (
            "EncodingDetector.find_declared_encoding (head only)",
            per_page(lambda data: EncodingDetector.find_declared_encoding(data[:8192], is_html=True), raw),
        ),
    ]
    print("| step | ms/page | vs extraction |\n| --- | --- | --- |")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} | {ms / extraction:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
