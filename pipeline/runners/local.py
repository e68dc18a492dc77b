"""The local run: documents through `run_one` in this process or a pool, outcomes to the output in
input order, inputs already written skipped on resume, statistics counted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from pipeline.document import Document, Outcome
from pipeline.process import Config, run_one, warm_up
from pipeline.runners.pool import Pool
from pipeline.runners.stats import RunStats
from pipeline.writers import Output, done_sources


def serial(documents: Iterable[Document], config: Config) -> Iterator[Outcome]:
    """One Outcome per document, in this process."""
    warm_up()
    for document in documents:
        yield run_one(document, config)


def outcomes(documents: Iterable[Document], config: Config, workers: int = 1) -> Iterator[Outcome]:
    """One Outcome per document, in input order; `workers` > 1 runs them in a process pool."""
    if workers <= 1:
        return serial(documents, config)
    return Pool(workers, config).map(documents)


def resume(documents: Iterable[Document], target: str, format: str = "jsonl") -> Iterator[Document]:
    """The documents whose source is not yet in the records file `target` or its errors file."""
    done = done_sources(target, format)
    return (document for document in documents if document.source not in done)


def run(
    documents: Iterable[Document],
    config: Config,
    output: Output,
    stats: RunStats,
    *,
    workers: int = 1,
    progress: Callable[[Outcome], None] | None = None,
) -> RunStats:
    """Process every document, write each outcome as it comes and count it."""
    for outcome in outcomes(documents, config, workers):
        output.write(outcome)
        stats.add(outcome)
        if progress is not None:
            progress(outcome)
    return stats
