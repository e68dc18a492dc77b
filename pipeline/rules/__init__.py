"""The registry: every rule in the one order it runs in, the page rules before extraction and the text
rules after it, and `select` to turn some of them off.

Rule names are unique across both stages (they are the stable ids of the output and of `--disable`).
Adding a rule: write it in the module of its family (`page/` or `text/`) and put it here where it
should run.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.rules.families import FAMILIES, Family
from pipeline.rules.page.chrome import (
    BREADCRUMB,
    COMMENT_SECTION,
    HIDDEN_ELEMENT,
    KICKER,
    LINK_CLOUD,
    NAVIGATION_MENU,
    PRINT_ONLY,
    TAG_LINKS,
)
from pipeline.rules.page.related import INLINE_RELATED_LINK, TEASER_LIST
from pipeline.rules.page.shapes import PageRule
from pipeline.rules.page.subscription import CALL_TO_ACTION, SIGNUP_FORM
from pipeline.rules.text.agency import AFP_CORRECTION_NOTICE, USAGE_ADVISORY
from pipeline.rules.text.bylines import BYLINE, POSTED_BY
from pipeline.rules.text.captions import CREDITED_CAPTION
from pipeline.rules.text.chrome import (
    AD_LABEL,
    COOKIE_NOTICE,
    FOLLOW_PROMPT,
    LABEL_ROW,
    LIVE_LABEL,
    NAV_MENU_LINE,
    NAV_SOCIAL_LINE,
    SEPARATOR_LINE,
    TAG_LIST,
)
from pipeline.rules.text.comments import COMMENT_COUNT, COMMENT_FORM
from pipeline.rules.text.related import RELATED_HEADING, SEE_ALSO_LINK
from pipeline.rules.text.repeats import REPEATED_PARAGRAPH
from pipeline.rules.text.shapes import Rule
from pipeline.rules.text.subscription import DISCOVER_MORE, NEWSLETTER_SIGNUP, PAYWALL_PROMPT
from pipeline.rules.text.templates import SITE_TEMPLATE
from pipeline.rules.text.timestamps import DATE_LINE
from pipeline.rules.text.trailers import (
    AUTHOR_BIO,
    AUTHOR_SECTION,
    CONTACT_LINE,
    COPYRIGHT_LINE,
    MORE_FROM_SITE,
    REPUBLICATION_NOTE,
    SOURCE_DOMAIN,
)

# On the parsed page, before extraction. Hidden and print-only blocks go first: a menu or a sign-up
# box inside one is then credited to what hid it.
PAGE_RULES: tuple[PageRule, ...] = (
    HIDDEN_ELEMENT,
    PRINT_ONLY,
    NAVIGATION_MENU,
    BREADCRUMB,
    KICKER,
    LINK_CLOUD,
    SIGNUP_FORM,
    TAG_LINKS,
    CALL_TO_ACTION,
    COMMENT_SECTION,
    INLINE_RELATED_LINK,
    TEASER_LIST,
)

# On the extracted paragraphs. Agency notices are cut first so that the captions they were glued into
# can be recognised; the repeat rule runs last so that it only sees paragraphs no other rule claimed.
TEXT_RULES: tuple[Rule, ...] = (
    AFP_CORRECTION_NOTICE,
    USAGE_ADVISORY,
    CREDITED_CAPTION,
    DATE_LINE,
    POSTED_BY,
    BYLINE,
    NAV_SOCIAL_LINE,
    NAV_MENU_LINE,
    AD_LABEL,
    COOKIE_NOTICE,
    FOLLOW_PROMPT,
    TAG_LIST,
    LIVE_LABEL,
    SEPARATOR_LINE,
    LABEL_ROW,
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
    AUTHOR_SECTION,
    AUTHOR_BIO,
    CONTACT_LINE,
    REPEATED_PARAGRAPH,
)

# Text rules made from what a pass over the run learned (pipeline.corpus): they run after TEXT_RULES, and
# only when the Config carries what they need.
LEARNED_RULES: tuple[Rule, ...] = (SITE_TEMPLATE,)

# Every rule in run order, for listings and summaries.
ALL_RULES: tuple[PageRule | Rule, ...] = (*PAGE_RULES, *TEXT_RULES)
PAGE_RULE_NAMES = frozenset(rule.name for rule in PAGE_RULES)
TEXT_RULE_NAMES = frozenset(rule.name for rule in TEXT_RULES)
LEARNED_RULE_NAMES = frozenset(rule.name for rule in LEARNED_RULES)
# Every name `--disable` accepts.
RULE_NAMES = PAGE_RULE_NAMES | TEXT_RULE_NAMES | LEARNED_RULE_NAMES


def select(
    disabled: Iterable[str] = (),
    page: tuple[PageRule, ...] = PAGE_RULES,
    text: tuple[Rule, ...] = TEXT_RULES,
    families: Iterable[str] = (),
) -> tuple[tuple[PageRule, ...], tuple[Rule, ...]]:
    """The page and text rules without the named ones and without the rules of the named families; a
    name that is no rule's, or no family's, raises ValueError."""
    off = set(disabled)
    unknown = off - {rule.name for rule in page} - {rule.name for rule in text} - LEARNED_RULE_NAMES
    if unknown:
        raise ValueError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    gone = set(families)
    if gone - set(FAMILIES):
        raise ValueError(f"unknown famil(ies): {', '.join(sorted(gone - set(FAMILIES)))}")
    return (
        tuple(r for r in page if r.name not in off and r.family not in gone),
        tuple(r for r in text if r.name not in off and r.family not in gone),
    )


__all__ = [
    "ALL_RULES",
    "FAMILIES",
    "LEARNED_RULES",
    "LEARNED_RULE_NAMES",
    "PAGE_RULES",
    "PAGE_RULE_NAMES",
    "RULE_NAMES",
    "TEXT_RULES",
    "TEXT_RULE_NAMES",
    "Family",
    "PageRule",
    "Rule",
    "select",
]
