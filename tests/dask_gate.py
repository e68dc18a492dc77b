"""A `dask worker --preload` for the Dask tests: with DASK_GATE=PARTITION:FLAG set, the first worker to
start the task of that partition (part-00001, say) writes its process id to FLAG and stops itself
(SIGSTOP) before running it, so that a test acts on a run whose partition is under way, at a known point
and without racing it. Only one worker stops: FLAG is created exclusively."""

from __future__ import annotations

import os
import signal
from typing import Any

from distributed import WorkerPlugin


class StopAtPartition(WorkerPlugin):  # type: ignore[misc]
    name = "newsclean-test-stop-at-partition"

    def __init__(self, partition: str, flag: str) -> None:
        self.partition = partition
        self.flag = flag

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).endswith(f"-{self.partition}"):
            return
        try:
            handle = os.open(self.flag, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            return  # another worker stopped here already
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        os.kill(os.getpid(), signal.SIGSTOP)


async def dask_setup(worker: Any) -> None:
    gate = os.environ.get("DASK_GATE")
    if gate:
        partition, flag = gate.split(":", 1)
        await worker.plugin_add(StopAtPartition(partition, flag))
