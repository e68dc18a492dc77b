"""The Dask engine: documents in fixed partitions, each partition's outcomes through `run_one` on a Dask
worker into one shard (records, and error lines beside them), a manifest of finished partitions.

A shard is written under a temporary name and renamed when whole, so a partition that a dead worker
left half done is done again from the start and no record is written twice; `--resume` skips the
partitions the manifest lists. A partition whose task kills its worker every time (KilledWorker) or
outstays the FailurePolicy (its worker stuck in a C call: restarted) is done again in halves until the
document that does it stands alone, an error line; the client writes that partition's shard from its
pieces' outcomes. Documents travel as references (an absolute path, an archive path and offset): every
worker must see the inputs and the shard folder at the same paths (one machine, or a shared file system).

A run writes only into a shard folder that is empty or holds this engine's files alone (its manifest
carries a marker), never one that holds or is an input, and holds the folder's output lock while it
runs. Its id is in its task keys, so two runs on one cluster never share a task, and in the folder
while it runs, so a task it left behind writes nothing once it has ended. Every wait
on the scheduler is bounded by a `ServicePolicy`: connecting, each check that it still answers while
no partition finishes, and the wait for a first worker; a scheduler lost or silent mid-run ends the
run with `ServiceUnavailable`, the finished shards whole.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import functools
import glob
import itertools
import json
import os
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.document import Document, Outcome
from pipeline.process import Config, run_one, warm_up
from pipeline.readers.files import Identity
from pipeline.runners.failures import FailurePolicy, ServicePolicy, ServiceUnavailable
from pipeline.runners.stats import RunStats
from pipeline.writers import WRITERS, write_outcome
from pipeline.writers.jsonl import JsonlWriter
from pipeline.writers.lock import OutputBusy, OutputLock

PARTITION = 64  # documents per partition: a shard each
IN_FLIGHT_PER_WORKER = 2  # partitions submitted ahead per worker: memory stays flat
MANIFEST = "manifest.json"
# The id of the run that writes the folder now; emptied when it ends. A task of another run writes nothing.
RUN = ".newsclean-run"
# The manifest's mark: a folder whose manifest carries it holds this engine's shards, which a run may
# replace; any other file in the folder is someone else's.
MARKER = "newsclean clean --engine dask"
SUFFIX = {"jsonl": ".jsonl", "parquet": ".parquet"}
SERVICE = "Dask scheduler"
# Seconds between two looks at how long the tasks in flight have run (when documents have a time limit).
WATCH = 1.0
_SHARD = re.compile(r"part-\d{5,}(\.jsonl|\.parquet|\.errors\.ndjson)")
# A shard (or the manifest) being written, under its run's id.
_TEMPORARY = re.compile(
    r"\.part-\d{5,}\.[0-9a-f]{32}\.(jsonl|parquet|errors\.ndjson)\.tmp(\.partial)?|\.manifest\.json\.tmp"
)


class ShardFolderError(Exception):
    """The shard folder is not this run's to write (it holds inputs or other files, or another run
    holds it): a usage error, raised before anything in it is touched."""


class PartitionFailed(Exception):
    """A partition's task raised on the cluster (a shard it could not write, say)."""


def shard_folder(output: str) -> Path:
    """Where the shards of a run go, as an absolute path: the output path without its suffix
    (output/clean.jsonl -> output/clean/)."""
    path = Path(os.path.abspath(output))
    return path.with_suffix("") if path.suffix in (".jsonl", ".parquet") else path


def check_address(address: str) -> None:
    """ValueError unless `address` is a scheduler address distributed can connect to (known scheme)."""
    from distributed.comm.addressing import parse_address
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    backend = get_backend(scheme)
    if not location:
        raise ValueError("no host in the address")
    with contextlib.suppress(NotImplementedError):  # a transport without host and port (inproc)
        backend.get_address_host_port(location)


