"""The DOM rules: blocks cut from the parsed page before extraction, in the one order they run in.

Each rule is data (its name, policy family, the markup it selects and the CMS or widget families that
markup comes from) plus, where markup alone is not enough, a `pick` that tests the block's structure
(link density, length, where its links lead). How rules run is `pipeline/pruning.py`; each rule's test
page is tests/dom/<name>.html. Selectors name standards (the `hidden` attribute, ARIA roles, `rel=tag`,
schema.org) and the class families of CMSs, CSS frameworks and widgets, never one site's classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from lxml.etree import XPath
from lxml.html import HtmlElement

from pipeline.rules.page.engine import (
    DomRule,
    Page,
    Select,
    attributes,
    climb,
    link_text_share,
    same_site,
    text_of,
    word_count,
)
from pipeline.text import squeeze

# Blocks a climb never goes past: past them is the page, not a box in it.
_PAGE_LEVEL = frozenset({"body", "main", "article", "html"})
_LISTS = frozenset({"ul", "ol"})


def _items(element: HtmlElement) -> list[HtmlElement] | None:
    """The <li> children of a list, or None when it has other children (or none)."""
    items = [child for child in element if child.tag == "li"]
    return items if items and len(items) == len(element) else None


def _list_of(
    element: HtmlElement, page: Page, minimum: int, test: Callable[[HtmlElement, Page], bool]
) -> HtmlElement | None:
    """The list, when it has `minimum` items or more and every item passes `test`."""
    items = _items(element)
    if items is None or len(items) < minimum:
        return None
    return element if all(test(item, page) for item in items) else None


# --- hidden-element -------------------------------------------------------------------------------

# A block hidden on small screens only is shown again from a breakpoint up: Bootstrap 4/5
# `d-none d-md-block`, Tailwind `hidden md:flex`. Such a block is not hidden.
_SHOWN_AGAIN = re.compile(
    r"^d-(?:sm|md|lg|xl|xxl)-(?!none)|^[a-z0-9-]+:(?:block|flex|grid|inline|table|contents)"
)


# Hidden prose is the rest of the article waiting for a "Read more" button or a script: kept.
_PROSE_WORDS = 25
_PROSE_PARAGRAPHS = 2


def _really_hidden(element: HtmlElement, page: Page) -> HtmlElement | None:
    classes = (element.get("class") or "").split()
    if any(_SHOWN_AGAIN.match(token) for token in classes):
        return None
    prose = sum(1 for p in element.iter("p") if word_count(p) >= _PROSE_WORDS)
    return None if prose >= _PROSE_PARAGRAPHS else element


HIDDEN_ELEMENT = DomRule(
    name="hidden-element",
    family="chrome",
    purpose="A block the page never shows: the `hidden` attribute, `display: none`, a hiding class.",
    evidence="HTML's `hidden` attribute; inline `display:none` and `visibility:hidden` styles; the "
    "hiding utility classes of CSS frameworks (Bootstrap `hidden`, `hide`, `d-none`, `invisible`; "
    "Tailwind `hidden`, `invisible`; Bulma `is-hidden`), unless a responsive class shows the block again "
    "from a breakpoint up (`d-none d-md-block`, `hidden md:flex`). Pages keep the error and thank-you "
    "states of sign-up boxes, closed dialogs and script templates this way. A hidden block of prose "
    "(two paragraphs of 25 words or more) is the rest of an article behind a 'Read more' button: kept.",
    select=Select(
        classes=frozenset({"hidden", "hide", "d-none", "is-hidden", "invisible"}),
        attributes=attributes(hidden=()),
        styles=("display:none", "visibility:hidden"),
    ),
    pick=_really_hidden,
)


# --- print-only -----------------------------------------------------------------------------------

PRINT_ONLY = DomRule(
    name="print-only",
    family="chrome",
    purpose="A block shown only on paper: a print header with the page's address, a reprint notice.",
    evidence="The print utility classes of CSS frameworks (Bootstrap 3 `visible-print`, "
    "`visible-print-block`; Bootstrap 4/5 `d-print-block`; Foundation `show-for-print`) and the "
    "`print-only`/`print-header` blocks news CMSs print above a story.",
    select=Select(
        classes=frozenset(
            {
                "visible-print",
                "visible-print-block",
                "visible-print-inline",
                "d-print-block",
                "show-for-print",
                "print-only",
                "printonly",
                "print-header",
            }
        )
    ),
)


# --- navigation-menu ------------------------------------------------------------------------------

_MENU_LINK_SHARE = 0.8
# A list without a class is a menu when it has this many items or more, each of them only a link.
_LINK_LIST_ITEMS = 5
_MENU_CLASSES = frozenset({"menu", "sub-menu", "nav", "navbar-nav", "dropdown-menu", "nav-menu"})


# An item of a menu list may add a count or a date to its link ("Business (14)").
_MENU_ITEM_LINK_SHARE = 0.6


def _site_link_only(item: HtmlElement, page: Page) -> bool:
    """The item is a link (or links) to the site's own pages, with at most a count beside it."""
    links = list(item.iter("a"))
    if not links or not all(same_site(link.get("href"), page) for link in links):
        return False
    return link_text_share(item) >= _MENU_ITEM_LINK_SHARE


