"""Text helpers shared by extraction, the DOM rules and the text rules."""

from __future__ import annotations


def squeeze(text: str) -> str:
    """White space collapsed and case folded: the form in which two texts are compared."""
    return " ".join(text.split()).casefold()
