"""Photo-caption family: captions identified by a photo credit, alone or glued into runs."""

from __future__ import annotations

import re

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import (
    Context,
    Span,
    alternation,
    has_words,
    inside,
    quoted_spans,
    rule,
    starts_quoted,
    word_count,
)

FAMILY = Family.PHOTO_CAPTION

# Picture agencies and wire services as they sign photos (case as they write it).
AGENCIES = alternation(
    "AFP",
    "AP",
    "Reuters",
    "REUTERS",
    "EPA",
    "EPA-EFE",
    "EFE",
    "Getty Images",
    "Getty",
    "GETTY IMAGES",
    "Anadolu",
    "Anadolu Agency",
    "Anadolu Ajansı",
    "AA",
    "DHA",
    "IHA",
    "İHA",
    "dpa",
    "DPA",
    "ANSA",
    "Xinhua",
    "PA",
    "PA Wire",
    "PA Images",
    "PA Media",
    "Shutterstock",
    "REX",
    "Alamy",
    "Bloomberg",
    "SOPA Images",
    "NurPhoto",
    "LightRocket",
    "Sipa",
    "SIPA",
    "Sipa USA",
    "ABACA",
    "Abaca",
    "Imago",
    "IMAGO",
    "imago",
    "picture alliance",
    "picture-alliance",
    "Keystone",
    "KEYSTONE",
    "ZUMA",
    "ZUMA Press",
    "ZUMA Wire",
    "TASS",
    "Sputnik",
    "Kyodo",
    "Yonhap",
    "UPI",
    "KCNA",
    "Belga",
    "BELGA",
    "ANP",
    "NTB",
    "Ritzau",
    "APA",
    "Lusa",
    "LUSA",
    "Europa Press",
    "WAFA",
    "SANA",
    "IRNA",
    "WireImage",
    "Pool",
    "POOL",
    "Handout",
    "HANDOUT",
    "AFP PHOTO",
    "AP Photo",
)
_AGENCY = rf"(?-i:{AGENCIES})"
_PHOTO_WORD = (
    r"(?:photo(?:graph)?s?|images?|pictures?|pic|foto(?:s|grafía|ğraf|grafia)?|fotó|bild(?:er)?|crédit photo"
    r"|credits?|фото|фотография|zdjęcie|fot\.|kuva|φωτο(?:γραφία)?|صورة|사진|写真|图片|圖片)"
)

_PAREN_CREDIT = re.compile(
    r"\(\s*(?:"
    rf"{_PHOTO_WORD}\s*(?:by|credit|courtesy(?: of)?|should read|:|/)\s*[^()]{{1,150}}"
    rf"|{_AGENCY}\s+(?:photo|foto|fotoğraf|pic|picture|images?)\b[^()]{{0,100}}"
    rf"|[^()]{{0,100}}?/\s*{_AGENCY}\b[^()]{{0,60}}"
    rf"|{_AGENCY}\s*/\s*[^()]{{1,60}}"
    rf"|[^()]{{0,80}}\bvia {_AGENCY}[^()]{{0,30}}"
    r")\s*\)"
    # Korean and Japanese sites credit in square brackets: "[사진=JTBC]", "［写真：共同］".
    rf"|[\[［]\s*{_PHOTO_WORD}\s*[=:：]\s*[^\]］]{{1,80}}[\]］]",
    re.IGNORECASE,
)
# A credit that ends a paragraph without parentheses: "Photo: Reuters/Umit Bektas",
# "Kent Nishimura/AFP via Getty Images", "REUTERS/Kevin Lamarque". It must follow the start,
# a sentence end or a separator, so "The photo by Nick Ut became ..." is not one.
_TRAILING_CREDIT = re.compile(
    r"(?:^|(?<=[.!?\"”)])\s+|\s+[|/–—-]\s+)(?P<credit>"
    rf"{_PHOTO_WORD}\s*(?:by\s+|:\s*)[^()!?]{{1,100}}"
    rf"|[\w.'’ -]{{1,60}}/\s*{_AGENCY}(?:\s*(?:/|via)\s*{_AGENCY})*"
    rf"|(?-i:REUTERS|AFP|AP|EPA|EPA-EFE)/[\w .'’-]{{1,60}}"
    rf"|{_PHOTO_WORD}\s*©?\s*{_AGENCY}\b[^()!?]{{0,40}}"
    r"|image source,\s*[^.!?()]{1,60}"
    rf"|(?-i:Getty Images|GETTY IMAGES)|{_AGENCY}(?:\s*(?:/|via|\|)\s*{_AGENCY})+"
    r")\s*$",
    re.IGNORECASE,
)
MAX_CREDIT_WORDS = 14
# A caption, background sentence included, stays under this many words; a longer stretch
# before a credit is taken for prose, and only the credit is cut from it.
MAX_CAPTION_WORDS = 75


