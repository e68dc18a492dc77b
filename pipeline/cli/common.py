"""What the commands share: exit statuses, the usage error, rule options and the Config they build."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pipeline.language import parse_languages
from pipeline.process import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Config
from pipeline.rules import RULE_NAMES
from pipeline.tools.evaluate import load_records

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad arguments: reported on stderr, exit status 2."""


class CommandFailed(Exception):
    """A command that cannot go on: `main` prints "newsclean <command>: <message>" and exits `status`."""

    def __init__(self, command: str, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(f"newsclean {command}: {message}")
        self.status = status


def read_records(path: Path, command: str) -> list[dict[str, Any]]:
    """A JSONL records file for a command that reads one: missing is status 2, unreadable status 1."""
    if not path.is_file():
        raise CommandFailed(command, f"records not found: {path}", EXIT_USAGE)
    try:
        return load_records(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CommandFailed(command, str(error)) from error


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
        timeout=getattr(args, "timeout", DEFAULT_TIMEOUT) or None,
        site_templates=getattr(args, "learned_templates", None),
    )