@dataclass(frozen=True)
class Partition:
    number: int
    documents: tuple[Document, ...]

    @property
    def name(self) -> str:
        return f"part-{self.number:05d}"


def partitions(documents: Iterable[Document], size: int = PARTITION) -> Iterator[Partition]:
    """Consecutive runs of `size` documents, numbered from 0: the same inputs give the same partitions."""
    iterator = iter(documents)
    for number in itertools.count():
        chunk = tuple(itertools.islice(iterator, size))
        if not chunk:
            return
        yield Partition(number, chunk)


def anchored(document: Document) -> Document:
    """The document with the path its bytes are read from made absolute (its `source` stays as the
    arguments gave it), so that a worker started in another folder reads the same file."""
    origin = document.origin
    path = getattr(origin, "path", None)
    if origin is None or not dataclasses.is_dataclass(origin) or not isinstance(path, str):
        return document
    if os.path.isabs(path):
        return document
    moved = dataclasses.replace(origin, path=os.path.abspath(path))
    return dataclasses.replace(document, origin=moved)


_warm = threading.Lock()
_warmed = False


def _warm_up_once() -> None:
    """`warm_up()` once in each Dask worker process, at its first partition, as the pool's initializer
    does (a partition run in any other process, by a test say, leaves that process as it is)."""
    global _warmed
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        return
    _warm_up_process()


def _warm_up_process() -> None:
    global _warmed
    with _warm:
        if not _warmed:
            warm_up()
            _warmed = True


def _warm_up_plugin() -> Any:
    """A worker plugin that warms each worker up as it joins, before it takes a task: a document's time
    limit then counts none of a fresh worker's start (one restarted after a crash, say), as in the pool."""
    from distributed import WorkerPlugin

    class WarmUp(WorkerPlugin):  # type: ignore[misc]
        name = "newsclean-warm-up"

        async def setup(self, worker: Any) -> None:
            await asyncio.get_running_loop().run_in_executor(None, _warm_up_process)

    return WarmUp()


def _holder(folder: Path) -> str | None:
    """The id of the run that writes the folder now (None: none, or the mark cannot be read)."""
    try:
        return (folder / RUN).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def run_partition(partition: Partition, config: Config, folder: str, format: str, run: str) -> RunStats:
    """Run one partition on a worker and write its shard whole; the statistics go back to the client.
    The shard is written only while run `run` holds the folder: a task left behind by a run that died
    does not replace the shards of the run that came after it."""
    if _holder(Path(folder)) != run:
        raise PartitionFailed(f"{partition.name}: the run no longer holds {folder}")
    _warm_up_once()
    outcomes = (run_one(document, config) for document in partition.documents)
    return write_shard(partition, outcomes, folder, format, run)


def run_piece(documents: tuple[Document, ...], config: Config) -> list[Outcome]:
    """The outcomes of some documents of a partition whose task killed or outstayed its worker, back to
    the client, which writes the partition's shard once every piece is done."""
    _warm_up_once()
    return [run_one(document, config) for document in documents]


def write_shard(
    partition: Partition,
    outcomes: Iterable[Outcome],
    folder: str,
    format: str,
    run: str,
    *,
    hidden: str | None = None,
) -> RunStats:
    """The partition's shard (records, and error lines beside them) written whole from its outcomes,
    under a temporary name first (with `hidden`, 32 hex digits, by default the run's id), and only while
    run `run` holds the folder."""
    base = Path(folder)
    tag = hidden or run
    records = base / f"{partition.name}{SUFFIX[format]}"
    errors = base / f"{partition.name}.errors.ndjson"
    hidden_records = base / f".{partition.name}.{tag}{SUFFIX[format]}.tmp"
    hidden_errors = base / f".{partition.name}.{tag}.errors.ndjson.tmp"
    stats = RunStats()
    try:
        writer = WRITERS[format](str(hidden_records), False)
        with JsonlWriter(hidden_errors) as error_lines:
            for outcome in outcomes:
                stats.add(write_outcome(writer, error_lines, outcome))
        writer.close()
        if _holder(base) != run:
            raise PartitionFailed(f"{partition.name}: the run no longer holds {folder}")
        os.replace(hidden_errors, errors)  # errors first: a shard whose records exist is whole
        os.replace(hidden_records, records)
    finally:
        for left in base.glob(f".{partition.name}.{tag}*"):
            left.unlink(missing_ok=True)
    return stats


