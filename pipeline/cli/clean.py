"""`newsclean clean`: local files into JSONL records, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from pipeline.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UsageError,
    add_rule_options,
    config_from,
    languages,
    positive,
    seconds,
)
from pipeline.document import Document, Outcome
from pipeline.model import ModelError, load_model
from pipeline.process import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Config
from pipeline.readers import (
    SUPPORTED,
    count_documents,
    find_among,
    is_missing,
    is_unsupported,
    iter_documents,
)
from pipeline.readers.files import Identity, identity
from pipeline.runners.local import resume, run
from pipeline.runners.stats import RunStats
from pipeline.writers import WRITERS, Output, WriteError, format_for, output_paths

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
        help="clean local files into JSONL",
        description="Extract and clean saved pages (.html, .htm) and text dumps (.txt), each optionally "
        "gzipped, into one JSONL record per article. Folders are searched recursively; *.gold.txt files "
        "are never inputs. Inputs that give no record go to <output stem>.errors.ndjson beside the output.",
        epilog="exit status: 0 the run completed; 1 the output is not writable or every input failed; "
        "2 usage error (including arguments that match no file); 130 interrupted (records kept).",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or glob patterns")
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        help=f"JSONL output, or - for stdout (default {DEFAULT_OUTPUT})",
    )
    add_rule_options(parser)
    parser.add_argument(
        "--lang", type=languages, metavar="CODES", help="keep only records in these languages, e.g. en,de"
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
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="with --engine dask: the scheduler (default: a local cluster)"
    )
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
        help="decide which blocks of each page are its text with this page model (made by `newsclean train`)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    parser.set_defaults(func=run_clean)


def _documents(arguments: Sequence[str], exclude: set[Identity], passed: Counter[str]) -> Iterator[Document]:
    """The documents the arguments name; a usage error when they name nothing that exists, or only files of
    no supported type. Paths that exist but cannot be inputs (a broken link, a FIFO, a damaged archive)
    are a run of their error lines."""
    stream = iter_documents(arguments, exclude, passed)
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


def _refuse_overwriting_inputs(arguments: Sequence[str], target: str) -> None:
    """A usage error when a file the run would write is one of its inputs (the same path, a symbolic
    or a hard link): checked before anything is opened for writing."""
    written = {key for key in map(identity, output_paths(target)) if key is not None}
    if not written:
        return  # no output file exists yet, so none of them can be an input
    clash = find_among(arguments, written)
    if clash is not None:
        raise UsageError(f"the output {target} is the input {clash}: writing it would destroy the input")


def _run_dask(args: argparse.Namespace, config: Config, form: str) -> int:
    """`--engine dask`: partitions to a Dask cluster (the one at --scheduler, else a local one), shards
    and a manifest in the output's folder."""
    from distributed import Client, LocalCluster

    from pipeline.runners.dask import run_on_cluster, shard_folder

    if args.output == "-":
        raise UsageError("--engine dask writes shards to a folder: give -o PATH")
    _refuse_overwriting_inputs(args.inputs, str(shard_folder(args.output)))
    stats = RunStats()
    documents = _documents(args.inputs, set(), stats.passed)
    cluster = None
    try:
        if args.scheduler:
            client = Client(args.scheduler, timeout="30s")
        else:
            cluster = LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
    except OSError as error:
        print(f"newsclean: error: cannot reach the Dask scheduler: {error}", file=sys.stderr)
        return EXIT_FAILED
    status = EXIT_OK
    try:
        folder = run_on_cluster(client, documents, config, args.output, form, stats, resume=args.resume)
    except KeyboardInterrupt:
        status, folder = EXIT_INTERRUPTED, shard_folder(args.output)
    except Exception as error:  # a partition failed on the cluster (a shard it could not write, say)
        print(f"newsclean: error: the Dask run failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if status == EXIT_OK and stats.all_failed():
        status = EXIT_FAILED
    if not args.quiet:
        for line in stats.summary():
            print(line, file=sys.stderr)
        print(f"shards: {folder}/part-*{'.parquet' if form == 'parquet' else '.jsonl'}", file=sys.stderr)
    return status


def run_clean(args: argparse.Namespace) -> int:
    config = config_from(args)
    if args.model is not None:
        try:
            config = replace(config, model=load_model(args.model))
        except ModelError as error:
            raise UsageError(str(error)) from error
    form = format_for(args.output, args.format)
    if form == "parquet" and args.output == "-":
        raise UsageError("Parquet cannot go to standard output: give -o FILE.parquet")
    if args.engine == "dask":
        return _run_dask(args, config, form)
    _refuse_overwriting_inputs(args.inputs, args.output)
    exclude: set[Identity] = set()  # filled once the output files exist: a folder may hold them
    stats = RunStats()
    documents = _documents(args.inputs, exclude, stats.passed)
    if args.resume:
        documents = resume(documents, args.output, form)
    try:
        output = Output(args.output, format=form, append=args.resume)
    except OSError as error:
        print(
            f"newsclean: error: cannot write output {args.output}: {error.strerror or error}", file=sys.stderr
        )
        return EXIT_FAILED
    exclude |= output.identities()
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
    if status == EXIT_OK and stats.all_failed():
        status = EXIT_FAILED
    if not args.quiet:
        if status == EXIT_INTERRUPTED:
            print("newsclean: interrupted; every record written so far is kept", file=sys.stderr)
        for line in stats.summary():
            print(line, file=sys.stderr)
        print(f"records: {args.output}   errors: {output.errors_target}", file=sys.stderr)
    return status
