"""`newsclean eval`: score records against gold texts and print the scores, the worst documents and the
rule residue left in the output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import EXIT_USAGE, CommandFailed, read_records
from pipeline.tools.evaluate import BOOTSTRAP_SEED, evaluate, format_text, load_gold


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "eval",
        help="score output records against gold texts",
        description="Score records against gold texts: shingle precision, recall and F1 with bootstrap "
        "error bars, the worst documents, and rule residue left in the output.",
    )
    parser.add_argument(
        "predictions",
        type=Path,
        help="the clean command's records: a JSON lines or Parquet file, or a shard folder of --engine dask",
    )
    parser.add_argument(
        "--gold",
        type=Path,
        required=True,
        help="a folder of <name>.gold.txt files, or a ground-truth JSON {name: {articleBody, url}}",
    )
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--worst", type=int, default=10, metavar="N", help="how many worst documents to list")
    parser.add_argument("--seed", type=int, default=BOOTSTRAP_SEED, help="seed of the bootstrap resampling")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score, then print text or JSON: 0 ok, 1 unreadable records or no match, 2 missing or bad inputs."""
    if not (args.predictions.is_file() or args.predictions.is_dir()):
        raise CommandFailed("eval", f"predictions not found: {args.predictions}", EXIT_USAGE)
    if not args.gold.exists():
        print(f"newsclean eval: gold not found: {args.gold}", file=sys.stderr)
        return 2
    try:
        gold = load_gold(args.gold)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"newsclean eval: {error}", file=sys.stderr)
        return 2
    records = read_records(args.predictions, "eval")
    if not gold:
        print(f"newsclean eval: no gold texts in {args.gold}", file=sys.stderr)
        return 2
    result = evaluate(records, gold, worst_count=args.worst, seed=args.seed)
    if not result["matching"]["matched"]:
        print(f"newsclean eval: no record of {args.predictions} matched a gold text", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_text(result))
    return 0
