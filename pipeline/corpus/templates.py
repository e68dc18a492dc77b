"""Site templates: the paragraphs each site repeats across its different articles, learned from the records
of a run. The frozen value it gives (SiteTemplates) rides in the Config into the per-document template rule
(pipeline.rules.text.templates)."""

from __future__ import annotations

from collections import Counter

from pipeline.corpus.dedup import Records, find_duplicates
from pipeline.rules.text.templates import SiteTemplates, paragraph_key, site_of

# A paragraph is a site's template when it stands in this many of the site's different articles, once in
# each, and has at least MIN_WORDS words. Recall first: a label a site's articles use many times over
# ("Pros", "Cons", "Note:", a line of code in its documentation) is the articles' structure, not a template.
MIN_ARTICLES = 3
MIN_WORDS = 3


def learn_templates(records: Records, min_articles: int = MIN_ARTICLES) -> SiteTemplates:
    """The paragraphs each site repeats across `min_articles` or more of its articles (see MIN_WORDS).
    Copies of one article (`newsclean dedup`'s) count once: a syndicated story run 3 times teaches nothing.
    Memory: one counter entry per distinct (site, paragraph), an 8-byte key each."""
    duplicates = find_duplicates(records)
    counts: Counter[tuple[str, bytes]] = Counter()
    repeated: set[tuple[str, bytes]] = set()
    for i, record in enumerate(records()):
        if duplicates.copies[i] is not None:
            continue
        site = site_of(_string(record.get("url")), _string(record.get("sitename")))
        text = _string(record.get("text"))
        if site is None or text is None:
            continue
        keys = Counter(paragraph_key(p) for p in text.split("\n") if len(p.split()) >= MIN_WORDS)
        for key, times in keys.items():
            counts[(site, key)] += 1
            if times > 1:
                repeated.add((site, key))
    found: dict[str, set[bytes]] = {}
    for (site, key), count in counts.items():
        if count >= min_articles and (site, key) not in repeated:
            found.setdefault(site, set()).add(key)
    sites = tuple(sorted((site, frozenset(keys)) for site, keys in found.items()))
    return SiteTemplates(sites, min_articles)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None
