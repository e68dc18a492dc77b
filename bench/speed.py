"""Pages per second of `newsclean clean` against a loop of plain trafilatura, in one run.

The Zyte benchmark pages (../shared/benchmarks/zyte/html) are copied COPIES times into a
temporary folder so start-up is amortised. The baseline is a loop in this process over the same
files: gunzip, then `trafilatura.extract(page_bytes, include_comments=False)` (trafilatura
decodes the bytes itself; no metadata). newsclean runs as a user runs it: the `newsclean clean`
command in its own process, one worker, writing JSONL. Rounds alternate the two so drift in
machine load falls on both alike.

    python bench/speed.py [--copies 4] [--rounds 2]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "benchmarks" / "zyte" / "html"


def baseline(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        trafilatura.extract(gzip.decompress(path.read_bytes()), include_comments=False)
    return time.perf_counter() - start


def newsclean(folder: Path, output: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", str(folder), "-o", str(output), "-q"],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not PAGES.is_dir():
        print(
            f"{PAGES} is absent: this benchmark needs the shared Zyte pages beside the checkout",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for copy in range(args.copies):
            for page in sorted(PAGES.glob("*.html.gz")):
                shutil.copy(page, folder / f"{copy}-{page.name}")
        files = sorted(folder.iterdir())
        baseline(files[:20])  # warm caches and imports
        base_times, clean_times = [], []
        for _ in range(args.rounds):
            base_times.append(baseline(files))
            clean_times.append(newsclean(folder, Path(tmp) / "out.jsonl"))
        records = sum(1 for _ in (Path(tmp) / "out.jsonl").open(encoding="utf-8"))
    base_rate = len(files) / statistics.median(base_times)
    clean_rate = len(files) / statistics.median(clean_times)
    print(f"pages: {len(files)} ({args.copies} copies of {len(files) // args.copies}), rounds: {args.rounds}")
    print("| run | pages/s |\n| --- | --- |")
    print(f"| trafilatura.extract(html, include_comments=False), in-process loop | {base_rate:.1f} |")
    print(f"| newsclean clean (CLI, one process, {records} records) | {clean_rate:.1f} |")
    print(f"ratio newsclean / trafilatura: {clean_rate / base_rate:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
