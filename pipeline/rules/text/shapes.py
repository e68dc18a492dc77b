"""What a text rule is, the context it sees, and the shapes rules are built from (frozen values)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.rules.families import Family

Span = tuple[int, int]

# Unicode spaces folded to " " before matching (never in the kept text). One character for
# one character, so a match's offsets are offsets in the original paragraph too.
_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u202f\u205f\u3000\ufeff"
)
_SPACE_TABLE = str.maketrans(dict.fromkeys(_SPACES, " "))

OPENING_QUOTES = "\"“„«‹‘'‚「"
# Quoted stretches of a paragraph: a rule does not cut inside one (a quoted notice or slogan
# is the article reporting it).
_QUOTED = re.compile(r"“[^”]*”|„[^“”]*[“”]|«[^»]*»|\"[^\"]*\"")
_WORD = re.compile(r"\w")


def _char_class(test: Callable[[str], bool]) -> str:
    """A regex character class of the Basic Multilingual Plane's characters that pass `test`."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if test(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    spans = (re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return "[" + "".join(spans) + "]"


# An upper-case letter of any script ("A", "É", "Ж", "Ω"): Python's re has no \p{Lu}.
UPPER = _char_class(str.isupper)


def normalise(text: str) -> str:
    """Fold Unicode spaces to ASCII spaces, keeping every offset."""
    return text.translate(_SPACE_TABLE)


def word_count(text: str) -> int:
    return len(text.split())


def has_words(text: str) -> bool:
    return _WORD.search(text) is not None


def starts_quoted(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in OPENING_QUOTES


def quoted_spans(text: str) -> list[Span]:
    return [m.span() for m in _QUOTED.finditer(text)]


def inside(span: Span, regions: Sequence[Span]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in regions)


@dataclass
class Context:
    """Where the paragraph under a rule stands among the paragraphs still kept."""

    views: list[str]
    alive: list[bool]
    index: int
    words: list[int] | None = None
    _lowered: dict[int, str] | None = None

    def lower(self) -> str:
        """This paragraph lower-cased (once per paragraph text, for the rules' prefilters)."""
        if self._lowered is None:
            self._lowered = {}
        if self.index not in self._lowered:
            self._lowered[self.index] = self.views[self.index].lower()
        return self._lowered[self.index]

    def forget(self, index: int) -> None:
        """Drop what was cached for a paragraph that a cut has changed."""
        if self._lowered is not None:
            self._lowered.pop(index, None)

    def word_count(self) -> int:
        """Words in this paragraph (counted once per paragraph, not once per rule)."""
        return self.words[self.index] if self.words is not None else word_count(self.views[self.index])

    def previous(self) -> str | None:
        for i in range(self.index - 1, -1, -1):
            if self.alive[i]:
                return self.views[i]
        return None

    def next(self) -> str | None:
        for i in range(self.index + 1, len(self.views)):
            if self.alive[i]:
                return self.views[i]
        return None

    def after(self) -> int:
        """How many kept paragraphs follow this one."""
        return sum(self.alive[self.index + 1 :])

    def in_tail(self, size: int) -> bool:
        """Whether this paragraph is among the last `size` kept paragraphs."""
        return self.after() < size

    def in_head(self, size: int) -> bool:
        """Whether this paragraph is among the first `size` kept paragraphs."""
        return sum(self.alive[: self.index]) < size

    def at_edge(self, size: int) -> bool:
        """Whether this paragraph is among the first or the last `size` kept paragraphs."""
        return self.in_head(size) or self.in_tail(size)

    def neighbours(self) -> tuple[str | None, str | None]:
        """The paragraphs right before and after this one as they came in, kept or not."""
        before = self.views[self.index - 1] if self.index > 0 else None
        after = self.views[self.index + 1] if self.index + 1 < len(self.views) else None
        return before, after


Finder = Callable[[str, Context], list[Span]]
Condition = Callable[[str, Context], bool]
Example = str | tuple[str, str]


def _needed(needs: tuple[str, ...], text: str, ctx: Context, folded: bool) -> bool:
    if not needs:
        return True
    haystack = ctx.lower() if folded else text
    return any(needle in haystack for needle in needs)


def _name_of(function: Callable[..., Any] | None) -> str | None:
    return None if function is None else f"{function.__module__}.{function.__qualname__}"


@dataclass(frozen=True)
class WholeLine:
    """Match a paragraph that is, as a whole, the pattern (surrounding spaces aside).

    `max_words`: longer paragraphs are never matched. `needs`: literal strings (lower case unless
    `flags` drops IGNORECASE) one of which a match must contain, a cheap test that spares the regex on
    most paragraphs. `tail`: only among the last `tail` kept paragraphs; `edge`: only among the first or
    the last `edge`. `when`: a further test of the
    stripped paragraph and its context (a module-level function, so that the rule pickles).
    """

    pattern: str
    max_words: int = 40
    needs: tuple[str, ...] = ()
    tail: int | None = None
    edge: int | None = None
    when: Condition | None = None
    flags: int = re.IGNORECASE
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern, self.flags))

    def __call__(self, text: str, ctx: Context) -> list[Span]:
        if ctx.word_count() > self.max_words:
            return []
        if not _needed(self.needs, text, ctx, bool(self.flags & re.IGNORECASE)):
            return []
        stripped = text.strip()
        if not stripped or starts_quoted(stripped) or self._regex.fullmatch(stripped) is None:
            return []
        if self.tail is not None and not ctx.in_tail(self.tail):
            return []
        if self.edge is not None and not ctx.at_edge(self.edge):
            return []
        if self.when is not None and not self.when(stripped, ctx):
            return []
        return [(0, len(text))]

    def describe(self) -> dict[str, Any]:
        return {
            "shape": "whole-line",
            "pattern": self.pattern,
            "case_sensitive": not self.flags & re.IGNORECASE,
            "max_words": self.max_words,
            "needs": list(self.needs),
            "tail": self.tail,
            "edge": self.edge,
            "when": _name_of(self.when),
        }


