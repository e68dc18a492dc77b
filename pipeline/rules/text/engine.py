"""Run rules over paragraphs in order, cutting whole paragraphs or spans and recording each cut."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace

from pipeline.document import Removal
from pipeline.rules.text.shapes import Context, Rule, Span, has_words, normalise, word_count


class _Paragraph:
    """An input paragraph and the stretches of it still kept, in original offsets."""

    def __init__(self, index: int, text: str) -> None:
        self.index = index
        self.original = text
        self.pieces: list[Span] = [(0, len(text))]
        self.alive = True

    @property
    def text(self) -> str:
        return "".join(self.original[a:b] for a, b in self.pieces)

    def _positions(self) -> list[int]:
        return [i for a, b in self.pieces for i in range(a, b)]

    def cut(self, spans: Sequence[Span], rule: Rule) -> list[Removal]:
        current = self.text
        positions = self._positions()
        removals: list[Removal] = []
        dropped = [False] * len(current)
        for start, end in sorted(_merge(spans)):
            while start < end and current[start].isspace():
                start += 1
            while end > start and current[end - 1].isspace():
                end -= 1
            if start == end:
                continue
            text = current[start:end]
            removals.append(
                Removal(rule.name, rule.family, text, self.index, positions[start], None, _detail(rule, text))
            )
            start, end = _absorb_space(current, start, end)
            dropped[start:end] = [True] * (end - start)
        rest = "".join(ch for ch, gone in zip(current, dropped, strict=True) if not gone)
        if not has_words(rest):
            # What is left is punctuation or space: it goes with the cut that left it.
            leftover = [i for i, gone in enumerate(dropped) if not gone and not current[i].isspace()]
            if leftover:
                first = leftover[0]
                text = current[first : leftover[-1] + 1]
                removals.append(
                    Removal(
                        rule.name, rule.family, text, self.index, positions[first], None, _detail(rule, text)
                    )
                )
            self.alive = False
            self.pieces = []
            return removals
        kept = [positions[i] for i, gone in enumerate(dropped) if not gone]
        self.pieces = _runs(kept)
        return removals


def _detail(rule: Rule, text: str) -> str | None:
    """The rule's evidence for a cut, when its shape gives one (a `detail(text)` method)."""
    explain = getattr(rule.find, "detail", None)
    return explain(text) if callable(explain) else None


def _merge(spans: Sequence[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _absorb_space(text: str, start: int, end: int) -> Span:
    """Widen a cut over the spaces after it (or before it, at the end) so no gap is left."""
    stop = end
    while stop < len(text) and text[stop].isspace():
        stop += 1
    if stop < len(text) and start > 0:
        return start, stop
    begin = start
    while begin > 0 and text[begin - 1].isspace():
        begin -= 1
    return begin, stop


def _runs(positions: list[int]) -> list[Span]:
    runs: list[Span] = []
    for pos in positions:
        if runs and runs[-1][1] == pos:
            runs[-1] = (runs[-1][0], pos + 1)
        else:
            runs.append((pos, pos + 1))
    return runs


def apply_rules(
    paragraphs: Sequence[str], rules: Sequence[Rule]
) -> tuple[tuple[str, ...], tuple[Removal, ...]]:
    """Clean paragraphs with rules in order; return the kept paragraphs and the removals.

    A rule sees the paragraphs as earlier rules left them, so each removed text is credited
    to exactly one rule. Removals come back in document order with `at` filled in.
    """
    paras = [_Paragraph(i, text) for i, text in enumerate(paragraphs)]
    views = {p.index: normalise(p.text) for p in paras}
    words = {p.index: word_count(view) for p, view in zip(paras, views.values(), strict=True)}
    removals: list[Removal] = []
    for rule in rules:
        live = [p for p in paras if p.alive]
        if not live:
            break
        live_views = [views[p.index] for p in live]
        live_words = [words[p.index] for p in live]
        alive = [True] * len(live)
        ctx = Context(live_views, alive, 0, live_words)
        for j, para in enumerate(live):
            ctx.index = j
            spans = rule.find(live_views[j], ctx)
            if not spans:
                continue
            removals.extend(para.cut(spans, rule))
            ctx.forget(j)
            if para.alive:
                views[para.index] = live_views[j] = normalise(para.text)
                words[para.index] = live_words[j] = word_count(live_views[j])
            else:
                alive[j] = False
    kept = [p for p in paras if p.alive]
    kept_index = [p.index for p in kept]
    ordered = sorted(removals, key=lambda r: (r.paragraph or 0, r.offset))
    placed = tuple(replace(r, at=bisect_left(kept_index, r.paragraph or 0)) for r in ordered)
    return tuple(p.text for p in kept), placed
