"""`newsclean explain`: one input processed, each removed text printed with the rule that removed it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import EXIT_FAILED, EXIT_OK, UsageError, add_rule_options, config_from
from pipeline.document import Document, Unreadable
from pipeline.process import run_one
from pipeline.readers import SUPPORTED, iter_documents


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explain",
        help="show what was removed from one input and why",
        description="Process one input and print each removed text with the rule that removed it.",
    )
    parser.add_argument("input", metavar="FILE")
    add_rule_options(parser)
    parser.add_argument("--json", action="store_true", help="print the JSONL record instead")
    parser.set_defaults(func=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    config = config_from(args)
    if not Path(args.input).is_file():
        raise UsageError(f"no such file: {args.input}")
    found = list(iter_documents([args.input]))
    unsupported = Unreadable("skipped", f"not a supported input type ({SUPPORTED})")
    outcome = run_one(found[0] if found else Document(args.input, None, origin=unsupported), config)
    if outcome.record is None:
        assert outcome.error is not None
        print(
            f"{args.input}: no record ({outcome.error['stage']}): {outcome.error['error']}", file=sys.stderr
        )
        return EXIT_FAILED
    record = outcome.record
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
        return EXIT_OK
    kept = record["text"].split("\n")
    print(
        f"{args.input}: kept {len(kept)} paragraphs ({record['word_count']} words), "
        f"removed {len(record['removed'])} text(s)"
    )
    for removal in record["removed"]:
        where = "before extraction" if removal["at"] is None else _position(removal["at"], len(kept))
        print(f"\n[{removal['rule']}] ({removal['family']}) {where}:")
        print("    " + removal["text"])
    return EXIT_OK


def _position(at: int, kept: int) -> str:
    return "after the last paragraph" if at >= kept else f"at paragraph {at + 1}"