@dataclass(frozen=True)
class Spans:
    """Match every occurrence of the pattern inside a paragraph, outside quotations."""

    pattern: str
    needs: tuple[str, ...] = ()
    flags: int = re.IGNORECASE
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern, self.flags))

    def __call__(self, text: str, ctx: Context) -> list[Span]:
        if not _needed(self.needs, text, ctx, bool(self.flags & re.IGNORECASE)):
            return []
        found = [m.span() for m in self._regex.finditer(text) if m.end() > m.start()]
        if not found:
            return []
        quoted = quoted_spans(text)
        return [span for span in found if not inside(span, quoted)]

    def describe(self) -> dict[str, Any]:
        return {
            "shape": "spans",
            "pattern": self.pattern,
            "case_sensitive": not self.flags & re.IGNORECASE,
            "needs": list(self.needs),
        }


def describe(find: Finder) -> dict[str, Any]:
    """What `newsclean rules --json` shows of a rule's finder: a shape's fields, or a function's name."""
    shown = getattr(find, "describe", None)
    if callable(shown):
        described: dict[str, Any] = shown()
        return described
    doc = (find.__doc__ or "").strip().split("\n\n")[0]
    return {"shape": "logic", "function": _name_of(find), "logic": " ".join(doc.split()) or None}


@dataclass(frozen=True)
class Rule:
    """A named text rule and its evidence.

    `find` returns the spans of a paragraph to remove (the whole paragraph is one span): a shape
    (`WholeLine`, `Spans`) or a module-level function. `removes` are documents (paragraphs split on
    newlines) that the rule must clean: a plain string must go entirely, a pair gives the input and the
    text that must remain. `keeps` are look-alike documents that must come through every rule unchanged.
    """

    name: str
    family: Family
    purpose: str
    find: Finder
    removes: tuple[Example, ...]
    keeps: tuple[str, ...]


def alternation(*phrases: str) -> str:
    """A regex alternation of phrases, longest first, so a longer phrase wins."""
    return "(?:" + "|".join(sorted(phrases, key=len, reverse=True)) + ")"


def rule(
    name: str,
    family: Family,
    purpose: str,
    find: Finder,
    *,
    removes: Sequence[Example],
    keeps: Sequence[str],
) -> Rule:
    return Rule(name, family, purpose, find, tuple(removes), tuple(keeps))
