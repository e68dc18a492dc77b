"""Worker processes for per-document work: each runs `run_one` with the run's Config, handed over once
when the worker starts; results come back in input order with a bounded number in flight."""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipeline.document import Document, Outcome
from pipeline.process import Config, run_one, warm_up

# Documents in flight per worker: enough to keep every worker busy, few enough that memory stays flat.
IN_FLIGHT_PER_WORKER = 4
WORKER_DIED = "the worker process died while processing this input"

_config: Config | None = None  # in a worker: the run's Config, set by the initializer


def _initialize(config: Config) -> None:
    """Worker initializer: Ctrl-C reaches the whole process group and the parent decides how to stop."""
    global _config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()
    _config = config


def run_in_worker(document: Document) -> Outcome:
    """`run_one` with the worker's Config (the task function of the pool)."""
    assert _config is not None, "run_in_worker runs in a pool worker"
    return run_one(document, _config)


class Pool:
    """A process pool for `run_one`; forkserver, not fork: a parent with threads (Scrapy's DNS and
    feed threads) can deadlock a forked child. The fork server imports this module (and so
    trafilatura, lxml and langdetect) once; each worker forked from it starts with them loaded."""

    def __init__(self, workers: int, config: Config) -> None:
        self.workers = workers
        self.config = config
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_initialize, initargs=(self.config,)
        )

    def start(self) -> None:
        """Start the workers now rather than at the first document."""
        for _ in range(self.workers):
            self.executor.submit(int)

    def renew(self, broken: ProcessPoolExecutor) -> bool:
        """Replace a broken executor (a worker died); False when another caller already did."""
        if self.executor is not broken:
            return False
        broken.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()
        return True

    def close(self, *, wait: bool = True, cancel: bool = False) -> None:
        """Stop the workers (waiting for them to exit); `cancel` drops queued work instead of finishing it."""
        self.executor.shutdown(wait=wait, cancel_futures=cancel)

    def map(self, documents: Iterable[Document]) -> Iterator[Outcome]:
        """One Outcome per document, in input order."""
        window: deque[tuple[Document, ProcessPoolExecutor, Future[Outcome]]] = deque()
        try:
            for document in documents:
                executor = self.executor
                window.append((document, executor, executor.submit(run_in_worker, document)))
                if len(window) >= self.workers * IN_FLIGHT_PER_WORKER:
                    yield self._result(*window.popleft())
            while window:
                yield self._result(*window.popleft())
        except BaseException:
            # Ctrl-C, or the consumer stopped early: drop the queued work and do not wait for it.
            self.close(wait=False, cancel=True)
            raise
        # Every future is done: let the workers exit before the interpreter does (an unwaited pool's
        # exit hook writes to pipes that are already closed).
        self.close()

    def _result(self, document: Document, executor: ProcessPoolExecutor, future: Future[Outcome]) -> Outcome:
        try:
            return future.result()
        except BrokenProcessPool:
            # A worker died (out of memory, a crash in a C library): this document is recorded and a
            # fresh pool takes the rest; documents already queued on the dead pool fail the same way.
            self.renew(executor)
            return run_one(document.failed("extract", WORKER_DIED), self.config)
