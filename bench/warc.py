"""Pages per second on a CC-NEWS-shaped WARC and on the same pages as files, in one run: a plain
trafilatura.extract loop, `clean --workers 1`, `--workers 2`, `--engine dask` with two local workers,
and the WARC reading alone; then peak RSS of `clean` at N and 10×N documents (its main process, and all
its processes together).

    python bench/warc.py [--rounds 3] [--memory 1]

The corpus is built from ../shared/benchmarks by bench/warc_corpus.py into output/bench/ (never
committed). Modes take turns in each round; the best and the median of the rounds are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import warc_corpus  # noqa: E402
from common import clean_command  # noqa: E402

WORK = ROOT / "output" / "bench"


def _tree(root: int) -> list[int]:
    """The process `root` and every process below it, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = {root}, {root}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return sorted(found)


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _clean(inputs: list[str], out: Path, *extra: str) -> tuple[float, int, int]:
    """Seconds of one `newsclean clean` in its own process, and the peak RSS (KB) of its main process
    and of all its processes together (workers, fork server, cluster), sampled every 0.1 s."""
    command = clean_command(inputs, out, *extra)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    main_peak = total_peak = 0
    while process.poll() is None:
        sizes = {pid: _rss_kb(pid) for pid in _tree(process.pid)}
        main_peak = max(main_peak, sizes.get(process.pid, 0))
        total_peak = max(total_peak, sum(sizes.values()))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(
            f"clean failed ({process.returncode}): {process.stderr.read().decode() if process.stderr else ''}"
        )
    return seconds, main_peak, total_peak


def _plain_loop(pages: Path) -> float:
    import trafilatura

    files = sorted(pages.glob("*.html"))
    started = time.perf_counter()
    for path in files:
        trafilatura.extract(path.read_bytes().decode("utf-8", "replace"), include_comments=False)
    return time.perf_counter() - started


def _reading_alone(warc: Path) -> float:
    from pipeline.readers import iter_documents

    started = time.perf_counter()
    for document in iter_documents([str(warc)], passed=Counter()):
        if document.origin is not None and document.kind is not None:
            document.origin.load(20 * 1024 * 1024)
    return time.perf_counter() - started


def _round(warc: Path, pages: Path, count: int) -> dict[str, float]:
    out = WORK / "run.jsonl"
    rates = {"plain trafilatura loop (files)": count / _plain_loop(pages)}
    for label, extra in (
        ("clean --workers 1", ("--workers", "1")),
        ("clean --workers 2", ("--workers", "2")),
        ("clean --engine dask, 2 local workers", ("--engine", "dask", "--workers", "2")),
    ):
        rates[f"{label} (files)"] = count / _clean([str(pages)], out, *extra)[0]
        rates[f"{label} (WARC)"] = count / _clean([str(warc)], out, *extra)[0]
    rates["WARC reading alone"] = count / _reading_alone(warc)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory", type=int, default=1, help="copies of the pages for the small memory run")
    args = parser.parse_args()
    warc, pages = WORK / "cc-news.warc.gz", WORK / "pages"
    if not warc.exists():
        warc_corpus.build(warc, warc_corpus.SHARED, 1, pages)
    count = len(list(pages.glob("*.html")))
    print(f"load before: {os.getloadavg()[0]:.2f}; {count} pages; {os.cpu_count()} cores")
    rounds = [_round(warc, pages, count) for _ in range(args.rounds)]
    print("\n| mode | pages/s, best | pages/s, median |\n| --- | --- | --- |")
    for label in rounds[0]:
        values = [r[label] for r in rounds]
        print(f"| {label} | {max(values):.1f} | {statistics.median(values):.1f} |")
    best = {label: max(r[label] for r in rounds) for label in rounds[0]}
    for kind in ("files", "WARC"):
        one = best[f"clean --workers 1 ({kind})"]
        print(
            f"\n{kind}: workers 1 / plain loop {one / best['plain trafilatura loop (files)']:.2f}x; "
            f"workers 2 / workers 1 {best[f'clean --workers 2 ({kind})'] / one:.2f}x; "
            f"dask 2 / workers 1 {best[f'clean --engine dask, 2 local workers ({kind})'] / one:.2f}x"
        )
    share = best["clean --workers 1 (WARC)"] / best["WARC reading alone"]
    print(f"WARC reading alone: {share:.1%} of the workers-1 WARC run")
    small, large = WORK / "small.warc.gz", WORK / "large.warc.gz"
    warc_corpus.build(small, warc_corpus.SHARED, args.memory, None)
    warc_corpus.build(large, warc_corpus.SHARED, args.memory * 10, None)
    rss: dict[str, tuple[float, int, int]] = {}
    for name, path in (("small", small), ("large", large)):
        rss[name] = _clean([str(path)], WORK / "memory.jsonl", "--workers", "2")
    (_, small_main, small_all), (_, large_main, large_all) = rss["small"], rss["large"]
    print(
        f"peak RSS, --workers 2: {count * args.memory} documents: main process {small_main / 1024:.0f} MB, "
        f"all processes {small_all / 1024:.0f} MB; {count * args.memory * 10} documents: main process "
        f"{large_main / 1024:.0f} MB ({large_main / small_main - 1:+.1%}), all processes "
        f"{large_all / 1024:.0f} MB ({large_all / small_all - 1:+.1%}); load after: {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
