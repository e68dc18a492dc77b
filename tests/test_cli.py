"""The `clean`, `rules` and `explain` commands, bad input and the contract's exit codes."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.rules import PAGE_RULES, TEXT_RULES

from .conftest import ROOT, interruptible, wait_until_written

ARTICLE = (
    "<html lang='en'><head><title>Floods hit the delta</title>"
    "<link rel='canonical' href='https://example.com/news/floods-{n}'></head><body><article>"
    "<h1>Floods hit the delta</h1>"
    "<p>Heavy rain flooded hundreds of villages in the river delta on Sunday, officials said, forcing "
    "thousands of families to leave their homes for shelters on higher ground.</p>"
    "<p>Rescue teams used boats to reach people stranded on rooftops, and the army sent helicopters "
    "with food, water and medicine to the worst-hit districts.</p>"
    "<p>Read more: Why the delta floods more often than it used to</p>"
    "<p>The weather service expects more rain this week and has warned of landslides in the hills "
    "north of the delta, where the ground is already saturated.</p>"
    "</article></body></html>"
)
DUMP = (
    "Close\nX Instagram Youtube\n\nFerry services resume after the storm\n\n"
    "Ferry services between the islands resumed on Tuesday after a three-day suspension caused by "
    "the storm, the port authority said.\n\n"
    "Passengers queued from dawn at the main harbour, where the first boat left at 7 a.m.\n\n"
    "Source: example.com\n"
)


def run(*args: str) -> int:
    return main(["clean", "--workers", "1", *args, "--no-progress"])


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out" / "clean.jsonl"


def test_clean_writes_records_and_an_empty_errors_file(tmp_path: Path, out: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_text(ARTICLE.format(n=1), encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / "in"), "-o", str(out)) == 0
    records = lines(out)
    assert [r["source"] for r in records] == [str(tmp_path / "in" / "a.html"), str(tmp_path / "in" / "b.txt")]
    assert records[0]["title"] == "Floods hit the delta" and records[1]["title"] is None
    assert "Read more" not in str(records[0]["text"])
    assert records[0]["url"] == "https://example.com/news/floods-1"
    assert out.with_name("clean.errors.ndjson").read_text() == ""


def test_folder_inputs_come_in_sorted_order_and_gold_files_are_never_inputs(
    tmp_path: Path, out: Path
) -> None:
    folder = tmp_path / "dumps"
    (folder / "sub").mkdir(parents=True)
    for name in ("c.txt", "a.txt", "sub/b.txt"):
        (folder / name).write_text(DUMP, encoding="utf-8")
    (folder / "a.gold.txt").write_text("gold\n", encoding="utf-8")
    assert run(str(folder), "-o", str(out)) == 0
    sources = [r["source"] for r in lines(out)]
    assert sources == [str(folder / "a.txt"), str(folder / "c.txt"), str(folder / "sub" / "b.txt")]


def test_globs_expand(tmp_path: Path, out: Path) -> None:
    for name in ("x1.txt", "x2.txt", "y.txt"):
        (tmp_path / name).write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / "x*.txt"), "-o", str(out)) == 0
    assert [Path(str(r["source"])).name for r in lines(out)] == ["x1.txt", "x2.txt"]


@pytest.mark.parametrize(
    ("name", "content", "stage"),
    [
        ("empty.html", b"", "empty"),
        ("blank.txt", b"\n \n\n", "empty"),
        ("binary.html", bytes(range(256)) * 40, "decode"),
        ("picture.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "decode"),
        ("truncated.html.gz", gzip.compress(ARTICLE.format(n=2).encode())[:60], "read"),
        ("notes.json", b"{}", "skipped"),
    ],
)
def test_bad_input_is_recorded_and_the_run_goes_on(
    tmp_path: Path, out: Path, name: str, content: bytes, stage: str
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / name), str(tmp_path / "good.txt"), "-o", str(out)) == 0
    assert [r["source"] for r in lines(out)] == [str(tmp_path / "good.txt")]
    errors = lines(out.with_name("clean.errors.ndjson"))
    assert errors == [{"source": str(tmp_path / name), "stage": stage, "error": errors[0]["error"]}]
    assert errors[0]["error"]


def test_invalid_utf8_text_is_decoded_by_detection(tmp_path: Path, out: Path) -> None:
    text = "Le café du port a rouvert jeudi après trois mois de travaux, a annoncé la mairie.\n"
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))
    assert run(str(tmp_path / "latin1.txt"), "-o", str(out)) == 0
    assert lines(out)[0]["text"] == text.strip()


def test_latin1_html_with_meta_charset(tmp_path: Path, out: Path) -> None:
    page = (
        ARTICLE.format(n=3)
        .replace("<head>", "<head><meta charset='iso-8859-1'>")
        .replace("Heavy rain", "Schwere Regenfälle – “heavy rain”")
    )
    (tmp_path / "page.html").write_bytes(page.encode("cp1252"))
    assert run(str(tmp_path / "page.html"), "-o", str(out)) == 0
    assert "Schwere Regenfälle – “heavy rain”" in str(lines(out)[0]["text"])


def test_huge_input_is_refused_with_a_read_error(tmp_path: Path, out: Path) -> None:
    (tmp_path / "big.txt").write_text(DUMP * 50, encoding="utf-8")
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path), "-o", str(out), "--max-bytes", "2000") == 0
    errors = lines(out.with_name("clean.errors.ndjson"))
    assert [(e["source"], e["stage"]) for e in errors] == [(str(tmp_path / "big.txt"), "read")]


def test_every_input_failing_exits_1(tmp_path: Path, out: Path) -> None:
    (tmp_path / "bad.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert run(str(tmp_path / "bad.txt.gz"), "-o", str(out)) == 1


def test_a_folder_with_no_matching_files_is_a_usage_error(
    tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.md").write_text("hello")
    assert run(str(tmp_path), "-o", str(out)) == 2
    assert "no input files found" in capsys.readouterr().err
    assert not out.exists()


def test_arguments_matching_nothing_are_a_usage_error(tmp_path: Path, out: Path) -> None:
    assert run(str(tmp_path / "missing"), str(tmp_path / "nope*.html"), "-o", str(out)) == 2


def test_a_missing_path_among_others_is_a_read_error(tmp_path: Path, out: Path) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / "missing.txt"), str(tmp_path / "ok.txt"), "-o", str(out)) == 0
    errors = lines(out.with_name("clean.errors.ndjson"))
    assert [(e["source"], e["stage"]) for e in errors] == [(str(tmp_path / "missing.txt"), "read")]


def test_unwritable_output_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "afile").write_text("x")
    assert run(str(tmp_path / "ok.txt"), "-o", str(tmp_path / "afile" / "out.jsonl")) == 1
    assert "cannot write output" in capsys.readouterr().err


def test_output_to_stdout_and_errors_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("")
    assert run(str(tmp_path / "ok.txt"), str(tmp_path / "empty.txt"), "-o", "-", "-q") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["source"] == str(tmp_path / "ok.txt")
    assert json.loads(captured.err)["stage"] == "empty"


def test_an_existing_output_is_replaced(tmp_path: Path, out: Path) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    out.parent.mkdir()
    out.write_text('{"old": 1}\n')
    assert run(str(tmp_path / "ok.txt"), "-o", str(out)) == 0
    assert len(lines(out)) == 1 and "old" not in lines(out)[0]


def test_resume_drops_a_torn_line_and_skips_done_inputs(tmp_path: Path, out: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(DUMP, encoding="utf-8")
    assert run(str(folder / "a.txt"), "-o", str(out)) == 0
    with out.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "torn", "source": "' + str(folder / "b.txt"))  # a crash mid-line
    assert run(str(folder), "-o", str(out), "--resume") == 0
    assert [r["source"] for r in lines(out)] == [str(folder / n) for n in ("a.txt", "b.txt", "c.txt")]


def test_lang_keeps_only_the_chosen_languages(tmp_path: Path, out: Path) -> None:
    (tmp_path / "en.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "de.txt").write_text(
        "Die Fähren zwischen den Inseln fahren nach dem Sturm seit Dienstag wieder, teilte die Hafenbehörde "
        "mit. Die ersten Passagiere warteten schon im Morgengrauen am Hafen.\n",
        encoding="utf-8",
    )
    (tmp_path / "short.txt").write_text("Ja.\n", encoding="utf-8")
    assert run(str(tmp_path), "-o", str(out), "--lang", "de") == 0
    assert [Path(str(r["source"])).name for r in lines(out)] == ["de.txt"]
    assert lines(out)[0]["language"] == "de"
    filtered = lines(out.with_name("clean.errors.ndjson"))
    assert sorted((Path(e["source"]).name, e["stage"]) for e in filtered) == [
        ("en.txt", "filtered"),
        ("short.txt", "filtered"),
    ]


def test_disable_turns_one_rule_off(tmp_path: Path, out: Path) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / "ok.txt"), "-o", str(out), "--disable", "source-domain") == 0
    record = lines(out)[0]
    assert "Source: example.com" in str(record["text"])
    assert {r["rule"] for r in record["removed"]} == {"nav-social-line"}  # type: ignore[union-attr]


def test_disable_family_turns_every_rule_of_a_family_off(tmp_path: Path, out: Path) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / "ok.txt"), "-o", str(out), "--disable-family", "trailer") == 0
    record = lines(out)[0]
    assert "Source: example.com" in str(record["text"])
    assert {r["family"] for r in record["removed"]} == {"chrome"}  # type: ignore[union-attr]
    assert run(str(tmp_path / "ok.txt"), "-o", str(tmp_path / "other.jsonl"), "--disable-family", "none") == 2


def test_unknown_rule_is_a_usage_error(tmp_path: Path, out: Path) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    assert run(str(tmp_path / "ok.txt"), "-o", str(out), "--disable", "no-such-rule") == 2


@pytest.mark.slow
def test_workers_give_the_same_output_as_one_process(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        (folder / f"p{n}.html").write_text(ARTICLE.format(n=n), encoding="utf-8")
        (folder / f"d{n}.txt").write_text(DUMP, encoding="utf-8")
    (folder / "empty.txt").write_text("")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(str(folder), "-o", str(one)) == 0
    assert run(str(folder), "-o", str(two), "--workers", "2") == 0
    assert one.read_text() == two.read_text()
    assert (tmp_path / "one.errors.ndjson").read_text() == (tmp_path / "two.errors.ndjson").read_text()


def test_summary_counts_documents_and_removals(
    tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    assert run(str(tmp_path), "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert "2 documents read, 1 written, 1 empty, 0 failed, 0 filtered, 1 skipped" in err
    assert "nav-social-line" in err and "source-domain" in err


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in listed] == [r.name for r in (*PAGE_RULES, *TEXT_RULES)]
    assert [r["stage"] for r in listed] == ["page"] * len(PAGE_RULES) + ["text"] * len(TEXT_RULES)
    assert all(r["family"] and r["purpose"] for r in listed)


@pytest.mark.slow
def test_ctrl_c_keeps_every_record_written(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = "".join(
        f"<p>Paragraph {i} of a long report on the floods and what the delta towns do next.</p>"
        for i in range(300)
    )
    for n in range(400):
        (folder / f"p{n:03d}.html").write_text(ARTICLE.format(n=n).replace("</article>", body + "</article>"))
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "clean", str(folder), "-o", str(out), "-q"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=interruptible,
    )
    wait_until_written(out)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]
    assert 1 <= len(records) < 400


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_python_dash_m_pipeline_runs_and_exits_cleanly(tmp_path: Path, workers: str) -> None:
    for n in range(24):  # enough to fill the worker pool's window
        (tmp_path / f"d{n:02d}.txt").write_text(DUMP, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    command = [sys.executable, "-m", "pipeline", "clean", str(tmp_path), "-o", str(out), "--workers", workers]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "24 documents read, 24 written" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.slow
def test_progress_bar_shows_on_a_terminal(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    for n in range(3):
        (tmp_path / f"d{n}.txt").write_text(DUMP, encoding="utf-8")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # a 100x30 terminal
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", str(tmp_path), "-o", str(tmp_path / "o.jsonl")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        check=False,
        timeout=120,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    screen = shown.decode("utf-8", errors="replace")
    assert "cleaning" in screen and "3/3" in screen
    assert "3 documents read, 3 written" in screen
