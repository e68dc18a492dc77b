"""Site templates: the paragraphs each site repeats across its different articles, learned from the records
of a run. The frozen value it gives (SiteTemplates) rides in the Config into the per-document template rule
(pipeline.rules.text.templates)."""

from __future__ import annotations

from collections import Counter

from pipeline.corpus.dedup import Records, find_duplicates
from pipeline.rules.text.templates import SiteTemplates, paragraph_key, site_of

# A paragraph is a site's template when it stands in this many of the site's different articles.
MIN_ARTICLES = 3


def learn_templates(records: Records, min_articles: int = MIN_ARTICLES) -> SiteTemplates:
    """The paragraphs each site repeats across `min_articles` or more of its articles. Copies of one
    article (`newsclean dedup`'s) count once, so that a syndicated story run three times teaches nothing.
    Memory: one counter entry per distinct (site, paragraph), an 8-byte key each."""
    duplicates = find_duplicates(records)
    counts: Counter[tuple[str, bytes]] = Counter()
    for i, record in enumerate(records()):
        if duplicates.copies[i] is not None:
            continue
        site = site_of(_string(record.get("url")), _string(record.get("sitename")))
        text = _string(record.get("text"))
        if site is None or text is None:
            continue
        for key in {paragraph_key(paragraph) for paragraph in text.split("\n") if paragraph.strip()}:
            counts[(site, key)] += 1
    found: dict[str, set[bytes]] = {}
    for (site, key), count in counts.items():
        if count >= min_articles:
            found.setdefault(site, set()).add(key)
    sites = tuple(sorted((site, frozenset(keys)) for site, keys in found.items()))
    return SiteTemplates(sites, min_articles)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None
