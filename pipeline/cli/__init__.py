"""The newsclean command line: clean, rules, explain (a thin layer over the per-document function)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

from pipeline.document import FAILURE_STAGES
from pipeline.process import Config
from pipeline.readers.files import DEFAULT_MAX_BYTES, SUPPORTED, Input, iter_inputs
from pipeline.rules import PAGE_RULES, RULE_NAMES, TEXT_RULES
from pipeline.rules.text.shapes import describe
from pipeline.runners.local import Outcome, process_input, run_batch
from pipeline.tools import evaluate, report
from pipeline.writers.jsonl import JsonlWriter, errors_path, read_sources

DEFAULT_OUTPUT = "output/clean.jsonl"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad arguments: reported on stderr, exit status 2."""


def _version() -> str:
    try:
        return version("newsclean")
    except PackageNotFoundError:
        return "unknown"


def _languages(value: str) -> frozenset[str]:
    codes = frozenset(code.strip().lower() for code in value.split(",") if code.strip())
    if not codes:
        raise argparse.ArgumentTypeError("give language codes like en,de")
    return codes


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--disable",
        metavar="RULE",
        action="append",
        default=[],
        help="turn a rule off (repeatable); `newsclean rules` lists them",
    )


def _config(args: argparse.Namespace) -> Config:
    unknown = sorted(set(args.disable) - RULE_NAMES)
    if unknown:
        raise UsageError(f"unknown rule(s) for --disable: {', '.join(unknown)} (see `newsclean rules`)")
    return Config(disabled_rules=frozenset(args.disable), languages=getattr(args, "lang", None))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsclean",
        description="Turn news pages and text dumps into clean article text, one JSONL record per article, "
        "with every removal explained by a named rule.",
    )
    parser.add_argument("--version", action="version", version=f"newsclean {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    clean = commands.add_parser(
        "clean",
        help="clean local files into JSONL",
        description="Extract and clean saved pages (.html, .htm) and text dumps (.txt), each optionally "
        "gzipped, into one JSONL record per article. Folders are searched recursively; *.gold.txt files "
        "are never inputs. Inputs that give no record go to <output stem>.errors.jsonl beside the output.",
        epilog="exit status: 0 the run completed; 1 the output is not writable or every input failed; "
        "2 usage error (including arguments that match no file); 130 interrupted (records kept).",
    )
    clean.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or glob patterns")
    clean.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        help=f"JSONL output, or - for stdout (default {DEFAULT_OUTPUT})",
    )
    _add_rule_options(clean)
    clean.add_argument(
        "--lang", type=_languages, metavar="CODES", help="keep only records in these languages, e.g. en,de"
    )
    clean.add_argument("--workers", type=_positive, default=1, help="processes to use (default 1)")
    clean.add_argument(
        "--resume", action="store_true", help="append to an existing output, skipping inputs already in it"
    )
    clean.add_argument(
        "--max-bytes", type=_positive, default=DEFAULT_MAX_BYTES, help="largest input accepted, after gunzip"
    )
    clean.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    clean.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    clean.set_defaults(func=run_clean)

    rules = commands.add_parser(
        "rules", help="list the cleaning rules", description="List every rule in run order."
    )
    rules.add_argument("--json", action="store_true", help="machine-readable output")
    rules.set_defaults(func=run_rules)

    explain = commands.add_parser(
        "explain",
        help="show what was removed from one input and why",
        description="Process one input and print each removed text with the rule that removed it.",
    )
    explain.add_argument("input", metavar="FILE")
    _add_rule_options(explain)
    explain.add_argument("--json", action="store_true", help="print the JSONL record instead")
    explain.set_defaults(func=run_explain)

    for register in EXTRA_COMMANDS:
        register(commands)
    return parser


