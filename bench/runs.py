"""Run an extractor over a dev set's pages (in `jobs` processes), timing each page, and cache the texts.

The extractors: newsclean with a given `Config`, and the anchors measured beside it: plain trafilatura
(`extract(html, include_comments=False)`), readability-lxml (`Document(html).summary(html_partial=True)`,
text by html-text) and magic-html (`GeneralExtractor().extract(html)`, text by html-text) when installed.

Every run's texts and CPU seconds are cached in output/quality-cache, one file a set and extractor, and a run
of newsclean's records beside its texts (`<file>.records.jsonl.gz`, read by the families' fitting). An
anchor's key is its name and version. newsclean's key is a hash of the configuration and of the package's
source (every file under pipeline/) with the versions of the libraries it extracts with: a change to the code
runs the pages again, a rerun of the same code and configuration reads the cache.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from devsets import REPO, DevSet, Page

from pipeline import Config, Document, run_one, warm_up

CACHE = REPO / "output" / "quality-cache"
NEWSCLEAN = "newsclean"
# Libraries whose versions change newsclean's output, beside its own source.
_LIBRARIES = ("trafilatura", "htmldate", "lxml", "justext", "langdetect", "charset-normalizer")
# Config fields that are the rule registry itself: the names of the rules stand for them in a key.
_RULE_FIELDS = frozenset({"page_rules", "text_rules", "_selected"})


# --- the extractors: each maps a page's bytes to its text ----------------------------------------------


def _readability(content: bytes) -> str:
    import html_text
    from readability import Document as Readable

    try:
        summary = Readable(content.decode("utf-8", errors="replace")).summary(html_partial=True)
    except Exception:  # readability gives up on some pages; that page scores nothing
        return ""
    return str(html_text.extract_text(summary))


def _trafilatura(content: bytes) -> str:
    import trafilatura

    return trafilatura.extract(content, include_comments=False) or ""


def _magic_html(content: bytes) -> str:
    import html_text
    from magic_html import GeneralExtractor

    try:
        extracted = GeneralExtractor().extract(content.decode("utf-8", errors="replace"))
    except Exception:  # magic-html raises on some pages; that page scores nothing
        return ""
    return str(html_text.extract_text(extracted.get("html") or ""))


def _installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


@dataclass(frozen=True)
class Anchor:
    label: str
    extract: Callable[[bytes], str]


@cache
def anchors() -> dict[str, Anchor]:
    """The anchors installed here, by key (name and version). magic-html declares Python 3.12 or newer:
    where it is not installed, it is left out (and said so by `missing_anchors`)."""
    found = {
        "trafilatura": Anchor(
            f"trafilatura {_installed('trafilatura')}, extract(include_comments=False)", _trafilatura
        ),
        "readability": Anchor(f"readability-lxml {_installed('readability-lxml')}", _readability),
    }
    if _installed("magic-html"):
        found["magic-html"] = Anchor(f"magic-html {_installed('magic-html')}", _magic_html)
    return found


def missing_anchors() -> list[str]:
    return [] if _installed("magic-html") else ["magic-html (not installed: it declares Python >= 3.12)"]


# --- running ---------------------------------------------------------------------------------------------

_config = Config()


def _start(config: Config) -> None:
    global _config
    _config = config
    warm_up()
    for name in ("readability", "readability.readability", "magic_html"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _newsclean(page: Page) -> tuple[str, dict[str, Any] | None]:
    record = run_one(Document(page.name, "html", content=page.content()), _config).record
    return (record["text"] if record else ""), record


def _run_chunk(arguments: tuple[str, Config, list[Page], bool]) -> list[tuple[str, str, Any, float]]:
    which, config, pages, keep_records = arguments
    _start(config)
    rows = []
    for page in pages:
        if which == NEWSCLEAN:
            start = time.process_time()
            text, record = _newsclean(page)
        else:
            content = page.content()
            start = time.process_time()
            text, record = anchors()[which].extract(content), None
        rows.append((page.name, text, record if keep_records else None, time.process_time() - start))
    return rows


@dataclass(frozen=True)
class Run:
    """Texts by page name, the records (when asked for) and the CPU seconds of the whole set."""

    texts: dict[str, str]
    records: list[dict[str, Any]]
    seconds: float


def run(which: str, pages: tuple[Page, ...], config: Config, jobs: int, keep_records: bool = False) -> Run:
    chunks = [(which, config, list(pages[i::jobs]), keep_records) for i in range(jobs)]
    if jobs > 1:
        with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
            rows = [row for chunk in pool.map(_run_chunk, chunks) for row in chunk]
    else:
        rows = _run_chunk(chunks[0])
    texts = {name: text for name, text, _, _ in rows}
    records = [record for _, _, record, _ in rows if record is not None]
    return Run(texts, records, sum(seconds for *_, seconds in rows))


# --- the cache -------------------------------------------------------------------------------------------


@cache
def source_hash() -> str:
    """A hash of newsclean's source files and of the versions of the libraries it extracts with."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "pipeline").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json"}:
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}={_installed(library)}".encode())
    return digest.hexdigest()


def config_key(config: Config) -> str:
    """A key for a configuration: every field's value, the rule registry by its rules' names."""
    parts = [f"{f.name}={getattr(config, f.name)!r}" for f in fields(config) if f.name not in _RULE_FIELDS]
    parts += [
        f"page_rules={[r.name for r in config.page_rules]}",
        f"text_rules={[r.name for r in config.text_rules]}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_path(which: str, devset: DevSet, config: Config) -> str:
    if which == NEWSCLEAN:
        key = hashlib.sha256((config_key(config) + source_hash()).encode()).hexdigest()[:20]
        return f"{devset.key}--newsclean-{key}.json"
    label = anchors()[which].label
    return f"{devset.key}--{label.replace(' ', '_').replace('/', '_').replace(',', '')}.json"


def records_path(path: Path) -> Path:
    """Where the records of newsclean's run cached at `path` are kept."""
    return path.with_name(path.stem + ".records.jsonl.gz")


def cached(
    which: str, devset: DevSet, config: Config, jobs: int, fresh: bool = False, keep_records: bool = False
) -> Run:
    """The texts and CPU seconds of a run, from the cache when it holds them (unless `fresh`); with
    `keep_records`, newsclean's records too (a run of newsclean caches its records beside its texts)."""
    path = CACHE / cache_path(which, devset, config)
    records = records_path(path)
    if path.exists() and not fresh and (not keep_records or records.exists()):
        stored = json.loads(path.read_text(encoding="utf-8"))
        kept = []
        if keep_records:
            with gzip.open(records, "rt", encoding="utf-8") as handle:
                kept = [json.loads(line) for line in handle]
        return Run(stored["texts"], kept, stored["seconds"])
    done = run(which, devset.pages, config, jobs, keep_records=which == NEWSCLEAN)
    CACHE.mkdir(parents=True, exist_ok=True)
    if which == NEWSCLEAN:
        partial = records.with_suffix(".part")
        with gzip.open(partial, "wt", encoding="utf-8") as handle:
            for record in done.records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        partial.replace(records)
    partial = path.with_suffix(".part")
    partial.write_text(
        json.dumps({"texts": done.texts, "seconds": done.seconds}, ensure_ascii=False), "utf-8"
    )
    partial.replace(path)
    return done