class Manifest:
    """`manifest.json` in the shard folder: the marker, the format and every finished partition with
    its counts."""

    def __init__(self, folder: Path, format: str, done: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = folder / MANIFEST
        self.format = format
        self.done: dict[str, dict[str, Any]] = dict(done or {})

    @staticmethod
    def read(folder: Path) -> dict[str, Any] | None:
        """The folder's manifest if this engine wrote it; None if there is none; ShardFolderError if
        the file is someone else's."""
        path = folder / MANIFEST
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, ValueError):
            body = None
        if not isinstance(body, dict) or body.get("written_by") != MARKER:
            raise ShardFolderError(f"{path} was not written by `{MARKER}`: give another -o")
        return body

    def finished(self, partition: Partition) -> bool:
        entry = self.done.get(partition.name)
        return entry is not None and entry.get("first") == partition.documents[0].source

    def add(self, partition: Partition, stats: RunStats) -> None:
        self.done[partition.name] = {
            "documents": len(partition.documents),
            "records": stats.written,
            "first": partition.documents[0].source,
            "last": partition.documents[-1].source,
        }
        self.save()

    def save(self) -> None:
        body = {"written_by": MARKER, "format": self.format, "partitions": dict(sorted(self.done.items()))}
        hidden = self.path.with_name(f".{MANIFEST}.tmp")
        hidden.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(hidden, self.path)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _literal(argument: str) -> str:
    """The part of an argument before its first glob character (the folder a pattern searches)."""
    if not glob.has_magic(argument) or os.path.lexists(argument):
        return argument
    parts = argument.split(os.sep)
    fixed = itertools.takewhile(lambda part: not glob.has_magic(part), parts)
    return os.sep.join(fixed) or os.curdir


