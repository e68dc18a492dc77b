"""Nothing lost, nothing written twice: faults in a worker pool, two runs on one output, resuming onto
what cannot be resumed, outputs inside input folders, and every output read back by `eval` and
`report`. Faults are injected (tests/faults.py), never raced against the clock."""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.document import Document, Origin, Outcome
from pipeline.process import Config
from pipeline.runners.failures import FailurePolicy
from pipeline.runners.local import run as run_documents
from pipeline.runners.pool import Pool
from pipeline.runners.stats import RunStats
from pipeline.writers import Output, errors_path
from pipeline.writers.jsonl import JsonlWriter
from pipeline.writers.lock import OutputLock, lock_path
from pipeline.writers.read import read_output

from .conftest import ROOT, outcome_of
from .faults import Crash, CrashOnce, Stuck
from .test_cli import ARTICLE, DUMP

# A stuck page is given up on 2 s after the wait for it began (its worker's start not counted); the
# pages of these tests take milliseconds. The workers set no limit of their own, so none but a stuck
# page is ever over time.
POLICY = FailurePolicy(timeout=1.0, kill_grace=1.0)
NORMAL = 10


def run(*args: str) -> int:
    return main(["clean", "--workers", "1", *args, "--no-progress"])


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sources(path: Path) -> list[str]:
    return [str(line["source"]) for line in lines(path)]


# -- a worker pool: stuck pages, crashed workers, lost tasks ---------------------------------------------


def _normal(number: int) -> Document:
    return Document(f"n{number:02d}.txt", "text", content=DUMP.encode())


def _fault(name: str, origin: Origin) -> Document:
    return Document(name, "text", origin=origin)


def _origin(kind: str, marker: Path) -> Origin:
    if kind == "stuck":
        return Stuck()
    if kind == "crash":
        return Crash()
    return CrashOnce(str(marker), DUMP.encode())  # "recovers"


def _layout(tmp_path: Path, faults: dict[int, str]) -> list[Document]:
    """NORMAL documents with the faults inserted at their positions (`kind-position.txt`), in order."""
    documents = [_normal(n) for n in range(NORMAL)]
    for position, kind in sorted(faults.items()):
        origin = _origin(kind, tmp_path / f"crashed-{position}")
        documents.insert(position, _fault(f"{kind}-{position}.txt", origin))
    return documents


def _expected(document: Document) -> tuple[str, str | None, str]:
    """(source, stage, what the error says) a document must give."""
    kind = document.source.split("-")[0]
    if kind == "stuck":
        return document.source, "extract", "took longer than 1 s (the --timeout limit)"
    if kind == "crash":
        return document.source, "extract", "the worker process died while processing this input, twice"
    return document.source, None, ""


def _given(outcome: Any) -> tuple[str, str | None, str]:
    error = outcome.error or {}
    return outcome.source, outcome.stage, str(error.get("error", ""))


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param({0: "stuck"}, id="a-stuck-page-first"),
        # Both workers stuck: the pages queued behind them are cancelled with the pool, never started.
        pytest.param({1: "stuck", 2: "stuck"}, id="two-stuck-pages-hold-every-worker"),
        pytest.param({0: "crash"}, id="a-page-that-kills-its-worker-first"),
        pytest.param({3: "crash", 6: "stuck"}, id="a-crash-then-a-stuck-page"),
        pytest.param({2: "recovers"}, id="a-worker-that-dies-once-then-gives-the-record"),
    ],
)
def test_every_document_comes_out_once_in_input_order_whatever_the_faults(
    tmp_path: Path, faults: dict[int, str]
) -> None:
    documents = _layout(tmp_path, faults)
    outcomes = list(Pool(2, Config(timeout=None), POLICY).map(documents))
    assert [_given(outcome) for outcome in outcomes] == [_expected(document) for document in documents]


