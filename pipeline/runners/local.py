"""The batch loop over local inputs, in one process or a pool, results in input order."""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from pipeline.document import DocumentError
from pipeline.process import Config, process_document
from pipeline.readers.files import DEFAULT_MAX_BYTES, Input, read_input
from pipeline.record import error_line, to_record


@dataclass(frozen=True)
class Outcome:
    """What one input gave: a record, or an error line with its stage."""

    source: str
    record: dict[str, Any] | None = None
    error: dict[str, str] | None = None

    @property
    def stage(self) -> str | None:
        return self.error["stage"] if self.error else None


def process_input(item: Input, config: Config, max_bytes: int = DEFAULT_MAX_BYTES) -> Outcome:
    """Read one local input and run it through `process_document`: the unit of work."""
    try:
        document = process_document(read_input(item, max_bytes), config)
    except DocumentError as error:
        return Outcome(item.source, error=error_line(item.source, error))
    return Outcome(item.source, record=to_record(document))


def ignore_sigint() -> None:
    """Worker initializer: Ctrl-C reaches the whole process group; the parent decides how to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_batch(
    items: Iterable[Input], config: Config, *, workers: int = 1, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Outcome]:
    """Yield one Outcome per input, in input order; `workers` > 1 uses a process pool."""
    if workers <= 1:
        for item in items:
            yield process_input(item, config, max_bytes)
        return
    yield from _pooled(items, config, workers, max_bytes)


def new_pool(workers: int, preload: str = __name__) -> ProcessPoolExecutor:
    """Worker processes for per-document work (`clean --workers`, the crawl's item pipeline).

    forkserver, not fork: a parent with threads (Scrapy's DNS and feed threads) can deadlock a
    forked child. The fork server imports `preload` (and so trafilatura, lxml, langdetect) once;
    each worker forked from it starts with them loaded.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([preload])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=ignore_sigint)


def _pooled(items: Iterable[Input], config: Config, workers: int, max_bytes: int) -> Iterator[Outcome]:
    # A bounded window of futures keeps memory flat however many inputs there are.
    window: deque[tuple[Input, Future[Outcome]]] = deque()
    pool = new_pool(workers)
    try:
        for item in items:
            window.append((item, pool.submit(process_input, item, config, max_bytes)))
            if len(window) >= workers * 4:
                item_done, future = window.popleft()
                outcome, pool = _result(item_done, future, pool, workers)
                yield outcome
        while window:
            item_done, future = window.popleft()
            outcome, pool = _result(item_done, future, pool, workers)
            yield outcome
    except BaseException:
        # Ctrl-C, or the consumer stopped early: drop the queued work and do not wait for it.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    # Every future is done: let the workers exit before the interpreter does (an unwaited pool's
    # exit hook writes to pipes that are already closed).
    pool.shutdown(wait=True)


def _result(
    item: Input, future: Future[Outcome], pool: ProcessPoolExecutor, workers: int
) -> tuple[Outcome, ProcessPoolExecutor]:
    try:
        return future.result(), pool
    except BrokenProcessPool:
        # A worker died (out of memory, a crash in a C library): this input is recorded and
        # a fresh pool takes the rest; inputs already queued on the dead pool fail the same way.
        pool.shutdown(wait=False, cancel_futures=True)
        error = DocumentError("extract", "the worker process died while processing this input")
        return Outcome(item.source, error=error_line(item.source, error)), new_pool(workers)