class ShardFolder:
    """The folder a run writes its shards to: checked before anything is written, held by one run at a
    time (the output lock every run takes, `.<name>.lock` beside it), and marked with the id of the run
    that writes it now (`.newsclean-run` in it), which every task reads before it writes."""

    def __init__(self, output: str, format: str) -> None:
        self.path = shard_folder(output)
        self.format = format
        self.run = uuid.uuid4().hex  # this run's id: in its task keys, its temporary files, `.newsclean-run`
        self._lock: OutputLock | None = None
        self._marked = False

    def check(self, arguments: Iterable[str]) -> None:
        """ShardFolderError if an argument names the folder or a path in it (the run would replace an
        input), or the folder holds files this engine did not write. (Inputs found by walking a folder
        that holds the shard folder pass it over: see `outside`.)"""
        real = os.path.realpath(self.path)
        for argument in arguments:
            if _within(os.path.realpath(_literal(argument)), real):
                raise ShardFolderError(
                    f"the shard folder {self.path} is or holds the input {argument}: give another -o"
                )
        self._check_contents()

    def _entries(self) -> list[Path]:
        try:
            return sorted(self.path.iterdir())
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            raise ShardFolderError(f"{self.path} is a file, not a shard folder: give another -o") from None
        except OSError as error:
            raise ShardFolderError(f"cannot list the shard folder {self.path}: {error.strerror}") from None

    def _check_contents(self) -> None:
        entries = self._entries()
        if not entries:
            return
        ours = Manifest.read(self.path) is not None
        for entry in entries:
            name = entry.name
            shard = name == MANIFEST or _SHARD.fullmatch(name) or _TEMPORARY.fullmatch(name)
            known = name == RUN or (ours and shard)
            if not known or entry.is_symlink() or not entry.is_file():
                raise ShardFolderError(
                    f"the shard folder {self.path} holds {name}, which `{MARKER}` did not write: "
                    "give another -o (a run never replaces a file it did not write)"
                )

    def lock(self) -> None:
        """Take the folder for this run; ShardFolderError if another run holds it."""
        try:
            self._lock = OutputLock([self.path])
        except OutputBusy as error:
            raise ShardFolderError(str(error)) from None
        except OSError as error:
            raise ShardFolderError(f"cannot use the shard folder {self.path}: {error.strerror}") from None
        try:
            self._check_contents()  # again, now that no other run can change it
        except BaseException:
            self.unlock()
            raise

    def identities(self) -> set[Identity]:
        """(device, inode) of the lock file: never an input of the run."""
        return set() if self._lock is None else self._lock.identities()

    def outside(self, documents: Iterable[Document]) -> Iterator[Document]:
        """The documents that are not files of this folder (an earlier run's shards, found by walking
        a folder that holds it)."""
        real = os.path.realpath(self.path)

        @functools.lru_cache(maxsize=1024)
        def inside(parent: str) -> bool:
            return _within(os.path.realpath(parent or os.curdir), real)

        return (document for document in documents if not inside(os.path.dirname(document.source)))

    def unlock(self) -> None:
        """Let the folder go. Its run mark is emptied first: a task of this run still running on the
        cluster (the run stopped by Ctrl-C, say) then writes no shard the manifest does not list."""
        if self._marked:
            with contextlib.suppress(OSError):
                (self.path / RUN).write_bytes(b"")
            self._marked = False
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def start(self, *, resume: bool) -> Manifest:
        """The manifest this run goes on from: the folder's with `resume` (its shards not listed in it
        removed), else a new one (every earlier shard removed). Called with the lock held."""
        assert self._lock is not None, "the shard folder is locked first"
        done: dict[str, dict[str, Any]] = {}
        if resume:
            earlier = Manifest.read(self.path)
            if earlier is not None:
                if earlier.get("format") != self.format:
                    raise ShardFolderError(
                        f"the shards in {self.path} are {earlier.get('format')}: resume with "
                        f"--format {earlier.get('format')}"
                    )
                done = dict(earlier.get("partitions", {}))
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / RUN).write_text(self.run, encoding="ascii")
        self._marked = True
        for entry in self._entries():
            name = entry.name
            shard = _SHARD.fullmatch(name)
            if _TEMPORARY.fullmatch(name) or (shard and name.split(".")[0] not in done):
                entry.unlink(missing_ok=True)
        manifest = Manifest(self.path, self.format, done)
        manifest.save()
        return manifest

    def __enter__(self) -> ShardFolder:
        self.lock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unlock()


async def _started(client: Any, timeout: float) -> Any:
    """`await client` (its connection to the scheduler), given up after `timeout` seconds."""

    async def connected() -> Any:
        return await client

    try:
        return await asyncio.wait_for(connected(), timeout)
    except TimeoutError:
        raise TimeoutError(f"no answer in {timeout:g} s") from None


class Connection:
    """A client of the scheduler at `address`, connected within the policy's bounds.

    distributed's `Client(timeout=...)` bounds the TCP connection but not the handshake after it: a
    server that accepts and never answers holds it for ever. So the client is started on an event loop
    of its own, where its start can be given up after `policy.timeout` seconds and tried again; used
    from this thread, it then works as a synchronous client."""

    def __init__(self, address: str, policy: ServicePolicy) -> None:
        self.address = address
        self.policy = policy
        self.client: Any = None
        self._runner: Any = None

    def _connect(self) -> Any:
        from distributed import Client
        from distributed.utils import LoopRunner, sync

        runner = LoopRunner(asynchronous=False)
        runner.start()
        timeout = self.policy.timeout

        made: list[Any] = []

        async def start() -> Any:
            made.append(Client(self.address, asynchronous=True, timeout=timeout, set_as_default=False))
            return await _started(made[0], timeout)

        try:
            client = sync(runner.loop, start, callback_timeout=2 * timeout)
        except BaseException:
            for half_started in made:  # closed from this thread, so that it lets go of the loop
                with contextlib.suppress(Exception):
                    half_started.close(timeout=timeout)
            runner.stop()
            raise
        self._runner = runner
        return client

    def __enter__(self) -> Any:
        self.client = self.policy.call(self._connect, self.address)
        return self.client

    def __exit__(self, *exc: object) -> None:
        try:
            if self.client is not None:
                self.client.close(timeout=self.policy.timeout)
        except (OSError, TimeoutError):
            pass  # the scheduler is gone: nothing left to close there
        finally:
            if self._runner is not None:
                self._runner.stop()


