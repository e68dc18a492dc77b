"""Related-link family: inline "See also <headline>" links and related-block headings."""

from __future__ import annotations

import re

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import Context, Span, WholeLine, alternation, rule, starts_quoted, word_count

FAMILY = Family.RELATED_LINK

# Labels that introduce a link to another article, by language.
_LINK_LABEL_PHRASES = (
    # en
    "see also",
    "see more",
    "read more",
    "read also",
    "also read",
    "read next",
    "read",
    "related",
    "related article",
    "related articles",
    "related story",
    "related stories",
    "related news",
    "related coverage",
    "related content",
    "related reading",
    "more on this",
    "more on this story",
    "more on this topic",
    "recommended",
    "recommended reading",
    "recommended stories",
    "you may also like",
    "you might also like",
    "don't miss",
    "dont miss",
    "must read",
    "also see",
    "watch",
    "listen",
    "editor's pick",
    # de
    "lesen sie auch",
    "lesen sie mehr",
    "lies auch",
    "mehr zum thema",
    "auch interessant",
    "das könnte sie auch interessieren",
    "hier weiterlesen",
    "siehe auch",
    "passend zum thema",
    "zum thema",
    "empfehlung der redaktion",
    # fr
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "lire également",
    "à lire également",
    "voir aussi",
    "à voir aussi",
    "à voir également",
    "à découvrir",
    "sur le même sujet",
    "lire la suite",
    # es
    "lee también",
    "lea también",
    "leer más",
    "lee más",
    "te puede interesar",
    "también te puede interesar",
    "ver también",
    "relacionado",
    "relacionada",
    "noticia relacionada",
    "noticias relacionadas",
    "quizás te interese",
    "quizá te interese",
    "más información",
    # tr
    "ilginizi çekebilir",
    "bunlar da ilginizi çekebilir",
    "ayrıca bakınız",
    "ayrıca okuyun",
    "ilgili haber",
    "ilgili haberler",
    "bu haberi de okuyun",
    "devamını oku",
    "daha fazla oku",
    # it, pt, nl
    "leggi anche",
    "leggi pure",
    "vedi anche",
    "potrebbe interessarti",
    "ti potrebbe interessare",
    "leia também",
    "leia mais",
    "veja também",
    "saiba mais",
    "lees ook",
    "zie ook",
    "lees meer",
    # el, ar
    "διαβάστε επίσης",
    "διαβάστε ακόμη",
    "δείτε επίσης",
    "δείτε ακόμη",
    "اقرأ أيضا",
    "اقرأ أيضاً",
    # Nordic
    "les også",
    "les mer",
    "läs också",
    "läs mer",
    "læs også",
    "læs mere",
    "lue myös",
    "lue lisää",
    # Slavic, Baltic, Hungarian, Romanian
    "czytaj też",
    "czytaj także",
    "czytaj więcej",
    "zobacz też",
    "zobacz także",
    "čtěte také",
    "přečtěte si také",
    "prečítajte si tiež",
    "čítajte tiež",
    "читайте также",
    "читайте також",
    "читать также",
    "pročitajte i",
    "pročitajte još",
    "preberite tudi",
    "прочетете още",
    "loe ka",
    "skaitykite taip pat",
    "lasiet arī",
    "olvassa el ezt is",
    "citește și",
    "citeste si",
    # African languages
    "soma pia",
    "soma zaidi",
    "soma hii pia",
    "funda futhi",
    "funda olunye",
    "funda kabanzi",
    "lees ook",
    "karanta kuma",
    # more German, French, English
    "zum artikel",
    "mehr infos",
    "more",
)
LINK_LABELS = alternation(*_LINK_LABEL_PHRASES)
# A label is set off from its headline by punctuation or a run of spaces (seed 000 has
# "See also", a no-break space and a space), never by a single space: "See also the 2019
# ruling ..." is a sentence.
_SEPARATOR = r"(?:\s*[:|»>›→•–—-]+\s*|\s*(?:\.{3}|…)\s*|\s{2,})"
_LEAD = r"[\W_]{0,3}"
_LABEL_LINE = re.compile(rf"{_LEAD}(?P<label>{LINK_LABELS}){_SEPARATOR}(?P<headline>\S.*)", re.IGNORECASE)
_LABEL_ONLY = re.compile(rf"{_LEAD}{LINK_LABELS}\s*[:.…!]*", re.IGNORECASE)
_CAPS_LABEL = re.compile(rf"{_LEAD}(?P<label>{LINK_LABELS}) (?P<headline>\S.*)", re.IGNORECASE)
# More than one sentence after the label is prose, not a link's headline.
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’)]?\s+[A-ZÀ-ÖØ-ÞİĞŞÇÜÖ\"“]")
MAX_HEADLINE_WORDS = 30


def _headline_ok(headline: str) -> bool:
    # A headline starts with a capital, a digit or a quote; "Related: the court also heard ..." is prose.
    opening = headline[0]
    if not (opening.isupper() or opening.isdigit() or opening in "\"“'‘«„"):
        return False
    return word_count(headline) <= MAX_HEADLINE_WORDS and _SENTENCE_BREAK.search(headline) is None


# The first words of the labels: a paragraph whose first word is none of them is no link line.
_FIRST_WORD = re.compile(r"[\W_]{0,3}([^\W_]+)")


def _folded(word: str) -> str:
    # "İ" lowers to "i" and a combining dot; the dot goes, so Turkish labels compare.
    return word.lower().replace("\u0307", "")


_FIRST_WORDS = frozenset(
    _folded(found.group(1)) for found in map(_FIRST_WORD.match, _LINK_LABEL_PHRASES) if found is not None
)


