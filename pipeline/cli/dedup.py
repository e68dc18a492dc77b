"""`newsclean dedup`: records files in, the same records out with `duplicate_of` and `cluster` set."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cli.common import EXIT_FAILED, EXIT_OK, CommandFailed, UsageError
from pipeline.corpus import DEFAULT_THRESHOLD
from pipeline.writers import WRITERS, format_for

if TYPE_CHECKING:
    from pipeline.corpus.dedup import Duplicates


def share(value: str) -> float:
    """A containment threshold: a number above 0, at most 1."""
    number = float(value)
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError("give a share above 0 and at most 1, e.g. 0.5")
    return number


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "dedup",
        help="mark near-duplicate records",
        description="Find the records that copy another (the same text, a truncated reprint, light edits, "
        "other chrome) in records files of `clean` or `crawl` (JSONL or Parquet, mixed), and write them "
        "with duplicate_of (the id of the record it copies) and cluster (the id of the copies' "
        "representative: the longest text, then the earliest date, then the smallest id).",
        epilog="exit status: 0 done; 1 an input is not a records file or the output is not writable; "
        "2 usage error (including a missing input).",
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", type=Path, help="records files (.jsonl, .parquet)"
    )
    parser.add_argument(
        "-o", "--output", required=True, help="records out (.jsonl, .parquet, or - for stdout)"
    )
    parser.add_argument("--format", choices=sorted(WRITERS), help="records format (default: by -o's suffix)")
    add_dedup_options(parser)
    parser.add_argument(
        "--drop-duplicates", action="store_true", help="leave the copies out (representatives stay)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary")
    parser.set_defaults(func=run_dedup)


def add_dedup_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold",
        type=share,
        default=DEFAULT_THRESHOLD,
        metavar="J",
        help="a copy's shorter text must have this share of its word 5-grams in the longer "
        f"(default {DEFAULT_THRESHOLD:g})",
    )


def deduplicate(
    inputs: list[Path], output: str, form: str, threshold: float, drop: bool = False
) -> tuple[Duplicates, int]:
    """Find the copies and write the records; CommandFailed when an input cannot be read or the output
    cannot be written."""
    from pipeline.corpus.dedup import DedupOptions, find_duplicates, marked, read_all, write_records
    from pipeline.writers import RecordUnfit

    records = read_all(inputs)
    try:
        duplicates = find_duplicates(records, DedupOptions(threshold=threshold))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CommandFailed("dedup", f"cannot read records: {error}") from error
    try:
        written = write_records(marked(records(), duplicates, drop), output, form)
    except (OSError, UnicodeDecodeError, ValueError, RecordUnfit) as error:
        raise CommandFailed("dedup", f"cannot write {output}: {error}", EXIT_FAILED) from error
    return duplicates, written


def run_dedup(args: argparse.Namespace) -> int:
    missing = [str(path) for path in args.inputs if not path.is_file()]
    if missing:
        raise UsageError(f"no such records file: {', '.join(missing)}")
    form = format_for(args.output, args.format)
    if form == "parquet" and args.output == "-":
        raise UsageError("Parquet cannot go to standard output: give -o FILE.parquet")
    duplicates, written = deduplicate(args.inputs, args.output, form, args.threshold, args.drop_duplicates)
    if not args.quiet:
        print(summary(duplicates, written, args.output), file=sys.stderr)
    return EXIT_OK


def summary(duplicates: Duplicates, written: int, output: str) -> str:
    return (
        f"{len(duplicates.ids)} records, {duplicates.copy_count} copies in {duplicates.cluster_count} "
        f"clusters; {written} records written to {'standard output' if output == '-' else output}"
    )


def add_to_clean(parser: argparse.ArgumentParser) -> None:
    """`clean --dedup`: the run, then this command's pass over the records it wrote (in place)."""
    parser.add_argument(
        "--dedup",
        action="store_true",
        help="after the run, mark near-duplicate records (duplicate_of, cluster) as `newsclean dedup` does",
    )
    run = parser.get_default("func")
    parser.set_defaults(func=then_dedup(run))


def then_dedup(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run_then_dedup(args: argparse.Namespace) -> int:
        if args.dedup and (args.output == "-" or args.engine != "local"):
            raise UsageError("--dedup rewrites the records file of a local run: give -o FILE, no --engine")
        status = run(args)
        if not args.dedup or status != EXIT_OK:
            return status
        output, form = args.output, format_for(args.output, args.format)
        duplicates, written = deduplicate([Path(output)], output, form, DEFAULT_THRESHOLD)
        if not args.quiet:
            print(f"dedup: {summary(duplicates, written, output)}", file=sys.stderr)
        return status

    return run_then_dedup
