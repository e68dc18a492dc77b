"""Page rules of the chrome family: hidden and print-only blocks, menus, link clouds, tag links."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipeline.rules.families import Family
from pipeline.rules.page.markup import (
    HIDING_CLASSES,
    LISTS,
    PAGE_LEVEL,
    climb,
    hidden_prose,
    in_article_body,
    items_of,
    link_text_share,
    part_of_article,
    same_site,
    word_count,
)
from pipeline.rules.page.shapes import PageContext, PageRule, Select, attributes

# A block hidden on small screens only is shown again from a breakpoint up: Bootstrap 4/5
# `d-none d-md-block`, Tailwind `hidden md:flex`. Such a block is not hidden.
_SHOWN_AGAIN = re.compile(
    r"^d-(?:sm|md|lg|xl|xxl)-(?!none)|^[a-z0-9-]+:(?:block|flex|grid|inline|table|contents)"
)


def _really_hidden(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    classes = (element.get("class") or "").split()
    if any(_SHOWN_AGAIN.match(token) for token in classes):
        return None
    # Hidden prose is shown before the page rules run (extract/reveal.py); what is left is not prose.
    return None if hidden_prose(element) else element


HIDDEN_ELEMENT = PageRule(
    name="hidden-element",
    family=Family.CHROME,
    purpose="A block the page never shows: the `hidden` attribute, `display: none`, a hiding class.",
    evidence="HTML's `hidden` attribute; inline `display:none` and `visibility:hidden` styles; the "
    "hiding utility classes of CSS frameworks (Bootstrap `hidden`, `hide`, `d-none`, `invisible`; "
    "Tailwind `hidden`, `invisible`; Bulma `is-hidden`), unless a responsive class shows the block again "
    "from a breakpoint up (`d-none d-md-block`, `hidden md:flex`). Pages keep the error and thank-you "
    "states of sign-up boxes, closed dialogs and script templates this way. A hidden block of prose "
    "(a paragraph of 25 words or more, or three sentences in paragraphs of their own, mostly not links) is "
    "the rest of an article that a 'Read more' button, a paywall script or a lazy loader reveals: it is "
    "kept, and shown before extraction (`reveal_hidden_prose`).",
    select=Select(
        classes=HIDING_CLASSES,
        attributes=attributes(hidden=()),
        styles=("display:none", "visibility:hidden"),
    ),
    pick=_really_hidden,
)

PRINT_ONLY = PageRule(
    name="print-only",
    family=Family.CHROME,
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

_MENU_LINK_SHARE = 0.8
# A list without a class is a menu when it has this many items or more, each of them only a link.
_LINK_LIST_ITEMS = 5
_MENU_CLASSES = frozenset({"menu", "sub-menu", "nav", "navbar-nav", "dropdown-menu", "nav-menu"})


# An item of a menu list may add a count or a date to its link ("Business (14)").
_MENU_ITEM_LINK_SHARE = 0.6


def _site_link_only(item: HtmlElement, page: PageContext) -> bool:
    """The item is a link (or links) to the site's own pages, with at most a count beside it."""
    links = list(item.iter("a"))
    if not links or not all(same_site(link.get("href"), page) for link in links):
        return False
    return link_text_share(item) >= _MENU_ITEM_LINK_SHARE


