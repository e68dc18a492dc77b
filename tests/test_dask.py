"""`clean --engine dask` on a real Dask cluster on 127.0.0.1: a `dask scheduler` and `dask worker`
processes started here, compared with a single-process run of the same inputs; and what a run does when
the cluster, the scheduler's address or the shard folder is not what it should be.

A test that must act while a partition is under way starts its workers with tests/dask_gate.py, which
stops the worker that starts that partition (SIGSTOP) and tells the test: no sleep races the run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.cli import clean as clean_command
from pipeline.cli import main
from pipeline.document import Document
from pipeline.process import Config
from pipeline.runners.dask import (
    RUN,
    SERVICE,
    Partition,
    PartitionFailed,
    ShardFolder,
    run_on_cluster,
    run_partition,
)
from pipeline.runners.failures import SERVICE_EXIT, FailurePolicy, ServicePolicy
from pipeline.runners.stats import RunStats

from .conftest import ROOT, document_of
from .faults import Crash, CrashOnce, Stuck
from .test_cli import ARTICLE, DUMP
from .test_templates import check_mixed, mixed_inputs

pytestmark = pytest.mark.slow

GATE = Path(__file__).with_name("dask_gate.py")
RECORDS = 131  # of _inputs(): 40 pages, the dump and 90 archive records; empty.txt is an error line


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """Return once `condition()` holds; fail the test if it does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:g} s")
        time.sleep(0.05)