@dataclass(frozen=True)
class _Piece:
    """Documents `start` to `stop` of a partition whose task killed or outstayed its worker, done again on
    their own; `tries`: of a lone document, the tries so far, its partition's task counted as the first."""

    partition: Partition
    start: int
    stop: int
    tries: int = 1

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.partition.documents[self.start : self.stop]

    def halves(self) -> list[_Piece]:
        middle = (self.start + self.stop) // 2
        return [_Piece(self.partition, self.start, middle), _Piece(self.partition, middle, self.stop)]


@dataclass(eq=False)
class _Task:
    """A task in flight: a whole partition (`piece` None) or a piece of one; where and since when it runs,
    once the scheduler says so."""

    future: Any
    partition: Partition
    piece: _Piece | None = None
    worker: str | None = None
    started: float | None = None

    @property
    def documents(self) -> int:
        return len(self.partition.documents if self.piece is None else self.piece.documents)


_KILLED = "killed"  # a task that Dask gave up on: its worker died every time it ran it (KilledWorker)


def executing(keys: list[str], dask_scheduler: Any = None) -> dict[str, tuple[str, float]]:
    """Run on the scheduler (`Client.run_on_scheduler`): for each of the keys that a worker is executing,
    that worker's address and the seconds the task has run, as the workers' heartbeats tell."""
    found = {}
    for key in keys:
        task = dask_scheduler.tasks.get(key)
        worker = None if task is None else task.processing_on
        if worker is not None and task in worker.executing:
            found[key] = (worker.address, float(worker.executing[task]))
    return found


