"""`newsclean clean`: local files into JSONL records, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import glob
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from pipeline.cli import cluster, dedup, templates
from pipeline.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UsageError,
    add_rule_options,
    at_least_zero,
    config_from,
    end_of_run,
    languages,
    positive,
    seconds,
    statuses,
)
from pipeline.document import Document, Outcome
from pipeline.model import ModelError, chosen_model
from pipeline.process import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Config
from pipeline.readers import (
    SUPPORTED,
    count_documents,
    find_among,
    is_missing,
    is_unsupported,
    iter_documents,
    reader_for,
)
from pipeline.readers.files import Identity, identity
from pipeline.runners.local import resume, run
from pipeline.runners.stats import RunStats
from pipeline.writers import (
    WRITERS,
    Output,
    OutputBusy,
    OutputRefused,
    WriteError,
    check_output,
    format_for,
    output_identities,
)

ENGINES = ("local", "dask")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


DEFAULT_OUTPUT = "output/clean.jsonl"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "clean",
        help="clean saved pages, text dumps and web archives into JSON lines or Parquet",
        description="Extract and clean saved pages (.html, .htm) and text dumps (.txt), each optionally "
        "gzipped, and the HTML response records of web archives (.warc, .warc.gz, .arc.gz: CC-NEWS, a "
        "crawl's own WARC) into one record per article: JSON lines (-o FILE.jsonl, or - for standard "
        "output) or Parquet (-o FILE.parquet or --format parquet). Folders are searched recursively and "
        "glob patterns expanded; *.gold.txt files are never inputs. Inputs that give no record go to "
        "<output stem>.errors.ndjson beside the output, one line each with its stage. With --engine dask "
        "the records go to a folder of shards named after the output (out.jsonl -> out/part-*.jsonl).",
        epilog="exit status: 0 the run completed; 1 the output is not writable or every input failed; "
        "2 usage error (including arguments that match no file, an output another run is writing or that "
        "newsclean did not write); 130 interrupted (records kept).",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or glob patterns")
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        help=f"records file: .jsonl, .parquet, or - for standard output (default {DEFAULT_OUTPUT})",
    )
    add_rule_options(parser)
    parser.add_argument(
        "--lang", type=languages, metavar="CODES", help="keep only records in these languages, e.g. en,de"
    )
    parser.add_argument(
        "--articles-only",
        action="store_true",
        help="keep only pages that are articles (the news crawl's rule: what the page declares, its "
        "headline and body); others are not-article error lines",
    )
    parser.add_argument(
        "--status",
        type=statuses,
        default=frozenset({2}),
        metavar="CLASSES",
        help="HTTP status classes to keep from web archives, e.g. 2xx,3xx, or any (default 2xx); a record "
        "of another is an http error line. Local files have no status",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="trafilatura's fast mode: its readability and jusText fallbacks only where the extraction is "
        "doubtful, not on every page (about a third less time a page; a little less text on unusual pages)",
    )
    parser.add_argument(
        "--min-words",
        type=at_least_zero,
        default=0,
        metavar="N",
        help="a record of fewer words is a filtered error line (default 0: no minimum)",
    )
    parser.add_argument(
        "--workers",
        type=positive,
        default=available_cores(),
        help=f"processes to use (default: the cores this machine gives the run, {available_cores()})",
    )
    parser.add_argument(
        "--format",
        choices=sorted(WRITERS),
        help="records format (default: parquet for -o *.parquet, else jsonl)",
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="local", help="local processes (default) or a Dask cluster"
    )
    cluster.add_arguments(parser)
    parser.add_argument(
        "--resume", action="store_true", help="append to an existing output, skipping inputs already in it"
    )
    parser.add_argument(
        "--max-bytes", type=positive, default=DEFAULT_MAX_BYTES, help="largest input accepted, after gunzip"
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"longest one input may take before it is an extract error; 0 for no limit "
        f"(default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--model",
        metavar="MODEL",
        help="decide which blocks of each page are its text with this page model (made by `newsclean "
        "train`); `none` reads pages without one (default: the model shipped with newsclean)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    parser.set_defaults(func=run_clean)
    dedup.add_to_clean(parser)  # --dedup: after the run, a pass over the records it wrote
    templates.add_to_clean(parser)  # --site-templates: a first run learns what each site repeats


def _documents(arguments: Sequence[str], exclude: set[Identity], stats: RunStats) -> Iterator[Document]:
    """The documents the arguments name; a usage error when they name nothing that exists, or only files of
    no supported type. Paths that exist but cannot be inputs (a broken link, a FIFO, a damaged archive)
    are a run of their error lines. Files newsclean wrote are passed over (counted in `stats`)."""
    stream = iter_documents(arguments, exclude, stats.passed, stats.own)
    held: list[Document] = []
    for document in stream:
        held.append(document)
        if document.kind is not None:
            return itertools.chain(held, stream)
    if any(not (is_missing(document) or is_unsupported(document)) for document in held):
        return iter(held)
    if all(is_missing(document) for document in held):
        missing = ", ".join(document.source for document in held) or ", ".join(arguments)
        raise UsageError(f"no such file or directory: {missing}")
    raise UsageError(f"no input files found ({SUPPORTED}) in: {', '.join(arguments)}")


def _progress(arguments: Sequence[str], enabled: bool) -> tuple[Callable[[Outcome], None] | None, Any]:
    if not enabled:
        return None, None
    from tqdm import tqdm

    total = count_documents(arguments)
    bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, desc="cleaning")

    def advance(outcome: Outcome) -> None:
        if outcome.stage != "skipped":
            bar.update(1)

    return advance, bar


def _refused(error: OutputRefused, arguments: Sequence[str], target: str) -> UsageError:
    """The usage error of an output file the run may not write, naming the input it is if it is one
    (a file the run would read: a page, a text dump, an archive)."""
    key = identity(error.path)
    clash = find_among(arguments, {key}) if key is not None else None
    if clash is not None and reader_for(os.path.basename(clash))[1] is not None:
        return UsageError(f"the output {target} is the input {clash}: writing it would destroy the input")
    return UsageError(str(error))


def _refuse_named_outputs(arguments: Sequence[str], written: set[Identity]) -> None:
    """A usage error when an argument names a file the run writes (its output, errors or lock file).
    The same files found by walking a folder or matching a pattern are passed over instead."""
    for argument in arguments:
        if glob.has_magic(argument) and not os.path.lexists(argument):
            continue
        key = identity(argument)
        if key is not None and key in written:
            raise UsageError(f"{argument} is a file this run writes (its output): it cannot be an input")


def _run_dask(args: argparse.Namespace, config: Config, form: str) -> int:
    """`--engine dask` (pipeline.cli.cluster), on the documents a local run would read."""
    return cluster.run_dask(
        args, config, form, lambda stats, exclude: _documents(args.inputs, exclude, stats)
    )


def run_clean(args: argparse.Namespace) -> int:
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler names a Dask scheduler: give it with --engine dask")
    config = config_from(args)
    if args.model is not None:
        try:
            config = replace(config, model=chosen_model(args.model))
        except ModelError as error:
            raise UsageError(str(error)) from error
    form = format_for(args.output, args.format)
    if form == "parquet" and args.output == "-":
        raise UsageError("Parquet cannot go to standard output: give -o FILE.parquet")
    if args.resume and args.output == "-":  # nothing to read back: every record would come out again
        raise UsageError("--resume goes on from an output file: give -o FILE, not standard output")
    if args.engine == "dask":
        return _run_dask(args, config, form)
    try:
        check_output(args.output, form, append=args.resume)
    except OutputRefused as error:
        raise _refused(error, args.inputs, args.output) from error
    # The run's own files are never inputs: those that exist now, and the others once they do.
    exclude = output_identities(args.output)
    _refuse_named_outputs(args.inputs, exclude)
    stats = RunStats()
    documents = _documents(args.inputs, exclude, stats)
    try:
        output = Output(args.output, format=form, append=args.resume)
    except OutputBusy as error:
        raise UsageError(str(error)) from error
    except OutputRefused as error:
        raise _refused(error, args.inputs, args.output) from error
    except OSError as error:
        print(
            f"newsclean: error: cannot write output {args.output}: {error.strerror or error}", file=sys.stderr
        )
        return EXIT_FAILED
    exclude |= output.identities()
    if args.resume:
        documents = resume(documents, args.output, form, stats)
    return _run_local(args, config, documents, output, stats)


def _run_local(
    args: argparse.Namespace, config: Config, documents: Iterable[Document], output: Output, stats: RunStats
) -> int:
    advance, bar = _progress(args.inputs, not (args.quiet or args.no_progress) and sys.stderr.isatty())
    status, failure = EXIT_OK, None
    try:
        run(documents, config, output, stats, workers=args.workers, progress=advance)
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    except WriteError as error:
        status, failure = EXIT_FAILED, str(error)
    finally:
        if bar is not None:
            bar.close()
        try:
            output.close()
        except OSError as error:
            status, failure = EXIT_FAILED, failure or f"cannot write output {args.output}: {error}"
    if failure is not None:
        print(f"newsclean: error: {failure}; every line written before is whole", file=sys.stderr)
        return status
    return end_of_run(
        status,
        stats,
        quiet=args.quiet,
        interrupted="every record written so far is kept",
        written=f"records: {args.output}   errors: {output.errors_target}",
    )