def test_a_run_through_faults_writes_and_counts_each_document_once(tmp_path: Path) -> None:
    documents = _layout(tmp_path, {1: "stuck", 2: "stuck", 5: "crash"})
    out = tmp_path / "out.jsonl"
    output = Output(str(out))
    try:
        stats = run_documents(documents, Config(timeout=None), output, RunStats(), workers=2, policy=POLICY)
    finally:
        output.close()
    assert sources(out) == [d.source for d in documents if d.source.startswith("n")]
    assert sources(errors_path(out)) == ["stuck-1.txt", "stuck-2.txt", "crash-5.txt"]
    assert (stats.read, stats.written, stats.failed) == (NORMAL + 3, NORMAL, 3)


# -- one run at a time per output ---------------------------------------------------------------------


def _clean(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "clean", *args, "--workers", "1", "--no-progress"]


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
@pytest.mark.parametrize("second", [[], ["--resume"]], ids=["replace", "resume"])
def test_a_second_run_on_an_output_being_written_is_refused_and_the_first_is_whole(
    tmp_path: Path, suffix: str, second: list[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(DUMP, encoding="utf-8")
    empties = 1000  # their error lines are more than a pipe holds: the first run waits for the test
    for number in range(empties):
        (folder / f"e{number:04d}.txt").write_text("")
    out = tmp_path / f"o{suffix}"
    os.mkfifo(errors_path(out))
    first = subprocess.Popen(
        _clean(str(folder), "-o", str(out), "-q"), cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    reader = os.open(errors_path(out), os.O_RDONLY | os.O_NONBLOCK)
    try:
        # The first error line comes once the first run holds the output's locks; the run then blocks
        # on the full pipe until the test reads.
        assert select.select([reader], [], [], 120)[0], "the first run wrote no error line"
        assert fcntl.fcntl(reader, fcntl.F_GETPIPE_SZ) < empties * 100
        # The lock is beside the records file; none is put beside the FIFO.
        assert (lock_path(out).exists(), lock_path(errors_path(out)).exists()) == (True, False)
        done = subprocess.run(
            _clean(str(folder), "-o", str(out), *second),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        os.set_blocking(reader, True)
        with os.fdopen(reader, "rb", closefd=False) as errors:
            error_lines = errors.read().splitlines()
    finally:
        os.close(reader)
    _, log = first.communicate(timeout=120)
    assert (done.returncode, first.returncode) == (2, 0), log
    assert "another newsclean run is writing" in done.stderr and "Traceback" not in done.stderr
    assert len(error_lines) == empties and {json.loads(line)["stage"] for line in error_lines} == {"empty"}
    written = pq.read_table(out).to_pylist() if suffix == ".parquet" else lines(out)
    assert [record["source"] for record in written] == [str(folder / "a.txt"), str(folder / "b.txt")]
    assert not lock_path(out).exists()


@pytest.mark.parametrize("held", ["records", "errors"])
@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_a_file_another_run_holds_is_a_usage_error_and_is_not_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], held: str, suffix: str
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    out = tmp_path / f"o{suffix}"
    assert run(str(tmp_path / "a.txt"), "-o", str(out)) == 0
    before = out.read_bytes(), errors_path(out).read_bytes()
    # `-o o.jsonl` and `-o o.parquet` share one errors file, o.errors.ndjson.
    with OutputLock([out if held == "records" else errors_path(out)]):
        assert run(str(tmp_path / "a.txt"), "-o", str(out), "--resume") == 2
    assert "another newsclean run is writing" in capsys.readouterr().err
    assert (out.read_bytes(), errors_path(out).read_bytes()) == before


def test_a_lock_file_left_by_a_killed_run_does_not_stop_the_next(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(DUMP, encoding="utf-8")
    out = folder / "o.jsonl"
    lock_path(out).write_text("")  # a run killed with SIGKILL leaves its (released) lock file
    assert run(str(folder), "-o", str(out)) == 0
    assert sources(out) == [str(folder / "a.txt")]
    assert lines(errors_path(out)) == []  # the lock file inside the input folder is not an input
    assert not lock_path(out).exists()


# -- resuming onto what cannot be resumed ---------------------------------------------------------------


def _cut_short(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _other_schema(path: Path) -> None:
    pq.write_table(pa.table({"source": ["x"], "n": [1]}), path)


def _without_text(path: Path) -> None:
    pq.write_table(pq.read_table(path).drop_columns(["text"]), path)


def _not_parquet(path: Path) -> None:
    path.write_text("source,text\nx,y\n", encoding="utf-8")


def _parquet_magic_then_garbage(path: Path) -> None:
    path.write_bytes(b"PAR1" + b"\x00" * 100)


@pytest.mark.parametrize(
    "damage",
    [_cut_short, _other_schema, _without_text, _not_parquet, _parquet_magic_then_garbage],
    ids=lambda f: f.__name__.strip("_"),
)
def test_resume_onto_a_parquet_file_that_cannot_be_appended_to_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Path], None]
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "b.txt").write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out" / "o.parquet"
    assert run(str(tmp_path / "a.txt"), "-o", str(out)) == 0
    damage(out)
    before = out.read_bytes(), errors_path(out).read_bytes()
    capsys.readouterr()
    assert run(str(tmp_path), "-o", str(out), "--resume") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newsclean: error: cannot resume: {out} ") and err.count("\n") == 1
    assert (out.read_bytes(), errors_path(out).read_bytes()) == before
    assert sorted(path.name for path in out.parent.iterdir()) == ["o.errors.ndjson", "o.parquet"]


def test_a_parquet_run_killed_before_its_end_leaves_no_stale_record_to_resume(tmp_path: Path) -> None:
    """A run that replaces a Parquet output removes the old file first: killed before it closed its
    file, it leaves no record of the earlier run for a resume to keep beside its own error lines."""
    page = tmp_path / "a.txt"
    page.write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out" / "o.parquet"
    assert run(str(page), "-o", str(out)) == 0
    # A second run, with --lang de, killed after its error line for a.txt: its file is never closed,
    # and the system releases its lock.
    killed = Output(str(out), format="parquet")
    killed.write(Outcome(str(page), error={"source": str(page), "stage": "filtered", "error": "en"}))
    killed.errors.close()
    killed.lock.release()
    assert run(str(page), "-o", str(out), "--lang", "de", "--resume") == 0
    assert pq.read_table(out).num_rows == 0
    assert [line["stage"] for line in lines(errors_path(out))] == ["filtered"]


def test_a_parquet_resume_killed_before_its_end_loses_and_repeats_nothing(tmp_path: Path) -> None:
    """A resume killed before it closed its file leaves the file it appended to as it was and its error
    lines written: the next resume keeps both and does again only the records of the killed run."""
    pages = []
    for name in ("a", "b", "c", "d"):
        pages.append(tmp_path / f"{name}.txt")
        pages[-1].write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out" / "o.parquet"
    assert run(*map(str, pages[:2]), "-o", str(out)) == 0
    killed = Output(str(out), format="parquet", append=True)
    killed.write(outcome_of(pages[2]))  # in the unfinished file, lost with it
    killed.write(Outcome(str(pages[3]), error={"source": str(pages[3]), "stage": "filtered", "error": "de"}))
    killed.errors.close()
    killed.lock.release()
    assert run(*map(str, pages), "-o", str(out), "--resume") == 0
    assert pq.read_table(out).column("source").to_pylist() == [str(page) for page in pages[:3]]
    assert sources(errors_path(out)) == [str(pages[3])]
    assert not Path(f"{out}.partial").exists()


# -- outputs inside input folders ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "output",
    [
        pytest.param([], id="default-output-under-the-folder"),
        pytest.param(["-o", "out.jsonl"], id="jsonl-in-the-folder"),
        pytest.param(["-o", "out.parquet"], id="parquet-in-the-folder"),
        pytest.param(["-o", "pages/out.txt"], id="an-output-named-like-an-input"),
    ],
)
@pytest.mark.parametrize("again", [[], ["--resume"]], ids=["replace", "resume"])
def test_a_run_over_the_folder_that_holds_its_output_passes_the_output_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: list[str], again: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pages").mkdir()
    for name in ("a.txt", "b.txt"):
        Path("pages", name).write_text(DUMP, encoding="utf-8")
    assert run(".", *output) == 0
    assert run(".", *output, *again) == 0
    target = Path(output[1] if output else "output/clean.jsonl")
    written = pq.read_table(target).to_pylist() if target.suffix == ".parquet" else lines(target)
    assert [record["source"] for record in written] == ["./pages/a.txt", "./pages/b.txt"]
    assert lines(errors_path(target)) == []


def _pages(folder: Path) -> None:
    folder.mkdir()
    for name in ("a.html", "b.txt"):
        (folder / name).write_text(ARTICLE.format(n=1) if name.endswith(".html") else DUMP, encoding="utf-8")


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_a_report_and_the_files_of_another_run_in_the_folder_are_never_inputs(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "pages"
    _pages(folder)
    first = folder / f"clean{suffix}"
    assert run(str(folder), "-o", str(first)) == 0
    assert main(["report", str(first)]) == 0  # its default: clean.report.html, beside the records
    assert (folder / "clean.report.html").exists()
    capsys.readouterr()
    second = folder / "again.jsonl"
    assert run(str(folder), "-o", str(second)) == 0
    assert sources(second) == [str(folder / "a.html"), str(folder / "b.txt")]
    assert lines(errors_path(second)) == []
    err = capsys.readouterr().err
    assert "files newsclean wrote, passed over (never inputs): errors 1, records 1, report 1" in err


def test_the_progress_total_leaves_out_the_files_newsclean_wrote(tmp_path: Path) -> None:
    from pipeline.readers import count_documents

    folder = tmp_path / "pages"
    _pages(folder)
    assert run(str(folder), "-o", str(folder / "clean.jsonl")) == 0
    assert main(["report", str(folder / "clean.jsonl")]) == 0
    assert count_documents([str(folder)]) == 2


def test_the_lock_of_a_run_writing_in_the_folder_is_never_an_input(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    _pages(folder)
    with OutputLock([folder / "other.jsonl"]):  # another run, writing beside the pages
        assert run(str(folder), "-o", str(tmp_path / "out.jsonl")) == 0
    assert sources(tmp_path / "out.jsonl") == [str(folder / "a.html"), str(folder / "b.txt")]
    assert lines(errors_path(tmp_path / "out.jsonl")) == []


def test_a_report_under_any_name_is_a_skipped_input_not_a_page(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    _pages(folder)
    assert run(str(folder), "-o", str(tmp_path / "clean.jsonl")) == 0
    assert main(["report", str(tmp_path / "clean.jsonl"), "-o", str(folder / "c.html")]) == 0
    out = tmp_path / "again.jsonl"
    assert run(str(folder), "-o", str(out)) == 0
    assert sources(out) == [str(folder / "a.html"), str(folder / "b.txt")]
    assert [(line["source"], line["stage"]) for line in lines(errors_path(out))] == [
        (str(folder / "c.html"), "skipped")
    ]


@pytest.mark.parametrize(
    ("name", "content", "stage"),
    [
        pytest.param("notes.report.html", ARTICLE.format(n=2), None, id="a-page-named-like-a-report"),
        pytest.param("data.jsonl", '{"user": 1}\n', "skipped", id="a-jsonl-file-of-other-objects"),
        pytest.param("x.errors.ndjson", "not json\n", "skipped", id="an-ndjson-file-of-other-lines"),
        pytest.param(".notes.lock", "held\n", "skipped", id="a-lock-file-with-content"),
    ],
)
def test_a_users_file_named_like_newsclean_output_is_still_an_input(
    tmp_path: Path, name: str, content: str, stage: str | None
) -> None:
    folder = tmp_path / "pages"
    _pages(folder)
    (folder / name).write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(str(folder), "-o", str(out)) == 0
    pages = [str(folder / "a.html"), str(folder / "b.txt")]
    errors = [(line["source"], line["stage"]) for line in lines(errors_path(out))]
    if stage is None:
        assert (sorted(sources(out)), errors) == (sorted([*pages, str(folder / name)]), [])
    else:
        assert (sources(out), errors) == (pages, [(str(folder / name), stage)])


@pytest.mark.slow
def test_a_dask_run_over_the_folder_that_holds_its_shards_passes_them_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pages").mkdir()
    for name in ("a.txt", "b.txt"):
        Path("pages", name).write_text(DUMP, encoding="utf-8")
    arguments = [".", "-o", "out.jsonl", "--engine", "dask", "-q"]
    assert run(*arguments) == 0
    assert run(*arguments) == 0
    assert [record["source"] for record in read_output(Path("out"))] == ["./pages/a.txt", "./pages/b.txt"]
    assert [lines(shard) for shard in sorted(Path("out").glob("part-*.errors.ndjson"))] == [[]]
    assert not Path(".out.lock").exists()


def test_an_output_named_as_an_input_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(str(tmp_path / "a.txt"), "-o", str(out)) == 0
    before = out.read_bytes()
    assert run(str(tmp_path / "a.txt"), str(out), "-o", str(out)) == 2
    assert f"{out} is a file this run writes" in capsys.readouterr().err
    assert out.read_bytes() == before


@pytest.mark.parametrize(
    ("resume", "message"),
    [
        ([], "notes.jsonl exists and is not a newsclean output (JSON lines or Parquet)"),
        (["--resume"], "cannot resume: {notes} is not a JSON lines file of newsclean output"),
    ],
    ids=["replace", "resume"],
)
def test_a_file_newsclean_did_not_write_is_never_written_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], resume: list[str], message: str
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    notes = tmp_path / "notes.jsonl"
    notes.write_text("my notes, not JSON lines\n", encoding="utf-8")
    assert run(str(tmp_path / "a.txt"), "-o", str(notes), *resume) == 2
    assert message.format(notes=notes) in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "my notes, not JSON lines\n"
    assert not errors_path(notes).exists()


def test_a_parquet_output_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    fifo = tmp_path / "o.parquet"
    os.mkfifo(fifo)
    assert run(str(tmp_path / "a.txt"), "-o", str(fifo)) == 2
    assert "a Parquet output must be a regular file" in capsys.readouterr().err
    assert fifo.is_fifo()


# -- every output read back: eval and report -------------------------------------------------------------


def _shards(tmp_path: Path, form: str) -> Path:
    """A shard folder as `clean --engine dask` writes it, by the engine's own partition function."""
    from pipeline.readers import iter_documents
    from pipeline.runners.dask import ShardFolder, partitions, run_partition

    with ShardFolder(str(tmp_path / "shards.jsonl"), form) as folder:
        manifest = folder.start(resume=False)
        for partition in partitions(iter_documents([str(tmp_path / "in")]), size=2):
            manifest.add(partition, run_partition(partition, Config(), str(folder.path), form, folder.run))
    return folder.path


def _output(tmp_path: Path, form: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"p{n}.html").write_text(ARTICLE.format(n=n), encoding="utf-8")
    (folder / "z.txt").write_text("")  # an error line
    if form.startswith("shards-"):
        return _shards(tmp_path, form.removeprefix("shards-"))
    out = tmp_path / f"clean.{form}"
    assert run(str(folder), "-o", str(out)) == 0
    return out


FORMS = ["jsonl", "parquet", "shards-jsonl", "shards-parquet"]


@pytest.mark.parametrize("form", FORMS)
def test_report_reads_every_kind_of_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    output = _output(tmp_path, form)
    capsys.readouterr()
    assert main(["report", str(output), "-o", "-"]) == 0
    page = capsys.readouterr().out
    assert "3 documents" in page
    assert [f"p{n}.html" in page for n in range(3)] == [True, True, True]


@pytest.mark.parametrize("form", FORMS)
def test_eval_reads_every_kind_of_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    output = _output(tmp_path, form)
    gold = tmp_path / "gold"
    gold.mkdir()
    for n in range(3):
        (gold / f"p{n}.gold.txt").write_text("Heavy rain flooded hundreds of villages", encoding="utf-8")
    capsys.readouterr()
    assert main(["eval", str(output), "--gold", str(gold), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["matching"]["matched"] == 3


@pytest.mark.parametrize("command", ["report", "eval"])
@pytest.mark.parametrize(
    ("given", "message"),
    [("errors-file", "is an errors file"), ("folder-without-manifest", "not a shard folder")],
)
def test_what_holds_no_records_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, given: str, message: str
) -> None:
    output = _output(tmp_path, "jsonl")
    (tmp_path / "p0.gold.txt").write_text("Heavy rain", encoding="utf-8")
    path = errors_path(output) if given == "errors-file" else tmp_path / "in"
    options = ["--gold", str(tmp_path)] if command == "eval" else []
    capsys.readouterr()
    assert main([command, str(path), *options]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "clean.errors.report.html").exists()


# -- options that did nothing, and what a resume says -----------------------------------------------------


def test_scheduler_without_the_dask_engine_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    assert (
        run(str(tmp_path / "a.txt"), "-o", str(tmp_path / "o.jsonl"), "--scheduler", "tcp://127.0.0.1:1") == 2
    )
    assert "--scheduler names a Dask scheduler: give it with --engine dask" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_a_resume_says_how_many_documents_it_skipped_and_which_were_not_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out" / "o.jsonl"
    assert run(str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(out)) == 0
    capsys.readouterr()
    assert run(str(tmp_path / "b.txt"), str(tmp_path / "c.txt"), "-o", str(out), "--resume") == 0
    err = capsys.readouterr().err
    assert "resumed: 1 documents already in the output were skipped; 1 written before are not among" in err
    assert sources(out) == [str(tmp_path / n) for n in ("a.txt", "b.txt", "c.txt")]


# -- a write cut short ------------------------------------------------------------------------------------


class _Interrupted:
    """A file that takes half of a write, then Ctrl-C arrives."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def write(self, data: memoryview) -> int:
        self.real.write(data[: len(data) // 2])
        raise KeyboardInterrupt

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.mark.parametrize("append", [False, True], ids=["new", "appended"])
def test_ctrl_c_in_the_middle_of_a_line_leaves_only_whole_lines(tmp_path: Path, append: bool) -> None:
    path = tmp_path / "o.jsonl"
    if append:
        path.write_text('{"source": "earlier"}\n', encoding="utf-8")
    writer = JsonlWriter(path, append=append)
    writer.write({"source": "whole"})
    writer._file = _Interrupted(writer._file)
    with pytest.raises(KeyboardInterrupt):
        writer.write({"source": "cut", "text": "x" * 1000})
    writer.close()
    assert sources(path) == ["earlier", "whole"][not append :]


class _InterruptedAfterWrite:
    """A Parquet writer that Ctrl-C reaches just as its write returns."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def write_table(self, table: Any) -> None:
        self.real.write_table(table)
        raise KeyboardInterrupt

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_ctrl_c_as_a_parquet_row_group_is_written_writes_it_once(tmp_path: Path) -> None:
    from pipeline.writers.parquet import ParquetWriter

    page = tmp_path / "a.txt"
    page.write_text(DUMP, encoding="utf-8")
    record = outcome_of(page).record
    assert record is not None
    writer = ParquetWriter(tmp_path / "o.parquet")
    writer.write(record)
    writer._writer = _InterruptedAfterWrite(writer._writer)
    with pytest.raises(KeyboardInterrupt):
        writer._flush()
    writer._writer = writer._writer.real
    writer.close()
    assert pq.read_table(tmp_path / "o.parquet").column("source").to_pylist() == [str(page)]


# -- records to standard output -------------------------------------------------------------------------

_TO_STDOUT = """
import sys
from pipeline.document import Document
from pipeline.process import Config
from pipeline.runners.local import run
from pipeline.runners.stats import RunStats
from pipeline.writers import Output
from tests.faults import Chatty
from tests.test_cli import DUMP

workers = int(sys.argv[1])
origin = Chatty(DUMP.encode(), raw=workers > 1)
documents = [Document(f"p{n}.txt", "text", origin=origin) for n in range(6)]
output = Output("-")
run(documents, Config(), output, RunStats(), workers=workers)
output.close()
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "pool"])
def test_records_to_standard_output_are_never_mixed_with_what_a_library_prints(workers: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _TO_STDOUT, str(workers)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["source"] for line in done.stdout.splitlines()] == [
        f"p{n}.txt" for n in range(6)
    ]
    assert "chatter" in done.stderr


def test_resume_to_standard_output_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / "a.txt"), "-o", "-", "--resume") == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--resume" in captured.err