def find_link_line(text: str, ctx: Context) -> list[Span]:
    """A link label alone, or a label, a separator and a headline (a capital first, at most
    MAX_HEADLINE_WORDS words, one sentence)."""
    stripped = text.strip()
    first = _FIRST_WORD.match(stripped)
    if first is None or _folded(first.group(1)) not in _FIRST_WORDS or starts_quoted(stripped):
        return []
    if _LABEL_ONLY.fullmatch(stripped):
        return [(0, len(text))]
    match = _LABEL_LINE.fullmatch(stripped)
    if match is None:
        # "ALSO READ Israel will ..." : an upper-case label is its own separator.
        match = _CAPS_LABEL.fullmatch(stripped)
        if match is None or not match["label"].isupper() or match["headline"].isupper():
            return []
    return [(0, len(text))] if _headline_ok(match["headline"]) else []


SEE_ALSO_LINK = rule(
    "see-also-link",
    FAMILY,
    'A paragraph that is a link label ("See also", "Read more:", "Lesen Sie auch:") and a headline.',
    find_link_line,
    removes=[
        "See also\u00a0 Israel will start talks on the second phase of the Gaza ceasefire, "
        "a minister announced",
        "Read more: Aid convoys reach the north after weeks of delay",
        "READ MORE",
        "ALSO READ | Floods displace thousands in the delta",
        "ALSO READ Floods displace thousands in the delta",
        "Related: How the ceasefire talks collapsed",
        "Lesen Sie auch: Bundestag stimmt über Haushalt ab",
        "Mehr zum Thema: Was die Reform für Mieter bedeutet",
        "LIRE AUSSI : Le gouvernement présente son budget",
        "À lire aussi - Les agriculteurs bloquent l'autoroute",
        "Lee también: El Gobierno aprueba la reforma laboral",
        "También te puede interesar: Las claves del nuevo presupuesto",
        "İlginizi Çekebilir: Meclis'te bütçe görüşmeleri başladı",
        "Ayrıca bakınız: Deprem bölgesinde son durum",
        "Leia também: Chuvas deixam 30 cidades em alerta",
        "Les også: Regjeringen legger fram statsbudsjettet",
        "Czytaj więcej: Sejm przyjął ustawę budżetową",
        "Читайте также: Правительство утвердило бюджет",
        "Soma pia: Serikali yatangaza bajeti mpya",
        "Zum Artikel: Tarifrunde im Nahverkehr beginnt",
        "MORE: Map shows the scale of the latest floods",
    ],
    keeps=[
        "See also the 2019 ruling in Smith v. Jones, which the court cited twice.",
        "The region was hit by a similar quake in 1939 (see also our history explainer), which killed "
        "thousands of people across the province.",
        "Readers can read more about the findings in the journal Nature.",
        "Related charges were filed against two other men on Friday.",
        "Related: the court also heard from two witnesses who saw the car leave.",
        "Read more: The ministry said on Monday that the talks had failed. Officials from both sides "
        "blamed each other for the collapse.",
        "Lesen Sie auch die Stellungnahme des Ministeriums, die am Montag veröffentlicht wurde.",
        "Le ministre a invité les députés à lire aussi le rapport de la Cour des comptes.",
        "El juez pidió a las partes que lean también el informe pericial antes del juicio.",
        "Ayrıca bakanlık, yeni düzenlemenin yıl sonuna kadar yürürlüğe gireceğini açıkladı.",
        "More than 300 people were evacuated from the valley on Sunday.",
        "More: the council will vote again in March, after the consultation closes.",
        "Les også regjeringens forslag, sa statsministeren i Stortinget.",
    ],
)

_HEADINGS = alternation(
    "related",
    "related posts",
    "related articles",
    "related stories",
    "related news",
    "related content",
    "related topics",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended for you",
    "recommended stories",
    "recommended reading",
    "most read",
    "most popular",
    "most viewed",
    "trending now",
    "more stories",
    "what to read next",
    "ähnliche beiträge",
    "ähnliche artikel",
    "das könnte sie auch interessieren",
    "meistgelesen",
    "meistgelesene artikel",
    "weitere artikel",
    "verwandte artikel",
    "articles similaires",
    "articles liés",
    "sur le même sujet",
    "sur le même thème",
    "les plus lus",
    "à lire également",
    "à découvrir",
    "noticias relacionadas",
    "artículos relacionados",
    "lo más leído",
    "más leídas",
    "te puede interesar",
    "también te puede interesar",
    "ilgili haberler",
    "benzer haberler",
    "en çok okunanlar",
    "en çok okunan haberler",
    "ilginizi çekebilir",
    "bunlar da ilginizi çekebilir",
    "articoli correlati",
    "notizie correlate",
    "potrebbe interessarti",
    "artigos relacionados",
    "notícias relacionadas",
    "gerelateerde artikelen",
    "σχετικά άρθρα",
    "τα πιο δημοφιλή",
    "ذات صلة",
    "おすすめ情報",
    "おすすめ記事",
    "関連記事",
    "相关阅读",
    "相关新闻",
    "relaterte saker",
    "relaterade artiklar",
    "relaterede artikler",
    "powiązane artykuły",
    "související články",
    "похожие новости",
    "по теме",
)

RELATED_HEADING = rule(
    "related-heading",
    FAMILY,
    'A heading of a related or recommended block ("Related posts", "Ähnliche Beiträge") on its own line.',
    WholeLine(rf"[\W_]{{0,3}}{_HEADINGS}\s*[:.…]*", max_words=8),
    removes=[
        "Related posts",
        "You might also like:",
        "Ähnliche Beiträge",
        "Noticias relacionadas",
        "Sur le même sujet",
        "Bunlar da İlginizi Çekebilir",
    ],
    keeps=[
        "Related posts on the forum were deleted by the moderators within hours.",
        "Most read books of the year were crime novels, the survey found.",
    ],
)