@dataclass
class Cluster:
    address: str
    log: Path
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_workers(self, count: int, gate: str | None = None, *, nanny: bool = False) -> None:
        """Start `count` worker processes (no nanny: killing one kills the worker; with `nanny`, a
        process that restarts its worker when it dies), in the repository's folder: not the folder the
        tests run the client in."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "dask", "worker", self.address, "--nthreads", "1"]
        command.append("--nanny" if nanny else "--no-nanny")
        command += ["--no-dashboard", "--host", "127.0.0.1"]
        if gate is not None:
            env["DASK_GATE"] = gate
            command += ["--preload", str(GATE)]
        for _ in range(count):
            name = f"w{len(self.workers)}"
            with (self.log / f"{name}.log").open("wb") as out:
                process = subprocess.Popen(
                    [*command, "--name", name], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env
                )
            self.workers.append(process)

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="60s", set_as_default=False) as client:  # the scheduler is up
            if count:
                client.wait_for_workers(count, timeout=120)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                # A worker the gate stopped is killed: let go, it would run the partition it holds.
                process.kill() if _state(process.pid) == "T" else process.terminate()
        for process in [*self.workers, self.scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def _start_cluster(
    log: Path, workers: int = 2, gate: str | None = None, *, nanny: bool = False, allowed_failures: int = 3
) -> Cluster:
    """A scheduler on a free port of 127.0.0.1 and `workers` workers, every worker connected. The
    scheduler gives up on a task after its workers died `allowed_failures` + 1 times (Dask's default: 3)."""
    log.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    command = [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures)}
    with (log / "scheduler.log").open("wb") as out:
        scheduler = subprocess.Popen(
            [*command, "--no-dashboard"], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env
        )
    cluster = Cluster(f"tcp://127.0.0.1:{port}", log, scheduler)
    try:
        cluster.add_workers(workers, gate, nanny=nanny)
        cluster.wait_for_workers(workers)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    started = _start_cluster(tmp_path / "cluster")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the tests that leave it whole: runs never share a task, whatever ran before."""
    started = _start_cluster(tmp_path_factory.mktemp("cluster"))
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


def _dask(inputs: Path | str, output: Path | str, address: str, *more: str) -> list[str]:
    return ["clean", str(inputs), "-o", str(output), "--engine", "dask", "--scheduler", address, *more]


def _start_run(arguments: list[str]) -> subprocess.Popen[bytes]:
    """`newsclean` with these arguments in a process of its own, its stderr kept."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *arguments],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _state(pid: int) -> str:
    """The process's state letter (T: stopped), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(") ", 1)[1][0]


def _stopped_worker(flag: Path) -> int:
    """The process id of the worker the gate stopped, once it has stopped."""
    _wait_until(lambda: flag.exists() and flag.read_text() != "", "no worker reached the gate")
    pid = int(flag.read_text())
    _wait_until(lambda: _state(pid) == "T", "the worker at the gate did not stop")
    return pid


def test_a_dask_cluster_gives_the_same_records_as_one_process(tmp_path: Path, shared: Cluster) -> None:
    inputs = _inputs(tmp_path / "in")
    single = tmp_path / "single.jsonl"
    assert main(["clean", str(inputs), "-o", str(single), "--workers", "1", "-q"]) == 0
    output = tmp_path / "out" / "clean.jsonl"
    assert main([*_dask(inputs, output, shared.address), "-q"]) == 0
    shards = tmp_path / "out" / "clean"
    assert _by_source(_records(shards, "part-*.jsonl")) == _by_source(_records(single.parent, "single.jsonl"))
    errors = _records(shards, "part-*.errors.ndjson")
    assert [(e["source"], e["stage"]) for e in errors] == [(str(inputs / "empty.txt"), "empty")]
    manifest = json.loads((shards / "manifest.json").read_text(encoding="utf-8"))
    assert sum(p["records"] for p in manifest["partitions"].values()) == RECORDS


def test_site_templates_on_a_dask_cluster_are_those_of_one_process(tmp_path: Path, shared: Cluster) -> None:
    inputs = mixed_inputs(tmp_path / "in")
    single, learned = tmp_path / "single.jsonl", tmp_path / "single.templates"
    options = ["-q", "--site-templates", "--save-templates"]
    assert main(["clean", str(inputs), "-o", str(single), "--workers", "1", *options, str(learned)]) == 0
    output, on_dask = tmp_path / "out" / "clean.jsonl", tmp_path / "dask.templates"
    assert main([*_dask(inputs, output, shared.address), *options, str(on_dask)]) == 0
    records = _by_source(_records(tmp_path / "out" / "clean", "part-*.jsonl"))
    assert records == _by_source(_records(tmp_path, "single.jsonl"))
    check_mixed(records)
    assert on_dask.read_bytes() == learned.read_bytes()
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["clean"]  # the first run's gone


def test_resume_skips_the_finished_partitions(tmp_path: Path, shared: Cluster) -> None:
    inputs = _inputs(tmp_path / "in")
    arguments = [*_dask(inputs, tmp_path / "out" / "clean.parquet", shared.address), "-q"]
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


def test_relative_inputs_are_read_and_shards_written_where_the_client_runs(
    tmp_path: Path, shared: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    _inputs(tmp_path / "in", pages=3)
    monkeypatch.chdir(tmp_path)  # the workers run in the repository's folder
    assert main([*_dask("in", "out/clean.jsonl", shared.address), "-q"]) == 0
    shards = tmp_path / "out" / "clean"
    errors = _records(shards, "part-*.errors.ndjson")
    assert [(e["source"], e["stage"]) for e in errors] == [("in/empty.txt", "empty")]
    records = _by_source(_records(shards, "part-*.jsonl"))
    assert len(records) == 3 + 1 + 90
    assert "in/p000.html" in records  # the source as given, relative
    assert not (ROOT / "out" / "clean").exists()


def test_two_runs_at_once_on_one_cluster_each_write_every_record(tmp_path: Path) -> None:
    from distributed import Client

    inputs = _inputs(tmp_path / "in")
    cluster = _start_cluster(tmp_path / "cluster", workers=0)
    try:
        outputs = [tmp_path / f"out{n}" / "clean.jsonl" for n in (1, 2)]
        # Both runs submit their partitions before any worker exists, so their tasks wait side by side.
        runs = [
            _start_run(_dask(inputs, out, cluster.address, "--scheduler-timeout", "30", "-q"))
            for out in outputs
        ]

        def submitting(dask_scheduler: Any) -> int:
            return sum(1 for client in dask_scheduler.clients.values() if client.wants_what)

        with Client(cluster.address, timeout="60s", set_as_default=False) as watcher:
            _wait_until(lambda: watcher.run_on_scheduler(submitting) == 2, "both runs submitting")
        cluster.add_workers(2)
        errors = [run.communicate(timeout=300)[1].decode() for run in runs]
    finally:
        cluster.stop()
    assert [run.returncode for run in runs] == [0, 0], errors
    for output in outputs:
        assert len(_by_source(_records(output.with_suffix(""), "part-*.jsonl"))) == RECORDS


def test_a_worker_killed_mid_partition_leaves_every_record_once(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    flag = tmp_path / "stopped"
    cluster = _start_cluster(tmp_path / "cluster", workers=2, gate=f"part-00001:{flag}")
    try:
        run = _start_run([*_dask(inputs, tmp_path / "out" / "clean.jsonl", cluster.address), "-q"])
        os.kill(_stopped_worker(flag), signal.SIGKILL)  # dies holding partition 1: Dask gives it to the other
        _, err = run.communicate(timeout=300)
    finally:
        cluster.stop()
    assert run.returncode == 0, err.decode()
    shards = tmp_path / "out" / "clean"
    assert len(_by_source(_records(shards, "part-*.jsonl"))) == RECORDS
    assert not [path.name for path in shards.iterdir() if path.name.startswith(".part-")]


def test_a_scheduler_lost_mid_run_is_one_error_line_and_resume_finishes(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    output = tmp_path / "out" / "clean.jsonl"
    flag = tmp_path / "stopped"
    cluster = _start_cluster(tmp_path / "cluster", workers=1, gate=f"part-00001:{flag}")
    try:
        run = _start_run(_dask(inputs, output, cluster.address))
        _stopped_worker(flag)  # partition 1 under way, partition 2 waiting
        cluster.scheduler.kill()
        cluster.scheduler.wait(timeout=60)
        _, err = run.communicate(timeout=300)
    finally:
        cluster.stop()
    assert run.returncode == SERVICE_EXIT
    # One line, whichever wait noticed the loss first (a task's or a check that the scheduler answers).
    (line,) = err.decode().splitlines()
    assert line.startswith(f"newsclean: error: Dask scheduler at {cluster.address} is unavailable: ")
    shards = tmp_path / "out" / "clean"
    assert not (shards / "part-00001.jsonl").exists()
    listed = json.loads((shards / "manifest.json").read_text(encoding="utf-8"))["partitions"]
    assert all((shards / f"{name}.jsonl").exists() for name in listed)
    fresh = _start_cluster(tmp_path / "fresh", workers=1)
    try:
        assert main([*_dask(inputs, output, fresh.address), "--resume", "-q"]) == 0
    finally:
        fresh.stop()
    assert len(_by_source(_records(shards, "part-*.jsonl"))) == RECORDS
    assert len(_records(shards, "part-*.errors.ndjson")) == 1


def test_a_scheduler_without_workers_is_given_up_after_the_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _inputs(tmp_path / "in", pages=1)
    cluster = _start_cluster(tmp_path / "cluster", workers=0)
    try:
        arguments = _dask(
            tmp_path / "in", tmp_path / "out.jsonl", cluster.address, "--scheduler-timeout", "2"
        )
        status = main(arguments)
    finally:
        cluster.stop()
    assert status == SERVICE_EXIT
    assert capsys.readouterr().err.splitlines() == [
        f"newsclean: error: Dask scheduler at {cluster.address} is unavailable: "
        "no worker has joined it in 7.5 s"  # 3 checks of 2 s and the pauses between them
    ]


@pytest.mark.timeout(60)
def test_a_scheduler_that_never_answers_is_given_up_after_the_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    silent = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:  # every connection accepted, none answered
        while True:
            try:
                held.append(silent.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
    _inputs(tmp_path / "in", pages=1)
    try:
        status = main(_dask(tmp_path / "in", tmp_path / "out.jsonl", address, "--scheduler-timeout", "0.5"))
    finally:
        silent.close()
        for connection in held:
            connection.close()
    assert status == SERVICE_EXIT
    assert capsys.readouterr().err.splitlines() == [
        f"newsclean: error: Dask scheduler at {address} is unavailable: TimeoutError: no answer in 0.5 s "
        "(3 attempts)"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("bogus://x", "--scheduler bogus://x: unknown address scheme 'bogus'"),
        ("tcp://127.0.0.1:port", "--scheduler tcp://127.0.0.1:port: "),
        ("tcp://", "--scheduler tcp://: no host in the address"),
        ("tcp://me:secret@127.0.0.1:8786", "--scheduler tcp://me:***@127.0.0.1:8786: "),
    ],
)
def test_a_scheduler_address_that_cannot_be_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str, message: str
) -> None:
    _inputs(tmp_path / "in", pages=1)
    assert main(_dask(tmp_path / "in", tmp_path / "out.jsonl", address)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newsclean: error: {message}")
    assert len(err.splitlines()) == 1 and "secret" not in err
    assert not (tmp_path / "out").exists()


FOREIGN = {
    # the input folder itself: its part-* inputs and the user's manifest.json
    "input-folder": (
        {"data/part-001.html": ARTICLE, "data/manifest.json": '{"mine": true}\n'},
        ["data"],
        "data.jsonl",
        "is or holds the input data",
    ),
    "holds-an-input": (
        {"in/a.html": ARTICLE, "out/clean/b.html": ARTICLE},
        ["in", "out/clean/b.html"],
        "out/clean.jsonl",
        "is or holds the input out/clean/b.html",
    ),
    "someone-elses-shards": (
        {"in/a.html": ARTICLE, "out/clean/part-00000.jsonl": '{"source": "mine"}\n'},
        ["in"],
        "out/clean.jsonl",
        "holds part-00000.jsonl, which `newsclean clean --engine dask` did not write",
    ),
    "someone-elses-manifest": (
        {"in/a.html": ARTICLE, "out/clean/manifest.json": '{"format": "jsonl", "partitions": {}}\n'},
        ["in"],
        "out/clean.jsonl",
        "manifest.json was not written by `newsclean clean --engine dask`",
    ),
    "other-files": (
        {"in/a.html": ARTICLE, "out/clean/notes.txt": "mine\n"},
        ["in"],
        "out/clean.jsonl",
        "holds notes.txt, which",
    ),
}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_a_shard_folder_that_is_not_the_runs_is_refused_and_left_alone(
    tmp_path: Path,
    shared: Cluster,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    files, inputs, output, message = FOREIGN[case]
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["clean", *inputs, "-o", output, "--engine", "dask", "--scheduler", shared.address]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1
    assert _tree(tmp_path) == before


def test_a_shard_folder_another_run_holds_is_refused(
    tmp_path: Path, shared: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    _inputs(tmp_path / "in", pages=1)
    output = tmp_path / "out" / "clean.jsonl"
    with ShardFolder(str(output), "jsonl"):  # locked as a run under way locks it
        status = main(_dask(tmp_path / "in", output, shared.address))
    assert status == 2
    assert f"another newsclean run is writing {output.with_suffix('')}" in capsys.readouterr().err


def test_resume_in_another_format_is_refused(
    tmp_path: Path, shared: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    _inputs(tmp_path / "in", pages=1)
    with ShardFolder(str(tmp_path / "out" / "clean.jsonl"), "jsonl") as earlier:
        earlier.start(resume=False)
    status = main([*_dask(tmp_path / "in", tmp_path / "out" / "clean.parquet", shared.address), "--resume"])
    assert status == 2
    assert "are jsonl: resume with --format jsonl" in capsys.readouterr().err


def test_a_task_of_a_run_that_lost_its_folder_publishes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(ARTICLE.format(n=1), encoding="utf-8")
    (tmp_path / "shards").mkdir()
    (tmp_path / "shards" / RUN).write_text("b" * 32, encoding="ascii")  # a later run writes the folder
    document = document_of(tmp_path / "a.html")
    with pytest.raises(PartitionFailed, match="no longer holds"):
        run_partition(Partition(0, (document,)), Config(), str(tmp_path / "shards"), "jsonl", "a" * 32)
    assert sorted(path.name for path in (tmp_path / "shards").iterdir()) == [RUN]


# -- a document that kills its worker every time, or holds it in a C call -------------------------------


def _faulty(faults: dict[int, Any], normal: int = 10) -> list[Document]:
    """`normal` text documents (`n00.txt`...) with fault documents (tests/faults.py) at their positions."""
    documents = [Document(f"n{n:02d}.txt", "text", content=DUMP.encode()) for n in range(normal)]
    for position, (name, origin) in sorted(faults.items()):
        documents.insert(position, Document(name, "text", origin=origin))
    return documents


def _shard(folder: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The sources of the records of a one-partition run, and its error lines (source, stage, error)."""
    records = [str(record["source"]) for record in _records(folder, "part-*.jsonl")]
    errors = [(e["source"], e["stage"], e["error"]) for e in _records(folder, "part-*.errors.ndjson")]
    return records, errors


