"""Worker processes for per-document work: each runs `run_one` with the run's Config, handed over once
when the worker starts; results come back in input order with a bounded number in flight. A stuck,
crashed or lost document is handled by the run's FailurePolicy (pipeline.runners.failures)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait as wait_for
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from pipeline.document import Document, Outcome
from pipeline.process import Config, run_one, warm_up
from pipeline.runners.failures import WORKER_DIED, FailurePolicy

# Documents in flight per worker: enough to keep every worker busy, few enough that memory stays flat.
IN_FLIGHT_PER_WORKER = 4
# The longest a new pool may take to start its first worker before documents are waited for: a
# worker's start does not count against a document's time.
STARTUP_LIMIT = 120.0
_PARENT_POLL = 1.0

_config: Config | None = None  # in a worker: the run's Config, set by the initializer


def _initialize(config: Config, parent: int) -> None:
    """Worker initializer: Ctrl-C reaches the whole process group and the parent decides how to stop;
    the worker exits when the parent does, however it ended (SIGKILL included)."""
    global _config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _quiet_stdout()
    _follow_parent(parent)
    warm_up()
    _config = config


def _quiet_stdout() -> None:
    """Send what a worker would print (a library's print, a C library writing to descriptor 1) to
    standard error: the run's standard output may be its records (`-o -`), which only the run writes."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(sys.stderr.fileno(), 1)
    sys.stdout = sys.stderr


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


@dataclass(eq=False)
class _Task:
    """One document in the window: the executor it was submitted to, its future and the tries made."""

    document: Document
    executor: ProcessPoolExecutor
    future: Future[Outcome]
    tries: int = 1

    def settle(self, outcome: Outcome) -> None:
        done: Future[Outcome] = Future()
        done.set_result(outcome)
        self.future = done


def _succeeded(future: Future[Outcome]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class Pool:
    """A process pool for `run_one`; forkserver, not fork: a parent with threads (Scrapy's DNS and
    feed threads) can deadlock a forked child. The fork server imports this module (and so
    trafilatura, lxml and langdetect) once; each worker forked from it starts with them loaded.

    `map` follows `policy` (by default the one of `config.timeout`): a document still running
    `policy.wait` seconds after the run started waiting for it is killed with its pool and is an
    `extract` error line; every other document the pool held is done again on a fresh pool. After a
    worker died, the documents the broken pool held are done again one at a time, so that the one that
    kills its worker is known: it is tried `policy.attempts` times in all, the others are not charged.
    """

    def __init__(self, workers: int, config: Config, policy: FailurePolicy | None = None) -> None:
        self.workers = workers
        self.config = config
        self.policy = policy or FailurePolicy(timeout=config.timeout)
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        executor = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_initialize, initargs=(self.config, os.getpid())
        )
        # Done once a first worker has started: waits for a document are counted from then.
        self._started = executor.submit(int)
        return executor

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
        """One Outcome per document, in input order, each exactly once."""
        window: deque[_Task] = deque()
        try:
            for document in documents:
                window.append(self._submit(document))
                if len(window) >= self.workers * IN_FLIGHT_PER_WORKER:
                    yield self._next(window)
            while window:
                yield self._next(window)
        except BaseException:
            # Ctrl-C, or the consumer stopped early: drop the queued work and do not wait for it.
            self.close(wait=False, cancel=True)
            raise
        # Every future is done: let the workers exit before the interpreter does (an unwaited pool's
        # exit hook writes to pipes that are already closed).
        self.close()

    def _submit(self, document: Document, tries: int = 1) -> _Task:
        """The document submitted to the current executor; on a pool that broke since, a cancelled
        future, so that the document is done again once the break is handled."""
        executor = self.executor
        try:
            future = executor.submit(run_in_worker, document)
        except (BrokenProcessPool, RuntimeError):  # RuntimeError: the executor is shut down
            future = Future()
            future.cancel()
        return _Task(document, executor, future, tries)

    def _next(self, window: deque[_Task]) -> Outcome:
        """The outcome of the oldest document in the window, once it is done or given up on."""
        task = window[0]
        if task.executor is self.executor:
            wait_for([self._started], timeout=STARTUP_LIMIT)
        try:
            outcome = task.future.result(timeout=self.policy.wait)
        except FutureTimeout:
            # Stuck past its time limit in a C call the limit cannot interrupt: only a kill stops it.
            self.policy.kill(task.executor)
            outcome = run_one(self.policy.timed_out(task.document), self.config)
            task.settle(outcome)
            self._recover(window, task.executor, crashed=False)
        except BrokenProcessPool:
            self._recover(window, task.executor, crashed=True)
            outcome = task.future.result()
        except CancelledError:
            # Submitted to a pool that had broken already: it never ran, so it is done again.
            self._recover(window, task.executor, crashed=False)
            return self._next(window)
        window.popleft()
        return outcome

    def _recover(self, window: deque[_Task], broken: ProcessPoolExecutor, *, crashed: bool) -> None:
        """A fresh pool for the documents of the window that `broken` held and did not finish. After a
        kill they are resubmitted; after a crash, those that may have caused it run one at a time."""
        self.renew(broken)
        held = [task for task in window if task.executor is broken and not _succeeded(task.future)]
        for task in held:
            if crashed and not task.future.cancelled():
                self._alone(task)
        for position, task in enumerate(window):
            if task.executor is broken and not _succeeded(task.future):
                window[position] = self._submit(task.document, task.tries)

    def _alone(self, task: _Task) -> None:
        """Run a document whose worker died, with nothing else in flight, until it gives an outcome or
        its tries are spent."""
        while True:
            if not self.policy.retry(task.tries):
                task.settle(run_one(self.policy.died(task.document), self.config))
                return
            task.tries += 1
            executor = self.executor
            wait_for([self._started], timeout=STARTUP_LIMIT)
            future = self._submit(task.document).future
            try:
                task.settle(future.result(timeout=self.policy.wait))
                return
            except FutureTimeout:
                self.policy.kill(executor)
                self.renew(executor)
                task.settle(run_one(self.policy.timed_out(task.document), self.config))
                return
            except (BrokenProcessPool, CancelledError):
                self.renew(executor)


# The crawl's item pipeline imports the message from here.
__all__ = ["IN_FLIGHT_PER_WORKER", "WORKER_DIED", "Pool", "run_in_worker"]