def _menu(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    if element.tag in ("nav", "select"):
        return element  # a navigation landmark, or a jump menu whose options are not text
    if element.tag in LISTS and not element.get("role"):
        classes = set((element.get("class") or "").split())
        if not classes & _MENU_CLASSES:
            if classes or part_of_article(element):
                return None
            items = items_of(element)
            if items is None or len(items) < _LINK_LIST_ITEMS:
                return None
            return element if all(_site_link_only(item, page) for item in items) else None
    return element if link_text_share(element) >= _MENU_LINK_SHARE else None


NAVIGATION_MENU = PageRule(
    name="navigation-menu",
    family=Family.CHROME,
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

_CLOUD_LINKS = 8
_CLOUD_LINK_SHARE = 0.9
_CLOUD_MAX_LINK_WORDS = 5.0


def _cloud(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    links = [child for child in element if child.tag == "a"]
    if len(links) < _CLOUD_LINKS or link_text_share(element) < _CLOUD_LINK_SHARE:
        return None
    words = sum(word_count(link) for link in links)
    return element if words <= _CLOUD_MAX_LINK_WORDS * len(links) else None


LINK_CLOUD = PageRule(
    name="link-cloud",
    family=Family.CHROME,
    purpose="A block made of many short links and nothing else: a tag cloud, a footer link farm.",
    evidence="WordPress's tag cloud widget (`wp_tag_cloud`: `div.tagcloud` of `a.tag-cloud-link`), the "
    "label clouds of Blogger and of hand-made CMS templates, footer link farms: eight or more links side "
    "by side in one block, five words each at most, holding nine tenths of its text.",
    select=Select(
        xpath=f".//*[self::div or self::p or self::section or self::td][count(a) >= {_CLOUD_LINKS}]"
    ),
    pick=_cloud,
)

_TAGS_LINK_SHARE = 0.6
_TAGS_MAX_WORDS = 80


def _tag_box(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    def accept(node: HtmlElement) -> bool:
        return word_count(node) <= _TAGS_MAX_WORDS and link_text_share(node) >= _TAGS_LINK_SHARE

    box = climb(element, accept, PAGE_LEVEL)
    if box is None or element.tag != "a":
        return box
    # One tag link alone is a keyword linked from inside a sentence, not a list of tags.
    tags = [a for a in box.iter("a") if "tag" in (a.get("rel") or "").lower().split()]
    return box if len(tags) >= 2 else None


TAG_LINKS = PageRule(
    name="tag-links",
    family=Family.CHROME,
    purpose="A list of tag or category links, with its label.",
    evidence='`rel="tag"` links (the rel-tag microformat, written by WordPress\'s `the_tags()` and '
    "`the_category()`, Blogger and Ghost) and schema.org `itemprop=keywords` blocks; the box around "
    "them is climbed to while it is mostly links. A single tag link inside prose stays.",
    select=Select(attributes=attributes(rel=("tag",), itemprop=("keywords",))),
    pick=_tag_box,
)


_KICKER_MAX_WORDS = 6


def _short_label(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    return element if 0 < word_count(element) <= _KICKER_MAX_WORDS else None


KICKER = PageRule(
    name="kicker",
    family=Family.CHROME,
    purpose="The section label above a headline (a kicker, an eyebrow): a few words naming the section.",
    evidence="The `kicker`, `eyebrow` and `overline` class parts of news CMSs and WordPress news themes "
    "(`article__kicker`, `post-eyebrow`, `c-overline`) on a block of six words at most: a label that "
    "names the story's section or series, not a sentence of the story.",
    select=Select(parts=frozenset({"kicker", "eyebrow", "overline"})),
    pick=_short_label,
)


_BREADCRUMB_LINK_SHARE = 0.5
_BREADCRUMB_MAX_WORDS = 40


def _trail(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    return (
        element if word_count(element) <= 40 and link_text_share(element) >= _BREADCRUMB_LINK_SHARE else None
    )


BREADCRUMB = PageRule(
    name="breadcrumb",
    family=Family.CHROME,
    purpose="A breadcrumb trail: the links from the home page down to the story's section.",
    evidence="schema.org `BreadcrumbList` microdata (`itemtype=.../BreadcrumbList`), the ARIA "
    '`aria-label="breadcrumb"` landmark of Bootstrap and of the WAI authoring practices, and the '
    "`breadcrumb`, `breadcrumbs` and `crumbs` class parts of CMS themes (Yoast's `#breadcrumbs`, "
    "WooCommerce's `woocommerce-breadcrumb`), on a short block that is mostly links.",
    select=Select(
        parts=frozenset({"breadcrumb", "breadcrumbs", "crumbs"}),
        substrings=("breadcrumb",),
        attributes=attributes(aria_label=("breadcrumb", "breadcrumbs")),
        xpath=".//*[contains(@itemtype, 'BreadcrumbList')]",
    ),
    pick=_trail,
)


_COMMENT_MIN_WORDS = 3


def _comment_section(element: HtmlElement, page: PageContext) -> HtmlElement | None:
    if in_article_body(element) or word_count(element) < _COMMENT_MIN_WORDS:
        return None
    return element


COMMENT_SECTION = PageRule(
    name="comment-section",
    family=Family.COMMENT_FORM,
    purpose="The readers' comments under an article: the comment list, its entries and its platform embed.",
    evidence="The comment markup of WordPress (`#comments`, `ol.commentlist`, `.comment-list`, "
    "`.comment-body`, `.comment-author`, `.comment-meta`), of comment platforms (Disqus `#disqus_thread`, "
    "Facebook `.fb-comments`, Coral `.coral-*`, Livefyre, Spot.IM `data-spotim-*`) and of news CMSs' "
    "reader-comment and talkback blocks, in English, German, French, Spanish and Turkish class names "
    "(`kommentare`, `commentaires`, `comentarios`, `yorumlar`); never inside the article body, where a "
    "quoted reader comment is the article's, and never when the comment markup holds most of the page's "
    "text: such a page is a discussion (a forum thread, a Q&A), whose posts are its content.",
    select=Select(
        parts=frozenset(
            {
                "comment",
                "comments",
                "commentlist",
                "kommentar",
                "kommentare",
                "commentaires",
                "comentarios",
                "yorumlar",
                "talkback",
                "disqus",
                "livefyre",
                "coral",
            }
        ),
        substrings=("disqus_thread", "fb-comments", "spotim"),
    ),
    pick=_comment_section,
    not_the_whole_page=True,
)
