"""The Dask engine: documents in fixed partitions, each partition's outcomes through `run_one` on a Dask
worker into one shard (records, and error lines beside them), a manifest of finished partitions.

A shard is written under a temporary name and renamed when whole, so a partition that a dead worker
left half done is done again from the start and no record is written twice; `--resume` skips the
partitions the manifest lists. Documents travel as references (a path, an archive path and offset):
every worker must see the inputs at the same paths (one machine, or a shared file system).
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.process import Config, run_one, warm_up
from pipeline.runners.stats import RunStats
from pipeline.writers import WRITERS
from pipeline.writers.jsonl import JsonlWriter

PARTITION = 64  # documents per partition: a shard each
IN_FLIGHT_PER_WORKER = 2  # partitions submitted ahead per worker: memory stays flat
MANIFEST = "manifest.json"
SUFFIX = {"jsonl": ".jsonl", "parquet": ".parquet"}


def shard_folder(output: str) -> Path:
    """Where the shards of a run go: the output path without its suffix (output/clean.jsonl ->
    output/clean/)."""
    path = Path(output)
    return path.with_suffix("") if path.suffix in (".jsonl", ".parquet") else path


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


def _warm_up_plugin() -> Any:
    """A Dask worker plugin: `warm_up()` once in each worker process, as the pool's initializer does."""
    from distributed import WorkerPlugin

    class WarmUp(WorkerPlugin):  # type: ignore[misc]
        name = "newsclean-warm-up"

        def setup(self, worker: Any) -> None:
            warm_up()

    return WarmUp()


def run_partition(partition: Partition, config: Config, folder: str, format: str) -> RunStats:
    """Run one partition on a worker and write its shard whole; the statistics go back to the client."""
    base = Path(folder)
    records = base / f"{partition.name}{SUFFIX[format]}"
    errors = base / f"{partition.name}.errors.ndjson"
    hidden_records = base / f".{records.name}.tmp"
    hidden_errors = base / f".{errors.name}.tmp"
    stats = RunStats()
    writer = WRITERS[format](str(hidden_records), False)
    with JsonlWriter(hidden_errors) as error_lines:
        for document in partition.documents:
            outcome = run_one(document, config)
            if outcome.record is not None:
                writer.write(outcome.record)
            elif outcome.error is not None:
                error_lines.write(outcome.error)
            stats.add(outcome)
    writer.close()
    os.replace(hidden_errors, errors)  # errors first: a shard whose records exist is whole
    os.replace(hidden_records, records)
    return stats


class Manifest:
    """`manifest.json` in the shard folder: the format and every finished partition with its counts."""

    def __init__(self, folder: Path, format: str, *, resume: bool) -> None:
        self.path = folder / MANIFEST
        self.format = format
        self.done: dict[str, dict[str, Any]] = {}
        if resume and self.path.exists():
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if loaded.get("format") == format:
                self.done = dict(loaded.get("partitions", {}))

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
        body = {"format": self.format, "partitions": dict(sorted(self.done.items()))}
        hidden = self.path.with_name(f".{MANIFEST}.tmp")
        hidden.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(hidden, self.path)


def run_on_cluster(
    client: Any,
    documents: Iterable[Document],
    config: Config,
    output: str,
    format: str,
    stats: RunStats,
    *,
    resume: bool = False,
    progress: Callable[[RunStats], None] | None = None,
) -> Path:
    """Every partition on the cluster `client` reaches, a bounded number in flight; return the shard
    folder. Without `resume` the folder's earlier shards and manifest are removed first."""
    from distributed import as_completed

    folder = shard_folder(output)
    folder.mkdir(parents=True, exist_ok=True)
    if not resume:
        for old in folder.iterdir():
            if old.name.startswith(("part-", ".part-")) or old.name == MANIFEST:
                old.unlink()
    manifest = Manifest(folder, format, resume=resume)
    manifest.save()
    client.register_plugin(_warm_up_plugin())
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    config_future = client.scatter(config, broadcast=True)
    todo = (p for p in partitions(documents) if not manifest.finished(p))
    running: dict[Any, Partition] = {}
    pending = as_completed()

    def submit_next() -> None:
        for partition in itertools.islice(todo, 1):
            future = client.submit(
                run_partition,
                partition,
                config_future,
                str(folder),
                format,
                key=f"newsclean-{partition.name}",
            )
            running[future] = partition
            pending.add(future)

    for _ in range(workers * IN_FLIGHT_PER_WORKER):
        submit_next()
    for future in pending:
        partition = running.pop(future)
        done: RunStats = future.result()
        stats.merge(done)
        manifest.add(partition, done)
        if progress is not None:
            progress(stats)
        submit_next()
    return folder
