"""What the commands share: exit statuses, the usage error, rule options and the Config they build."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from pipeline.extract import ExtractOptions
from pipeline.language import parse_languages
from pipeline.process import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Config
from pipeline.rules import FAMILIES, RULE_NAMES
from pipeline.runners.stats import RunStats
from pipeline.tools.evaluate import load_records
from pipeline.writers.read import NotRecords

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad arguments: reported on stderr, exit status 2."""


# The optional parts: the top-level module each needs, what it is for and the extra that installs it
# (pyproject.toml's optional dependencies).
EXTRAS = {
    "dask": ("--engine dask", "dask"),
    "distributed": ("--engine dask", "dask"),
    "redis": ("a Redis frontier", "redis"),
    "scrapy_redis": ("a Redis frontier", "redis"),
}


def missing_extra(error: ModuleNotFoundError) -> UsageError | None:
    """The usage error for an optional dependency that is not installed; None for any other module."""
    module = (error.name or "").partition(".")[0]
    if module not in EXTRAS:
        return None
    feature, extra = EXTRAS[module]
    return UsageError(f"{feature} needs {module}, which is not installed: pip install 'newsclean[{extra}]'")


class CommandFailed(Exception):
    """A command that cannot go on: `main` prints "newsclean <command>: <message>" and exits `status`."""

    def __init__(self, command: str, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(f"newsclean {command}: {message}")
        self.status = status


def read_records(path: Path, command: str) -> list[dict[str, Any]]:
    """The records of an output (JSON lines, Parquet or a shard folder) for a command that reads one:
    missing, or not records (an errors file), is status 2; unreadable status 1."""
    if not (path.is_file() or path.is_dir()):
        raise CommandFailed(command, f"records not found: {path}", EXIT_USAGE)
    try:
        return load_records(path)
    except NotRecords as error:
        raise CommandFailed(command, str(error), EXIT_USAGE) from error
    except (OSError, ValueError) as error:
        raise CommandFailed(command, str(error)) from error


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--disable",
        metavar="RULE",
        action="append",
        default=[],
        help="turn a rule off (repeatable); `newsclean rules` lists them",
    )
    parser.add_argument(
        "--disable-family",
        metavar="FAMILY",
        action="append",
        default=[],
        help="turn every rule of a removal family off (repeatable): " + ", ".join(FAMILIES),
    )


def unknown_families(families: frozenset[str]) -> str:
    """The usage error of `--disable-family` names that are no family's."""
    unknown = ", ".join(sorted(families - set(FAMILIES)))
    return f"unknown famil(ies) for --disable-family: {unknown} (the families: {', '.join(FAMILIES)})"


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
    families = frozenset(getattr(args, "disable_family", ()))
    if families - set(FAMILIES):
        raise UsageError(unknown_families(families))
    return Config(
        disabled_rules=frozenset(args.disable),
        disabled_families=families,
        languages=getattr(args, "lang", None),
        max_bytes=getattr(args, "max_bytes", None) or DEFAULT_MAX_BYTES,
        timeout=getattr(args, "timeout", DEFAULT_TIMEOUT) or None,
        articles_only=getattr(args, "articles_only", False),
        statuses=getattr(args, "status", frozenset({2})),
        min_words=getattr(args, "min_words", 0),
        site_templates=getattr(args, "learned_templates", None),
        extract=ExtractOptions(fast=True) if getattr(args, "fast", False) else ExtractOptions(),
    )


def statuses(value: str) -> frozenset[int] | None:
    """`--status`: HTTP status classes, `2xx` or `2xx,3xx`; `any` for every status."""
    if value.strip().lower() == "any":
        return None
    classes = set()
    for part in value.split(","):
        part = part.strip().lower()
        if not re.fullmatch(r"[1-5]xx", part):
            raise argparse.ArgumentTypeError(f"{part!r} is not a status class (1xx to 5xx) or 'any'")
        classes.add(int(part[0]))
    return frozenset(classes)


def at_least_zero(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0")
    return number


def end_of_run(status: int, stats: RunStats, *, quiet: bool, interrupted: str, written: str) -> int:
    """A run's exit status (1 when every input failed) and its closing lines on standard error, for every
    engine: what an interruption kept, the summary, and where the records are."""
    if status == EXIT_OK and stats.all_failed():
        status = EXIT_FAILED
    if not quiet:
        if status == EXIT_INTERRUPTED:
            print(f"newsclean: interrupted; {interrupted}", file=sys.stderr)
        for line in stats.summary():
            print(line, file=sys.stderr)
        print(written, file=sys.stderr)
    return status
