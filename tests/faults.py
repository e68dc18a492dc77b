"""Faults to inject into a run: document origins that hang their worker inside a C call, or kill it.

They are classes of an importable module, so that a process pool's workers can unpickle them; each is
meant for a worker process and must never be loaded in the test's own process.
"""

from __future__ import annotations

import os
import select
import signal
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Stuck:
    """A page stuck where the time limit cannot reach: SIGALRM blocked, then a wait in select() with
    nothing to wait for. Only a kill ends it."""

    def load(self, max_bytes: int) -> bytes:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        select.select([], [], [])
        raise AssertionError("select() with nothing to wait for returned")


@dataclass(frozen=True)
class Crash:
    """A page that kills its worker every time (a crash in a C library, the out-of-memory killer)."""

    def load(self, max_bytes: int) -> bytes:
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("the worker outlived SIGKILL")


@dataclass(frozen=True)
class CrashOnce:
    """A page that kills its worker the first time only (`marker` records that it did), then gives
    `content`."""

    marker: str
    content: bytes

    def load(self, max_bytes: int) -> bytes:
        marker = Path(self.marker)
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return self.content


@dataclass(frozen=True)
class Chatty:
    """A page whose reading prints to standard output (a library's stray print; with `raw`, a C library
    writing to descriptor 1 too, which only a worker process may do), then gives `content`."""

    content: bytes
    raw: bool = False

    def load(self, max_bytes: int) -> bytes:
        print("chatter", end="", flush=True)
        if self.raw:
            os.write(1, b"raw chatter")
        return self.content
