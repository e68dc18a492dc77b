"""Trailer family: what sites append after the article ("More From <site>", "Source: <domain>",
copyright and republication lines, author bios)."""

from __future__ import annotations

import re

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import Context, Span, WholeLine, alternation, rule

FAMILY = Family.TRAILER


MORE_FROM_SITE = rule(
    "more-from-site",
    FAMILY,
    'A "More From <site>" trailer heading among the last paragraphs.',
    WholeLine(
        r"[\W_]{0,3}(?:more (?:from|stories from|news from)|mehr (?:von|aus)) [^:.!?]{1,60}",
        max_words=7,
        tail=4,
    ),
    removes=["More From Türkiye Today", "More from Example News", "Mehr aus dem Ressort Politik"],
    keeps=[
        "More from the interview:\nQ: What happens next?\nA: We wait for the court.",
        "More from the minister's speech is expected on Monday.",
    ],
)

_SOURCE_LABEL = alternation("source", "sources", "quelle", "fuente", "fonte", "kaynak", "πηγή", "المصدر")

SOURCE_DOMAIN = rule(
    "source-domain",
    FAMILY,
    'A "Source: <domain>" line naming the site the text was taken from.',
    WholeLine(
        rf"[\W_]{{0,3}}{_SOURCE_LABEL}\s*:\s*(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?\s*[.)]?",
        max_words=4,
    ),
    removes=["Source: iefimerida.gr", "Quelle: www.example.de", "Kaynak: https://example.com.tr/haber"],
    keeps=["Source: We were told not to speak to reporters.", "Kaynak: AA", "Source: Eurostat"],
)

_RIGHTS = alternation(
    "all rights reserved",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "tüm hakları saklıdır",
    "her hakkı saklıdır",
    "tutti i diritti riservati",
    "riproduzione riservata",
    "todos os direitos reservados",
    "alle rechten voorbehouden",
    "무단전재 및 재배포 금지",
    "無断転載禁止",
)
_COPYRIGHT = (
    r"[\W_]{0,3}(?:"
    r"(?:[©ⓒ]|\(c\))\s*.{1,300}"
    r"|copyright\s*(?:[©ⓒ]\s*)?\d{4}\b.{0,300}"
    r"|copyright\s*[©ⓒ]\s*.{1,300}"
    # "copyright Example Media 2019 - ...": a name in capitals, then the year.
    r"|copyright\s+(?-i:[A-Z][\w.&'-]*)(?:\s+(?-i:[A-Z][\w.&'-]*)){0,4}\s+\d{4}\b.{0,300}"
    rf"|.{{0,200}}?\b{_RIGHTS}\b\s*[.!]?(?:\s*this material may not be .{{1,200}})?"
    r")"
)

COPYRIGHT_LINE = rule(
    "copyright-line",
    FAMILY,
    'A copyright line ("© 2024 Example Media. All rights reserved.").',
    WholeLine(
        _COPYRIGHT,
        max_words=60,
        needs=(
            "©",
            "ⓒ",
            "(c)",
            "copyright",
            "right",
            "rechte",
            "droits",
            "derechos",
            "hakları",
            "hakkı",
            "diritti",
            "riservat",
            "direitos",
            "rechten",
            "무단",
            "無断",
        ),
    ),
    removes=[
        "© 2023 Example Media Group. All rights reserved.",
        "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, "
        "broadcast, rewritten or redistributed without permission.",
        "Alle Rechte vorbehalten.",
        "© Example Verlag GmbH",
        "copyright Example Review 2019 - ISSN 0000-0000",
        "Riproduzione riservata",
    ],
    keeps=[
        "The court found that the copyright infringement was wilful and awarded $2 million.",
        "All rights reserved, the label's lawyers wrote in the cease-and-desist letter.",
        "Copyright lawyers said the ruling would be appealed.",
        "Copyright Office officials in 2019 rejected the application twice.",
    ],
)

_REPUBLISHED = alternation(
    r"this (?:article|story|post|piece) (?:was |has been |is )?(?:originally|first) "
    r"(?:published|appeared|posted)\b.*",
    r"a version of this (?:article|story) "
    r"(?:was originally published|originally appeared|appeared|was published)\b.*",
    r"read the original (?:article|story|post)\b.*",
    r"the post .{1,200}? appeared first on .{1,100}",
    r"(?:originally|first) (?:published|appeared|posted) (?:on|in|at|by) [^,]{1,80}",
    r"original article source\b.*",
    r"this (?:article|story) (?:is|was) republished from\b.*",
    r"republished with permission\b.*",
    r"(?:dieser (?:artikel|beitrag|text)) (?:erschien|ist) (?:zuerst|ursprünglich|erstmals)\b.*",
    r"cet article (?:a été |est )?(?:initialement |d'abord |originellement )?"
    r"publié (?:initialement |à l'origine )?"
    r"(?:sur|dans|par)\b.*",
    r"este artículo (?:fue publicado|se publicó) (?:originalmente|primero|por primera vez)\b.*",
    r"bu (?:makale|yazı|haber) ilk (?:olarak|kez) .{0,80}?yayımlan\w*\b.*",
    r"(?:read|view) the original (?:article|story|post)(?: in \w+)? here\b.*",
    r"lest (?:hier )?den originalartikel\b.*",
    r"(?:den )?originalartikel (?:auf \w+ )?(?:lesen|finden) sie hier\b.*",
    # Broadcasters' note of the programme a story ran in ("Sendung: Antenne Brandenburg, 24.04.2024").
    r"(?:sendung|sendetermin|ausgestrahlt|broadcast on|aired on|émission)\s*:\s*.{1,100}",
    # Editorial-standards notes ("Our Standards: The Thomson Reuters Trust Principles.").
    r"our standards\s*:.{0,80}?\btrust principles\b.*",
    r"(?:learn more about |read )?(?:our|the) editorial (?:standards|guidelines|policy|principles)\W*",
    r"why you can trust (?:us|\w+)\W*",
)

