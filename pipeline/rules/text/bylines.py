"""Byline family: the line that names the article's writers ("By Jane Doe", "Von Anna Sleegers, Frankfurt")
and the posted-by lines of blog posts and comments; the record keeps the author in `author`."""

from __future__ import annotations

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import UPPER, WholeLine, alternation, rule

FAMILY = Family.BYLINE

# Words that introduce writers' names as a preposition ("By Jane Doe"), and labels that need a colon.
_BY = alternation(
    "by", "written by", "words by", "story by", "von", "par", "por", "di", "door", "av", "af", "от"
)
_LABEL = alternation(
    "text",
    "texte",
    "texto",
    "tekst",
    "autor",
    "autorin",
    "autore",
    "auteur",
    "автор",
    "yazan",
    "muhabir",
    "redaktion",
    "reporter",
    "reporting",
    "words",
)
# A name: one to four capitalised words (initials, hyphens and apostrophes allowed), with the particles
# names carry ("de", "van", "al-"); case-sensitive, so "By the end of the day" is no byline.
_WORD = rf"(?:{UPPER}[\w'’.-]*)"
_PARTICLE = r"(?:de|da|do|dos|du|del|della|van|von|der|den|ter|ten|le|la|al|el|bin|ibn|af)"
# Headings that start like a byline ("By The Numbers") start with an article or a pronoun.
_NOT_NAME = r"(?!(?:the|a|an|this|that|these|our|my|der|die|das|le|la|les|el|los|las|il|het)\b)"
_NAME = rf"{_NOT_NAME}(?-i:{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{0,3}})"
_AND = r"(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\bog\b|\boch\b|\bve\b|\bи\b)"
_NAMES = rf"{_NAME}(?:\s*{_AND}\s*{_NAME}){{0,3}}"
# What may follow the names: their role, their outlet, a place, the date ("Staff Writer", "| 5 May").
_AFTER = r"(?:\s*(?:[,|·•/–—-]|\band\b|\bund\b|\bin\b)\s*[^.!?]{1,60}?)?"

BYLINE = rule(
    "byline",
    FAMILY,
    'A line that names the article\'s writers ("By Jane Doe", "Von Anna Sleegers, Frankfurt"), at its start '
    "or end.",
    WholeLine(rf"[\W_]{{0,3}}(?:{_BY}\s*:?|{_LABEL}\s*:)\s*{_NAMES}{_AFTER}\s*\.?", max_words=14, edge=4),
    removes=[
        "By Jane Doe",
        "By Patrick Nathanson and agencies",
        "By Jane Doe, Staff Writer",
        "By Jane Doe and Omar Haddad | 5 May 2025",
        "Von Anna Sleegers, Frankfurt",
        "Par Marie Dupont",
        "Por Juan Pérez y Ana García",
        "Redaktion: Lena Vogt",
        "Автор: Мария Иванова",
    ],
    keeps=[
        "By the end of the day, the bridge was closed to all traffic.",
        "By Monday the river had risen two metres above its usual level.",
        "Von Berlin aus fuhr er weiter nach Prag.",
        "Par ailleurs, le ministre a présenté sa démission au président.",
        "Por la tarde, la lluvia cesó y los equipos reanudaron la búsqueda.",
        "By The Numbers",
        "Text Messages Reveal the Plan",
    ],
)

_POSTED = alternation("posted", "submitted", "published", "written", "geschrieben", "publié", "publicado")

POSTED_BY = rule(
    "posted-by",
    FAMILY,
    'The posted-by line of a blog post or a comment ("Posted by: Larry Blasko | January 14, 2008 10:43 PM").',
    WholeLine(
        rf"[\W_]{{0,3}}{_POSTED}(?: (?:on|am|le|el) [^|]{{1,40}}?)? (?:by|von|par|por)\s*:?\s+"
        r"(?:[\w@.'’-]+(?: [\w@.'’-]+){0,3})(?:\s*(?:[|,]|on|at|am|um|le|el)\s*[^.!?]{1,60}?)?\s*\.?",
        max_words=16,
        needs=("by", "von", "par", "por"),
    ),
    removes=[
        "Posted by: Larry Blasko | January 14, 2008 10:43 PM",
        "Posted by TONY on January 10, 2008 12:42 PM",
        "Submitted by editor on Tue, 01/08/2008 - 14:22",
        "Posted on 5 May 2025 by Jane Doe",
    ],
    keeps=[
        "Posted by a friend on a social network, the video was seen two million times by Friday.",
        "The letter, written by the mayor in 1921, was found in the archive.",
    ],
)