def _menu(element: HtmlElement, page: Page) -> HtmlElement | None:
    if element.tag in ("nav", "select"):
        return element  # a navigation landmark, or a jump menu whose options are not text
    if element.tag in _LISTS and not element.get("role"):
        classes = set((element.get("class") or "").split())
        if not classes & _MENU_CLASSES:
            if classes:
                return None
            items = _items(element)
            if items is None or len(items) < _LINK_LIST_ITEMS:
                return None
            return element if all(_site_link_only(item, page) for item in items) else None
    return element if link_text_share(element) >= _MENU_LINK_SHARE else None


NAVIGATION_MENU = DomRule(
    name="navigation-menu",
    family="chrome",
    purpose="A site menu: a navigation landmark, a menu list made of links, a jump menu.",
    evidence="HTML `<nav>` and the ARIA roles `navigation`, `menubar` and `menu`; the menu markup of "
    "WordPress (`wp_nav_menu`: `ul.menu`, `ul.sub-menu`), Bootstrap (`.navbar`, `ul.nav`, "
    "`.dropdown-menu`) and Foundation (`ul.menu`, `.top-bar`); a class-less list of five or more items "
    "that are each only a link to the site's own pages (archive and category lists; a list of links to "
    "other sites, such as sources or shop offers, stays); `<select>` jump menus. trafilatura drops "
    "menus only while they hold less than 6/7 of the page's text, and its fallbacks read the page "
    "before that pruning, so on pages with a short article menus come back.",
    select=Select(
        tags=frozenset({"nav", "select", "ul", "ol"}),
        classes=frozenset({"navbar", "top-bar"}),
        attributes=attributes(role=("navigation", "menubar", "menu")),
    ),
    pick=_menu,
)


# --- link-cloud -----------------------------------------------------------------------------------

_CLOUD_LINKS = 8
_CLOUD_LINK_SHARE = 0.9
_CLOUD_MAX_LINK_WORDS = 5.0


def _cloud(element: HtmlElement, page: Page) -> HtmlElement | None:
    links = [child for child in element if child.tag == "a"]
    if len(links) < _CLOUD_LINKS or link_text_share(element) < _CLOUD_LINK_SHARE:
        return None
    words = sum(word_count(link) for link in links)
    return element if words <= _CLOUD_MAX_LINK_WORDS * len(links) else None


LINK_CLOUD = DomRule(
    name="link-cloud",
    family="chrome",
    purpose="A block made of many short links and nothing else: a tag cloud, a footer link farm.",
    evidence="WordPress's tag cloud widget (`wp_tag_cloud`: `div.tagcloud` of `a.tag-cloud-link`), the "
    "label clouds of Blogger and of hand-made CMS templates, footer link farms: eight or more links side "
    "by side in one block, five words each at most, holding nine tenths of its text.",
    select=Select(
        xpath=f".//*[self::div or self::p or self::section or self::td][count(a) >= {_CLOUD_LINKS}]"
    ),
    pick=_cloud,
)


