"""What a run may write over: an existing file at an output path is replaced or appended to only when
newsclean wrote it (JSON lines, or Parquet), so that a mistyped `-o` never destroys a page or a file of
the user's."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# How each kind of output starts: a JSON lines file with an object, a Parquet file with its magic.
JSON_LINES = (b"{",)
PARQUET = (b"PAR1",)
_NAMES = {JSON_LINES: "JSON lines", PARQUET: "Parquet", JSON_LINES + PARQUET: "JSON lines or Parquet"}


class OutputRefused(Exception):
    """A file the run would write cannot be written (it is not a newsclean output, or it cannot be
    resumed); `path` names it. A usage error: nothing was written."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(message)
        self.path = str(path)


class RecordUnfit(Exception):
    """A record that the output's format cannot hold (a required value of another type); the record is
    not written and its document is an error line instead."""


def _head(path: str | Path) -> bytes | None:
    """The first bytes of a regular file; None when there is none (absent, a device, a FIFO)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            return handle.read(4)
    except OSError:
        return None


def refuse_foreign(path: str | Path, kinds: tuple[bytes, ...], *, resume: bool = False) -> None:
    """OutputRefused when `path` is a non-empty regular file that starts as none of `kinds`."""
    head = _head(path)
    if not head or head.startswith(kinds):
        return
    if resume:
        raise OutputRefused(path, f"cannot resume: {path} is not a {_NAMES[kinds]} file of newsclean output")
    raise OutputRefused(
        path,
        f"{path} exists and is not a newsclean output ({_NAMES[kinds]}): writing it would destroy it; "
        "move it away or give another -o",
    )


def refuse_special(path: str | Path, what: str) -> None:
    """OutputRefused when `path` exists and is not a regular file (a device, a FIFO, a folder): for
    outputs that are replaced whole, which would put a file in its place."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise OutputRefused(path, f"{what} must be a regular file: {path} is not one")
