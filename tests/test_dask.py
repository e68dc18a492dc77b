"""`clean --engine dask` on a real Dask cluster on 127.0.0.1: a `dask scheduler` and two `dask worker`
processes started here, compared with a single-process run of the same inputs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.cli import main

from .conftest import ROOT
from .test_cli import ARTICLE, DUMP

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _start_cluster(log: Path) -> Cluster:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    with (log / "scheduler.log").open("wb") as out:
        scheduler = subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    workers = []
    for n in range(2):
        with (log / f"worker{n}.log").open("wb") as out:
            # No nanny: the worker is this very process, so killing it kills the worker.
            command = [*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
            workers.append(
                subprocess.Popen(
                    [*command, "--host", "127.0.0.1", "--name", f"w{n}"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=ROOT,
                )
            )
    cluster = Cluster(address, scheduler, workers)
    from distributed import Client

    try:
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
    except Exception:
        cluster.stop()
        raise
    return cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    started = _start_cluster(tmp_path)
    yield started
    started.stop()


def _inputs(folder: Path, pages: int = 40) -> Path:
    folder.mkdir()
    for n in range(pages):
        (folder / f"p{n:03d}.html").write_text(ARTICLE.format(n=n), encoding="utf-8")
    (folder / "dump.txt").write_text(DUMP, encoding="utf-8")
    (folder / "empty.txt").write_text("")
    with (folder / "crawl.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n in range(90):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            page = BytesIO(ARTICLE.format(n=1000 + n).encode())
            url = f"https://news.example/{n}"
            writer.write_record(writer.create_warc_record(url, "response", payload=page, http_headers=http))
    return folder


def _records(folder: Path, pattern: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted(folder.glob(pattern)):
        found += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return found


def _by_source(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    assert len({r["source"] for r in records}) == len(records), "a record was written twice"
    return {str(r["source"]): r for r in records}


def test_a_dask_cluster_gives_the_same_records_as_one_process(tmp_path: Path, cluster: Cluster) -> None:
    inputs = _inputs(tmp_path / "in")
    single = tmp_path / "single.jsonl"
    assert main(["clean", str(inputs), "-o", str(single), "--workers", "1", "-q"]) == 0
    output = tmp_path / "out" / "clean.jsonl"
    arguments = ["clean", str(inputs), "-o", str(output), "--engine", "dask", "--scheduler", cluster.address]
    assert main([*arguments, "-q"]) == 0
    shards = tmp_path / "out" / "clean"
    assert _by_source(_records(shards, "part-*.jsonl")) == _by_source(_records(single.parent, "single.jsonl"))
    errors = _records(shards, "part-*.errors.ndjson")
    assert [(e["source"], e["stage"]) for e in errors] == [(str(inputs / "empty.txt"), "empty")]
    manifest = json.loads((shards / "manifest.json").read_text(encoding="utf-8"))
    assert sum(p["records"] for p in manifest["partitions"].values()) == 131


def test_resume_skips_the_finished_partitions(tmp_path: Path, cluster: Cluster) -> None:
    inputs = _inputs(tmp_path / "in")
    output = tmp_path / "out" / "clean.parquet"
    arguments = [
        "clean",
        str(inputs),
        "-o",
        str(output),
        "--engine",
        "dask",
        "--scheduler",
        cluster.address,
        "-q",
    ]
    assert main(arguments) == 0
    shards = sorted((tmp_path / "out" / "clean").glob("part-*.parquet"))
    assert len(shards) == 3  # 133 documents, 64 a partition
    first = shards[0].stat().st_mtime_ns
    shards[-1].unlink()  # as if the run had been stopped before the last partition
    manifest = tmp_path / "out" / "clean" / "manifest.json"
    body = json.loads(manifest.read_text(encoding="utf-8"))
    del body["partitions"]["part-00002"]
    manifest.write_text(json.dumps(body), encoding="utf-8")
    assert main([*arguments, "--resume"]) == 0
    assert shards[-1].exists() and shards[0].stat().st_mtime_ns == first


def test_a_worker_killed_mid_run_leaves_every_record_once(tmp_path: Path, cluster: Cluster) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    body = "".join(f"<p>Paragraph {i} of a long report on the floods and the towns.</p>" for i in range(200))
    for n in range(400):
        page = ARTICLE.format(n=n).replace("</article>", body + "</article>")
        (inputs / f"p{n:03d}.html").write_text(page, encoding="utf-8")
    output = tmp_path / "out" / "clean.jsonl"
    command = [sys.executable, "-m", "pipeline", "clean", str(inputs), "-o", str(output), "-q"]
    run = subprocess.Popen(
        [*command, "--engine", "dask", "--scheduler", cluster.address],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    shards = tmp_path / "out" / "clean"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(shards.glob("part-*.jsonl")):
        time.sleep(0.05)
    assert list(shards.glob("part-*.jsonl")), "no shard in two minutes"
    cluster.workers[0].send_signal(signal.SIGKILL)
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err.decode()
    records = _by_source(_records(shards, "part-*.jsonl"))
    assert sorted(records) == sorted(str(path) for path in inputs.iterdir())
