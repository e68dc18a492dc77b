"""The dev sets of ../shared/benchmarks: their pages (read from disk when a page is run), their gold texts
and, where a set has a page-info.json (wcxb-dev), each page's type and its must-include and must-exclude
phrases."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.tools.evaluate import GoldDocument, load_gold

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks"
SETS = ("zyte", "l3s-gn1", "fundus-tests", "wcxb-dev")
# WCXB's page types, in the order its tables give them.
PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")


@dataclass(frozen=True)
class Page:
    """One page of a dev set: its name (the gold's key) and its gzipped HTML file."""

    name: str
    path: Path

    def content(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


@dataclass(frozen=True)
class PageInfo:
    """What page-info.json says of a page: its type and the phrases a correct extraction has and lacks."""

    page_type: str | None = None
    with_phrases: tuple[str, ...] = ()
    without_phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DevSet:
    name: str
    pages: tuple[Page, ...]
    gold: dict[str, GoldDocument]
    info: dict[str, PageInfo] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The set's name, and a hash of its pages' files: a cache key that a subset does not share."""
        digest = hashlib.sha256("\n".join(str(page.path) for page in self.pages).encode())
        return f"{self.name}-{digest.hexdigest()[:8]}"

    def of_type(self, page_type: str) -> list[str]:
        """The names of the pages of one type."""
        return [name for name, info in self.info.items() if info.page_type == page_type]


def load_set(name: str, data: Path = DATA) -> DevSet:
    folder = data / name
    pages = tuple(Page(path.name.split(".")[0], path) for path in sorted((folder / "html").glob("*.html.gz")))
    return DevSet(name, pages, load_gold(folder / "ground-truth.json"), _page_info(folder / "page-info.json"))


def _page_info(path: Path) -> dict[str, PageInfo]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: PageInfo(
            entry.get("page_type"), tuple(entry.get("with") or ()), tuple(entry.get("without") or ())
        )
        for name, entry in raw.items()
    }
