"""What the commands share: exit statuses, the usage error, rule options and the Config they build."""

from __future__ import annotations

import argparse

from pipeline.language import parse_languages
from pipeline.process import DEFAULT_MAX_BYTES, Config
from pipeline.rules import RULE_NAMES

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad arguments: reported on stderr, exit status 2."""


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--disable",
        metavar="RULE",
        action="append",
        default=[],
        help="turn a rule off (repeatable); `newsclean rules` lists them",
    )


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def languages(value: str) -> frozenset[str]:
    """`--lang en,de`: ISO 639-1 codes the language detector knows (`zh` for both Chinese codes)."""
    try:
        codes = parse_languages(value.split(","))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    if not codes:
        raise argparse.ArgumentTypeError("give language codes like en,de")
    return codes


def config_from(args: argparse.Namespace) -> Config:
    unknown = sorted(set(args.disable) - RULE_NAMES)
    if unknown:
        raise UsageError(f"unknown rule(s) for --disable: {', '.join(unknown)} (see `newsclean rules`)")
    return Config(
        disabled_rules=frozenset(args.disable),
        languages=getattr(args, "lang", None),
        max_bytes=getattr(args, "max_bytes", None) or DEFAULT_MAX_BYTES,
    )
