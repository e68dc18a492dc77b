"""Articles made of entries (live blogs, running stories, timelines): the container of every entry is the
article, not the first entry.

A live page sets out its updates as a run of sibling blocks of one kind, often `<article>` elements, each
with its time or its heading and a few paragraphs. trafilatura takes the page's first `<article>` (or the
first block whose class names a body) as the article, which on such a page is the newest entry alone. When
the page holds a run of entries, the block around them (with the introduction above them, while that stays
small beside the entries) is marked as the article body, which trafilatura looks for first.

When the block so found lies inside the page's own `<article>` element, and that element adds no more
than the entries hold (the introduction of a live page can be long, and the sign-up boxes and related
links beside it are the cleaners' to cut), the `<article>` is the body.

A run of teasers is not a run of entries: a teaser's text is mostly its link to another page, and its
summary is a line, not paragraphs of prose. Nor is a run that holds less than half of the page's
paragraph words: a live page is mostly its entries, and a smaller run of headed blocks (questions and
answers, a consent box's purposes, product cards) is one section of a page whose article is elsewhere or
larger. A run of readers' comments is not one either: the comment markup the comment-section rule knows
(`.comment-list`, `#comments`, …) around the run rules it out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from lxml.html import HtmlElement

from pipeline.rules.page.chrome import COMMENT_SECTION
from pipeline.rules.page.engine import named_by

# At least this many sibling entries, most of them (ENTRY_SHARE) dated or headed and holding prose.
MIN_ENTRIES = 3
ENTRY_SHARE = 0.6
# The entries hold at least this share of the paragraph words of the whole page: a live page is mostly its
# entries, where a run of headed blocks that holds less (a page's questions and answers, a consent box's
# purposes, a row of product cards) is a section of the page, and taking it as the article drops the rest.
PAGE_PROSE_SHARE = 0.5
# An entry's paragraphs hold at least this many words; the entries together at least TOTAL_WORDS.
ENTRY_WORDS = 15
TOTAL_WORDS = 150
# Entries whose text is more than this share link text are teasers.
MAX_LINK_SHARE = 0.3
# The article is climbed to from the entries' parent while what it adds stays under this share of the
# entries' text (a headline, a summary, a key-events box).
MAX_ADDED_SHARE = 0.5
# An enclosing `<article>` element is taken while what it adds stays under this share.
MAX_ARTICLE_SHARE = 1.0
# How far above the entries' parent comment markup rules the run out.
_COMMENT_DEPTH = 3
_ENTRY_TAGS = frozenset({"article", "div", "section", "li"})
# How far above its time or heading an entry's own block may be.
_MARKER_DEPTH = 4
_HEADINGS = ("h2", "h3", "h4")
_NOT_ARTICLE = frozenset({"body", "html"})


def _kind(element: HtmlElement) -> tuple[str, str]:
    classes = (element.get("class") or "").split()
    return element.tag, classes[0] if classes else ""


def _words(element: HtmlElement) -> int:
    return len(element.text_content().split())


def _prose_words(entry: HtmlElement) -> int:
    return sum(len(p.text_content().split()) for p in entry.iter("p"))


def _link_share(entry: HtmlElement) -> float:
    total = len("".join(entry.text_content().split()))
    links = sum(len("".join(a.text_content().split())) for a in entry.iter("a"))
    return links / total if total else 1.0


def _is_entry(entry: HtmlElement) -> bool:
    marked = entry.find(".//time") is not None or next(entry.iter(*_HEADINGS), None) is not None
    return marked and _prose_words(entry) >= ENTRY_WORDS and _link_share(entry) <= MAX_LINK_SHARE


def _runs(tree: HtmlElement) -> Iterator[tuple[HtmlElement, list[HtmlElement]]]:
    """Each element with MIN_ENTRIES or more children of one kind that hold a time or a heading, and
    those children. Found from the times and headings up, so that a page is not walked whole."""
    marked: dict[HtmlElement, set[HtmlElement]] = {}
    for marker in tree.iter("time", *_HEADINGS):
        child = marker
        for _ in range(_MARKER_DEPTH):
            parent = child.getparent()
            if parent is None:
                break
            if child.tag in _ENTRY_TAGS:
                marked.setdefault(parent, set()).add(child)
            child = parent
    for parent, children in marked.items():
        if len(children) < MIN_ENTRIES:
            continue
        kinds = Counter(_kind(child) for child in children)
        for kind, count in kinds.items():
            if count >= MIN_ENTRIES:
                yield parent, [child for child in parent if _kind(child) == kind]


def _in_comments(parent: HtmlElement) -> bool:
    for depth, element in enumerate((parent, *parent.iterancestors())):
        if depth > _COMMENT_DEPTH or element.tag in _NOT_ARTICLE:
            return False
        if named_by(COMMENT_SECTION.select, element):
            return True
    return False


def entry_run(tree: HtmlElement) -> tuple[HtmlElement, list[HtmlElement]] | None:
    """The run of entries that makes the page's article, with their parent, or None."""
    best: tuple[int, HtmlElement, list[HtmlElement]] | None = None
    page_words: int | None = None
    for parent, siblings in _runs(tree):
        if _in_comments(parent):
            continue
        entries = [sibling for sibling in siblings if _is_entry(sibling)]
        words = sum(_prose_words(entry) for entry in entries)
        if len(entries) < max(MIN_ENTRIES, ENTRY_SHARE * len(siblings)) or words < TOTAL_WORDS:
            continue
        if page_words is None:
            page_words = _prose_words(tree)
        if sum(_prose_words(sibling) for sibling in siblings) < PAGE_PROSE_SHARE * page_words:
            continue
        if best is None or words > best[0]:
            best = (words, parent, siblings)
    return (best[1], best[2]) if best else None


def mark_entry_article(tree: HtmlElement) -> HtmlElement | None:
    """Mark the block around the page's run of entries as its article body; return it, or None."""
    found = entry_run(tree)
    if found is None:
        return None
    parent, entries = found
    entry_words = sum(_words(entry) for entry in entries)

    def adds_over(ancestor: HtmlElement, share: float) -> bool:
        return ancestor.tag in _NOT_ARTICLE or _words(ancestor) - entry_words > share * entry_words

    article = parent
    for ancestor in parent.iterancestors():
        if adds_over(ancestor, MAX_ADDED_SHARE):
            break
        article = ancestor
    if article.tag != "article":
        for ancestor in article.iterancestors():
            if adds_over(ancestor, MAX_ARTICLE_SHARE):
                break
            if ancestor.tag == "article":
                article = ancestor
                break
    article.set("itemprop", "articleBody")
    return article
