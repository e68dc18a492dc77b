"""Peak memory of `newsclean clean` as the number of inputs grows: it should stay flat.

Runs the CLI (its own process) on N and 20*N generated text dumps and on the same counts of a
small HTML page, and prints each run's peak resident memory and the ratio of the two.

    python bench/memory.py [--files 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from common import clean_command

ROOT = Path(__file__).resolve().parent.parent
DUMP = (
    "Ferry services resume after the storm\n"
    "Ferry services between the islands resumed on Tuesday after a three-day suspension caused by the storm, "
    "the port authority said. Passengers queued from dawn at the main harbour.\n"
    "Read more: Storm damage across the islands\n"
    "Source: example.com\n"
)
PAGE = "<html><head><title>T</title></head><body><article>" + "<p>{}</p>" * 6 + "</article></body></html>"


# A wrapper process runs the CLI and reports its children's peak, so each run is measured alone.
_WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_rss_mib(folder: Path, output: Path) -> float:
    """Peak RSS of one `newsclean clean` run, in MiB (Linux reports ru_maxrss in KiB)."""
    command = clean_command([str(folder)], output, "--workers", "1")
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return int(done.stdout.split()[-1]) / 1024


def make(folder: Path, count: int, html: bool) -> None:
    folder.mkdir(parents=True)
    sentence = "The council met on Monday to discuss the harbour works and the budget for next year."
    for n in range(count):
        if html:
            (folder / f"p{n:06d}.html").write_text(PAGE.format(*[f"{sentence} ({n}.{i})" for i in range(6)]))
        else:
            (folder / f"d{n:06d}.txt").write_text(DUMP)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    print("| inputs | kind | peak RSS (MiB) |\n| --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for html in (False, True):
            kind = "html" if html else "text"
            peaks = []
            for count in (args.files, args.files * 20):
                folder = Path(tmp) / f"{kind}-{count}"
                make(folder, count, html)
                peaks.append(peak_rss_mib(folder, Path(tmp) / f"{kind}-{count}.jsonl"))
                print(f"| {count} | {kind} | {peaks[-1]:.0f} |")
            print(f"| ratio {args.files * 20}/{args.files} | {kind} | {peaks[1] / peaks[0]:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
