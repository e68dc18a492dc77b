"""Run the page rules: cut boilerplate blocks from the parsed page before extraction.

One walk of the page finds every rule's candidates, then each rule in turn maps its candidates to the
blocks to cut (`pick`), a guard keeps the article itself out of reach, and every cut is recorded as a
Removal with no paragraph (its `at` is null: it was cut before extraction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from lxml.etree import XPath
from lxml.html import HtmlElement

from pipeline.document import Removal
from pipeline.rules.page.markup import site_of, text_of
from pipeline.rules.page.shapes import PageContext, PageRule, Select
from pipeline.text import squeeze

# Containers that hold the article itself: a rule never cuts one of them or an element around one.
_ARTICLE = XPath("descendant-or-self::*[self::main or self::body or @role='main' or @itemprop='articleBody']")
# A cut may hold at most this share of the page's text (nor may all the cuts of a rule marked
# `not_the_whole_page`): past it, the match is the article or most of the page, and cutting it would leave
# the extractor nothing to work with.
MAX_PAGE_SHARE = 0.5
CLASS_CACHE = 20_000


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
    # The rules each class or id string selects, kept across pages (pages of one site, and of many sites,
    # share most of their class strings); emptied when it grows past CLASS_CACHE strings.
    seen: dict[str, frozenset[int]] = field(default_factory=dict, compare=False, hash=False)


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


def named_by(select: Select, element: HtmlElement) -> bool:
    """True when the element's class or id is one the select names (its classes, parts or substrings)."""
    index = _index((select,))
    seen: dict[str, frozenset[int]] = {}
    return any(_class_hits(element.get(name) or "", index, seen) for name in ("class", "id"))


def _candidates(body: HtmlElement, index: _Index, count: int) -> list[list[HtmlElement]]:
    """Each rule's candidates, in page order, from one walk of the body."""
    found: list[list[HtmlElement]] = [[] for _ in range(count)]
    tags, attrs, styles = index.tags, index.attributes, index.styles
    seen = index.seen
    if len(seen) > CLASS_CACHE:  # unique ids pile up over a long run
        seen.clear()
    for element in body.iterdescendants(etree.Element):
        hits: set[int] = set()
        for name, value in element.items():
            if name == "class" or name == "id":
                known = seen.get(value)  # most class strings repeat: skip the call for them
                hits.update(known if known is not None else _class_hits(value, index, seen))
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


def _guarded(element: HtmlElement, page: PageContext) -> bool:
    """True when cutting the element could cut the article."""
    if element.getparent() is None or _ARTICLE(element):
        return True
    return page.text_length > 0 and len(element.text_content()) > MAX_PAGE_SHARE * page.text_length


def _most_of_the_page(targets: list[HtmlElement], page: PageContext) -> bool:
    """True when a rule's cuts on this page would together hold more than MAX_PAGE_SHARE of its text (for
    a rule marked `not_the_whole_page`: then the page is made of what the rule looks for)."""
    if page.text_length <= 0 or len(targets) < 2:
        return False
    return sum(len(target.text_content()) for target in targets) > MAX_PAGE_SHARE * page.text_length


def _outermost(elements: list[HtmlElement]) -> list[HtmlElement]:
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


def prune(
    tree: HtmlElement, rules: Sequence[PageRule], url: str | None, description: str | None = None
) -> tuple[Removal, ...]:
    """Cut every block the rules pick from the tree, rule by rule; return the removals in page order."""
    body = tree.find("body")
    if body is None or not rules:
        return ()
    page = PageContext(site_of(url), len(body.text_content()), squeeze(description or ""))
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
        chosen = [target for target in _outermost(targets) if not _guarded(target, page)]
        if rule.not_the_whole_page and _most_of_the_page(chosen, page):
            continue
        for target in chosen:
            text = text_of(target)
            if text:
                cuts.append((target.sourceline or 0, rank, Removal(rule.name, rule.family, text)))
                gone.update(target.iter())
                target.drop_tree()  # its tail text stays in the page
    cuts.sort(key=lambda cut: (cut[0], cut[1]))
    return tuple(removal for _, _, removal in cuts)
