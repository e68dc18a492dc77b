"""Whether a crawled page is an article, judged by the page: its markup, its metadata, its text length.

The signals are read from the tree the extraction parsed (before anything is cut from it); the
judgement is a step of `process_document` in runs that keep articles only.

The rule, in order:
1. Fewer than MIN_WORDS words of cleaned text: not an article (a teaser, a stub, a gallery).
2. The page declares itself an article: `og:type` "article", a schema.org Article type (NewsArticle,
   BlogPosting, ...) in its JSON-LD, or one microdata item of such a type: an article.
3. The page declares another type (`og:type` "website", "profile", ...; schema.org CollectionPage,
   AboutPage, ...; several microdata article items, a list of teasers): not an article.
4. The page declares nothing and holds TEASER_LIST or more `<article>` elements: a list of teasers,
   not an article, unless they are a run of entries with prose (a live blog), which counts as article
   markup and a date.
5. Otherwise an article when the page shows at least two of:
   - article markup: exactly one `<article>` element, or an article body (`articleBody`, `hentry`,
     `entry-content`, `article-body`, ...);
   - a publication date of its own: `article:published_time`, `datePublished`, one or two `<time>`
     elements, or a date the extractor found in the page (which may come from its URL);
   - a byline: `article:author`, or one or two byline or author elements;
   - an entry for it in a news sitemap or a feed.
The URL alone never decides.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

# Below this many words of cleaned text a page is not an article.
MIN_WORDS = 40
# Signals a page without a declared type needs (of the three in rule 4).
MIN_SIGNALS = 2
# More <time> elements (or byline elements) than this are a list of teasers, not one article's.
MAX_ARTICLE_TIMES = 2
# This many <article> elements on a page that declares no type are a list of teasers.
TEASER_LIST = 3

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "SatiricalArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
    }
)
# Page types of schema.org that say "this page is something else" when no Article type is present.
# WebSite and WebPage are not among them: sites declare those on every page, articles included.
OTHER_TYPES = frozenset(
    {"CollectionPage", "AboutPage", "ContactPage", "ProfilePage", "SearchResultsPage", "FAQPage", "QAPage"}
)


@dataclass(frozen=True)
class Signals:
    """What a page says about itself."""

    og_type: str | None
    # schema.org types of the page's top-level JSON-LD objects and microdata items.
    schema_types: frozenset[str]
    # Microdata items typed as an article: one is the page's article, several a list of teasers.
    microdata_articles: int
    article_elements: int
    has_article_body: bool
    dated: bool
    bylined: bool
    # A run of dated or headed entries with prose (a live blog): one article made of entries, not a list
    # of teasers, whatever its <article> and <time> elements count.
    entries: bool = False

    @property
    def declared_article(self) -> bool:
        if self.og_type == "article" or self.microdata_articles == 1:
            return True
        return bool(self.schema_types & ARTICLE_TYPES) and self.microdata_articles == 0

    @property
    def declared_other(self) -> str | None:
        """The non-article type the page declares, if any."""
        if self.og_type and self.og_type != "article":
            return f'og:type "{self.og_type}"'
        others = sorted(self.schema_types & OTHER_TYPES)
        if others:
            return f"the schema.org type {others[0]}"
        if self.microdata_articles > 1:
            return f"{self.microdata_articles} article items (a list of teasers)"
        return None


NO_SIGNALS = Signals(None, frozenset(), 0, 0, False, False, False)


def not_article_reason(
    signals: Signals | None, words: int, listed_as_news: bool, found_date: bool = False
) -> str | None:
    """None when the page is an article by the module's rule, else why it is not.

    `signals`: what the page says about itself (None for a page without markup, a text dump);
    `found_date`: the extractor found a publication date in the page itself (not a sitemap's).
    """
    if words < MIN_WORDS:
        return f"{words} words of text; an article has at least {MIN_WORDS}"
    signals = signals or NO_SIGNALS
    if signals.declared_article:
        return None
    declared = signals.declared_other
    if declared:
        return f"the page declares {declared}"
    if signals.article_elements >= TEASER_LIST and not signals.entries:
        return f"{signals.article_elements} <article> elements and no declared type: a list of teasers"
    found = _weak_signals(signals, listed_as_news, found_date)
    if len(found) >= MIN_SIGNALS:
        return None
    shown = ", ".join(found) if found else "none"
    return f"no article type declared and {len(found)} of {MIN_SIGNALS} article signals ({shown})"


def _weak_signals(signals: Signals, listed_as_news: bool, found_date: bool) -> list[str]:
    found = []
    if signals.article_elements == 1 or signals.has_article_body or signals.entries:
        found.append("article markup")
    if signals.dated or found_date or signals.entries:
        found.append("publication date")
    if signals.bylined:
        found.append("byline")
    if listed_as_news:
        found.append("news sitemap or feed entry")
    return found


def page_signals(tree: HtmlElement, entries: bool = False) -> Signals:
    """The signals of a parsed page (its root element), read before anything is cut from it; `entries`:
    the page holds a run of entries (pipeline/extract/entries.py), whose times date it."""
    og_values = tree.xpath('//meta[@property="og:type" or @name="og:type"]/@content')
    og = [str(value).strip().lower() for value in og_values]
    ld = list(_json_ld(tree))
    microdata = [name for value in tree.xpath("//*[@itemtype]/@itemtype") for name in _type_names(str(value))]
    published = tree.xpath(
        '//meta[@property="article:published_time" or @name="article:published_time"'
        ' or @itemprop="datePublished" or @name="date" or @name="pubdate"]/@content'
        ' | //*[@itemprop="datePublished"]'
    )
    times = len(tree.xpath("//time[@datetime]"))
    dated = bool(published) or any("datePublished" in node for node in ld) or 0 < times <= MAX_ARTICLE_TIMES
    bylines = len(tree.xpath(_BYLINES))
    # Not <meta name="author">: sites put the same one on every page.
    authored = tree.xpath('//meta[@property="article:author"]/@content')
    return Signals(
        og_type=og[0] if og and og[0] else None,
        schema_types=frozenset(_ld_types(ld)) | frozenset(microdata),
        microdata_articles=sum(name in ARTICLE_TYPES for name in microdata),
        article_elements=len(tree.xpath("//article")),
        has_article_body=bool(tree.xpath(_ARTICLE_BODY)),
        dated=dated,
        bylined=bool(authored) or 0 < bylines <= MAX_ARTICLE_TIMES,
        entries=entries,
    )


# The body of one article in microdata, microformats and the usual CMS classes (WordPress and others).
_BODY_CLASSES = (
    "hentry",
    "h-entry",
    "type-post",
    "entry-content",
    "post-content",
    "article-body",
    "story-body",
)
_ARTICLE_BODY = " | ".join(
    ["//*[@itemprop='articleBody']", *(f"//*[contains(@class, '{c}')]" for c in _BODY_CLASSES)]
)
# Elements that carry a byline; nested ones (a name inside a byline) count once.
_BYLINE = "@rel='author' or @itemprop='author' or contains(@class, 'byline') or contains(@class, 'author')"
_BYLINES = f"//*[{_BYLINE}][not(ancestor::*[{_BYLINE}])]"


def _json_ld(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph members included."""
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                yield node
                graph = node.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)


def _ld_types(ld: list[dict[str, Any]]) -> Iterator[str]:
    for node in ld:
        declared = node.get("@type")
        for name in declared if isinstance(declared, list) else [declared]:
            if isinstance(name, str):
                yield name.rstrip("/").rsplit("/", 1)[-1]


def _type_names(itemtype: str) -> list[str]:
    """schema.org type names from an itemtype attribute (one or more type URLs)."""
    return [url.rstrip("/").rsplit("/", 1)[-1] for url in itemtype.split()]
