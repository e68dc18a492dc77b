"""Pages per second of `newsclean clean` against a loop of plain trafilatura, in one run.

The Zyte benchmark pages (../shared/benchmarks/zyte/html) are copied COPIES times into a
temporary folder so start-up is amortised. The baseline is a loop in this process over the same
files: gunzip, then `trafilatura.extract(page_bytes, include_comments=False)` (trafilatura
decodes the bytes itself; no metadata). newsclean runs as a user runs it: the `newsclean clean`
command in its own process, one worker, writing JSONL. Rounds alternate the two so drift in
machine load falls on both alike. Both wall-clock and CPU time are reported: on a shared machine
the CPU figure moves much less from run to run.

    python bench/speed.py [--copies 4] [--rounds 3] [--fast] [--model MODEL|none]
"""

from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura
from common import clean_command

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "benchmarks" / "zyte" / "html"


def baseline(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of the in-process loop."""
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        trafilatura.extract(gzip.decompress(path.read_bytes()), include_comments=False)
    return time.perf_counter() - start, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def newsclean(folder: Path, output: Path, extra: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `newsclean clean` process, start-up included."""
    start, cpu = time.perf_counter(), _children_cpu()
    command = clean_command([str(folder)], output, "--workers", "1", *extra)
    subprocess.run(command, cwd=ROOT, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fast", action="store_true", help="run newsclean with `clean --fast`")
    parser.add_argument(
        "--model", metavar="MODEL", help="run newsclean with `clean --model MODEL` (`none`: no model)"
    )
    args = parser.parse_args()
    if not PAGES.is_dir():
        print(f"{PAGES} is absent: this benchmark needs the shared Zyte pages", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for copy in range(args.copies):
            for page in sorted(PAGES.glob("*.html.gz")):
                shutil.copy(page, folder / f"{copy}-{page.name}")
        files = sorted(folder.iterdir())
        baseline(files[:20])  # warm caches and imports
        runs: dict[str, list[tuple[float, float]]] = {"base": [], "clean": []}
        for _ in range(args.rounds):
            runs["base"].append(baseline(files))
            extra = (["--fast"] if args.fast else []) + (["--model", args.model] if args.model else [])
            runs["clean"].append(newsclean(folder, Path(tmp) / "out.jsonl", extra))
        records = sum(1 for _ in (Path(tmp) / "out.jsonl").open(encoding="utf-8"))
    pages = len(files)
    rates = {
        name: (pages / statistics.median(r[0] for r in done), pages / statistics.median(r[1] for r in done))
        for name, done in runs.items()
    }
    labels = {
        "base": "trafilatura.extract(html, include_comments=False), in-process loop",
        "clean": f"newsclean clean (CLI, one process, {records} records)",
    }
    print(f"pages: {pages} ({args.copies} copies of {pages // args.copies}), rounds: {args.rounds} (medians)")
    print("| run | pages/s (wall) | pages/s (CPU) |\n| --- | --- | --- |")
    for name, label in labels.items():
        print(f"| {label} | {rates[name][0]:.1f} | {rates[name][1]:.1f} |")
    wall = rates["clean"][0] / rates["base"][0]
    cpu = rates["clean"][1] / rates["base"][1]
    print(f"ratio newsclean / trafilatura: {wall:.2f}x wall-clock, {cpu:.2f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
