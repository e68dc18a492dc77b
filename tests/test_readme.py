"""README.md and the documentation site (docs/) stay true: the quick start's commands, the rule tables, the
settings table, the record table and the layout."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields

import pytest

from pipeline.cli import build_parser
from pipeline.extract import ExtractOptions
from pipeline.record import RECORD_KEYS
from pipeline.rules import FAMILIES, PAGE_RULES, TEXT_RULES

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = {path.stem: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))}
# Every page of the documentation, README first: what the tables below are looked for in.
DOCS = "\n\n".join([README, *PAGES.values()])


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _shell_blocks()[1].strip()
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_the_first_command_cleans_the_bundled_sample() -> None:
    command = _shell_blocks()[0].strip()
    assert "newsclean clean samples/ -o output/sample.jsonl" in command
    assert (ROOT / "samples").is_dir()


def test_rule_table_matches_the_registry() -> None:
    rows = re.findall(r"^\| (\d+) \| `([a-z-]+)` \| ([a-z-]+) \| (.+) \|$", DOCS, flags=re.MULTILINE)
    assert [(int(n), name, family) for n, name, family, _ in rows] == [
        (i, r.name, r.family) for i, r in enumerate(TEXT_RULES, start=1)
    ]
    assert [purpose for *_, purpose in rows] == [r.purpose for r in TEXT_RULES]


def test_dom_rule_table_matches_the_registry() -> None:
    rows = re.findall(r"^\| D(\d+) \| `([a-z-]+)` \| ([a-z-]+) \| (.+) \|$", DOCS, flags=re.MULTILINE)
    assert [(int(n), name, family) for n, name, family, _ in rows] == [
        (i, r.name, r.family) for i, r in enumerate(PAGE_RULES, start=1)
    ]
    assert [purpose for *_, purpose in rows] == [r.purpose for r in PAGE_RULES]


def test_settings_table_names_every_trafilatura_option() -> None:
    table = DOCS.split("| setting | value | F1 turned over", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    options = {f.name for f in fields(ExtractOptions)} - {"extensive_date_search", "prune_xpath"}
    assert options <= named


def test_record_table_lists_the_contract_keys_in_order() -> None:
    table = DOCS.split("| key | type | meaning |", 1)[1].split("\n\n", 1)[0]
    keys = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)
    assert tuple(keys) == RECORD_KEYS


COMMANDS = sorted(next(a for a in build_parser()._actions if a.dest == "command").choices or ())


@pytest.mark.parametrize("name", COMMANDS)
def test_every_subcommand_is_documented(name: str) -> None:
    assert f"newsclean {name}" in DOCS


@pytest.mark.slow
def test_the_python_example_runs() -> None:
    (example,) = [
        block for block in re.findall(r"```python\n(.*?)```", DOCS, flags=re.DOTALL) if "run_one" in block
    ]
    assert len(example.strip().splitlines()) <= 10
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "samples/wire-story.html.gz" in done.stdout


def test_the_layout_section_names_every_folder_of_the_package() -> None:
    layout = re.split(r"^#+ Layout$", DOCS, maxsplit=1, flags=re.MULTILINE)[1].split("```", 2)[1]
    listed = set(re.findall(r"^(\S+/)\s", layout, flags=re.MULTILINE))
    folders = {
        f"{path.relative_to(ROOT).as_posix()}/" for path in (ROOT / "pipeline").rglob("*") if path.is_dir()
    }
    assert {folder for folder in folders if "__pycache__" not in folder} | {"pipeline/"} <= listed


def test_family_table_matches_the_families() -> None:
    table = DOCS.split("| family | what it removes |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \|$", table, flags=re.MULTILINE)
    assert rows == [(str(family), family.description) for family in FAMILIES]


def test_page_rule_figures_name_every_page_rule() -> None:
    table = DOCS.split("| turned off | zyte |", 1)[1].split("\n\n", 1)[0]
    named = re.findall(r"^\| `([a-z-]+)` \|", table, flags=re.MULTILINE)
    assert named == [rule.name for rule in PAGE_RULES]