# Further subcommands, each a module's `register(subparsers)`.
EXTRA_COMMANDS: tuple[Callable[[Any], None], ...] = (evaluate.register, report.register)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except UsageError as error:
        print(f"newsclean: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader of our stdout went away (`newsclean rules | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    return status


# --- clean -----------------------------------------------------------------------------------------


def _first_supported(arguments: Sequence[str]) -> tuple[list[Input], Iterator[Input]]:
    """Look ahead to the first supported input; fail as a usage error when there is none."""
    stream = iter_inputs(arguments)
    held: list[Input] = []
    for item in stream:
        held.append(item)
        if item.supported:
            return held, stream
    if all(item.missing for item in held):
        missing = ", ".join(item.source for item in held) or ", ".join(arguments)
        raise UsageError(f"no such file or directory: {missing}")
    raise UsageError(f"no input files found ({SUPPORTED}) in: {', '.join(arguments)}")


def _chain(held: list[Input], rest: Iterator[Input], done: set[str]) -> Iterator[Input]:
    for item in held:
        if item.source not in done:
            yield item
    for item in rest:
        if item.source not in done:
            yield item


class _Summary:
    def __init__(self) -> None:
        self.stages: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.read = 0
        self.written = 0
        self.started = time.perf_counter()

    def add(self, outcome: Outcome) -> None:
        if outcome.stage == "skipped":
            self.stages["skipped"] += 1
            return
        self.read += 1
        if outcome.record is not None:
            self.written += 1
            self.rules.update(removal["rule"] for removal in outcome.record["removed"])
        elif outcome.stage:
            self.stages[outcome.stage] += 1

    @property
    def failed(self) -> int:
        return sum(self.stages[stage] for stage in FAILURE_STAGES)

    def print(self, stream: IO[str], output: str, errors: str) -> None:
        seconds = time.perf_counter() - self.started
        rate = self.read / seconds if seconds > 0 else 0.0
        print(
            f"newsclean: {self.read} documents read, {self.written} written, {self.stages['empty']} empty, "
            f"{self.failed} failed, {self.stages['filtered']} filtered, {self.stages['skipped']} skipped "
            f"({seconds:.1f} s, {rate:.1f} documents/s)",
            file=stream,
        )
        if self.rules:
            width = max(len(name) for name in self.rules)
            print("removals by rule:", file=stream)
            rules = [(r.name, r.family) for r in PAGE_RULES] + [(r.name, r.family) for r in TEXT_RULES]
            for name, family in rules:
                if self.rules[name]:
                    print(f"  {name:<{width}}  {self.rules[name]:>6}  ({family})", file=stream)
        failed = {s: n for s, n in self.stages.items() if s in FAILURE_STAGES and n}
        if failed:
            print(
                "failures by stage: " + ", ".join(f"{s} {n}" for s, n in sorted(failed.items())), file=stream
            )
        print(f"records: {output}   errors: {errors}", file=stream)


def _progress(total_inputs: Sequence[str], enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    total = sum(1 for item in iter_inputs(total_inputs) if item.supported)
    return tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, desc="cleaning")


def run_clean(args: argparse.Namespace) -> int:
    config = _config(args)
    held, rest = _first_supported(args.inputs)
    to_stdout = args.output == "-"
    error_target = "-" if to_stdout else str(errors_path(args.output))
    done: set[str] = set()
    if args.resume and not to_stdout:
        done = read_sources(args.output) | read_sources(error_target)
    try:
        records = JsonlWriter(args.output, append=args.resume)
        errors = JsonlWriter(error_target, append=args.resume, stream=sys.stderr if to_stdout else None)
    except OSError as error:
        print(
            f"newsclean: error: cannot write output {args.output}: {error.strerror or error}", file=sys.stderr
        )
        return EXIT_FAILED
    summary = _Summary()
    show = not (args.quiet or args.no_progress) and sys.stderr.isatty()
    bar = _progress(args.inputs, show)
    status = EXIT_OK
    try:
        for outcome in run_batch(
            _chain(held, rest, done), config, workers=args.workers, max_bytes=args.max_bytes
        ):
            if outcome.record is not None:
                records.write(outcome.record)
            elif outcome.error is not None:
                errors.write(outcome.error)
            summary.add(outcome)
            if bar is not None and outcome.stage != "skipped":
                bar.update(1)
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    finally:
        if bar is not None:
            bar.close()
        records.close()
        errors.close()
    if status == EXIT_OK and summary.read and summary.failed == summary.read:
        status = EXIT_FAILED
    if not args.quiet:
        if status == EXIT_INTERRUPTED:
            print("newsclean: interrupted; every record written so far is kept", file=sys.stderr)
        summary.print(sys.stderr, args.output, error_target)
    return status


# --- rules and explain -----------------------------------------------------------------------------


def run_rules(args: argparse.Namespace) -> int:
    """Every rule in run order: the page rules before extraction, then the text rules on its paragraphs."""
    stages = [("page", rule.name, str(rule.family), rule.purpose) for rule in PAGE_RULES]
    stages += [("text", rule.name, str(rule.family), rule.purpose) for rule in TEXT_RULES]
    if args.json:
        keys = ("stage", "name", "family", "purpose")
        shapes = [rule.describe() for rule in PAGE_RULES] + [describe(rule.find) for rule in TEXT_RULES]
        listed = [
            dict(zip(keys, row, strict=True)) | shape for row, shape in zip(stages, shapes, strict=True)
        ]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
        return EXIT_OK
    name_width = max(len(name) for _, name, _, _ in stages)
    family_width = max(len(family) for _, _, family, _ in stages)
    titles = {"page": "on the page, before extraction", "text": "on the extracted text"}
    for stage in ("page", "text"):
        print(f"Rules {titles[stage]}:")
        print(f"{'#':>2}  {'RULE':<{name_width}}  {'FAMILY':<{family_width}}  PURPOSE")
        rows = [row for row in stages if row[0] == stage]
        for number, (_, name, family, purpose) in enumerate(rows, start=1):
            print(f"{number:>2}  {name:<{name_width}}  {family:<{family_width}}  {purpose}")
        if stage == "page":
            print()
    return EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    config = _config(args)
    path = Path(args.input)
    if not path.is_file():
        raise UsageError(f"no such file: {args.input}")
    items = list(iter_inputs([args.input])) or [Input(args.input)]
    outcome = process_input(items[0], config)
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
