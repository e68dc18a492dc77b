"""The cleaning rules, in the one fixed order they run in (the registry), and how to run them.

The DOM rules (`pipeline/dom_rules.py`) run on the page before extraction, ahead of these; rule names
are unique across both registries, and `select_rules` accepts either kind of name.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.rules.page.registry import DOM_RULE_NAMES
from pipeline.rules.text.agency import AFP_CORRECTION_NOTICE, USAGE_ADVISORY
from pipeline.rules.text.base import Rule
from pipeline.rules.text.captions import CREDITED_CAPTION
from pipeline.rules.text.chrome import (
    AD_LABEL,
    COOKIE_NOTICE,
    FOLLOW_PROMPT,
    NAV_MENU_LINE,
    NAV_SOCIAL_LINE,
    TAG_LIST,
)
from pipeline.rules.text.comments import COMMENT_COUNT, COMMENT_FORM
from pipeline.rules.text.engine import apply_rules
from pipeline.rules.text.related import RELATED_HEADING, SEE_ALSO_LINK
from pipeline.rules.text.repeats import REPEATED_PARAGRAPH
from pipeline.rules.text.subscription import DISCOVER_MORE, NEWSLETTER_SIGNUP, PAYWALL_PROMPT
from pipeline.rules.text.timestamps import DATE_LINE, parse_date
from pipeline.rules.text.trailers import (
    AUTHOR_BIO,
    CONTACT_LINE,
    COPYRIGHT_LINE,
    MORE_FROM_SITE,
    REPUBLICATION_NOTE,
    SOURCE_DOMAIN,
)

# Agency notices are cut first so that the captions they were glued into can be recognised;
# the repeat rule runs last so that it only sees paragraphs no other rule claimed.
RULES: tuple[Rule, ...] = (
    AFP_CORRECTION_NOTICE,
    USAGE_ADVISORY,
    CREDITED_CAPTION,
    DATE_LINE,
    NAV_SOCIAL_LINE,
    NAV_MENU_LINE,
    AD_LABEL,
    COOKIE_NOTICE,
    FOLLOW_PROMPT,
    TAG_LIST,
    SEE_ALSO_LINK,
    RELATED_HEADING,
    DISCOVER_MORE,
    NEWSLETTER_SIGNUP,
    PAYWALL_PROMPT,
    COMMENT_FORM,
    COMMENT_COUNT,
    MORE_FROM_SITE,
    SOURCE_DOMAIN,
    COPYRIGHT_LINE,
    REPUBLICATION_NOTE,
    AUTHOR_BIO,
    CONTACT_LINE,
    REPEATED_PARAGRAPH,
)

FAMILIES = (
    "related-link",
    "subscription",
    "comment-form",
    "agency-notice",
    "photo-caption",
    "chrome",
    "trailer",
    "timestamp",
    "repeat",
)

TEXT_RULE_NAMES = frozenset(r.name for r in RULES)
# Every name `--disable` accepts: the text rules' and the DOM rules'.
RULE_NAMES = TEXT_RULE_NAMES | DOM_RULE_NAMES


def select_rules(disabled: Iterable[str] = ()) -> tuple[Rule, ...]:
    """The registry without the named rules; unknown names (of neither kind) raise ValueError."""
    off = set(disabled)
    unknown = off - RULE_NAMES
    if unknown:
        raise ValueError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    return tuple(r for r in RULES if r.name not in off)


__all__ = [
    "FAMILIES",
    "RULES",
    "RULE_NAMES",
    "TEXT_RULE_NAMES",
    "Rule",
    "apply_rules",
    "parse_date",
    "select_rules",
]
