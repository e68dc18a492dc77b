"""`newsclean clean --engine dask`: the run on a Dask cluster (the one at --scheduler, else a local one
started for the run), its shards and manifest in the output's folder; each way it can fail is one line
on stderr and an exit status, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from pipeline.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError, end_of_run
from pipeline.document import Document
from pipeline.process import Config
from pipeline.readers.files import Identity
from pipeline.runners.dask import (
    SERVICE,
    SUFFIX,
    Connection,
    PartitionFailed,
    ShardFolder,
    ShardFolderError,
    check_address,
    run_on_cluster,
)
from pipeline.runners.failures import SERVICE_EXIT, ServicePolicy, ServiceUnavailable, mask_secrets
from pipeline.runners.stats import RunStats

DEFAULT_SCHEDULER_TIMEOUT = ServicePolicy(SERVICE).timeout


def _hidden(text: str, address: str | None) -> str:
    """The text on one line, with every URL's password masked, and the password of the scheduler's
    address wherever it stands (distributed quotes an address without its scheme)."""
    text = mask_secrets(" ".join(text.split()))
    try:
        password = urlsplit(address).password if address else None
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text


@contextlib.contextmanager
def _quiet_distributed() -> Iterator[None]:
    """distributed's own log lines off while the run talks to the cluster: what goes wrong there is
    told once, by the run's error line."""
    names = [
        "distributed",
        *(name for name in logging.root.manager.loggerDict if name.startswith("distributed.")),
    ]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextlib.contextmanager
def _local_cluster(workers: int) -> Iterator[tuple[Any, str]]:
    """A local cluster of `workers` processes for the run, and a client of it."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with Client(cluster, set_as_default=False) as client:
            yield client, str(cluster.scheduler_address)
    finally:
        cluster.close()


@contextlib.contextmanager
def _cluster(args: argparse.Namespace, policy: ServicePolicy) -> Iterator[tuple[Any, str]]:
    if args.scheduler:
        with Connection(args.scheduler, policy) as client:
            yield client, args.scheduler
    else:
        with _local_cluster(args.workers) as found:
            yield found


def _checked(args: argparse.Namespace, form: str) -> ShardFolder:
    """The run's shard folder, after the usage errors a Dask run can have (none of them waits on a
    scheduler or touches a file)."""
    if args.output == "-":
        raise UsageError("--engine dask writes shards to a folder: give -o PATH")
    if args.scheduler:
        try:
            check_address(args.scheduler)
        except (ValueError, TypeError) as error:
            given, reason = _hidden(args.scheduler, args.scheduler), _hidden(str(error), args.scheduler)
            raise UsageError(f"--scheduler {given}: {reason} (give e.g. tcp://HOST:8786)") from None
    folder = ShardFolder(args.output, form)
    try:
        folder.check(args.inputs)
    except ShardFolderError as error:
        raise UsageError(str(error)) from None
    return folder


def run_dask(
    args: argparse.Namespace,
    config: Config,
    form: str,
    documents_of: Callable[[RunStats, set[Identity]], Iterator[Document]],
) -> int:
    """`--engine dask`: partitions to a Dask cluster, shards and a manifest in the output's folder.
    `documents_of(stats, exclude)` gives the run's documents, the files `exclude` names passed over
    (a usage error when the inputs name nothing); it counts what it passes over in `stats`."""
    folder = _checked(args, form)
    policy = ServicePolicy(SERVICE, timeout=args.scheduler_timeout)
    stats = RunStats()
    status = EXIT_OK
    try:
        with folder:
            documents = folder.outside(documents_of(stats, folder.identities()))
            with _quiet_distributed(), _cluster(args, policy) as (client, address):
                run_on_cluster(
                    client,
                    documents,
                    config,
                    folder,
                    stats,
                    address=address,
                    policy=policy,
                    resume=args.resume,
                )
    except ShardFolderError as error:
        raise UsageError(str(error)) from None
    except ServiceUnavailable as error:
        print(f"newsclean: error: {_hidden(str(error), args.scheduler)}", file=sys.stderr)
        return SERVICE_EXIT
    except PartitionFailed as error:
        print(
            f"newsclean: error: the Dask run failed: {_hidden(str(error), args.scheduler)}", file=sys.stderr
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    return end_of_run(
        status,
        stats,
        quiet=args.quiet,
        interrupted="every finished shard is whole (--resume goes on)",
        written=f"shards: {folder.path}/part-*{SUFFIX[form]}",
    )


def _positive_seconds(value: str) -> float:
    number = float(value)
    if not number > 0:  # also refuses nan
        raise argparse.ArgumentTypeError("give seconds, more than 0")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`clean`'s options for `--engine dask`."""
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="with --engine dask: the scheduler (default: a local cluster)"
    )
    parser.add_argument(
        "--scheduler-timeout",
        type=_positive_seconds,
        default=DEFAULT_SCHEDULER_TIMEOUT,
        metavar="SECONDS",
        help="with --engine dask: longest one call to the scheduler may take; after 3 calls without an "
        "answer (or about 3 x SECONDS without a worker) the run stops with exit status 1 "
        f"(default {DEFAULT_SCHEDULER_TIMEOUT:g})",
    )
