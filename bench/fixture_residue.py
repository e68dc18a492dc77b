"""Does each hand-written HTML fixture in tests/gold hold residue that plain trafilatura keeps?

Usage: .venv/bin/python bench/fixture_residue.py

A fixture earns its place when plain `trafilatura.extract(html, include_comments=False)` keeps a
paragraph that the fixture's gold drops and that newsclean removes. Prints one line a fixture and
exits 1 when a fixture holds no such residue (plain trafilatura already cleans it).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from pipeline import iter_documents, run_one, warm_up  # noqa: E402
from pipeline.process import Config  # noqa: E402

GOLD = REPO / "tests" / "gold"


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def residue(path: Path, config: Config) -> list[str]:
    plain = trafilatura.extract(path.read_bytes().decode("utf-8", errors="replace"), include_comments=False)
    (document,) = iter_documents([str(path)])
    record = run_one(document, config).record
    if record is None:
        return []
    removed = [removal["text"].strip() for removal in record["removed"]]
    gold = set(_paragraphs((path.with_name(path.name.rsplit(".", 1)[0] + ".gold.txt")).read_text("utf-8")))
    return [
        line for line in _paragraphs(plain or "") if line not in gold and any(cut in line for cut in removed)
    ]


def main() -> int:
    warm_up()
    config = Config()
    status = 0
    for path in sorted(GOLD.glob("*.html")):
        found = residue(path, config)
        print(f"{path.name:<36} {len(found):>3} paragraphs of residue plain trafilatura keeps")
        status |= not found
    return status


if __name__ == "__main__":
    sys.exit(main())