# A credit that ends a paragraph is shorter than this: the trailing pattern is tried on the end alone.
_TAIL_CHARS = 400


def credit_spans(text: str) -> list[Span]:
    """Photo credits in a paragraph, outside quotations, in order."""
    quoted = quoted_spans(text)
    spans = []
    if "(" in text or "[" in text or "［" in text:
        spans = [m.span() for m in _PAREN_CREDIT.finditer(text) if not inside(m.span(), quoted)]
    trailing = _TRAILING_CREDIT.search(text, max(0, len(text.rstrip()) - _TAIL_CHARS))
    if trailing and word_count(trailing["credit"]) <= MAX_CREDIT_WORDS:
        span = trailing.span("credit")
        if not inside(span, quoted) and not any(s <= span[0] < e for s, e in spans):
            spans.append(span)
    return sorted(spans)


# Every credit has a bracket, a slash, a photo word, "via" or Getty: a paragraph without any of them
# spares the credit patterns (most paragraphs are prose). Plain substrings, tested on the lower case.
_CREDIT_SIGNS = (
    "(",
    "[",
    "［",
    "/",
    "via ",
    "getty",
    "photo",
    "foto",
    "fotó",
    "image",
    "pic",
    "bild",
    "crédit",
    "credit",
    "фото",
    "zdjęcie",
    "fot.",
    "kuva",
    "φωτο",
    "صورة",
    "사진",
    "写真",
    "图片",
    "圖片",
)


def find_credited_caption(text: str, ctx: Context) -> list[Span]:
    """Photo credits; the whole paragraph when it is only captions (each up to MAX_CAPTION_WORDS words)
    each ending in a credit."""
    lowered = ctx.lower()
    if not any(sign in lowered for sign in _CREDIT_SIGNS):
        return []
    credits = credit_spans(text)
    if not credits:
        return []
    segments, previous = [], 0
    for _, end in credits:
        segments.append(text[previous:end])
        previous = end
    only_captions = not has_words(text[previous:]) and all(
        word_count(segment) <= MAX_CAPTION_WORDS for segment in segments
    )
    if only_captions and not starts_quoted(text):
        return [(0, len(text))]
    return credits


CREDITED_CAPTION = rule(
    "credited-caption",
    FAMILY,
    "A caption that ends in a photo credit, or a run of them; a credit inside prose is cut alone.",
    find_credited_caption,
    removes=[
        "Anti-government fighters patrol in central Aleppo on November 30, 2024. (AFP Photo)",
        "Fighters celebrate in Maaret al-Numan. (Photo by Abdulaziz KETAZ / AFP)Fighters drive down a road "
        "in Maaret al-Numan. (Photo by Bakr ALKASEM / AFP)",
        "Protesters gather outside parliament in Nairobi. (AP Photo/Brian Inganga)",
        "Rescuers search the rubble in Hatay. Photo: Reuters/Umit Bektas",
        "President Biden speaks at the White House. Kent Nishimura/AFP via Getty Images",
        "Demonstranten vor dem Reichstag. Foto: picture alliance/dpa | Axel Heimken",
        "Kurtarma ekipleri enkaz altında arama yapıyor. (Fotoğraf: AA)",
        "Firefighters battle the blaze near Athens. REUTERS/Alkis Konstantinidis",
        "Soccorritori al lavoro dopo la frana. Foto ANSA",
        "Image source, Getty Images",
        "Фото: Дмитрий Иванов",
        "[사진=JTBC, 이매진아시아]",
        "AFP via Getty Images",
        (
            "The mayor said the city would rebuild the old town within two years (Photo by John SMITH / AFP) "
            "and that money had already been secured from the national government for the first phase of "
            "the work, covering the markets, the schools and the hospital that was destroyed in the "
            "earthquake of February 2023 and has stayed closed ever since, leaving thousands of residents "
            "of the district without care for more than a year.",
            "The mayor said the city would rebuild the old town within two years and that money had already "
            "been secured from the national government for the first phase of the work, covering the "
            "markets, the schools and the hospital that was destroyed in the earthquake of February 2023 "
            "and has stayed closed ever since, leaving thousands of residents of the district without care "
            "for more than a year.",
        ),
    ],
    keeps=[
        "The photo by Nick Ut became one of the defining images of the war.",
        "The photo of Powell testifying became the defining image of the year.",
        "The Fed acted (as I predicted in an earlier column) far too late.",
        "BEIRUT (Reuters) - Israeli strikes hit the southern suburbs on Sunday, witnesses said.",
        "The photo, taken by an AFP photographer, shows the square before dawn.",
        "White Helmets members work at the scene of what the organisation says is a strike, in Idlib, Syria.",
        "The report quotes the original caption, “Worshippers at the Dome of the Rock (AFP PHOTO/AHMAD "
        "GHARABLI)”, in full.",
        "AFP reported that the convoy reached Aleppo on Sunday, according to Reuters.",
    ],
)