REPUBLICATION_NOTE = rule(
    "republication-note",
    FAMILY,
    'A syndication footer ("This article originally appeared on <outlet>.").',
    WholeLine(rf"[\W_]{{0,3}}{_REPUBLISHED}", max_words=60),
    removes=[
        "This article originally appeared on Example Wire.",
        "This article was originally published on The Conversation. Read the original article.",
        "Dieser Artikel erschien zuerst auf example.de.",
        "The post Floods close the coast road appeared first on Example Coast News.",
        "Originally published on example.org.",
        "Cet article a été initialement publié sur The Conversation.",
        "Lest den Originalartikel auf Englisch hier.",
        "Sendung: Antenne Brandenburg, 24.04.2024, 15:10 Uhr",
        "Our Standards: The Thomson Reuters Trust Principles.",
    ],
    keeps=[
        "The article, which originally appeared in a regional paper, was later withdrawn.",
        "Originally published in 1851, the novel sold fewer than 3,000 copies in its author's lifetime.",
        "This story has been corrected to show that the minister spoke in Ankara, not Istanbul.",
        "Our standards of care have fallen, the hospital's director admitted on Tuesday.",
    ],
)

_ROLE = alternation(
    "correspondent",
    "reporter",
    "journalist",
    "writer",
    "editor",
    "columnist",
    "contributor",
    "freelancer",
    "freelance journalist",
    "freelance writer",
    "producer",
    "photographer",
    "staff writer",
    "author",
)
_BIO_VERBS = (
    r"(?:covers?|covering|writes? (?:about|on|for)|reports? (?:on|for)|based in|has (?:written|reported)"
    r"|(?:at|for|with) (?-i:[A-Z])|follow (?:her|him|them)\b|e-?mail\b|@\w)"
)

AUTHOR_BIO = rule(
    "author-bio",
    FAMILY,
    'An author bio closing the article ("Jane Doe is a senior correspondent covering ...").',
    WholeLine(
        rf"(?-i:[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){{1,3}}) (?:is|was) (?:a|an|the) .{{0,60}}?\b{_ROLE}\b"
        rf".{{0,200}}?\b{_BIO_VERBS}\b.*",
        max_words=70,
        tail=1,
    ),
    removes=[
        "Jane Doe is a senior correspondent covering the Middle East for Example News.",
        "Omar Haddad is a reporter at Example News. Follow him on X @omarhaddad or email omar@example.com.",
    ],
    keeps=[
        "Evan Carter is a reporter for a regional daily who was detained in March.",
        "Maria Lopez is a nurse who has worked at the hospital for 20 years.",
    ],
)

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"

CONTACT_LINE = rule(
    "contact-line",
    FAMILY,
    'An author contact trailer ("Write to Jane Doe at jane.doe@example.com").',
    WholeLine(
        rf"[\W_]{{0,3}}(?:write to|contact(?: the (?:author|reporter|writer))?|e-?mail|reach)\b.{{0,80}}?"
        rf"\b(?:at|:)\s*{_EMAIL}(?:\s*(?:and|or|,)\s*.{{0,60}}?{_EMAIL})*\s*\.?",
        max_words=30,
        needs=("@",),
    ),
    removes=["Write to Jane Doe at jane.doe@example.com", "Contact the reporter at tips@example.org."],
    keeps=[
        "Investigators said the threats were sent to the mayor at her city hall address.",
        "Write to your representative, the campaign urged supporters on Monday.",
    ],
)


# The heading of an author's bio at the end of an article, and the bio under it.
_ABOUT_AUTHOR = alternation(
    "about the author",
    "about the authors",
    "the author",
    "the authors",
    "die autorin",
    "der autor",
    "die autoren",
    "zur autorin",
    "zum autor",
    "über die autorin",
    "über den autor",
    "l'auteur",
    "l'autrice",
    "à propos de l'auteur",
    "sobre el autor",
    "sobre la autora",
    "sobre o autor",
    "sobre a autora",
    "yazar hakkında",
    "об авторе",
)
_ABOUT_AUTHOR_LINE = rf"[\W_]{{0,3}}{_ABOUT_AUTHOR}\s*:?"


_HEADING_WORDS = 6
_BIO_WORDS = 90


def find_author_section(text: str, ctx: Context) -> list[Span]:
    """Among the last three paragraphs: an about-the-author heading, and the paragraph right after one."""
    if not ctx.in_tail(3):
        return []
    heading = re.compile(_ABOUT_AUTHOR_LINE, re.IGNORECASE)
    if ctx.word_count() <= _HEADING_WORDS and heading.fullmatch(text.strip()):
        return [(0, len(text))]
    before, _ = ctx.neighbours()
    under = before is not None and heading.fullmatch(before.strip()) is not None
    return [(0, len(text))] if under and ctx.word_count() <= _BIO_WORDS else []


AUTHOR_SECTION = rule(
    "author-section",
    FAMILY,
    'The "About the author" heading that ends an article, and the bio right under it.',
    find_author_section,
    removes=[
        (
            "The harbour will reopen on Monday.\nDie Autorin\nLena Vogt schreibt seit 2019 über Verkehr.",
            "The harbour will reopen on Monday.",
        ),
        ("The talks resume on Monday.\nAbout the author", "The talks resume on Monday."),
    ],
    keeps=[
        "The author of the report, a former minister, said the findings were clear.",
        "Der Autor des Briefes ist bis heute unbekannt.",
    ],
)