def _left(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_a_document_that_kills_its_worker_every_time_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "crashed-once"
    documents = _faulty(
        {3: ("crash.txt", Crash()), 7: ("recovers.txt", CrashOnce(str(marker), DUMP.encode()))}
    )
    # The run's inputs are these documents (the CLI cannot name a fault): the rest is `newsclean clean`.
    monkeypatch.setattr(clean_command, "_documents", lambda inputs, exclude, passed: iter(documents))
    output = tmp_path / "out" / "clean.jsonl"
    # Dask gives up on a task at the first death of its worker; each worker comes back with its nanny.
    cluster = _start_cluster(tmp_path / "cluster", workers=2, nanny=True, allowed_failures=0)
    try:
        status = main([*_dask(tmp_path, output, cluster.address), "-q"])
    finally:
        cluster.stop()
    assert status == 0  # per-document errors: the run completed
    shards = output.with_suffix("")
    records, errors = _shard(shards)
    assert records == [d.source for d in documents if d.source != "crash.txt"]
    assert errors == [("crash.txt", "extract", "the worker process died while processing this input, twice")]
    assert marker.exists()  # recovers.txt did kill its worker once, and gave its record after
    (entry,) = json.loads((shards / "manifest.json").read_text(encoding="utf-8"))["partitions"].values()
    assert (entry["documents"], entry["records"]) == (12, 11)
    assert _left(shards) == [RUN]


def test_a_document_stuck_in_a_c_call_is_a_timeout_error_line(tmp_path: Path) -> None:
    from distributed import Client

    documents = _faulty({1: ("stuck.txt", Stuck())}, normal=3)
    folder = ShardFolder(str(tmp_path / "out" / "clean.jsonl"), "jsonl")
    stats = RunStats()
    # A document may take 1 s (its workers set no limit of their own: none but the stuck one is over).
    failures = FailurePolicy(timeout=1.0, kill_grace=2.0)
    cluster = _start_cluster(tmp_path / "cluster", workers=2, nanny=True)
    try:
        with folder, Client(cluster.address, timeout="60s", set_as_default=False) as client:
            policy = ServicePolicy(SERVICE, timeout=30.0)
            run_on_cluster(
                client,
                documents,
                Config(timeout=None),
                folder,
                stats,
                address=cluster.address,
                policy=policy,
                failures=failures,
            )
    finally:
        cluster.stop()
    records, errors = _shard(folder.path)
    assert records == [d.source for d in documents if d.source != "stuck.txt"]
    assert errors == [("stuck.txt", "extract", "took longer than 1 s (the --timeout limit)")]
    assert (stats.read, stats.written, stats.failed) == (4, 3, 1)
    assert _left(folder.path) == [RUN]
