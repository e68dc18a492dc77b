"""A page as blocks: the runs of text a browser sets apart (a paragraph, a heading, a list item, a cell, a
line between two `<br>`), each with the element that holds it, in page order.

The page model decides block by block what is the page's main content. Blocks are read from the parsed
page before any extraction changes it, in one walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

# Elements whose content is not page text, or not text a reader reads as the page's.
SKIPPED = frozenset(
    "script style noscript template head title iframe svg math select option textarea button input "
    "object embed canvas video audio map".split()
)
# Elements a browser sets apart from their neighbours: a block starts and ends at each.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section summary table tbody td "
    "tfoot th thead tr ul center caption legend".split()
)
# Tokens are runs of word characters, as the scoring counts them (pipeline.tools.evaluate).
TOKEN = re.compile(r"\w+")


@dataclass
class Block:
    """One block of page text: its text (white space collapsed), the element that holds it, the
    characters (spaces aside) of its text that sit inside links, and its word tokens."""

    text: str
    owner: HtmlElement
    link_chars: int
    tokens: list[str]
    # Set when the block's text ends at a <br> rather than at its element's end.
    broken: bool = False

    @property
    def chars(self) -> int:
        return len(self.text) - self.text.count(" ")


def _letters(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")


def page_blocks(tree: HtmlElement) -> list[Block]:
    """The page's blocks with any word in them, in page order."""
    root = tree.find("body")
    if root is None:
        root = tree
    blocks: list[Block] = []
    stack: list[HtmlElement] = [root]
    parts: list[str] = []
    links = [0]
    link_depth = 0
    skipping = 0

    def flush(broken: bool = False) -> None:
        if parts:
            text = " ".join("".join(parts).split())
            if text:
                tokens = TOKEN.findall(text)
                if tokens:
                    blocks.append(Block(text, stack[-1], links[0], tokens, broken))
            parts.clear()
        links[0] = 0

    def add(text: str | None) -> None:
        if text:
            parts.append(text)
            if link_depth:
                links[0] += _letters(text)

    for event, node in etree.iterwalk(root, events=("start", "end")):
        tag = node.tag
        if not isinstance(tag, str):  # a comment or processing instruction left in the tree
            if event == "end" and not skipping:
                add(node.tail)
            continue
        if event == "start":
            if skipping or tag in SKIPPED:
                skipping += 1
                continue
            if node is root:
                add(node.text)
                continue
            if tag == "br":
                flush(broken=True)
            elif tag in BLOCK_TAGS:
                flush()
                stack.append(node)
            elif tag == "a":
                link_depth += 1
            add(node.text)
            continue
        # end
        if skipping:
            skipping -= 1
            if skipping:
                continue
            add(node.tail)
            continue
        if node is root:
            flush()
            break
        if tag in BLOCK_TAGS:
            flush()
            stack.pop()
        elif tag == "a":
            link_depth -= 1
        add(node.tail)
    flush()
    return blocks