# --- signup-form ----------------------------------------------------------------------------------

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
            parent.tag in _PAGE_LEVEL
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


def _signup_box(element: HtmlElement, page: Page) -> HtmlElement | None:
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


SIGNUP_FORM = DomRule(
    name="signup-form",
    family="subscription",
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


# --- tag-links ------------------------------------------------------------------------------------

_TAGS_LINK_SHARE = 0.6
_TAGS_MAX_WORDS = 80


def _tag_box(element: HtmlElement, page: Page) -> HtmlElement | None:
    def accept(node: HtmlElement) -> bool:
        return word_count(node) <= _TAGS_MAX_WORDS and link_text_share(node) >= _TAGS_LINK_SHARE

    box = climb(element, accept, _PAGE_LEVEL)
    if box is None or element.tag != "a":
        return box
    # One tag link alone is a keyword linked from inside a sentence, not a list of tags.
    tags = [a for a in box.iter("a") if "tag" in (a.get("rel") or "").lower().split()]
    return box if len(tags) >= 2 else None


TAG_LINKS = DomRule(
    name="tag-links",
    family="chrome",
    purpose="A list of tag or category links, with its label.",
    evidence='`rel="tag"` links (the rel-tag microformat, written by WordPress\'s `the_tags()` and '
    "`the_category()`, Blogger and Ghost) and schema.org `itemprop=keywords` blocks; the box around "
    "them is climbed to while it is mostly links. A single tag link inside prose stays.",
    select=Select(attributes=attributes(rel=("tag",), itemprop=("keywords",))),
    pick=_tag_box,
)


# --- call-to-action -------------------------------------------------------------------------------

_CTA_MAX_WORDS = 120


def _short(element: HtmlElement, page: Page) -> HtmlElement | None:
    return element if word_count(element) <= _CTA_MAX_WORDS else None


CALL_TO_ACTION = DomRule(
    name="call-to-action",
    family="subscription",
    purpose="A call-to-action box: subscribe, become a member, support us, sign up, get the app.",
    evidence="The `cta` class part of news and blog themes (`inline-cta`, `article-cta`, "
    "`newsletter-cta`, Ghost's `footer-cta`, `cta-bar`) on a box of at most 120 words.",
    select=Select(parts=frozenset({"cta"})),
    pick=_short,
)


# --- inline-related-link --------------------------------------------------------------------------

_HEADLINE_MIN_WORDS = 4
_NOT_PAGES = (".pdf", ".jpg", ".jpeg", ".png", ".gif", ".mp3", ".mp4", ".zip")
# Separators and labels may stand between the links of a row of related stories ("A | B").
_ROW_LINK_SHARE = 0.8


def _story_link(link: HtmlElement, page: Page) -> bool:
    """A headline-long link to another page of the same site."""
    href = link.get("href") or ""
    if not same_site(href, page) or href.split("?")[0].lower().endswith(_NOT_PAGES):
        return False
    return word_count(link) >= _HEADLINE_MIN_WORDS


def _only_story_links(element: HtmlElement, page: Page) -> bool:
    """The element's text is one story link, or several and their separators."""
    links = [link for link in element.iter("a") if text_of(link)]  # image links carry no text
    if not links or not all(_story_link(link, page) for link in links):
        return False
    if len(links) == 1:
        return text_of(links[0]) == text_of(element)
    return link_text_share(element) >= _ROW_LINK_SHARE


def _related_block(element: HtmlElement, page: Page) -> HtmlElement | None:
    if element.tag == "p":
        return element if _only_story_links(element, page) else None
    return _list_of(element, page, 2, _only_story_links)


INLINE_RELATED_LINK = DomRule(
    name="inline-related-link",
    family="related-link",
    purpose="A paragraph, or a list, that is only links to other stories of the same site.",
    evidence="The related-story promos news CMSs drop between paragraphs (WordPress related-post "
    "blocks, the in-story links of newsroom CMSs such as Arc Publishing, 'Related:' lists): a `<p>` "
    "whose whole text is headline-long links to the same site (one, or a row of them with "
    "separators), or a `<ul>`/`<ol>` whose every item is. A link to another site, a document or an "
    "image, or a link inside prose, is kept.",
    select=Select(tags=frozenset({"p", "ul", "ol"})),
    pick=_related_block,
)


# --- teaser-list ----------------------------------------------------------------------------------

_TEASER_ITEMS = 2
_TEASER_MAX_WORDS = 40
_TEASER_LINK_SHARE = 0.25


def _teaser(item: HtmlElement, page: Page) -> bool:
    if word_count(item) > _TEASER_MAX_WORDS or link_text_share(item) < _TEASER_LINK_SHARE:
        return False
    return any(_story_link(link, page) for link in item.iter("a"))


def _teaser_list(element: HtmlElement, page: Page) -> HtmlElement | None:
    return _list_of(element, page, _TEASER_ITEMS, _teaser)


TEASER_LIST = DomRule(
    name="teaser-list",
    family="related-link",
    purpose="A list of story teasers: each item a headline link to the same site and a line of summary.",
    evidence="The 'Latest', 'More stories' and 'Most read' rails of news CMSs and WordPress themes, "
    "rendered as a `<ul>`/`<ol>` of two or more items, each a headline-long link to another story of "
    "the site with at most a short summary (forty words, a quarter of it link text at least).",
    select=Select(tags=frozenset({"ul", "ol"})),
    pick=_teaser_list,
)


# --- standfirst -----------------------------------------------------------------------------------

_SUMMARY_TAGS = ("h2", "h3", "h4", "h5", "h6", "p", "div", "span")


_IN_ARTICLE_BODY = XPath("ancestor-or-self::*[@itemprop='articleBody']")


@lru_cache(maxsize=64)
def _probe(description: str) -> str:
    """The description's longest word: a block without it cannot be the description."""
    return max(description.split(), key=len)


def _declared_summary(element: HtmlElement, page: Page) -> HtmlElement | None:
    if not page.description or _IN_ARTICLE_BODY(element):
        return None
    probe = _probe(page.description)
    blocks = element.iter(*_SUMMARY_TAGS) if element.tag == "header" else iter((element,))
    # Every <p> of a page is a candidate: a cheap word test in C spares the full text walk.
    for block in blocks:
        if probe in block.text_content().casefold() and squeeze(text_of(block)) == page.description:
            return block
    return None


STANDFIRST = DomRule(
    name="standfirst",
    family="standfirst",
    purpose="The standfirst under the headline, when it is the page's declared summary (`description`).",
    evidence="The summary block of an article header: inside `<header>`, marked schema.org "
    "`itemprop=description`/`alternativeHeadline`, or in the dek, standfirst, subtitle classes of news "
    "CMSs and WordPress themes; cut only when its text is the page's own `<meta name=description>` or "
    "`og:description`, which the record keeps as `description`, and never from inside the article body "
    "(a summary copied from the first paragraph is that paragraph).",
    select=Select(
        tags=frozenset({"header"}),
        parts=frozenset({"dek", "standfirst", "subhead", "subheadline", "subline", "subtitle", "strapline"}),
        attributes=attributes(itemprop=("description", "alternativeheadline")),
    ),
    pick=_declared_summary,
)


DOM_RULES: tuple[DomRule, ...] = (
    HIDDEN_ELEMENT,
    PRINT_ONLY,
    NAVIGATION_MENU,
    LINK_CLOUD,
    SIGNUP_FORM,
    TAG_LINKS,
    CALL_TO_ACTION,
    INLINE_RELATED_LINK,
    TEASER_LIST,
    STANDFIRST,
)

DOM_RULE_NAMES = frozenset(rule.name for rule in DOM_RULES)


def select_dom_rules(disabled: Iterable[str] = ()) -> tuple[DomRule, ...]:
    """The DOM registry without the named rules (names are checked by `cleaners.select_rules`)."""
    off = set(disabled)
    return tuple(rule for rule in DOM_RULES if rule.name not in off)
