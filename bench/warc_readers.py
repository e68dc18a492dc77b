"""WARC libraries compared on the bench archive (bench/warc_corpus.py): warcio and FastWARC iterating
every record and reading every payload, newsclean's record scan, and one record read at its offset the
way a worker reads it (warcio and FastWARC); then what each library does with the truncated last record.

    python bench/warc_readers.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import warc_corpus  # noqa: E402

from pipeline.readers import iter_documents  # noqa: E402
from pipeline.readers.warc import WarcOrigin, _Inflated  # noqa: E402

WARC = ROOT / "output" / "bench" / "cc-news.warc.gz"


def warcio_all() -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    with WARC.open("rb") as handle:
        for record in ArchiveIterator(handle):
            record.content_stream().read()
            count += 1
    return count


def fastwarc_all() -> int:
    from fastwarc.warc import ArchiveIterator

    count = 0
    for record in ArchiveIterator(str(WARC), parse_http=True):
        record.reader.read()
        count += 1
    return count


def scan() -> int:
    return sum(1 for _ in iter_documents([str(WARC)], passed=Counter()))


def _origins() -> list[WarcOrigin]:
    found = [d.origin for d in iter_documents([str(WARC)], passed=Counter())]
    return [origin for origin in found if isinstance(origin, WarcOrigin)]


def warcio_each(origins: list[WarcOrigin]) -> int:
    for origin in origins:
        origin.load(20 * 1024 * 1024)
    return len(origins)


def fastwarc_each(origins: list[WarcOrigin]) -> int:
    from fastwarc.warc import ArchiveIterator

    for origin in origins:
        with WARC.open("rb") as handle:
            handle.seek(origin.offset)
            member = _Inflated(handle).read()
        for record in ArchiveIterator(BytesIO(member), parse_http=True, auto_decode="all"):
            record.reader.read()
            break
    return len(origins)


def truncation() -> None:
    from fastwarc.warc import ArchiveIterator as FastIterator
    from warcio.archiveiterator import ArchiveIterator

    with WARC.open("rb") as handle:
        last = list(ArchiveIterator(handle))
    print(f"warcio on the truncated tail: {len(last)} records, no error raised")
    uris = [r.headers.get("WARC-Target-URI") for r in FastIterator(str(WARC))]
    print(
        f"FastWARC on the truncated tail: {len(uris)} records, the last one's URI {uris[-1]!r}, "
        "no error raised"
    )
    errors = [d for d in iter_documents([str(WARC)], passed=Counter()) if d.kind is None]
    print(f"newsclean's scan: {len(errors)} error line for the truncated tail")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not WARC.exists():
        warc_corpus.build(WARC, warc_corpus.SHARED, 1, WARC.parent / "pages")
    origins = _origins()
    modes: dict[str, Callable[[], int]] = {
        "warcio: every record, every payload": warcio_all,
        "FastWARC: every record, every payload": fastwarc_all,
        "newsclean scan (headers of every record)": scan,
        "one record at its offset, warcio (the worker's read)": lambda: warcio_each(origins),
        "one record at its offset, FastWARC": lambda: fastwarc_each(origins),
    }
    times: dict[str, list[float]] = {label: [] for label in modes}
    counts: dict[str, int] = {}
    for _ in range(args.rounds):
        for label, mode in modes.items():
            started = time.perf_counter()
            counts[label] = mode()
            times[label].append(time.perf_counter() - started)
    print(f"{len(origins)} HTML response records in {WARC.stat().st_size / 1e6:.1f} MB\n")
    print(
        "| reading | records | seconds, best | seconds, median | HTML records/s |\n"
        "| --- | --- | --- | --- | --- |"
    )
    for label, values in times.items():
        rate = len(origins) / min(values)
        print(
            f"| {label} | {counts[label]} | {min(values):.2f} | "
            f"{statistics.median(values):.2f} | {rate:.0f} |"
        )
    print()
    truncation()


if __name__ == "__main__":
    main()
