"""Shared test helpers: where ../shared is, and how to compare paragraph lists."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLD_DIR = Path(__file__).resolve().parent / "gold"


def shared_dir(*parts: str) -> Path:
    """A folder under ../shared, or skip the test saying why."""
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the shared seeds and benchmarks are not beside this checkout")
    return path


def paragraphs(text: str) -> list[str]:
    """Non-empty lines: the paragraphs of a gold file, a dump or a record's text."""
    return [line for line in text.split("\n") if line.strip()]
