"""Inputs that must not end, hang or corrupt a `clean` run: outputs that are inputs, paths that cannot
be read, links and loops, names that are not UTF-8, pathological pages, failing writes."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.document import Document
from pipeline.process import Config, run_one
from pipeline.writers import errors_path

from .conftest import ROOT
from .test_cli import ARTICLE, DUMP

# A page slow to extract: 10,000 nested blocks take about two seconds here.
SLOW_PAGE = "<html><body>" + "<div><span>slow</span></div>" * 10_000 + "</body></html>"


def run(*args: str) -> int:
    return main(["clean", "--workers", "1", *args, "--no-progress"])


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def errors_of(out: Path) -> list[tuple[str, str]]:
    return [(str(e["source"]), str(e["stage"])) for e in lines(errors_path(out))]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out" / "clean.jsonl"


# -- writing never touches an input -------------------------------------------------------------------


def _same_path(input_file: Path, tmp_path: Path) -> Path:
    return input_file


def _hard_link(input_file: Path, tmp_path: Path) -> Path:
    link = tmp_path / "records.jsonl"
    os.link(input_file, link)
    return link


def _symbolic_link(input_file: Path, tmp_path: Path) -> Path:
    link = tmp_path / "records.jsonl"
    link.symlink_to(input_file)
    return link


def _errors_file_is_a_hard_link(input_file: Path, tmp_path: Path) -> Path:
    os.link(input_file, errors_path(tmp_path / "records.jsonl"))
    return tmp_path / "records.jsonl"


@pytest.mark.parametrize(
    "output_for",
    [_same_path, _hard_link, _symbolic_link, _errors_file_is_a_hard_link],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("given", ["file", "folder"])
def test_an_output_that_is_an_input_is_a_usage_error_and_the_input_is_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_for: object, given: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    page = folder / "a.txt"
    page.write_text(DUMP, encoding="utf-8")
    assert callable(output_for)
    output = output_for(page, tmp_path)
    argument = str(page) if given == "file" else str(folder)
    assert run(argument, "-o", str(output)) == 2
    assert page.read_text(encoding="utf-8") == DUMP
    assert "would destroy the input" in capsys.readouterr().err


def test_an_output_created_inside_an_input_folder_is_not_read_as_an_input(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.txt").write_text(DUMP, encoding="utf-8")
    output = tmp_path / "b" / "out.txt"  # b/ is listed after the run has created its output files
    assert run(str(tmp_path), "-o", str(output)) == 0
    assert [r["source"] for r in lines(output)] == [str(tmp_path / n / "page.txt") for n in ("a", "b")]
    assert lines(errors_path(output)) == []


# -- input expansion ------------------------------------------------------------------------------------


def test_a_name_that_is_not_utf8_is_written_losslessly_and_later_inputs_still_run(
    tmp_path: Path, out: Path
) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9-\xff.txt"
    with open(raw, "wb") as handle:
        handle.write(DUMP.encode("utf-8"))
    (tmp_path / "later.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path), "-o", str(out)) == 0
    text = out.read_bytes()
    text.decode("utf-8")  # the file is valid UTF-8
    assert b"\\udce9-\\udcff.txt" in text
    sources = [os.fsencode(str(r["source"])) for r in lines(out)]
    assert sources == [raw, os.fsencode(tmp_path / "later.txt")]


def test_a_self_referencing_symlink_in_a_folder_is_a_read_error(tmp_path: Path, out: Path) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    assert run(str(tmp_path), "-o", str(out)) == 0
    assert [r["source"] for r in lines(out)] == [str(tmp_path / "a.txt")]
    assert errors_of(out) == [(str(tmp_path / "loop.txt"), "read")]
    assert "symbolic link loop" in str(lines(errors_path(out))[0]["error"])


@pytest.mark.parametrize("given", ["folder", "argument"])
def test_a_broken_symlink_is_a_read_error(tmp_path: Path, out: Path, given: str) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    arguments = (
        [str(tmp_path)] if given == "folder" else [str(tmp_path / "gone.txt"), str(tmp_path / "a.txt")]
    )
    assert run(*arguments, "-o", str(out)) == 0
    assert errors_of(out) == [(str(tmp_path / "gone.txt"), "read")]
    assert "broken symbolic link" in str(lines(errors_path(out))[0]["error"])


@pytest.mark.timeout(30)
@pytest.mark.parametrize("given", ["folder", "argument"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_fifo_is_skipped_without_blocking(tmp_path: Path, out: Path, given: str, workers: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(DUMP, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    arguments = [str(folder)] if given == "folder" else [str(folder / "pipe.txt"), str(folder / "a.txt")]
    assert run(*arguments, "-o", str(out), "--workers", workers) == 0
    assert [r["source"] for r in lines(out)] == [str(folder / "a.txt")]
    assert errors_of(out) == [(str(folder / "pipe.txt"), "skipped")]
    assert "FIFO" in str(lines(errors_path(out))[0]["error"])


@pytest.mark.timeout(30)
def test_a_fifo_put_in_a_files_place_is_refused_when_read(tmp_path: Path) -> None:
    from pipeline.readers.files import FileOrigin

    os.mkfifo(tmp_path / "pipe.txt")
    outcome = run_one(
        Document(str(tmp_path / "pipe.txt"), "text", origin=FileOrigin(str(tmp_path / "pipe.txt"))), Config()
    )
    assert outcome.stage == "skipped"


@contextlib.contextmanager
def _unprivileged() -> Iterator[None]:
    """Run the block as user nobody when the tests run as root (root lists any folder)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_an_unlistable_subfolder_is_a_read_error(tmp_path: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="newsclean-unlistable-"))  # outside tmp_path's private parents
    try:
        base.chmod(0o777)
        (base / "a.txt").write_text(DUMP, encoding="utf-8")
        (base / "a.txt").chmod(0o644)
        (base / "locked").mkdir()
        (base / "locked" / "b.txt").write_text(DUMP, encoding="utf-8")
        (base / "locked").chmod(0)
        out = base / "out.jsonl"
        with _unprivileged():
            status = run(str(base), "-o", str(out))
        assert status == 0
        assert [r["source"] for r in lines(out)] == [str(base / "a.txt")]
        assert errors_of(out) == [(str(base / "locked"), "read")]
        assert "cannot list folder" in str(lines(errors_path(out))[0]["error"])
    finally:
        (base / "locked").chmod(0o755)
        subprocess.run(["rm", "-rf", str(base)], check=False)