@dataclass
class _Run:
    """One run's submissions and the bounded wait for them.

    A task that Dask gives up on because its worker died each time it ran it (KilledWorker), or that runs
    longer than the failure policy allows (`timeout` x its documents + `kill_grace`: a worker stuck in a
    C call, its task cancelled and its worker restarted), is done again in halves, one piece at a time,
    until the document that caused it stands alone: that one is an `extract` error line, the others give
    their outcomes to the client, which writes the partition's shard whole once every piece is done."""

    client: Any
    address: str
    policy: ServicePolicy
    folder: ShardFolder
    manifest: Manifest
    failures: FailurePolicy = dataclasses.field(default_factory=FailurePolicy)
    config: Any = None
    workers: int = 0
    checked: float = 0.0
    watched: float = 0.0
    no_worker_since: float | None = None
    running: dict[str, _Task] = dataclasses.field(default_factory=dict)
    finished: queue.Queue[Any] = dataclasses.field(default_factory=queue.Queue)
    # Pieces waiting to run, and the outcomes so far of each partition done again in pieces.
    suspects: collections.deque[_Piece] = dataclasses.field(default_factory=collections.deque)
    recovered: dict[int, list[Outcome | None]] = dataclasses.field(default_factory=dict)
    pieces: Iterator[int] = dataclasses.field(default_factory=itertools.count)
    settings: Config = dataclasses.field(default_factory=Config)
    published: list[tuple[Partition, RunStats]] = dataclasses.field(default_factory=list)

    def key(self, name: str) -> str:
        return f"newsclean-{self.folder.run}-{name}"

    def submit(self, partition: Partition) -> None:
        future = self.client.submit(
            run_partition,
            partition,
            self.config,
            str(self.folder.path),
            self.folder.format,
            self.folder.run,
            key=self.key(partition.name),
            pure=False,
        )
        self.running[future.key] = _Task(future, partition)
        future.add_done_callback(self.finished.put)

    def submit_piece(self, piece: _Piece) -> None:
        """A piece under a key of its own (a key is never used twice: a task Dask gave up on stays so)."""
        name = f"{piece.partition.name}-{piece.start}-{piece.stop}-try{next(self.pieces)}"
        future = self.client.submit(run_piece, piece.documents, self.config, key=self.key(name), pure=False)
        self.running[future.key] = _Task(future, piece.partition, piece)
        future.add_done_callback(self.finished.put)

    def fill(self, todo: Iterator[Partition]) -> None:
        """Submit partitions until each worker has its share in flight (at least one partition). The
        pieces of partitions done again go one at a time, as the process pool does them: a worker that
        dies then holds no other piece, so that only the document that kills it is charged."""
        if self.suspects and not any(task.piece is not None for task in self.running.values()):
            self.submit_piece(self.suspects.popleft())
        while len(self.running) < max(1, self.workers) * IN_FLIGHT_PER_WORKER:
            partition = next(todo, None)
            if partition is None:
                return
            self.submit(partition)

    @property
    def busy(self) -> bool:
        return bool(self.running or self.suspects)

    def warm_workers(self) -> None:
        """Have every worker warmed up as it joins (`_warm_up_plugin`). The plugin stays with the
        scheduler: a call that waited past the policy's time for the workers there now to warm up is
        answered at once when tried again."""
        from distributed.protocol.pickle import dumps

        plugin = _warm_up_plugin()

        def register() -> Any:
            return self.client.sync(
                self.client.scheduler.register_worker_plugin,
                plugin=dumps(plugin),
                name=plugin.name,
                idempotent=True,
                callback_timeout=self.policy.timeout,
            )

        self.policy.call(register, self.address)

    def check(self) -> None:
        """Ask the scheduler whether it still answers and how many workers it has; ServiceUnavailable
        when it does not answer within the policy, or has had no worker for the policy's budget."""

        def identity() -> Any:
            return self.client.sync(self.client.scheduler.identity, callback_timeout=self.policy.timeout)

        found = self.policy.call(identity, self.address)
        self.checked = time.monotonic()
        self.workers = len(found.get("workers", {}))
        if self.workers:
            self.no_worker_since = None
        elif self.no_worker_since is None:
            self.no_worker_since = time.monotonic()
        elif time.monotonic() - self.no_worker_since > self.policy.budget:
            reason = f"no worker has joined it in {self.policy.budget:g} s"
            raise ServiceUnavailable(SERVICE, self.address, reason)

    @property
    def tick(self) -> float:
        """How long one wait for a finished task lasts: the tasks' time limits are watched meanwhile."""
        if self.failures.wait is None:
            return self.policy.timeout
        return min(self.policy.timeout, WATCH)

    def next_done(self) -> list[tuple[Partition, RunStats]]:
        """The partitions whose shards were written in this wait, with their statistics (none when no
        task finished: the scheduler was asked whether it still answers, the tasks' time limits watched)."""
        try:
            future = self.finished.get(timeout=self.tick)
        except queue.Empty:
            if time.monotonic() - self.checked >= self.policy.timeout:
                self.check()
            self.watch()
            return self.take_published()
        task = self.running.get(future.key)
        if task is not None and task.future is future:  # else given up on: its pieces are on their way
            del self.running[future.key]
            done = self.outcome(task)
            if isinstance(done, RunStats):
                self.published.append((task.partition, done))
            elif done == _KILLED:
                self.give_up(task, stuck=False)
            else:
                assert task.piece is not None
                self.piece_done(task.piece, done)
        if time.monotonic() - self.checked > self.policy.timeout:
            self.check()  # now and then while results come in: workers may have joined or left
        if time.monotonic() - self.watched > self.tick:
            self.watch()
        return self.take_published()

    def take_published(self) -> list[tuple[Partition, RunStats]]:
        published, self.published = self.published, []
        return published

    def watch(self) -> None:
        """Give up on each task that has run longer than the failure policy allows: cancelled, its worker
        restarted (a worker stuck in a C call ignores everything else), its partition done in pieces."""
        self.watched = time.monotonic()
        if self.failures.timeout is None or self.failures.wait is None or not self.running:
            return

        def ask() -> dict[str, tuple[str, float]]:
            return self.client.run_on_scheduler(  # type: ignore[no-any-return]
                executing, list(self.running), callback_timeout=self.policy.timeout
            )

        found = self.policy.call(ask, self.address)
        now = time.monotonic()
        for key, task in list(self.running.items()):
            where = found.get(key)
            if where is None or where[0] != task.worker:
                # Not running (yet, or again on another worker after its own died): its clock restarts.
                task.worker, task.started = (None, None) if where is None else (where[0], now - where[1])
            if task.started is None or task.future.done():
                continue
            limit = self.failures.timeout * task.documents + self.failures.kill_grace
            if now - task.started > limit:
                del self.running[key]
                self.stop(task)
                self.give_up(task, stuck=True)

    def stop(self, task: _Task) -> None:
        """Cancel a task that outstayed its time and restart the worker that runs it (which ends the C
        call it is stuck in; a worker without a nanny is closed)."""
        with contextlib.suppress(OSError, TimeoutError):  # the scheduler gone: the next check says so
            self.client.cancel([task.future], reason="newsclean: over its time limit")
        if task.worker is not None:
            with contextlib.suppress(OSError, TimeoutError):
                self.client.restart_workers([task.worker], timeout=self.policy.timeout, raise_for_error=False)

    def give_up(self, task: _Task, *, stuck: bool) -> None:
        """Its partition done again in pieces: a piece of several documents in halves; a lone document
        that outstayed its time is an error line, one whose worker died is tried again within the
        policy's attempts, then an error line."""
        piece = task.piece
        if piece is None:
            size = len(task.partition.documents)
            self.recovered[task.partition.number] = [None] * size
            piece = _Piece(task.partition, 0, size)
            if size == 1 and not stuck:  # it ran alone already, but counts as the batch it came in
                self.suspects.appendleft(piece)
                return
        if piece.stop - piece.start > 1:
            self.suspects.extendleft(reversed(piece.halves()))
            return
        document = piece.documents[0]
        if stuck:
            failed = self.failures.timed_out(document)
        elif self.failures.retry(piece.tries + 1):
            self.suspects.appendleft(dataclasses.replace(piece, tries=piece.tries + 1))
            return
        else:
            failed = self.failures.died(document)
        self.piece_done(piece, [run_one(failed, self.settings)])

    def piece_done(self, piece: _Piece, outcomes: list[Outcome]) -> None:
        """The piece's outcomes in their places; the partition's shard written here once every piece of
        it is done (in the partition's order, as its own task would have written it)."""
        slots = self.recovered[piece.partition.number]
        slots[piece.start : piece.stop] = outcomes
        if any(outcome is None for outcome in slots):
            return
        del self.recovered[piece.partition.number]
        whole = [outcome for outcome in slots if outcome is not None]
        folder, form, run = str(self.folder.path), self.folder.format, self.folder.run
        # Under temporary names of its own: not those of the partition's task, which may yet wake up.
        stats = write_shard(piece.partition, whole, folder, form, run, hidden=uuid.uuid4().hex)
        for left in self.folder.path.glob(f".{piece.partition.name}.{run}*"):  # what the task left
            left.unlink(missing_ok=True)
        self.published.append((piece.partition, stats))

    def cancelled(self, future: Any, partition: Partition) -> None:
        """Raise what a cancelled partition means: the scheduler lost (ServiceUnavailable), or the
        run's configuration task failed on the cluster, or another reason Dask gives (PartitionFailed)."""
        reason = _cancel_reason(future, self.policy.timeout)
        if reason == "scheduler-connection-lost":
            lost = "the connection to it was lost mid-run, its tasks cancelled"
            raise ServiceUnavailable(SERVICE, self.address, lost)
        if self.config is not None and self.config.status == "error":
            error = self.config.exception(timeout=self.policy.timeout)
            raise PartitionFailed(
                f"the run's configuration could not be loaded on the cluster: {_one_line(error)}"
            )
        raise PartitionFailed(f"{partition.name}: Dask cancelled its task ({reason})")

    def outcome(self, task: _Task) -> Any:
        """A finished task's result (a partition's statistics, a piece's outcomes), or _KILLED when Dask
        gave up on it because its worker died each time. A result lost with its worker before it was
        fetched is computed again by Dask: waited for, the scheduler asked after each `policy.timeout`."""
        from distributed import KilledWorker

        future, partition = task.future, task.partition
        failures = 0
        while True:
            if future.status == "cancelled":
                self.cancelled(future, partition)
            if future.status == "error":
                error = future.exception(timeout=self.policy.timeout)
                if isinstance(error, KilledWorker) and error.task == future.key:
                    return _KILLED
                raise PartitionFailed(f"{partition.name}: {_one_line(error)}")
            try:
                return future.result(timeout=self.policy.timeout)
            except (TimeoutError, CancelledError, asyncio.CancelledError):
                pass  # cancelled or failed meanwhile (seen above), or not computed yet: ask the scheduler
            except KilledWorker:
                pass  # seen above
            except OSError as error:  # the result could not be fetched
                failures += 1
                if failures == self.policy.attempts:
                    reason = f"the result of {partition.name} could not be fetched: {error}"
                    raise ServiceUnavailable(SERVICE, self.address, reason) from error
            if future.status not in ("cancelled", "error"):
                self.check()


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


