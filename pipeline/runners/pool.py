"""Worker processes for per-document work: each runs `run_one` with the run's Config, handed over once
when the worker starts; results come back in input order with a bounded number in flight."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from pipeline.document import Document, Outcome
from pipeline.process import Config, over_time, run_one, warm_up

# Documents in flight per worker: enough to keep every worker busy, few enough that memory stays flat.
IN_FLIGHT_PER_WORKER = 4
WORKER_DIED = "the worker process died while processing this input"
# A worker stuck past its document's time limit (inside a C call, where the limit cannot reach) is
# killed this many seconds after the limit.
KILL_GRACE = 10.0
_PARENT_POLL = 1.0

_config: Config | None = None  # in a worker: the run's Config, set by the initializer


def _initialize(config: Config, parent: int) -> None:
    """Worker initializer: Ctrl-C reaches the whole process group and the parent decides how to stop;
    the worker exits when the parent does, however it ended (SIGKILL included)."""
    global _config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _follow_parent(parent)
    warm_up()
    _config = config


def _follow_parent(parent: int) -> None:
    """Exit this worker as soon as process `parent` is gone. Workers are children of the fork server,
    not of the run, and hold the pipes that would tell the fork server the run ended: without this, a
    killed run leaves its workers, the fork server and the resource tracker behind."""
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        handle = -1  # no pidfd here: poll instead

    def watch() -> None:
        if handle >= 0:
            select.select([handle], [], [])
        else:
            while _alive(parent):
                time.sleep(_PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="newsclean-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
            self.workers, mp_context=context, initializer=_initialize, initargs=(self.config, os.getpid())
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
        """The document's outcome. A worker that died (out of memory, a crash in a C library) breaks its
        pool, and every document queued on it: each is tried once more on a fresh pool, so that only the
        one that kills a worker twice is an error line. A worker stuck past the time limit is killed."""
        limit = self.config.timeout
        for attempt in range(2):
            try:
                return future.result(timeout=limit + KILL_GRACE if limit else None)
            except BrokenProcessPool:
                self.renew(executor)
                if attempt == 0:
                    executor = self.executor
                    future = executor.submit(run_in_worker, document)
            except FutureTimeout:
                _kill_workers(executor)
                self.renew(executor)
                return run_one(document.failed("extract", over_time(limit)), self.config)
        return run_one(document.failed("extract", WORKER_DIED + ", twice"), self.config)


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    # concurrent.futures offers no way to stop one task; its worker processes are in `_processes`.
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, AttributeError):
            process.kill()
