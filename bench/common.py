"""What the bench scripts share: the `newsclean clean` command line they time and measure."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_command(inputs: list[str], output: Path, *extra: str) -> list[str]:
    """`newsclean clean INPUTS -o OUTPUT -q EXTRA...` as a fresh interpreter runs it from the checkout."""
    return [sys.executable, "-m", "pipeline", "clean", *inputs, "-o", str(output), "-q", *extra]
