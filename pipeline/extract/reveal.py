"""Show the hidden blocks of a page that hold its prose, before the page rules and the extraction read it.

A page that reveals the rest of its article with a script (a "Read more" button, a paywall that unlocks, a
lazy loader) ships that text hidden: the `hidden` attribute, `display: none`, a hiding class. trafilatura
drops hidden blocks, and the `hidden-element` rule cuts hidden chrome; both would take the article's own
text. A hidden block that holds prose (`pipeline.rules.page.markup.hidden_prose`) has its hiding markup
taken off here, so that it is read like the rest of the article.
"""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement

from pipeline.rules.page.markup import HIDING_CLASSES, hidden_prose

_HIDING_STYLE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important)?\s*;?", re.I)
# The blocks a page hides, found by one XPath call (the class test is a cheap superset: hide, hidden,
# d-none, is-hidden, invisible; each hit is checked token by token).
_HIDDEN = XPath(
    "//body//*[@hidden or contains(@style, 'none') or contains(@style, 'hidden') or "
    "contains(@class, 'hid') or contains(@class, 'd-none') or contains(@class, 'invisible')]"
)


def _hides(element: HtmlElement) -> bool:
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    if style and _HIDING_STYLE.search(style):
        return True
    return bool(HIDING_CLASSES.intersection((element.get("class") or "").split()))


def _show(element: HtmlElement) -> None:
    element.attrib.pop("hidden", None)
    style = element.get("style")
    if style:
        element.set("style", _HIDING_STYLE.sub("", style))
    classes = (element.get("class") or "").split()
    if HIDING_CLASSES.intersection(classes):
        element.set("class", " ".join(token for token in classes if token not in HIDING_CLASSES))


def reveal_hidden_prose(tree: HtmlElement) -> int:
    """Show every hidden block of prose, and the hidden blocks around it; return how many were shown."""
    shown = 0
    for element in _HIDDEN(tree):
        if not _hides(element) or not hidden_prose(element):
            continue
        for node in (element, *element.iterancestors()):
            if _hides(node):
                _show(node)
                shown += 1
    return shown


__all__ = ["reveal_hidden_prose"]
