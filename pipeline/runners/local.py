"""The local run: documents through `run_one` in this process or a pool, outcomes to the output in
input order, inputs already written skipped on resume, statistics counted."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator

from pipeline.document import Document, Outcome
from pipeline.process import Config, run_one, warm_up
from pipeline.runners.failures import FailurePolicy
from pipeline.runners.pool import Pool
from pipeline.runners.stats import RunStats
from pipeline.writers import Output, done_sources


def serial(documents: Iterable[Document], config: Config) -> Iterator[Outcome]:
    """One Outcome per document, in this process."""
    warm_up()
    for document in documents:
        yield run_one(document, config)


def outcomes(
    documents: Iterable[Document], config: Config, workers: int = 1, policy: FailurePolicy | None = None
) -> Iterator[Outcome]:
    """One Outcome per document, in input order; `workers` > 1 runs them in a process pool, which
    follows `policy` (by default the one of `config.timeout`) for stuck and crashed documents."""
    if workers <= 1:
        return serial(documents, config)
    return Pool(workers, config, policy).map(documents)


# Documents a worker must have ahead of it for a pool to pay for its start (a second or so: the fork
# server, each worker's warm-up); a run of fewer runs in this process. NEWSCLEAN_POOL_MINIMUM sets it.
POOL_MINIMUM_PER_WORKER = 8


def workers_for(documents: Iterable[Document], workers: int) -> tuple[Iterator[Document], int]:
    """The documents (as read so far and the rest) and the workers worth starting for them: none (0, this
    process) when the input holds fewer than POOL_MINIMUM_PER_WORKER documents a worker."""
    iterator = iter(documents)
    if workers <= 1:
        return iterator, 0
    wanted = workers * int(os.environ.get("NEWSCLEAN_POOL_MINIMUM", POOL_MINIMUM_PER_WORKER))
    head = list(itertools.islice(iterator, wanted))
    if len(head) < wanted:
        return iter(head), 0
    return itertools.chain(head, iterator), workers


def resume(
    documents: Iterable[Document], target: str, format: str = "jsonl", stats: RunStats | None = None
) -> Iterator[Document]:
    """The documents whose source is not yet in the records file `target` or its errors file; `stats`
    counts those skipped and, once the documents are all read, the sources written before that are
    none of them (a resume given other inputs than the first run)."""
    done = done_sources(target, format)
    stats = RunStats() if stats is None else stats
    stats.resumed = 0
    return _not_done(documents, done, stats)


def _not_done(documents: Iterable[Document], done: set[str], stats: RunStats) -> Iterator[Document]:
    matched: set[str] = set()
    for document in documents:
        if document.source in done:
            stats.resumed = (stats.resumed or 0) + 1
            matched.add(document.source)
        else:
            yield document
    stats.not_among = len(done) - len(matched)


def run(
    documents: Iterable[Document],
    config: Config,
    output: Output,
    stats: RunStats,
    *,
    workers: int = 1,
    progress: Callable[[Outcome], None] | None = None,
    policy: FailurePolicy | None = None,
) -> RunStats:
    """Process every document, write each outcome as it comes and count it; a pool starts only for an
    input large enough to gain from it (`workers_for`)."""
    documents, stats.workers = workers_for(documents, workers)
    # Records to standard output: whatever else this process would print goes to standard error, so that
    # every line of standard output is a record (the records' writer holds standard output itself).
    quiet = contextlib.redirect_stdout(sys.stderr) if output.to_stdout else contextlib.nullcontext()
    with quiet:
        for outcome in outcomes(documents, config, stats.workers, policy):
            written = output.write(outcome)  # an error line instead of a record the format cannot hold
            stats.add(written)
            if progress is not None:
                progress(written)
    return stats
