"""Cut boilerplate blocks from the parsed page before extraction, by named DOM rules.

The rules (their selectors and evidence) are data in `pipeline/dom_rules.py`; this module runs them:
one walk of the page finds every rule's candidates, then each rule in turn maps its candidates to the
blocks to cut (`pick`), a guard keeps the article itself out of reach, and every cut is recorded as a
Removal with no paragraph (its `at` is null: it was cut before extraction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree
from lxml.etree import XPath
from lxml.html import HtmlElement

from pipeline.document import Removal
from pipeline.text import squeeze

# Elements whose content is not page text: the source of a script, a style sheet or a template.
_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
# Elements a browser sets apart from their neighbours (a line or a cell of their own).
_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol option p pre section select table td th tr ul".split()
)
# Containers that hold the article itself: a rule never cuts one of them or an element around one.
_ARTICLE = XPath("descendant-or-self::*[self::main or self::body or @role='main' or @itemprop='articleBody']")
# A cut may hold at most this share of the page's text: past it, the match is the article or most of
# the page, and cutting it would leave the extractor nothing to work with.
MAX_PAGE_SHARE = 0.5


@dataclass(frozen=True)
class Select:
    """The markup a rule looks at: an element under <body> is a candidate when any one field matches.

    `classes` are whole class tokens as written; `parts` lower-case parts of class or id tokens split
    at "-" and "_" (`inline-cta` has the part `cta`); `substrings` lower-case pieces of the class or id
    attribute; `attributes` maps an attribute to the lower-case tokens it may hold (an empty set: any
    value, the attribute's presence is enough); `styles` are pieces of the style attribute, lower case
    with spaces removed; `xpath`, relative to <body>, selects candidates by structure.
    """

    tags: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    parts: frozenset[str] = frozenset()
    substrings: tuple[str, ...] = ()
    attributes: tuple[tuple[str, frozenset[str]], ...] = ()
    styles: tuple[str, ...] = ()
    xpath: str | None = None  # structure a walk cannot see cheaply (`.//*[count(a) >= 8]`)


def attributes(**accepted: Sequence[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """`Select.attributes` from keywords (`aria_hidden=("true",)` is the attribute aria-hidden)."""
    return tuple((name.replace("_", "-"), frozenset(values)) for name, values in accepted.items())


@dataclass(frozen=True)
class Page:
    """What a rule's `pick` may know about the page besides the element in hand."""

    site: str | None  # the page's host without "www.", for same-site link tests
    text_length: int  # characters of text in the page's body
    description: str = ""  # the page's declared summary, squeezed and case-folded ("" when none)


Pick = Callable[[HtmlElement, Page], HtmlElement | None]


@dataclass(frozen=True)
class DomRule:
    """A named pre-extraction rule and its evidence.

    `select` names the markup the rule looks at; `pick`, when given, maps a candidate to the element
    to cut, or None to pass it over. `evidence` names the CMS or widget families whose markup this is.
    The rule's test page is tests/dom/<name>.html.
    """

    name: str
    family: str
    purpose: str
    evidence: str
    select: Select
    pick: Pick | None = field(default=None, compare=False)


# --- text and links --------------------------------------------------------------------------------


def text_of(element: HtmlElement) -> str:
    """The element's page text with runs of white space collapsed, blocks apart, as a browser shows it."""
    parts: list[str] = []
    skipping = 0
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _NOT_TEXT or not tag:
                skipping += 1
            elif not skipping:
                parts.append(" " if tag in _BLOCKS else "")
                parts.append(node.text or "")
            continue
        if tag in _NOT_TEXT or not tag:
            skipping -= 1
        elif not skipping and tag in _BLOCKS:
            parts.append(" ")
        if not skipping and node is not element:
            parts.append(node.tail or "")
    return " ".join("".join(parts).split())


def word_count(element: HtmlElement) -> int:
    """Words in the element's text (script and style sources count too: they are rare in a block)."""
    return len(element.text_content().split())


def _letters(element: HtmlElement) -> int:
    return len("".join(element.text_content().split()))


def link_text_share(element: HtmlElement) -> float:
    """The share of the element's text (spaces aside) that sits inside links."""
    total = _letters(element)
    return sum(map(_letters, element.iter("a"))) / total if total else 0.0


def site_of(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def same_site(href: str | None, page: Page) -> bool:
    """Whether a link leads to another page of the page's own site (a relative link does)."""
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return False
    host = site_of(href.strip())
    if host is None:
        return not urlsplit(href.strip()).scheme
    if page.site is None:
        return False
    return host == page.site or host.endswith("." + page.site) or page.site.endswith("." + host)


def climb(
    element: HtmlElement, accept: Callable[[HtmlElement], bool], stop: frozenset[str] = frozenset()
) -> HtmlElement | None:
    """The highest ancestor-or-self of the element that `accept` takes, climbing while it takes them."""
    if not accept(element):
        return None
    found = element
    for ancestor in element.iterancestors():
        if ancestor.tag in stop or not accept(ancestor):
            break
        found = ancestor
    return found


# --- finding candidates: one walk for every rule ---------------------------------------------------


@dataclass(frozen=True)
class _Index:
    """Which rules (by position) each tag, class token, part, attribute token and style piece selects."""

    tags: dict[str, tuple[int, ...]]
    classes: dict[str, tuple[int, ...]]
    parts: dict[str, tuple[int, ...]]
    substrings: tuple[tuple[str, int], ...]
    attributes: dict[str, tuple[tuple[int, frozenset[str]], ...]]
    styles: tuple[tuple[str, int], ...]
    xpaths: tuple[tuple[XPath, int], ...]


def _grouped(pairs: list[tuple[str, int]]) -> dict[str, tuple[int, ...]]:
    grouped: dict[str, list[int]] = {}
    for key, rank in pairs:
        grouped.setdefault(key, []).append(rank)
    return {key: tuple(ranks) for key, ranks in grouped.items()}


@lru_cache(maxsize=32)
def _index(selects: tuple[Select, ...]) -> _Index:
    attrs: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for rank, s in enumerate(selects):
        for name, values in s.attributes:
            attrs.setdefault(name, []).append((rank, values))
    return _Index(
        tags=_grouped([(tag, rank) for rank, s in enumerate(selects) for tag in s.tags]),
        classes=_grouped([(c, rank) for rank, s in enumerate(selects) for c in s.classes]),
        parts=_grouped([(p, rank) for rank, s in enumerate(selects) for p in s.parts]),
        substrings=tuple((sub, rank) for rank, s in enumerate(selects) for sub in s.substrings),
        attributes={name: tuple(entries) for name, entries in attrs.items()},
        styles=tuple((piece, rank) for rank, s in enumerate(selects) for piece in s.styles),
        xpaths=tuple((XPath(s.xpath), rank) for rank, s in enumerate(selects) if s.xpath),
    )


def _class_hits(value: str, index: _Index, seen: dict[str, frozenset[int]]) -> frozenset[int]:
    """The rules a class or id value selects; a page repeats its class strings, so each is read once."""
    hits = seen.get(value)
    if hits is None:
        found: set[int] = set()
        lowered = value.lower()
        for token in value.split():
            found.update(index.classes.get(token, ()))
            for part in token.lower().replace("_", "-").split("-"):
                found.update(index.parts.get(part, ()))
        found.update(rank for sub, rank in index.substrings if sub in lowered)
        hits = seen[value] = frozenset(found)
    return hits


def _candidates(body: HtmlElement, index: _Index, count: int) -> list[list[HtmlElement]]:
    """Each rule's candidates, in page order, from one walk of the body."""
    found: list[list[HtmlElement]] = [[] for _ in range(count)]
    tags, attrs, styles = index.tags, index.attributes, index.styles
    seen: dict[str, frozenset[int]] = {}  # for this page only: ids are often unique to a page
    for element in body.iterdescendants(etree.Element):
        hits: set[int] = set()
        for name, value in element.items():
            if name == "class" or name == "id":
                hits.update(_class_hits(value, index, seen))
            elif name in attrs:
                tokens = set(value.lower().split())
                hits.update(rank for rank, accepted in attrs[name] if not accepted or tokens & accepted)
            elif name == "style" and styles:
                style = "".join(value.split()).lower()
                hits.update(rank for piece, rank in styles if piece in style)
        if element.tag in tags:
            hits.update(tags[element.tag])
        for rank in hits:
            found[rank].append(element)
    for xpath, rank in index.xpaths:
        walked = set(found[rank])
        found[rank].extend(element for element in xpath(body) if element not in walked)
    return found


# --- cutting ---------------------------------------------------------------------------------------


def _guarded(element: HtmlElement, page: Page) -> bool:
    """True when cutting the element could cut the article."""
    if element.getparent() is None or _ARTICLE(element):
        return True
    return page.text_length > 0 and len(element.text_content()) > MAX_PAGE_SHARE * page.text_length


def _outermost(elements: list[HtmlElement]) -> list[HtmlElement]:
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


def prune(
    tree: HtmlElement, rules: Sequence[DomRule], url: str | None, description: str | None = None
) -> tuple[Removal, ...]:
    """Cut every block the rules pick from the tree, rule by rule; return the removals in page order."""
    body = tree.find("body")
    if body is None or not rules:
        return ()
    page = Page(site_of(url), len(body.text_content()), squeeze(description or ""))
    candidates = _candidates(body, _index(tuple(rule.select for rule in rules)), len(rules))
    cuts: list[tuple[int, int, Removal]] = []
    gone: set[HtmlElement] = set()  # everything inside the blocks cut so far
    for rank, rule in enumerate(rules):
        targets: list[HtmlElement] = []
        for element in candidates[rank]:
            if element in gone:
                continue
            target = rule.pick(element, page) if rule.pick is not None else element
            if target is not None and target not in targets:
                targets.append(target)
        for target in _outermost(targets):
            if _guarded(target, page):
                continue
            text = text_of(target)
            if text:
                cuts.append((target.sourceline or 0, rank, Removal(rule.name, rule.family, text)))
                gone.update(target.iter())
                target.drop_tree()  # its tail text stays in the page
    cuts.sort(key=lambda cut: (cut[0], cut[1]))
    return tuple(removal for _, _, removal in cuts)
