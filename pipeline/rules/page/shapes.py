"""What a page rule is: the markup it selects (`Select`), what it may know of the page (`PageContext`),
and the rule itself (`PageRule`), all frozen values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from pipeline.rules.families import Family


@dataclass(frozen=True)
class Select:
    """The markup a rule looks at: an element under <body> is a candidate when any one field matches.

    `classes` are whole class tokens as written; `parts` lower-case parts of class or id tokens split
    at "-" and "_" (`inline-cta` has the part `cta`); `substrings` lower-case pieces of the class or id
    attribute; `attributes` maps an attribute to the lower-case tokens it may hold (an empty set: any
    value, the attribute's presence is enough); `styles` are pieces of the style attribute, lower case
    with spaces removed; `xpath`, relative to <body>, selects candidates by structure.
    """

    tags: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    parts: frozenset[str] = frozenset()
    substrings: tuple[str, ...] = ()
    attributes: tuple[tuple[str, frozenset[str]], ...] = ()
    styles: tuple[str, ...] = ()
    xpath: str | None = None  # structure a walk cannot see cheaply (`.//*[count(a) >= 8]`)

    def describe(self) -> dict[str, Any]:
        """The fields that select something, for `newsclean rules --json`."""
        shown: dict[str, Any] = {}
        for name in ("tags", "classes", "parts", "substrings", "styles"):
            values = getattr(self, name)
            if values:
                shown[name] = sorted(values)
        if self.attributes:
            shown["attributes"] = {name: sorted(values) for name, values in self.attributes}
        if self.xpath:
            shown["xpath"] = self.xpath
        return shown


def attributes(**accepted: Sequence[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """`Select.attributes` from keywords (`aria_hidden=("true",)` is the attribute aria-hidden)."""
    return tuple((name.replace("_", "-"), frozenset(values)) for name, values in accepted.items())


@dataclass(frozen=True)
class PageContext:
    """What a rule's `pick` may know about the page besides the element in hand."""

    site: str | None  # the page's host without "www.", for same-site link tests
    text_length: int  # characters of text in the page's body
    description: str = ""  # the page's declared summary, squeezed and case-folded ("" when none)


Pick = Callable[[HtmlElement, PageContext], HtmlElement | None]


@dataclass(frozen=True)
class PageRule:
    """A named pre-extraction rule and its evidence.

    `select` names the markup the rule looks at; `pick`, when given, maps a candidate to the element
    to cut, or None to pass it over. `evidence` names the CMS or widget families whose markup this is.
    Both are module-level values, so a rule pickles. The rule's test page is
    tests/page_rules/<name>.html.
    """

    name: str
    family: Family
    purpose: str
    evidence: str
    select: Select
    pick: Pick | None = field(default=None, compare=False)
    # When the rule's cuts on a page would together hold most of its text, the page is made of what the
    # rule looks for (a discussion whose posts wear comment markup) and the rule cuts nothing there.
    not_the_whole_page: bool = False

    def describe(self) -> dict[str, Any]:
        pick = None if self.pick is None else f"{self.pick.__module__}.{self.pick.__qualname__}"
        return {
            "select": self.select.describe(),
            "pick": pick,
            "evidence": self.evidence,
            "not_the_whole_page": self.not_the_whole_page,
        }
