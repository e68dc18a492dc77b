"""Site templates: the paragraphs each site repeats across its different articles, learned from the records
of a run as a map (each record's paragraph keys, `page_counts`) and a merge (`TemplateCounts`), and saved
to or read from a templates file. The frozen value it gives (SiteTemplates) rides in the Config into the
per-document template rule (pipeline.rules.text.templates)."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.corpus.dedup import Records, find_duplicates
from pipeline.rules.text.templates import (
    SiteTemplate,
    SiteTemplates,
    TemplateParagraph,
    paragraph_key,
    site_of,
)

# A paragraph is a site's template when it stands in this many of the site's different articles, once in
# each, and has at least MIN_WORDS words. Recall first: a label a site's articles use many times over
# ("Pros", "Cons", "Note:", a line of code in its documentation) is the articles' structure, not a template.
MIN_ARTICLES = 3
MIN_WORDS = 3

# What a templates file says it is on its first line, and the version of its layout.
FORMAT = "newsclean-templates"
VERSION = 1


class TemplatesFileError(ValueError):
    """A templates file that cannot be used: missing, unreadable, not one, or of another version."""


@dataclass(frozen=True)
class PageCounts:
    """The map's value for one record: its site, the keys of the paragraphs (of MIN_WORDS words or more)
    that stand in it once, and of those that stand in it more than once."""

    site: str
    once: frozenset[bytes]
    repeated: frozenset[bytes]


def page_counts(record: dict[str, Any]) -> PageCounts | None:
    """The record's paragraph keys by site; None for a record of no known site or no text."""
    site = site_of(_string(record.get("url")), _string(record.get("sitename")))
    text = _string(record.get("text"))
    if site is None or text is None:
        return None
    keys = Counter(paragraph_key(p) for p in text.split("\n") if len(p.split()) >= MIN_WORDS)
    once = frozenset(key for key, times in keys.items() if times == 1)
    return PageCounts(site, once, frozenset(keys) - once)


@dataclass
class SiteCounts:
    """One site's merged counts: its pages, and for each distinct paragraph key the pages it stood in once
    (a key that stood twice in one page is marked repeated and never a template)."""

    pages: int = 0
    keys: Counter[bytes] = field(default_factory=Counter)
    repeated: set[bytes] = field(default_factory=set)


class TemplateCounts:
    """The merge: per site, per distinct paragraph key, a count. Adding pages and merging counts commute,
    so the result is the same whatever the order and grouping of the pages.

    Memory grows with the distinct paragraphs of each site (one Counter entry, an 8-byte key, each), not
    with the pages: a paragraph a site prints on every page costs one entry (bench/templates.py)."""

    def __init__(self) -> None:
        self.sites: dict[str, SiteCounts] = {}

    def add(self, page: PageCounts) -> None:
        counts = self.sites.setdefault(page.site, SiteCounts())
        counts.pages += 1
        counts.keys.update(page.once)
        counts.keys.update(page.repeated)
        counts.repeated.update(page.repeated)

    def merge(self, other: TemplateCounts) -> None:
        for site, theirs in other.sites.items():
            counts = self.sites.setdefault(site, SiteCounts())
            counts.pages += theirs.pages
            counts.keys.update(theirs.keys)
            counts.repeated.update(theirs.repeated)

    def templates(self, min_articles: int = MIN_ARTICLES) -> dict[str, dict[bytes, int]]:
        """Per site, the keys of its template paragraphs with the pages each stood in."""
        found: dict[str, dict[bytes, int]] = {}
        for site, counts in self.sites.items():
            keys = {
                key: n for key, n in counts.keys.items() if n >= min_articles and key not in counts.repeated
            }
            if keys:
                found[site] = keys
        return found

    def entries(self) -> int:
        """The distinct (site, paragraph) keys held."""
        return sum(len(counts.keys) for counts in self.sites.values())


def count_pages(records: Iterable[dict[str, Any]], skip: Iterable[bool] | None = None) -> TemplateCounts:
    """The map and merge over records, leaving out those `skip` marks (the copies)."""
    counts = TemplateCounts()
    skipping = iter(skip) if skip is not None else None
    for record in records:
        if skipping is not None and next(skipping):
            continue
        page = page_counts(record)
        if page is not None:
            counts.add(page)
    return counts


