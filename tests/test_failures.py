"""The one failure policy: tries, time limits, bounded waits on services, masked secrets."""

from __future__ import annotations

import ast
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from pipeline.document import Document, DocumentError, Stage
from pipeline.process import Config, raised_by_project, run_one
from pipeline.runners.failures import FailurePolicy, ServicePolicy, ServiceUnavailable, mask_secrets

from .conftest import ROOT


def test_a_document_is_tried_again_until_its_attempts_are_spent() -> None:
    policy = FailurePolicy(attempts=3)
    assert [policy.retry(attempt) for attempt in (1, 2, 3)] == [True, True, False]


def test_a_document_that_died_every_time_is_an_extract_error_line() -> None:
    document = Document("a.html", "html", content=b"<p>x</p>")
    outcome = run_one(FailurePolicy(attempts=2).died(document), Config())
    assert outcome.error == {
        "source": "a.html",
        "stage": "extract",
        "error": "the worker process died while processing this input, twice",
    }


def test_a_document_over_its_time_is_an_extract_error_line_naming_the_limit() -> None:
    document = Document("a.html", "html", content=b"<p>x</p>")
    outcome = run_one(FailurePolicy(timeout=7).timed_out(document), Config())
    assert outcome.stage == Stage.EXTRACT
    assert outcome.error is not None and "7 s" in outcome.error["error"]


def test_the_wait_for_a_result_is_the_limit_and_the_grace() -> None:
    assert FailurePolicy(timeout=5, kill_grace=2).wait == 7
    assert FailurePolicy(timeout=None).wait is None


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("redis://:hunter2@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("redis://user:hunter2@host/1", "redis://user:***@host/1"),
        ("could not reach rediss://u:p%40ss@h:1 (refused)", "could not reach rediss://u:***@h:1 (refused)"),
        ("tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ],
)
def test_passwords_in_urls_are_masked(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


def test_a_service_that_recovers_within_its_budget_is_used() -> None:
    calls: list[int] = []
    pauses: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionRefusedError("refused")
        return "ok"

    policy = ServicePolicy("redis", attempts=3, backoff=0.5)
    assert policy.call(flaky, "redis://h", sleep=pauses.append) == "ok"
    assert pauses == [0.5, 1.0]


def test_a_service_that_never_answers_ends_in_one_error_naming_it_with_its_password_masked() -> None:
    pauses: list[float] = []

    def dead() -> None:
        raise ConnectionRefusedError("Error 111 connecting to redis://:hunter2@127.0.0.1:1")

    policy = ServicePolicy("redis", attempts=4, backoff=1.0, max_backoff=1.5)
    with pytest.raises(ServiceUnavailable) as raised:
        policy.call(dead, "redis://:hunter2@127.0.0.1:1/0", sleep=pauses.append)
    assert pauses == [1.0, 1.5, 1.5]
    assert "hunter2" not in str(raised.value)
    assert str(raised.value).startswith("redis at redis://:***@127.0.0.1:1/0 is unavailable: ")
    assert policy.budget == 4 * 10.0 + 4.0


def test_an_error_of_another_kind_is_not_retried() -> None:
    def broken() -> None:
        raise ValueError("a bug")

    pauses: list[float] = []
    with pytest.raises(ValueError, match="a bug"):
        ServicePolicy("redis").call(broken, "redis://h", sleep=pauses.append)
    assert pauses == []


def test_an_error_raised_in_the_projects_code_is_told_from_a_librarys() -> None:
    import json

    with pytest.raises(ValueError) as ours:
        DocumentError("no-such-stage", "x")
    with pytest.raises(ValueError) as theirs:
        json.loads("{")
    assert raised_by_project(ours.value)
    assert not raised_by_project(theirs.value)


def test_stages_are_written_as_their_names() -> None:
    import json

    assert json.dumps({"stage": Stage.TOO_LARGE}) == '{"stage": "too-large"}'
    assert DocumentError("read", "x").stage == "read"


def test_the_policys_kill_breaks_the_pool_of_a_stuck_document() -> None:
    with ProcessPoolExecutor(1) as executor:
        assert executor.submit(os.getpid).result(timeout=60)  # the worker is up
        stuck = executor.submit(time.sleep, 600)
        FailurePolicy().kill(executor)
        with pytest.raises(BrokenProcessPool):
            stuck.result(timeout=60)


def _private_imports(path: Path) -> list[str]:
    """`module.name` for every private name the module imports from another module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "pipeline").rglob("*.py")), ids=lambda path: str(path.relative_to(ROOT))
)
def test_no_module_of_the_package_imports_a_private_name_of_another(path: Path) -> None:
    assert _private_imports(path) == []
