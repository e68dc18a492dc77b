"""Page rules of the subscription family: sign-up boxes and call-to-action boxes."""

from __future__ import annotations

from lxml.html import HtmlElement

from pipeline.rules.families import Family
from pipeline.rules.page.markup import (
    PAGE_LEVEL,
    word_count,
)
from pipeline.rules.page.shapes import PageContext, PageRule, Select

# A sign-up box is short: it is climbed to from its field while the whole stays within
# _SIGNUP_MAX_WORDS, each step adds at most _SIGNUP_STEP_WORDS (a heading, a pitch) and no paragraph in
# it is longer than a pitch. Past that, the block around it is the article or the page.
_SIGNUP_MAX_WORDS = 100
_SIGNUP_STEP_WORDS = 30
_SIGNUP_MAX_PARAGRAPH_WORDS = 40
_EMAIL_NAMES = frozenset({"email", "e-mail", "mce-email", "email_address"})


def _box_around(element: HtmlElement) -> HtmlElement:
    box, words = element, word_count(element)
    for parent in element.iterancestors():
        if (
            parent.tag in PAGE_LEVEL
            or parent.get("itemprop") == "articleBody"
            or parent.get("role") == "main"
        ):
            break
        total = word_count(parent)
        if total > _SIGNUP_MAX_WORDS or total - words > _SIGNUP_STEP_WORDS:
            break
        if any(word_count(p) > _SIGNUP_MAX_PARAGRAPH_WORDS for p in parent.iter("p")):
            break
        box, words = parent, total
    return box


def _signup_box(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    if element.tag == "input":
        kind, name = (element.get("type") or "").lower(), (element.get("name") or "").lower()
        if kind != "email" and not (kind in ("", "text") and name in _EMAIL_NAMES):
            return None
        form = next(element.iterancestors("form"), None)
        if form is not None and form.xpath(".//textarea|.//input[@type='password']"):
            return None  # a comment, contact or log-in form, not a sign-up box
    elif word_count(element) > _SIGNUP_MAX_WORDS:
        return None
    return _box_around(element)


SIGNUP_FORM = PageRule(
    name="signup-form",
    family=Family.SUBSCRIPTION,
    purpose="A newsletter or e-mail sign-up box: the block around an e-mail field, with its pitch.",
    evidence="An `<input type=email>` (or a text field named email) outside a comment, contact or "
    "log-in form, and the sign-up widgets of Mailchimp (`#mc_embed_signup`, `.mc4wp-form`), Jetpack "
    "(`.wp-block-jetpack-subscriptions`, `.jetpack_subscription_widget`), Substack "
    "(`.subscription-widget-wrap`), ConvertKit (`.formkit-form`), HubSpot (`.hbspt-form`) and any "
    "`newsletter` box. The box around the field is climbed to while it stays short (100 words, 30 more "
    "at each step, no paragraph over 40), so its heading and pitch go with it and the article does not.",
    select=Select(
        tags=frozenset({"input"}),
        classes=frozenset(
            {
                "mc4wp-form",
                "wp-block-jetpack-subscriptions",
                "jetpack_subscription_widget",
                "subscription-widget-wrap",
                "formkit-form",
                "hbspt-form",
            }
        ),
        substrings=("mc_embed_signup", "newsletter"),
    ),
    pick=_signup_box,
)

_CTA_MAX_WORDS = 120


def _short(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    return element if word_count(element) <= _CTA_MAX_WORDS else None


CALL_TO_ACTION = PageRule(
    name="call-to-action",
    family=Family.SUBSCRIPTION,
    purpose="A call-to-action box: subscribe, become a member, support us, sign up, get the app.",
    evidence="The `cta` class part of news and blog themes (`inline-cta`, `article-cta`, "
    "`newsletter-cta`, Ghost's `footer-cta`, `cta-bar`) on a box of at most 120 words.",
    select=Select(parts=frozenset({"cta"})),
    pick=_short,
)
