"""The newsclean command line: `main(argv)` and one module a command. The only code that prints."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from pipeline.cli import clean, crawl, dedup, evaluate, explain, report, rules, templates, train
from pipeline.cli.common import EXIT_FAILED, EXIT_USAGE, CommandFailed, UsageError, missing_extra

# Each command module adds its parser with `register(subparsers)`, in this order.
COMMANDS = (clean, crawl, dedup, templates, rules, explain, evaluate, report, train)


def _version() -> str:
    try:
        return version("newsclean")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsclean",
        description="Turn news pages (saved, crawled, or in web archives) and text dumps into clean article "
        "text, one record per article in JSON lines or Parquet, with every removal explained by a named "
        "rule. `newsclean COMMAND --help` describes each command's inputs and outputs.",
    )
    parser.add_argument("--version", action="version", version=f"newsclean {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except UsageError as error:
        print(f"newsclean: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as error:  # an optional part (the Dask engine, a Redis frontier) not installed
        usage = missing_extra(error)
        if usage is None:
            raise
        print(f"newsclean: error: {usage}", file=sys.stderr)
        return EXIT_USAGE
    except CommandFailed as failure:
        print(failure, file=sys.stderr)
        return failure.status
    except BrokenPipeError:
        # The reader of our stdout went away (`newsclean rules | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    return status
