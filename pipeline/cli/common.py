"""What the commands share: exit statuses, the usage error, rule options and the Config they build."""

from __future__ import annotations

import argparse

from pipeline.process import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Config
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


def seconds(value: str) -> float:
    """A time limit in seconds; 0 turns it off."""
    number = float(value)
    if not number >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("give seconds, 0 or more")
    return number


def languages(value: str) -> frozenset[str]:
    codes = frozenset(code.strip().lower() for code in value.split(",") if code.strip())
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
        timeout=getattr(args, "timeout", DEFAULT_TIMEOUT) or None,
    )
