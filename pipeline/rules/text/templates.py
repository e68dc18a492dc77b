"""Template family: paragraphs a site repeats across its different articles. What a site repeats is
learned by a pass over a run (pipeline.corpus.templates) and carried by the Config; the rule is idle
without it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import Context, Rule, Span
from pipeline.text import squeeze


def paragraph_key(text: str) -> bytes:
    """A paragraph as the templates hold it: 8 bytes of the SHA-1 of its squeezed text."""
    return hashlib.sha1(squeeze(text).encode("utf-8")).digest()[:8]


def site_of(url: str | None, sitename: str | None) -> str | None:
    """The site a record belongs to: its URL's host without `www.`, else its publisher's name."""
    if url:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        if host:
            return host
    return squeeze(sitename) if sitename and sitename.strip() else None


@dataclass(frozen=True)
class TemplateParagraphs:
    """Finds a paragraph whose text (space and case aside) is one of the site's template paragraphs."""

    keys: frozenset[bytes] = frozenset()

    def __call__(self, text: str, ctx: Context) -> list[Span]:
        if self.keys and text.strip() and paragraph_key(text) in self.keys:
            return [(0, len(text))]
        return []

    def describe(self) -> dict[str, Any]:
        return {"shape": "learned", "paragraphs": len(self.keys)}


@dataclass(frozen=True)
class SiteTemplates:
    """What a pass learned: per site, the keys of the paragraphs it repeats across at least
    `min_articles` different articles (copies of one article counted once)."""

    sites: tuple[tuple[str, frozenset[bytes]], ...] = ()
    min_articles: int = 3
    _by_site: dict[str, frozenset[bytes]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_site", dict(self.sites))

    def rule_for(self, site: str | None) -> Rule | None:
        """SITE_TEMPLATE with the site's paragraphs, or None when the site repeats none."""
        keys = self._by_site.get(site) if site else None
        if not keys:
            return None
        return Rule(
            SITE_TEMPLATE.name, SITE_TEMPLATE.family, SITE_TEMPLATE.purpose, TemplateParagraphs(keys), (), ()
        )

    @property
    def paragraph_count(self) -> int:
        return sum(len(keys) for _, keys in self.sites)


SITE_TEMPLATE = Rule(
    "site-template",
    Family.TEMPLATE,
    "A paragraph its site repeats across three or more of its different articles in the run "
    "(`clean --site-templates`; copies of one article count once).",
    TemplateParagraphs(),
    (),
    (),
)
