"""Code out of the parsed page: scripts, style sheets, `<noscript>` fallbacks and `<template>` content
are dropped from the tree once, so that no reading of the page's text meets them.

trafilatura's own cleaning drops scripts, styles and noscript, but keeps a template's text, and its
fallbacks (readability, jusText, run on doubtful pages) and the readings newsclean adds (the entries of a
live page, readability for layout tables) each see what their own cleaning leaves. Dropping the code from
the tree they all read leaves none of them any to find.

The page's metadata is read before: JSON-LD blocks are `<script>` elements, and htmldate finds many
publication dates in the data scripts of a page (`"datePublished": ...` in an analytics layer).
"""

from __future__ import annotations

from lxml.html import HtmlElement

from pipeline.text import CODE_ELEMENTS

# A declarative shadow root is a template the browser shows in place: its content is page text.
_SHADOW_ROOT = ("shadowrootmode", "shadowroot")


def _head_data(element: HtmlElement) -> bool:
    """A JSON-LD block in the page's `<head>`: data, not code, that no reading of the body meets, and that
    trafilatura reads while it extracts (without a forum page's `DiscussionForumPosting` block it takes the
    posts, which wear comment markup, for reader comments)."""
    if element.tag != "script" or "ld+json" not in (element.get("type") or "").lower():
        return False
    return any(ancestor.tag == "head" for ancestor in element.iterancestors())


def drop_code(tree: HtmlElement) -> None:
    """Drop every script, style sheet, noscript and template element from the tree, with its content (the
    text after each stays in the page), but the JSON-LD blocks of the `<head>`; a declarative shadow root's
    template gives way to its content."""
    for element in list(tree.iter(*CODE_ELEMENTS)):
        if element.getparent() is None or _head_data(element):
            continue
        if element.tag == "template" and any(element.get(name) for name in _SHADOW_ROOT):
            element.drop_tag()
        else:
            element.drop_tree()
