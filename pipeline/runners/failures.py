"""One failure policy: what a stuck, crashed or lost document, worker or service does to a run.

Every runner asks this module, so that the process pool, the Dask engine and the crawl's item pipeline
decide alike:

- A document that takes longer than `FailurePolicy.timeout` is an `extract` error line; a worker still
  busy with it `kill_grace` seconds later is killed (a C call that the time limit inside the worker
  cannot interrupt) by `FailurePolicy.kill`, with the other workers of its process pool.
- A document whose worker died, or whose task was lost with its pool or cluster (cancelled with the work
  queued on a broken pool), is tried again on a fresh worker, `attempts` times in all; then it is an
  `extract` error line. Only the document that kills its worker every time is lost, never its neighbours.
- A service the run depends on (Redis, a Dask scheduler) is waited for with a time limit per call and a
  budget of attempts (`ServicePolicy`); when the budget is spent the run stops with one
  `ServiceUnavailable` line naming the service and its address, password masked, and exit status 1.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from pipeline.document import Document, Stage
from pipeline.process import DEFAULT_TIMEOUT, over_time

T = TypeVar("T")

WORKER_DIED = "the worker process died while processing this input"
LOST = "its task was lost with the worker pool or the cluster"

# A run that stops because a service it depends on gave out exits with this status.
SERVICE_EXIT = 1


@dataclass(frozen=True)
class FailurePolicy:
    """What the runners do when a document's work does not come back."""

    # Seconds one document may take (None: no limit); the runners' wait is longer by `kill_grace`.
    timeout: float | None = DEFAULT_TIMEOUT
    kill_grace: float = 10.0
    # Tries of a document whose worker died or whose task was lost, the first included.
    attempts: int = 2

    @property
    def wait(self) -> float | None:
        """How long a runner waits for one document's result before it kills the worker."""
        return None if self.timeout is None else self.timeout + self.kill_grace

    def timed_out(self, document: Document) -> Document:
        """The document as its error line: it took longer than the limit."""
        return document.failed(Stage.EXTRACT, over_time(self.timeout))

    def kill(self, executor: ProcessPoolExecutor) -> None:
        """Kill the worker processes of a pool whose document is past its wait: the pool breaks, and the
        runner replaces it and tries its other documents again."""
        # concurrent.futures offers no way to stop one task; its worker processes are in `_processes`.
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            with contextlib.suppress(OSError, AttributeError):
                process.kill()

    def retry(self, attempt: int) -> bool:
        """Whether a document whose try number `attempt` (from 1) died or was lost gets another."""
        return attempt < self.attempts

    def died(self, document: Document, *, lost: bool = False) -> Document:
        """The document as its error line once its tries are spent."""
        reason = LOST if lost else WORKER_DIED
        times = {1: "once", 2: "twice"}.get(self.attempts, f"{self.attempts} times")
        return document.failed(Stage.EXTRACT, f"{reason}, {times}")


_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:)(?P<secret>[^/@\s]+)(?P<at>@)")


def mask_secrets(text: str) -> str:
    """The text with the password of every URL in it masked (`redis://:***@host:6379/0`); for every log
    line, error line and progress line that may show a service's address."""
    return _PASSWORD.sub(lambda m: f"{m['head']}***{m['at']}", text)


class ServiceUnavailable(Exception):
    """A service the run depends on did not answer within its budget; the message names the service and
    its address (password masked)."""

    def __init__(self, service: str, address: str, reason: str) -> None:
        self.service = service
        self.address = mask_secrets(address)
        self.reason = mask_secrets(reason)
        super().__init__(f"{service} at {self.address} is unavailable: {self.reason}")


@dataclass(frozen=True)
class ServicePolicy:
    """A bounded wait on one service: `timeout` seconds per call (the caller passes it to its client),
    `attempts` calls in all, `backoff` seconds before the second, doubling after, `max_backoff` at most."""

    service: str
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 5.0

    @property
    def budget(self) -> float:
        """The longest the policy waits in all, calls and pauses together."""
        pauses = sum(min(self.backoff * 2.0**n, self.max_backoff) for n in range(self.attempts - 1))
        return self.attempts * self.timeout + pauses

    def call(
        self,
        operation: Callable[[], T],
        address: str,
        *,
        retry_on: tuple[type[BaseException], ...] = (OSError, TimeoutError),
        sleep: Callable[[float], None] = time.sleep,
    ) -> T:
        """`operation()`, tried again after each error of the `retry_on` types until the attempts are
        spent; then ServiceUnavailable. Other errors pass through at once."""
        pause = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return operation()
            except retry_on as error:
                if attempt == self.attempts:
                    reason = f"{type(error).__name__}: {error} ({self.attempts} attempts)"
                    raise ServiceUnavailable(self.service, address, reason) from error
            sleep(min(pause, self.max_backoff))
            pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover


__all__ = [
    "LOST",
    "SERVICE_EXIT",
    "WORKER_DIED",
    "FailurePolicy",
    "ServicePolicy",
    "ServiceUnavailable",
    "mask_secrets",
]
