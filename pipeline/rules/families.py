"""The one list of removal families: their ids (the `family` of every removal), colours and meanings.

The ids are those of CLEANING_POLICY.md; the text rules, the page rules, the report and the README all
read them from here.
"""

from __future__ import annotations

from enum import StrEnum


class Family(StrEnum):
    """A removal family. Its value is the id written to the output; each carries a colour and a meaning."""

    colour: str
    description: str

    def __new__(cls, value: str, colour: str, description: str) -> Family:
        member = str.__new__(cls, value)
        member._value_ = value
        member.colour = colour
        member.description = description
        return member

    RELATED_LINK = ("related-link", "#1f5fbf", "links to other articles and the headings of related blocks")
    SUBSCRIPTION = ("subscription", "#8250df", "newsletter, sign-up, membership and paywall prompts")
    COMMENT_FORM = ("comment-form", "#bf3989", "comment forms, comment counters and calls to comment")
    AGENCY_NOTICE = ("agency-notice", "#9a6700", "wire-service notices pasted into captions")
    PHOTO_CAPTION = ("photo-caption", "#1a7f37", "captions identified by a photo credit, and credits")
    CHROME = ("chrome", "#cf222e", "navigation, share, social, advertising and consent chrome; tag lists")
    TRAILER = ("trailer", "#bc4c00", "what sites append after the article: site trailers, rights, bios")
    BYLINE = (
        "byline",
        "#0550ae",
        "the line naming the article's writers; posted-by lines of posts and comments",
    )
    TIMESTAMP = ("timestamp", "#0e7490", "a line that is only a date or a date-time")
    REPEAT = ("repeat", "#57606a", "the same paragraph again right after itself")
    TEMPLATE = (
        "template",
        "#953800",
        "paragraphs a site repeats across its different articles (learned from a run or a saved file)",
    )


FAMILIES: tuple[Family, ...] = tuple(Family)
