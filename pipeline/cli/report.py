"""`newsclean report`: write the HTML page that shows each record's kept and removed text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import positive, read_records
from pipeline.tools.report import default_output, render


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="write an HTML page showing kept and removed text",
        description="Write one self-contained HTML page listing each record's kept text with every removal "
        "struck through where it stood, a per-rule count table and a filter by rule.",
    )
    parser.add_argument(
        "records",
        type=Path,
        help="the clean command's records: a JSON lines or Parquet file, or a shard folder of --engine dask",
    )
    parser.add_argument(
        "-o", "--output", help="the HTML file ('-' for standard output; default: <input stem>.report.html)"
    )
    parser.add_argument(
        "--limit",
        type=positive,
        metavar="N",
        help="show the first N documents (the counts cover every record); a large run's page stays small",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the report: 0 ok, 1 unreadable records or unwritable output, 2 a missing input or one that
    holds no records (an errors file)."""
    records = read_records(args.records, "report")
    page = render(records, args.records.name, args.limit)
    if args.output == "-":
        sys.stdout.write(page)
        return 0
    output = Path(args.output) if args.output else default_output(args.records)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    except OSError as error:
        print(f"newsclean report: cannot write {output}: {error}", file=sys.stderr)
        return 1
    shown = len(records) if args.limit is None else min(args.limit, len(records))
    print(f"wrote {output}: {shown} of {len(records)} documents", file=sys.stderr)
    return 0
