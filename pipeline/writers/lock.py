"""One run at a time per output: an exclusive lock (flock) on `.<name>.lock` beside each file a run
writes, held for the run and released by the system however the run ends (SIGKILL included)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from pipeline.readers.files import Identity

# Tries to take a lock whose file another run removed between our open and our flock; each such race
# needs another run to end at that moment, so a few tries always suffice.
_RACES = 20


class OutputBusy(Exception):
    """Another run holds the lock of a file this run would write."""


def lock_path(path: str | Path) -> Path:
    """`.<name>.lock` beside the file `path` leads to (beside a symbolic link's target)."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.lock")


class OutputLock:
    """The locks of the files a run writes (`paths`), taken in order or none: OutputBusy names the
    first file another run holds. Each lock file is removed when its lock is released. A path that is
    a device or a FIFO (`-o /dev/null`) is not locked: no lock file is put beside it."""

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self._held: list[tuple[Path, int]] = []
        try:
            for path in paths:
                if not _special(path):
                    self._held.append(_acquire(lock_path(path), str(path)))
        except BaseException:
            self.release()
            raise

    def identities(self) -> set[Identity]:
        """(device, inode) of the lock files: never inputs of the run."""
        found = (os.fstat(descriptor) for _, descriptor in self._held)
        return {(status.st_dev, status.st_ino) for status in found}

    def release(self) -> None:
        """Remove the lock files and release the locks (a run waiting on an old lock file then sees
        that it was removed and takes the new one)."""
        while self._held:
            path, descriptor = self._held.pop()
            with contextlib.suppress(OSError):
                if _same_file(path, descriptor):
                    path.unlink()
            os.close(descriptor)

    def __enter__(self) -> OutputLock:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()


def _acquire(lock: Path, written: str) -> tuple[Path, int]:
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(_RACES):
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise OutputBusy(
                    f"another newsclean run is writing {written} (it holds {lock}); wait for it to end "
                    "or give another -o"
                ) from error
            raise
        if _same_file(lock, descriptor):
            return lock, descriptor
        os.close(descriptor)  # removed by the run that held it while we waited for the lock
    raise OutputBusy(f"cannot take the lock {lock}: other runs keep replacing it")


def _special(path: str | Path) -> bool:
    """Whether the path leads to something that is neither a regular file nor a folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _same_file(path: Path, descriptor: int) -> bool:
    try:
        named = os.stat(path)
    except OSError:
        return False
    held = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)
