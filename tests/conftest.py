"""Shared test helpers: where ../shared is, and how to compare paragraph lists."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.document import Document, Outcome
from pipeline.process import Config, run_one
from pipeline.readers import iter_documents

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLD_DIR = Path(__file__).resolve().parent / "gold"

# The suite runs strict: an exception raised by newsclean's own code is a traceback, not an error line
# (pipeline.document.strict). Set here, at import, so that every CLI run a test starts inherits it.
os.environ.setdefault("NEWSCLEAN_STRICT", "1")
# A pool starts for runs of any size, so that the suite's small runs with --workers 2 test the pool (by
# default a run of fewer than 8 documents a worker stays in one process: tests/test_filters.py).
os.environ.setdefault("NEWSCLEAN_POOL_MINIMUM", "0")


def shared_dir(*parts: str) -> Path:
    """A folder under ../shared, or skip the test saying why."""
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the shared seeds and benchmarks are not beside this checkout")
    return path


def paragraphs(text: str) -> list[str]:
    """Non-empty lines: the paragraphs of a gold file, a dump or a record's text."""
    return [line for line in text.split("\n") if line.strip()]


def document_of(path: Path | str) -> Document:
    """The one document a file holds, as `newsclean clean` reads it."""
    (document,) = iter_documents([str(path)])
    return document


def outcome_of(path: Path | str, config: Config | None = None) -> Outcome:
    """What `newsclean clean` gives for one file."""
    return run_one(document_of(path), config or Config())


def interruptible() -> None:
    """`preexec_fn` of a process a test interrupts: Ctrl-C at its default, as a terminal starts a command.
    A test runner started in the background inherits SIGINT ignored and passes that on, and Python then
    installs no KeyboardInterrupt handler (nor Scrapy its shutdown handler): the signal would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until_written(path: Path, seconds: float = 60) -> None:
    """Return once the file holds something (a first record of a run under way), or after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (path.exists() and path.stat().st_size):
        time.sleep(0.05)


def press_ctrl_c(process: subprocess.Popen[str], seconds: float = 60) -> str:
    """Ctrl-C as a terminal sends it, to the process's whole group (workers included), then its stderr
    once it has stopped; a process still running after `seconds` is killed and the test fails."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        _, log = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the crawl did not stop after Ctrl-C")
    return log
