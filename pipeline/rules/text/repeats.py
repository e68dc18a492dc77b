"""Repeat family: a caption or paragraph that comes again right after itself."""

from __future__ import annotations

from pipeline.rules.text.base import Context, Span, rule
from pipeline.text import squeeze


def _find(text: str, ctx: Context) -> list[Span]:
    previous = ctx.previous()
    if previous is None or not text.strip():
        return []
    return [(0, len(text))] if squeeze(previous) == squeeze(text) else []


REPEATED_PARAGRAPH = rule(
    "repeated-paragraph",
    "repeat",
    "A paragraph identical to the kept paragraph right before it (a caption printed twice).",
    _find,
    removes=[
        (
            "Fighters patrol in central Aleppo.\nFighters patrol in central Aleppo.",
            "Fighters patrol in central Aleppo.",
        ),
    ],
    keeps=["No.\nThe minister said no again on Tuesday.\nNo."],
)
