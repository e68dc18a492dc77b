"""Repeat family: a caption or paragraph that comes again right after itself."""

from __future__ import annotations

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import Context, Span, rule
from pipeline.text import squeeze


def find_repeat(text: str, ctx: Context) -> list[Span]:
    """A paragraph equal (space and case aside) to the kept paragraph right before it."""
    previous = ctx.previous()
    if previous is None or not text.strip() or len(previous.split()) != ctx.word_count():
        return []
    return [(0, len(text))] if squeeze(previous) == squeeze(text) else []


REPEATED_PARAGRAPH = rule(
    "repeated-paragraph",
    Family.REPEAT,
    "A paragraph identical to the kept paragraph right before it (a caption printed twice).",
    find_repeat,
    removes=[
        (
            "Fighters patrol in central Aleppo.\nFighters patrol in central Aleppo.",
            "Fighters patrol in central Aleppo.",
        ),
    ],
    keeps=["No.\nThe minister said no again on Tuesday.\nNo."],
)