def learn_templates(records: Records, min_articles: int = MIN_ARTICLES) -> SiteTemplates:
    """The paragraphs each site repeats across `min_articles` or more of its articles (see MIN_WORDS).
    Copies of one article (`newsclean dedup`'s) count once: a syndicated story run 3 times teaches nothing.
    Three passes over the records, none holding a text: the copies, the counts, and the template
    paragraphs' texts (the smallest spelling of each, so that the order of the records does not matter)."""
    duplicates = find_duplicates(records)
    copies = [copy is not None for copy in duplicates.copies]
    counts = count_pages(records(), copies)
    found = counts.templates(min_articles)
    texts = _template_texts(records(), copies, found)
    sites = []
    for site in sorted(found):
        paragraphs = tuple(
            sorted(
                (TemplateParagraph(key, n, texts[(site, key)]) for key, n in found[site].items()),
                key=lambda p: (-p.pages, p.text),
            )
        )
        sites.append(SiteTemplate(site, counts.sites[site].pages, paragraphs))
    return SiteTemplates(tuple(sites), min_articles)


def _template_texts(
    records: Iterable[dict[str, Any]], copies: list[bool], found: dict[str, dict[bytes, int]]
) -> dict[tuple[str, bytes], str]:
    texts: dict[tuple[str, bytes], str] = {}
    for record, copy in zip(records, copies, strict=False):
        page = None if copy else page_counts(record)
        if page is None or page.site not in found:
            continue
        keys = found[page.site]
        for paragraph in (_string(record.get("text")) or "").split("\n"):
            key = paragraph_key(paragraph)
            if key in keys and len(paragraph.split()) >= MIN_WORDS:
                known = texts.get((page.site, key))
                texts[(page.site, key)] = paragraph if known is None else min(known, paragraph)
    return texts


def save_templates(templates: SiteTemplates, path: Path) -> None:
    """Write a templates file: a header line (format, version, the learning's minimum), then one JSON line
    a site: its pages and, per template paragraph, its key (hex), its pages and its text. No other text
    of any page. Written to a temporary file beside it and moved into place: never left half-written, and
    two runs saving at once leave one whole file."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "min_articles": templates.min_articles,
        "min_words": MIN_WORDS,
    }
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(header) + "\n")
            for template in templates.sites:
                line = {
                    "site": template.site,
                    "pages": template.pages,
                    "paragraphs": [
                        {"key": p.key.hex(), "pages": p.pages, "text": p.text} for p in template.paragraphs
                    ],
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def check_target(path: Path) -> None:
    """TemplatesFileError when `path` holds something other than a templates file (a records file, a page):
    saving there would destroy it. A missing file, or a templates file, may be written."""
    if path.is_dir():
        raise TemplatesFileError(f"{path} is a folder, not a templates file")
    if not path.exists():
        return
    try:
        load_templates(path)
    except TemplatesFileError:
        raise TemplatesFileError(
            f"{path} exists and is not a templates file: saving templates there would destroy it"
        ) from None


def load_templates(path: Path) -> SiteTemplates:
    """Read a templates file; TemplatesFileError saying what is wrong with it. The first line is checked
    before any other is read: a large file of another kind is refused at once."""
    try:
        with path.open(encoding="utf-8") as handle:
            lines = _json_lines(handle, path)
            header = next(lines, None)
            min_articles = _header(header, path)
            sites = tuple(_site(line, number, path) for number, line in enumerate(lines, 2))
    except FileNotFoundError:
        raise TemplatesFileError(f"templates file not found: {path}") from None
    except IsADirectoryError:
        raise TemplatesFileError(f"{path} is a folder, not a templates file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TemplatesFileError(f"cannot read templates file {path}: {error}") from error
    return SiteTemplates(sites, min_articles)


def _header(header: Any, path: Path) -> int:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TemplatesFileError(f"{path} is not a newsclean templates file (made by --save-templates)")
    if header.get("version") != VERSION:
        raise TemplatesFileError(
            f"{path} is a templates file of version {header.get('version')!r}; this newsclean reads "
            f"version {VERSION}: learn the templates again"
        )
    min_articles = header.get("min_articles")
    if not isinstance(min_articles, int) or min_articles < 1:
        raise TemplatesFileError(f"{path}: line 1 has no min_articles")
    return min_articles


def _json_lines(handle: Iterable[str], path: Path) -> Iterator[Any]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            raise TemplatesFileError(f"{path}: line {number} is not JSON: not a templates file") from None


def _site(line: Any, number: int, path: Path) -> SiteTemplate:
    try:
        site, pages, paragraphs = line["site"], line["pages"], line["paragraphs"]
        parsed = tuple(TemplateParagraph(bytes.fromhex(p["key"]), p["pages"], p["text"]) for p in paragraphs)
    except (KeyError, TypeError, ValueError):
        raise TemplatesFileError(f"{path}: line {number} is not a site's templates") from None
    valid = isinstance(site, str) and site and isinstance(pages, int) and pages >= 1
    if not valid or any(
        len(p.key) != 8
        or not isinstance(p.pages, int)
        or not 1 <= p.pages <= pages
        or not isinstance(p.text, str)
        for p in parsed
    ):
        raise TemplatesFileError(f"{path}: line {number} is not a site's templates")
    return SiteTemplate(site, pages, parsed)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None
