"""Mend markup that would make the parser swallow the page.

A `<title>` holds text only, up to its `</title>`: when that end tag is missing or mangled (pages saved
by tools that cut bytes out, templates with a typo: `</titavaScript" src=...>`), the parser reads the
rest of the document, body and all, as the title, and there is no page left to extract. The title is
closed before the first tag that follows it, or at the end of its first line when more lines follow
(the swallowed lines are script or markup, not the headline).
"""

from __future__ import annotations

import re

# The first title of the page, its text, and the tag that follows it when that tag is not its end tag.
_UNCLOSED_TITLE = re.compile(r"(<title\b[^>]*>)([^<]*)(?=<(?:[A-Za-z!/]))(?!</title\s*>)", re.IGNORECASE)
# Only the head of the page is looked at: a title further down is not the document's.
_HEAD_BYTES = 65536


def close_title(html: str) -> str:
    """The page with an unclosed or mangled `<title>` closed before the next tag."""
    found = _UNCLOSED_TITLE.search(html, 0, _HEAD_BYTES)
    if found is None:
        return html
    text = found.group(2)
    lead = len(text) - len(text.lstrip())
    newline = text.find("\n", lead)
    cut = found.start(2) + newline if newline >= 0 and text[newline:].strip() else found.end()
    return f"{html[:cut]}</title>{html[cut:]}"
