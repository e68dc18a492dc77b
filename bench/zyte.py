"""Score plain trafilatura and newsclean on the Zyte article-extraction benchmark in one run.

Usage: .venv/bin/python bench/zyte.py [--jsonl output/zyte.jsonl] [--data DIR]

The data is looked for in ../shared/benchmarks/zyte beside the repository. Scores use the
project's scorer (pipeline.tools.evaluate, the benchmark's rule); pages/s counts extraction (and
cleaning) only, with the pages already read and decompressed. Compare the speeds as ratios:
they vary from machine to machine and from run to run.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from pipeline.document import Document, DocumentError  # noqa: E402
from pipeline.process import Config, process_document  # noqa: E402
from pipeline.record import to_record  # noqa: E402
from pipeline.tools.evaluate import GoldDocument, load_gold, score_document, summarise  # noqa: E402
from pipeline.writers.jsonl import JsonlWriter  # noqa: E402

DATA = REPO.parent / "shared" / "benchmarks" / "zyte"


class Page:
    def __init__(self, key: str, path: Path, content: bytes) -> None:
        self.key = key
        self.path = path
        self.content = content
        self.html = content.decode("utf-8")


def load_pages(data: Path, gold: dict[str, GoldDocument]) -> list[Page]:
    pages = []
    for key in sorted(gold):
        path = data / "html" / f"{key}.html.gz"
        pages.append(Page(key, path, gzip.decompress(path.read_bytes())))
    return pages


def trafilatura_variant(*, favor_precision: bool = False, fast: bool = False) -> Callable[[Page], str]:
    def extract(page: Page) -> str:
        text = trafilatura.extract(
            page.html, include_comments=False, favor_precision=favor_precision, fast=fast
        )
        return text or ""

    return extract


class Newsclean:
    """process_document with the default Config; keeps each page's record for --jsonl."""

    def __init__(self) -> None:
        self.config = Config()
        self.records: list[dict[str, object]] = []

    def __call__(self, page: Page) -> str:
        document = Document(str(page.path), "html", content=page.content)
        try:
            done = process_document(document, self.config)
        except DocumentError:
            return ""
        self.records.append(to_record(done))
        return "\n".join(done.paragraphs)


Extractor = Callable[[Page], str]


def run_variant(extract: Extractor, pages: list[Page], gold: dict[str, GoldDocument]) -> list[str]:
    """Extract every page, timed as a whole; return the table cells P, R, F1, pages/s."""
    start = time.perf_counter()
    predictions = [extract(page) for page in pages]
    rate = len(pages) / (time.perf_counter() - start)
    scores = [
        score_document(p.key, text, gold[p.key].text) for p, text in zip(pages, predictions, strict=True)
    ]
    s = summarise(scores)
    return [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{rate:.0f}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help=f"the benchmark folder (default {DATA})")
    parser.add_argument("--jsonl", type=Path, help="also write newsclean's records to this JSONL file")
    args = parser.parse_args(argv)
    truth = args.data / "ground-truth.json"
    if not truth.is_file() or not (args.data / "html").is_dir():
        message = f"no Zyte benchmark data (ground-truth.json and html/) at {args.data}"
        print(f"bench/zyte.py: {message}; it belongs in ../shared beside the repository.", file=sys.stderr)
        return 2
    gold = load_gold(truth)
    pages = load_pages(args.data, gold)
    newsclean = Newsclean()
    plain = f"trafilatura {trafilatura.__version__} `extract(html, include_comments=False"
    variants: list[tuple[str, Extractor]] = [
        (plain + ")`", trafilatura_variant()),
        (plain + ", favor_precision=True)`", trafilatura_variant(favor_precision=True)),
        (plain + ", fast=True)`", trafilatura_variant(fast=True)),
        ("newsclean `process_document(Document(...), Config())`", newsclean),
    ]
    print(f"{len(pages)} pages from {args.data}\n")
    print("| extractor | P | R | F1 | pages/s |\n| --- | --- | --- | --- | --- |")
    for name, extract in variants:
        print("| " + " | ".join([name, *run_variant(extract, pages, gold)]) + " |", flush=True)
    if args.jsonl:
        with JsonlWriter(args.jsonl) as writer:
            for record in newsclean.records:
                writer.write(record)
        print(f"\nwrote {len(newsclean.records)} newsclean records to {args.jsonl}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
