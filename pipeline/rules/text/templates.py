"""Template family: paragraphs a site repeats across its different articles. What a site repeats is
learned by a pass over a run (pipeline.corpus.templates) or read from a saved templates file, and carried
by the Config; the rule is idle without it. Each removal carries its evidence in `detail`."""

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


def support_detail(pages: int, of_pages: int, site: str) -> str:
    """The evidence of a `site-template` removal, the removal's `detail`: "in 37 of 120 pages of
    harbour.example" (the site's different pages the paragraph stood in, of all its pages learned from)."""
    return f"in {pages} of {of_pages} pages of {site}"


@dataclass(frozen=True)
class TemplateParagraph:
    """One template paragraph: its key, the number of the site's pages it stood in, and its text."""

    key: bytes
    pages: int
    text: str


@dataclass(frozen=True)
class SiteTemplate:
    """A site's template paragraphs, learned from `pages` of its different pages."""

    site: str
    pages: int
    paragraphs: tuple[TemplateParagraph, ...]


@dataclass(frozen=True)
class TemplateParagraphs:
    """Finds a paragraph whose text (space and case aside) is one of the site's template paragraphs, and
    says on how many of the site's pages it stood (`detail`)."""

    template: SiteTemplate | None = None
    _support: dict[bytes, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        paragraphs = self.template.paragraphs if self.template else ()
        object.__setattr__(self, "_support", {p.key: p.pages for p in paragraphs})

    def __call__(self, text: str, ctx: Context) -> list[Span]:
        if self._support and text.strip() and paragraph_key(text) in self._support:
            return [(0, len(text))]
        return []

    def detail(self, text: str) -> str | None:
        """The evidence for removing `text`: on how many of the site's pages it stood."""
        found = self._support.get(paragraph_key(text))
        if found is None or self.template is None:
            return None
        return support_detail(found, self.template.pages, self.template.site)

    def describe(self) -> dict[str, Any]:
        return {"shape": "learned", "paragraphs": len(self._support)}


@dataclass(frozen=True)
class SiteTemplates:
    """What a pass learned or a templates file holds: per site, the paragraphs it repeats across at least
    `min_articles` different articles (copies of one article counted once), with their support."""

    sites: tuple[SiteTemplate, ...] = ()
    min_articles: int = 3
    _rules: dict[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One rule a site, made once: a run asks for one on every page.
        rules = {t.site: _rule(t) for t in self.sites if t.paragraphs}
        object.__setattr__(self, "_rules", rules)

    def rule_for(self, site: str | None) -> Rule | None:
        """SITE_TEMPLATE with the site's paragraphs, or None when the site repeats none."""
        return self._rules.get(site) if site else None

    @property
    def paragraph_count(self) -> int:
        return sum(len(template.paragraphs) for template in self.sites)


def _rule(template: SiteTemplate) -> Rule:
    return Rule(
        SITE_TEMPLATE.name,
        SITE_TEMPLATE.family,
        SITE_TEMPLATE.purpose,
        TemplateParagraphs(template),
        (),
        (),
    )


SITE_TEMPLATE = Rule(
    "site-template",
    Family.TEMPLATE,
    "A paragraph its site repeats across three or more of its different articles (`clean --site-templates` "
    "learns them from the run, `clean --templates FILE` reads them from a saved file; copies of one "
    "article count once). The removal's `detail` says on how many of the site's pages it stood.",
    TemplateParagraphs(),
    (),
    (),
)
