"""The features of a page's blocks, in one pass over them: what the block's text is like (length, links,
punctuation), where it sits (position, depth, the tags and the class and id words around it), whether each
extractor's reading of the page keeps it, and the same for its neighbours and the boxes that hold it.

Every feature is independent of the page's language: counts, shares and markup, no word lists of a
language. Class and id words are read by family (content, comment, navigation, ...), as readability's
class weights read them, so that no one site's class name is a feature.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

import numpy as np
from lxml.html import HtmlElement

from pipeline.model.blocks import TOKEN, Block, page_blocks

# The readings of the page an extraction can give besides its blocks, by name: newsclean's own text
# (trafilatura and the rules), readability's reading of the same page, and trafilatura's in recall mode
# with every fallback. A model uses some of them (pipeline.model.train.MODEL_READINGS by default).
READINGS = ("newsclean", "readability", "recall")
# Shingles: token n-grams, as the scoring counts them (pipeline.tools.evaluate).
SHINGLE = 4


@dataclass
class PageReading:
    """A page's blocks, what the page's markup says of each (read before any extraction changes the
    page), and the lines each extractor keeps of the page (`readings`, filled in after)."""

    blocks: list[Block]
    # Per block: the element that holds it and its ancestors, up to the root.
    ancestries: list[list[HtmlElement]]
    # Per block: the features that need no reading (text, position, markup).
    static: list[list[float]]
    # Per block: its kind (its element's tag and class), for the share of each kind each reading keeps.
    kinds: list[tuple[str, str]]
    articles: int
    readings: dict[str, Sequence[str]] = field(default_factory=dict)
    # The page's headline in its forms (pipeline.extract takes it out of the text afterwards).
    headlines: frozenset[str] = frozenset()


Key = TypeVar("Key")

# Tags that name a block's element, as categories; any other tag is "other".
TAGS = (
    "other p div span li td th h1 h2 h3 h4 h5 h6 a blockquote pre dd dt figcaption caption section "
    "article header footer nav aside main form ul ol table tr strong em b i font center label time address "
    "summary details body"
).split()
_TAG_INDEX = {tag: index for index, tag in enumerate(TAGS)}

# Families of class and id words, as readability's weights read them (its positive and negative
# patterns), split so that each family is its own feature.
FAMILIES: dict[str, str] = {
    "content": r"article|body|content|entry|main|post|story|text|blog|hentry|prose|rich|detail|paragraph",
    "comment": r"comment|disqus|reply|respond|discussion|forum|thread",
    "navigation": r"nav|menu|breadcrumb|pagination|pager|crumb|toolbar|skip",
    "footer": r"footer|foot|copyright|legal|colophon|bottom",
    "side": r"sidebar|side|widget|aside|rail|column|col",
    "related": r"related|recommend|more|teaser|popular|trending|promo|outbrain|taboola|read|next|prev|card",
    "share": r"share|social|facebook|twitter|whatsapp|print|email|mail|follow",
    "ad": r"ad|ads|advert|advertisement|sponsor|banner|dfp|gpt|commercial|partner",
    "meta": r"byline|author|date|time|meta|dateline|timestamp|published|info|source",
    "media": r"caption|credit|figcaption|photo|image|img|media|gallery|video|figure|thumb|icon",
    "header": r"header|masthead|topbar|headline|title|heading|hero|lead|intro|summary|dek|standfirst",
    "prompt": r"newsletter|subscribe|signup|paywall|premium|login|register|cookie|consent|modal|popup|cta",
    "tags": r"tag|topic|category|keyword|label|section",
    "hidden": r"hidden|hide|visually|sr|screen|offscreen|collapse|dropdown",
}
_FAMILY_NAMES = tuple(FAMILIES)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_FAMILY_PATTERNS = tuple(re.compile(f"^(?:{pattern})") for pattern in FAMILIES.values())
# Ancestors looked at for the class and id families, and for the boxes' shares of each reading.
FAMILY_DEPTH = 8
BOX_LEVELS = (0, 1, 2, 3, 4, 6)
# Neighbours whose own features each block sees.
NEIGHBOURS = (-2, -1, 1, 2)
_PUNCT = re.compile(r"[.!?。！？]")
_COMMAS = re.compile(r"[,;、，；]")
_DIGITS = re.compile(r"\d")
_UPPER = re.compile(r"[A-Z]")
_ENDS = re.compile(r"[.!?。！？\"”'»)]\s*$")
# Ancestors that set a block apart, as flags.
_INSIDE = (
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "li",
    "table",
    "blockquote",
    "figure",
)


@lru_cache(maxsize=50_000)
def _families_of(words: str) -> int:
    """A bit set of the families the class and id words name (words split on anything not a letter)."""
    bits = 0
    for word in _WORD_SPLIT.split(words.lower()):
        if not word:
            continue
        for index, pattern in enumerate(_FAMILY_PATTERNS):
            if pattern.match(word):
                bits |= 1 << index
    return bits


def _own_families(element: HtmlElement) -> int:
    words = (element.get("class") or "") + " " + (element.get("id") or "")
    if element.get("itemprop") == "articleBody":
        words += " articlebody"
    return _families_of(words) if words.strip() else 0


def _ancestry(owner: HtmlElement) -> list[HtmlElement]:
    return [owner, *owner.iterancestors()]


def shingle_sets(lines: Iterable[str]) -> tuple[set[tuple[str, ...]], ...]:
    """The token n-grams of a text, n = 1 to SHINGLE, as sets (the text's lines run together)."""
    words = TOKEN.findall(" ".join(lines))
    return tuple(
        {tuple(words[i : i + size]) for i in range(len(words) - size + 1)} for size in range(1, SHINGLE + 1)
    )


def coverage(tokens: Sequence[str], sets: tuple[set[tuple[str, ...]], ...]) -> float:
    """The share of a block's shingles found in a text's shingle sets; a block shorter than a shingle
    is found whole or not at all."""
    size = len(tokens)
    if size < SHINGLE:
        return 1.0 if tuple(tokens) in sets[size - 1] else 0.0
    found = sets[SHINGLE - 1]
    grams = size - SHINGLE + 1
    hits = sum(1 for i in range(grams) if tuple(tokens[i : i + SHINGLE]) in found)
    return hits / grams


def _log(value: float) -> float:
    return math.log1p(value)


def _text_features(block: Block) -> list[float]:
    text = block.text
    chars = max(block.chars, 1)
    tokens = len(block.tokens)
    return [
        _log(chars),
        _log(tokens),
        block.link_chars / chars,
        len(_PUNCT.findall(text)) / tokens,
        len(_COMMAS.findall(text)) / tokens,
        len(_DIGITS.findall(text)) / chars,
        len(_UPPER.findall(text)) / chars,
        1.0 if _ENDS.search(text) else 0.0,
        chars / tokens,
        1.0 if block.broken else 0.0,
    ]


TEXT_FEATURES = (
    "log_chars log_tokens link_share stops_per_token commas_per_token digit_share upper_share "
    "ends_sentence chars_per_token ends_at_br"
).split()


def _tag(element: HtmlElement | None) -> int:
    if element is None or not isinstance(element.tag, str):
        return 0
    return _TAG_INDEX.get(element.tag, 0)


def read_blocks(tree: HtmlElement) -> PageReading:
    """The page's blocks and their markup features, read before an extraction changes the page."""
    blocks = page_blocks(tree)
    count = len(blocks)
    chars = [block.chars for block in blocks]
    total_chars = max(float(sum(chars)), 1.0)
    texts: dict[str, int] = {}
    for block in blocks:
        texts[block.text] = texts.get(block.text, 0) + 1
    owners: dict[HtmlElement, list[HtmlElement]] = {}
    family_memo: dict[HtmlElement, list[float]] = {}
    ancestries: list[list[HtmlElement]] = []
    static: list[list[float]] = []
    kinds: list[tuple[str, str]] = []
    before = 0.0
    for index, block in enumerate(blocks):
        owner = block.owner
        ancestry = owners.get(owner)
        if ancestry is None:
            ancestry = owners[owner] = _ancestry(owner)
        ancestries.append(ancestry)
        kinds.append((owner.tag, owner.get("class") or ""))
        markup = family_memo.get(owner)
        if markup is None:
            markup = family_memo[owner] = _markup_features(ancestry)
        row = _text_features(block)
        row.append(index / count)
        row.append(before / total_chars)
        row += markup
        row.append(float(texts[block.text] - 1))
        static.append(row)
        before += chars[index]
    root = tree.getroottree().getroot()
    return PageReading(blocks, ancestries, static, kinds, len(root.findall(".//article")))


def _markup_features(ancestry: list[HtmlElement]) -> list[float]:
    owner = ancestry[0]
    parent = ancestry[1] if len(ancestry) > 1 else None
    grandparent = ancestry[2] if len(ancestry) > 2 else None
    tags = {element.tag for element in ancestry}
    row = [
        float(len(ancestry)),
        float(_tag(owner)),
        float(_tag(parent)),
        float(_tag(grandparent)),
        1.0 if owner.tag in ("h1", "h2", "h3", "h4", "h5", "h6") else 0.0,
    ]
    row += [1.0 if tag in tags else 0.0 for tag in _INSIDE]
    own = _own_families(owner)
    row += [float(own >> f & 1) for f in range(len(_FAMILY_NAMES))]
    distances = [0.0] * len(_FAMILY_NAMES)
    for level, element in enumerate(ancestry[:FAMILY_DEPTH]):
        bits = _own_families(element)
        if not bits:
            continue
        for f in range(len(_FAMILY_NAMES)):
            if bits >> f & 1 and not distances[f]:
                distances[f] = float(level + 1)
    return row + distances


STATIC_FEATURES = [
    *TEXT_FEATURES,
    "position",
    "char_position",
    "depth",
    "tag",
    "parent_tag",
    "grandparent_tag",
    "is_heading",
    *(f"inside_{tag}" for tag in _INSIDE),
    *(f"own_{family}" for family in _FAMILY_NAMES),
    *(f"near_{family}" for family in _FAMILY_NAMES),
    "repeats",
]


def feature_names(readings: Sequence[str] = READINGS) -> list[str]:
    """The names of the features, in the order of `features`' columns."""
    names = list(STATIC_FEATURES)
    names += [f"in_{reading}" for reading in readings]
    names += [f"box{level}_{reading}" for level in BOX_LEVELS for reading in readings]
    names += [f"box{level}_log_chars" for level in BOX_LEVELS]
    names += [f"box{level}_log_blocks" for level in BOX_LEVELS]
    names += [f"kind_{reading}" for reading in readings] + ["kind_log_blocks", "kind_log_chars"]
    names += [
        f"next{offset}_{name}"
        for offset in NEIGHBOURS
        for name in ("log_chars", "link_share", *(f"in_{r}" for r in readings))
    ]
    names += ["page_log_blocks", "page_log_chars", "page_articles"]
    names += [f"page_share_{reading}" for reading in readings]
    names += [f"page_log_{reading}" for reading in readings]
    return names


def features(page: PageReading, readings: Sequence[str] = READINGS) -> np.ndarray:
    """One row of `feature_names(readings)` per block of the page (float32)."""
    blocks = page.blocks
    count = len(blocks)
    width = len(feature_names(readings))
    if not count:
        return np.zeros((0, width), dtype=np.float32)
    sets = [shingle_sets(page.readings.get(name, ())) for name in readings]
    kept = [[coverage(block.tokens, found) for found in sets] for block in blocks]
    chars = [float(block.chars) for block in blocks]
    links = [block.link_chars / max(block.chars, 1) for block in blocks]
    total_chars = sum(chars)
    width_r = len(readings)

    # Per element (up to BOX_LEVELS[-1] above a block) and per kind: characters, blocks, and the
    # characters each reading keeps.
    held: dict[HtmlElement, list[float]] = {}
    kinds: dict[tuple[str, str], list[float]] = {}
    top = BOX_LEVELS[-1] + 1
    for index, ancestry in enumerate(page.ancestries):
        weight = chars[index]
        shares = kept[index]
        for sums in (
            *(_sums(held, element, width_r) for element in ancestry[:top]),
            _sums(kinds, page.kinds[index], width_r),
        ):
            sums[0] += weight
            sums[1] += 1
            for r in range(width_r):
                sums[2 + r] += weight * shares[r]

    page_share = [
        sum(k[r] * c for k, c in zip(kept, chars, strict=True)) / max(total_chars, 1.0)
        for r in range(width_r)
    ]
    page_log = [_log(sum(len(line) for line in page.readings.get(name, ()))) for name in readings]
    page_row = [_log(count), _log(total_chars), float(page.articles), *page_share, *page_log]
    missing = [-1.0] * (2 + width_r)

    rows: list[list[float]] = []
    for index in range(count):
        ancestry = page.ancestries[index]
        row = list(page.static[index])
        row += kept[index]
        boxes = [held[ancestry[min(level, len(ancestry) - 1)]] for level in BOX_LEVELS]
        row += [box[2 + r] / max(box[0], 1.0) for box in boxes for r in range(width_r)]
        row += [_log(box[0]) for box in boxes]
        row += [_log(box[1]) for box in boxes]
        kind = kinds[page.kinds[index]]
        row += [kind[2 + r] / max(kind[0], 1.0) for r in range(width_r)]
        row += [_log(kind[1]), _log(kind[0])]
        for offset in NEIGHBOURS:
            other = index + offset
            if 0 <= other < count:
                row += [_log(chars[other]), links[other], *kept[other]]
            else:
                row += missing
        row += page_row
        rows.append(row)
    return np.asarray(rows, dtype=np.float32)


def _sums(table: dict[Key, list[float]], key: Key, readings: int) -> list[float]:
    sums = table.get(key)
    if sums is None:
        sums = table[key] = [0.0] * (2 + readings)
    return sums