def _cancel_reason(future: Any, timeout: float) -> str:
    """Why Dask cancelled a future (`scheduler-connection-lost`, `lost dependencies`, ...)."""
    try:
        future.result(timeout=timeout)  # raises at once
    except (CancelledError, asyncio.CancelledError) as error:
        return str(getattr(error, "reason", "unknown"))
    except Exception:
        pass
    return "unknown"


def _config_value(config: Config) -> Config:
    return config


def run_on_cluster(
    client: Any,
    documents: Iterable[Document],
    config: Config,
    folder: ShardFolder,
    stats: RunStats,
    *,
    address: str,
    policy: ServicePolicy,
    failures: FailurePolicy | None = None,
    resume: bool = False,
    progress: Callable[[RunStats], None] | None = None,
) -> None:
    """Every partition on the cluster `client` reaches, a bounded number in flight, into `folder`
    (locked by the caller). Without `resume` the folder's earlier shards and manifest are removed first.
    A document that kills its worker, or outstays its time in one, is an error line of its partition's
    shard (`failures`, by default the policy of `config.timeout`). ServiceUnavailable when the scheduler
    is lost, stops answering or has no worker within the policy; PartitionFailed when a partition's
    task raised."""
    manifest = folder.start(resume=resume)
    failures = failures or FailurePolicy(timeout=config.timeout)
    run = _Run(client, address, policy, folder, manifest, failures, settings=config)
    run.check()
    run.warm_workers()
    # The config goes to the cluster once, as a task every partition depends on (computed on a
    # worker when one is there: scattering it would need a worker now).
    run.config = client.submit(_config_value, config, key=run.key("config"), pure=False)
    todo = (p for p in partitions(map(anchored, documents)) if not manifest.finished(p))
    run.fill(todo)
    while run.busy:
        for partition, counts in run.next_done():
            stats.merge(counts)
            manifest.add(partition, counts)
            if progress is not None:
                progress(stats)
        run.fill(todo)