def _repeated_path(folder: Path) -> list[str]:
    return [str(folder / "a.txt"), str(folder / "a.txt")]


def _file_and_its_folder(folder: Path) -> list[str]:
    return [str(folder / "a.txt"), str(folder)]


def _symbolic_link_in_folder(folder: Path) -> list[str]:
    (folder / "b.txt").symlink_to(folder / "a.txt")
    return [str(folder)]


def _hard_link_in_folder(folder: Path) -> list[str]:
    os.link(folder / "a.txt", folder / "b.txt")
    return [str(folder)]


@pytest.mark.parametrize(
    "arguments_for",
    [_repeated_path, _file_and_its_folder, _symbolic_link_in_folder, _hard_link_in_folder],
    ids=lambda f: f.__name__,
)
def test_the_same_file_reached_twice_is_processed_once_and_the_repeat_skipped(
    tmp_path: Path, out: Path, arguments_for: object
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(DUMP, encoding="utf-8")
    assert callable(arguments_for)
    assert run(*arguments_for(folder), "-o", str(out)) == 0
    assert len(lines(out)) == 1
    errors = lines(errors_path(out))
    assert [e["stage"] for e in errors] == ["skipped"]
    assert "the same file" in str(errors[0]["error"])


@pytest.mark.timeout(60)
def test_a_recursive_glob_through_a_symlink_loop_ends_with_each_file_once(tmp_path: Path, out: Path) -> None:
    folder = tmp_path / "site"
    (folder / "news").mkdir(parents=True)
    (folder / "news" / "a.txt").write_text(DUMP, encoding="utf-8")
    (folder / "b.txt").write_text(DUMP, encoding="utf-8")
    (folder / "news" / "up").symlink_to(folder)  # news/up/news/up/... for ever
    (folder / "news" / "again").symlink_to(folder)
    assert run(str(folder / "**" / "*.txt"), "-o", str(out)) == 0
    assert sorted(Path(str(r["source"])).name for r in lines(out)) == ["a.txt", "b.txt"]


def test_a_folder_symlink_loop_is_recorded_once(tmp_path: Path, out: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(DUMP, encoding="utf-8")
    (folder / "self").symlink_to(folder)
    assert run(str(folder), "-o", str(out)) == 0
    assert len(lines(out)) == 1
    assert errors_of(out) == [(str(folder / "self"), "skipped")]


# -- time and memory per document -----------------------------------------------------------------------


def test_a_page_over_the_time_limit_is_an_extract_error() -> None:
    outcome = run_one(Document("slow.html", "html", content=SLOW_PAGE.encode()), Config(timeout=0.2))
    assert outcome.stage == "extract"
    assert "longer than 0.2 s" in str(outcome.error)


def test_the_time_limit_holds_in_a_thread_that_is_not_the_main_one() -> None:
    found: list[object] = []
    document = Document("slow.html", "html", content=SLOW_PAGE.encode())
    worker = threading.Thread(target=lambda: found.append(run_one(document, Config(timeout=0.2))))
    worker.start()
    worker.join(timeout=30)
    (outcome,) = found
    assert getattr(outcome, "stage", None) == "extract"


def test_a_page_within_the_time_limit_is_not_disturbed_after_it() -> None:
    outcome = run_one(Document("a.html", "html", content=ARTICLE.format(n=1).encode()), Config(timeout=2.0))
    time.sleep(2.2)  # a limit left armed would fire here
    assert outcome.record is not None


def test_a_page_with_too_many_tags_is_refused_before_it_is_parsed() -> None:
    page = "<html><body>" + "<b>x</b>" * 2_000_000 + "</body></html>"  # a million elements, 16 MB
    # No time limit: the count of tags refuses it, not the clock.
    outcome = run_one(Document("huge.html", "html", content=page.encode()), Config(timeout=None))
    assert outcome.stage == "extract"
    assert "too many tags" in str(outcome.error)


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_time_limit_stops_one_input_and_the_run_goes_on(tmp_path: Path, out: Path, workers: str) -> None:
    (tmp_path / "a-slow.html").write_text(SLOW_PAGE, encoding="utf-8")
    for n in range(4):
        (tmp_path / f"b{n}.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path), "-o", str(out), "--workers", workers, "--timeout", "0.3") == 0
    assert len(lines(out)) == 4
    assert errors_of(out) == [(str(tmp_path / "a-slow.html"), "extract")]


# -- writing failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("full", ["records", "errors"])
def test_a_full_disk_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], full: str
) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("")
    out = tmp_path / "out.jsonl"
    (out if full == "records" else errors_path(out)).symlink_to("/dev/full")
    assert run(str(tmp_path / "a.txt"), str(tmp_path / "empty.txt"), "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err
    assert "Traceback" not in err


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (5000, 5000))


@pytest.mark.slow
def test_a_write_that_fails_part_way_leaves_only_whole_lines(tmp_path: Path) -> None:
    for n in range(20):
        (tmp_path / f"d{n:02d}.txt").write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out" / "o.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", str(tmp_path), "-o", str(out), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    data = out.read_bytes()
    assert 0 < len(data) <= 5000 and data.endswith(b"\n")
    assert all(json.loads(line)["source"] for line in data.splitlines())


@pytest.mark.slow
def test_a_closed_standard_output_is_one_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(DUMP, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", str(tmp_path / "a.txt"), "-o", "-", "-q"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "standard output" in done.stderr


def _self_link(folder: Path) -> Path:
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    return folder / "loop.txt"


def _broken_link(folder: Path) -> Path:
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    return folder / "gone.txt"


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.txt")
    return folder / "pipe.txt"


def _empty_archive(folder: Path) -> Path:
    (folder / "empty.warc.gz").write_bytes(b"")
    return folder / "empty.warc.gz"


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("make", "stage", "status"),
    [(_self_link, "read", 1), (_broken_link, "read", 1), (_fifo, "skipped", 0), (_empty_archive, "empty", 0)],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_an_only_input_that_cannot_be_read_is_its_error_line_not_a_usage_error(
    tmp_path: Path, out: Path, make: object, stage: str, status: int
) -> None:
    assert callable(make)
    path = make(tmp_path)
    assert run(str(path), "-o", str(out)) == status
    assert errors_of(out) == [(str(path), stage)]
