"""newsclean's one-pass author fallback against trafilatura's, page by page, in one run.

Checks that both give the same author on every page and prints the time of each.

    python bench/author.py [PAGE_OR_FOLDER ...]    (default: ../shared/benchmarks/zyte/html)
"""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

from trafilatura.metadata import extract_author as trafilatura_author
from trafilatura.utils import load_html

from pipeline.decode import decode_html
from pipeline.extract import extract_author

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "benchmarks" / "zyte" / "html"


def pages(arguments: list[str]) -> list[Path]:
    found: list[Path] = []
    for argument in arguments or [str(DEFAULT)]:
        path = Path(argument)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.name.endswith((".html", ".htm", ".html.gz")))
        else:
            found.append(path)
    return found


def main() -> int:
    files = pages(sys.argv[1:])
    if not files:
        print("no pages found (is ../shared beside the checkout?)", file=sys.stderr)
        return 2
    trees = []
    for path in files:
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        trees.append(load_html(decode_html(data)))
    start = time.perf_counter()
    theirs = [trafilatura_author(tree) for tree in trees]
    middle = time.perf_counter()
    ours = [extract_author(tree) for tree in trees]
    end = time.perf_counter()
    differ = [(path.name, a, b) for path, a, b in zip(files, theirs, ours, strict=True) if a != b]
    print(f"pages: {len(files)}; same author on {len(files) - len(differ)}")
    print(f"trafilatura.metadata.extract_author: {(middle - start) / len(files) * 1000:.2f} ms/page")
    print(f"pipeline.extract.extract_author:     {(end - middle) / len(files) * 1000:.2f} ms/page")
    print(f"ratio: {(middle - start) / (end - middle):.1f}x faster")
    for name, a, b in differ:
        print(f"DIFFERS {name}: trafilatura={a!r} newsclean={b!r}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
