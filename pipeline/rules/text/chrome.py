"""Chrome family: navigation, share and social lines, ad labels, cookie banners, follow prompts,
tag lists."""

from __future__ import annotations

import re

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import (
    Context,
    Span,
    WholeLine,
    alternation,
    inside,
    quoted_spans,
    rule,
    starts_quoted,
)

FAMILY = Family.CHROME

# Words of site chrome, by kind. A line made of these words only (and of the glue words
# between them) is a share bar, social strip or toolbar: "X Instagram Youtube", "Share this:",
# "Partager sur Facebook Partager sur X Copier le lien", "Facebook'ta paylaş".
_NETWORKS = """facebook twitter x instagram youtube linkedin whatsapp telegram pinterest reddit tiktok threads
bluesky mastodon flipboard rss messenger snapchat tumblr vk xing pocket viber sms email e-mail mail gmail
digg delicious del.icio.us technorati newsvine stumbleupon myspace tailrank furl fark slashdot"""
_TOOLS = """share shares sharing tweet pin print copy copied link links send save saved bookmark like likes
comment comments close menu search home login log sign register newsletters follow listen read min mins
minute minutes loading skip top back gift click tap reprints reprint order permissions navigation
printer-friendly printable friend
teilen drucken kopieren senden versenden merken schließen suche suchen menü anmelden folgen anhören vorlesen
partager imprimer copier lien envoyer fermer rechercher écouter enregistrer commenter
compartir imprimir copiar enlace enviar cerrar buscar escuchar guardar comentar
condividi stampa copia invia chiudi cerca ascolta salva commenta
compartilhar partilhar fechar pesquisar ouvir salvar
paylaş paylaşın yazdır kopyala bağlantı bağlantıyı gönder kapat dinle kaydet yorum yorumlar"""
_GLUE = """on sur en su auf per via por par with to this the a an le la les el il lo de del der die das den
dem des du et and und y e ve ou o or oder in im it new window tab opens open fenster fenêtre ventana
finestra article story post artikel artículo articolo artigo makale haber link à al diesen dieser dieses
ce cet cette este esta questo questa bu bunu main content contents page"""
_CHROME_WORDS = frozenset(_NETWORKS.split()) | frozenset(_TOOLS.split())
_GLUE_WORDS = frozenset(_GLUE.split())
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d+")
MAX_CHROME_WORDS = 20


def _chrome_words(text: str) -> list[str] | None:
    """The line's words, with Turkish case suffixes cut ("Facebook'ta"), or None if too long."""
    words = _TOKEN.findall(text.lower())
    if not words or len(words) > MAX_CHROME_WORDS:
        return None
    return [re.split(r"['’]", word)[0] for word in words]


def find_chrome_line(text: str, ctx: Context) -> list[Span]:
    """A line of at most MAX_CHROME_WORDS words, all of them network, tool or glue words, one at least
    a network or tool word."""
    if ctx.word_count() > MAX_CHROME_WORDS or starts_quoted(text):
        return []
    words = _chrome_words(text)
    if not words or not any(word in _CHROME_WORDS for word in words):
        return []
    if all(word in _CHROME_WORDS or word in _GLUE_WORDS or word.isdigit() for word in words):
        return [(0, len(text))]
    return []


NAV_SOCIAL_LINE = rule(
    "nav-social-line",
    FAMILY,
    'A line made only of navigation, share and social-network words ("X Instagram Youtube", "Share this:").',
    find_chrome_line,
    removes=[
        "Close",
        "newsletters Newsletters",
        "X Instagram Youtube",
        "Share this:",
        "Click to share on Facebook (Opens in new window)",
        "Facebook | Twitter | WhatsApp | Email",
        "5 min read",
        "Skip to content",
        "Diesen Artikel teilen",
        "Link kopieren · Per E-Mail senden",
        "Partager sur LinkedIn · Envoyer par e-mail",
        "Compartir en Twitter",
        "Condividi su WhatsApp",
        "Facebook'ta paylaş",
    ],
    keeps=[
        "Facebook and Instagram went down for six hours on Monday.",
        "Close to 300 people were killed in the strikes.",
        "Share prices fell sharply in Tokyo.",
        "Bakan açıklamayı sosyal medya hesabından paylaştı.",
        "Print and online subscribers will get the new edition first.",
    ],
)

# Section names of news sites' menus, several languages.
_SECTIONS = frozenset(
    """home homepage startseite accueil inicio portada anasayfa início news world business markets
    politics politik politique política politica economy economics wirtschaft économie economía economia
    ekonomi sport sports sport spor deportes esportes culture kultur cultura kültür opinion opinions
    meinung opinión opinione tech technology technik science wissen health gesundheit santé salud salute
    saúde entertainment lifestyle video videos local national international europe europa world
    us uk asia africa americas climate environment sustainability travel food style arts books media
    panorama gesellschaft société sociedad società mundo monde mondo welt dünya gündem siyaset magazin
    cronaca esteri interni regionen regional région deutschland france españa italia türkiye
    feuilleton reise auto autos motor motors weather wetter météo tiempo meteo podcasts podcast live
    more mehr plus más altro lifestyle""".split()
)
_MENU_TOKEN = re.compile(r"[^\W\d_][\w'’&.-]*|&|[|/›>»·•–-]")
_MENU_PUNCTUATION = re.compile(r"[,;:!?]|\.(?:\s|$)")


def _section_words(text: str) -> list[str] | None:
    stripped = text.strip()
    if len(stripped.split()) > 16 or _MENU_PUNCTUATION.search(stripped) or starts_quoted(stripped):
        return None
    words = [w for w in _MENU_TOKEN.findall(stripped) if w[0].isalpha()]
    return words if words and all(w[0].isupper() for w in words) else None


def _one_section(text: str | None) -> bool:
    words = _section_words(text) if text else None
    return words is not None and len(words) <= 2 and all(w.lower() in _SECTIONS for w in words)


def find_menu_line(text: str, ctx: Context) -> list[Span]:
    """A line of 3 to 16 capitalised words without sentence punctuation, all or all but one of them
    section names of news menus; or one section name in a run of them, one a line."""
    words = _section_words(text) if ctx.word_count() <= 16 else None
    if words is None:
        return []
    if len(words) < 3:
        before, after = ctx.neighbours()
        in_run = _one_section(text) and (_one_section(before) or _one_section(after))
        return [(0, len(text))] if in_run else []
    known = sum(w.lower() in _SECTIONS for w in words)
    return [(0, len(text))] if known >= max(2, len(words) - 1) else []


NAV_MENU_LINE = rule(
    "nav-menu-line",
    FAMILY,
    'A site menu or breadcrumb made of section names ("Home World Business Markets").',
    find_menu_line,
    removes=[
        "Home | News | Politics | Sport",
        "Startseite › Politik › Ausland",
        "Accueil Monde Économie Culture",
        "Inicio Deportes Cultura Opinión",
        (
            "News\nSports\nBusiness\nThe council met on Monday to agree the budget.",
            "The council met on Monday to agree the budget.",
        ),
    ],
    keeps=[
        "Home Secretary James Cleverly",
        "World Business Council for Sustainable Development",
        "Sport England Chief Executive Tim Hollingsworth",
        "Business\nThe council met on Monday to agree the budget.",
    ],
)

_AD_LABELS = alternation(
    "advertisement",
    "advertising",
    "ad",
    "ads",
    "sponsored",
    "sponsored content",
    "sponsored post",
    r"sponsored by .{1,40}",
    r"promoted by .{1,40}",
    "paid content",
    "paid post",
    "paid partnership",
    "skip advertisement",
    "skip ad",
    "continue reading below",
    "story continues below",
    "story continues below advertisement",
    "story continues below this ad",
    "article continues below this ad",
    "article continues below",
    "article continues after advertisement",
    "scroll to continue",
    "scroll down to continue",
    r"advertisement\s*\d*\s*story continues below",
    "advertisement - scroll to continue",
    "advertisement - story continues below",
    "anzeige",
    "werbung",
    "gesponsert",
    "weiterlesen nach der anzeige",
    "publicité",
    "publicite",
    "contenu sponsorisé",
    "publicidad",
    "contenido patrocinado",
    "reklam",
    "sponsorlu içerik",
    "pubblicità",
    "pubblicita",
    "publicidade",
    "advertentie",
    "reclame",
    "إعلان",
    "διαφήμιση",
)

AD_LABEL = rule(
    "ad-label",
    FAMILY,
    'An advertising label on its own line ("Advertisement", "Anzeige", "PUBLICIDAD", "Reklam").',
    WholeLine(rf"[\W_]{{0,3}}{_AD_LABELS}[\s:.)\]-]*", max_words=10),
    removes=[
        "Advertisement",
        "ADVERTISEMENT",
        "Advertisement - scroll to continue",
        "Anzeige",
        "Publicité",
        "PUBLICIDAD",
        "Reklam",
    ],
    keeps=[
        "The advertisement, which ran during the Super Bowl, drew more than 300 complaints.",
        "Die Polizei nahm eine Anzeige wegen Körperverletzung auf.",
        "La publicité télévisée pour les jeux d'argent sera interdite en 2026.",
        "La publicidad electoral quedó prohibida desde el domingo.",
        "Reklam yasağı yarın yürürlüğe giriyor.",
    ],
)

_COOKIE = alternation(
    r"(?:we|this (?:web)?site|our (?:web)?site|this website) (?:uses?|use) cookies",
    r"wir (?:verwenden|nutzen|setzen) cookies",
    r"diese (?:website|webseite|seite) (?:verwendet|nutzt|speichert) cookies",
    r"(?:ce|notre) site (?:web )?utilise des cookies",
    r"nous utilisons des cookies",
    r"(?:este|nuestro) (?:sitio(?: web)?|portal|web) (?:utiliza|usa) cookies",
    r"utilizamos cookies",
    r"(?:bu )?(?:web )?site(?:miz|mizde)? çerez(?:ler)? kullan\w*",
    r"çerez(?:ler)? kullanıyoruz",
    # A third party's content (a video, a post) held back until the reader consents.
    r"ich bin damit einverstanden, dass mir (?:der )?externe(?:r)? inhalte? angezeigt",
    r"(?:um|damit) (?:diesen|den|externe) inhalte? (?:zu sehen|angezeigt)",
    r"externer inhalt",
    r"this (?:content|embed|video|post) is (?:provided|hosted|supplied) by a third party",
    r"to (?:view|see|display) this (?:content|embed|video|post).{0,60}?\b(?:accept|allow|enable|consent)",
    r"we need your (?:permission|consent) to load\b",
    r"click (?:here )?to (?:load|show|display) (?:the |this )?(?:content|embed|video|post)",
    r"(?:ce contenu est bloqué|pour afficher ce contenu)",
    r"(?:para ver este contenido|este contenido está bloqueado)",
)

COOKIE_NOTICE = rule(
    "cookie-notice",
    FAMILY,
    'A cookie or consent banner ("We use cookies to improve your experience ...").',
    WholeLine(rf"[\W_]{{0,3}}{_COOKIE}\b.*", max_words=80),
    removes=[
        "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird. Damit können "
        "personenbezogene Daten an Drittplattformen übermittelt werden.",
        "This content is provided by a third party. To view it, accept social media cookies.",
        "We use cookies to improve your experience on our site. By continuing you accept our use of cookies.",
        "Wir verwenden Cookies, um Ihnen ein optimales Webseiten-Erlebnis zu bieten.",
        "Ce site utilise des cookies pour améliorer votre expérience.",
        "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
    ],
    keeps=[
        "Meta said it would update its privacy policy in January to allow more data sharing.",
        "Regulators said the site used cookies to track children without consent.",
    ],
)

# A call to follow the site: "follow us" and its translations, then a network, a handle or the end;
# "join us" and "like us" only with a network, so an event the article announces ("Join us at the
# harbour on Saturday") and a comparison ("Like us, the council ...") stay.
_FOLLOW_US = alternation(
    r"follow us",
    r"folgen sie uns",
    r"folge uns",
    r"folgt uns",
    r"suivez-nous",
    r"s[ií]ganos",
    r"s[ií]guenos",
    r"seguici",
    r"siga-nos",
    r"sigam-nos",
)
# The call opens the paragraph or follows an opening clause ("For updates, follow us on X");
# after "to" it is reported speech ("told recruits to follow us on ...") and stays. Turkish
# puts the verb last: "... bizi X ve Instagram'da takip edin."
_NETWORK_NAMES = (
    r"(?:facebook|x|twitter|instagram|youtube|linkedin|whatsapp|telegram|tiktok|threads|bluesky|mastodon"
    r"|google news|flipboard|social media)"
)
_FOLLOW_PHRASES = (
    rf"{_FOLLOW_US}(?:\s+(?:on|at|auf|sur|en|su|no|in|for|für|pour|para)\b|\s*@|\s*[.!:]*\s*$)"
    rf"|(?:join|like) us (?:on|at) {_NETWORK_NAMES}\b"
    r"|follow (?:him|her|them|the author|our \w+) on\b"
    r"|follow @\w+"
)
_FOLLOW = re.compile(
    rf"(?:^|[,:;—–]\s+|^[\W_]{{1,3}})(?:{_FOLLOW_PHRASES})"
    # "Follow The Example Gazette on Facebook": the site's name, then a network.
    rf"|(?:^|[,:;—–]\s+|^[\W_]{{1,3}})follow\b.{{1,60}}?\bon {_NETWORK_NAMES}\b"
    r"|\bbizi\b.{0,80}?\btakip (?:edin|edebilirsiniz)\W*$|\bhesaplar[ıi]m[ıi]z[ıi] takip edin\W*$",
    re.IGNORECASE,
)
_APP_PROMPT = re.compile(
    r"^[\W_]{0,3}(?:(?:click|tap) here (?:to|for)\b|(?:download|get) (?:the|our) .{0,30}?\bapp\b"
    rf"|subscribe to .{{1,40}}? on {_NETWORK_NAMES}\b"
    r"|get .{1,60}? on the go\b.*\bclick(?:ing)? here\W*$)",
    re.IGNORECASE,
)
MAX_FOLLOW_WORDS = 30
# One of these stands in every call the patterns take (a cheap test before them).
_FOLLOW_NEEDS = (
    "follow",
    "folg",
    "suiv",
    "sígu",
    "sigu",
    "segu",
    "siga",
    "join",
    "like",
    "takip",
    "click",
    "tap ",
    "download",
    "get ",
    "subscribe",
)


def find_follow_prompt(text: str, ctx: Context) -> list[Span]:
    """A paragraph of at most MAX_FOLLOW_WORDS words that opens with (or, after a clause, turns to) a
    call to follow the site on a network or to get its app, outside quotations."""
    stripped = text.strip()
    if ctx.word_count() > MAX_FOLLOW_WORDS or not stripped or starts_quoted(stripped):
        return []
    if not any(word in ctx.lower() for word in _FOLLOW_NEEDS):
        return []
    if _APP_PROMPT.search(stripped):
        return [(0, len(text))]
    match = _FOLLOW.search(stripped)
    if match is None or inside(match.span(), quoted_spans(stripped)):
        return []
    return [(0, len(text))]


FOLLOW_PROMPT = rule(
    "follow-prompt",
    FAMILY,
    'A call to follow the site or get its app ("Follow us on Facebook, X and Instagram.").',
    find_follow_prompt,
    removes=[
        "Follow us on Facebook, X and Instagram.",
        "For breaking news and analysis, follow us on Threads and Bluesky.",
        "Join us on Telegram",
        "Follow us!",
        "Follow Example Daily News on X and Instagram.",
        "Click here to get the Example News app",
        "Folgen Sie uns auf Facebook und Twitter",
        "Suivez-nous sur Instagram",
        "Síguenos en X y Facebook",
        "Güncel haberler için bizi Facebook'ta takip edin.",
        "Subscribe to Example Tech on YouTube for more Apple news:",
    ],
    keeps=[
        "'Follow us on Telegram,' the group urged supporters, according to the indictment.",
        "The militants told recruits to follow us on Telegram for instructions, the indictment says.",
        "The phishing email told recipients to 'click here to verify your account'.",
        "Follow the money, investigators were told, and the trail leads to Cyprus.",
        "Follow the river north and the trail ends on a ridge above the town.",
        "Polis, şüphelileri iki gün boyunca takip etti.",
        "Join us at the harbour on Saturday for the lifeboat open day.",
        "Like us, the council wants the bridge reopened.",
    ],
)

_TAG_LABELS = alternation(
    "tags",
    "tag",
    "tagged",
    "tagged with",
    "topics",
    "filed under",
    "categories",
    "category",
    "posted in",
    "schlagworte",
    "schlagwörter",
    "stichworte",
    "themen",
    "étiquettes",
    "mots-clés",
    "mots clés",
    "etiquetas",
    "temas",
    "etiketler",
    "konular",
    "anahtar kelimeler",
)

_LABELLED_TAGS = re.compile(rf"[\W_]{{0,3}}{_TAG_LABELS}\s*:\s*[^.!?]{{1,200}}", re.IGNORECASE)
# A tags or topics heading on its own line, with its list on the next line.
_TAG_HEADING = re.compile(
    rf"[\W_]{{0,3}}(?:related |more |in this (?:article|story)|article )?{_TAG_LABELS}\s*:?", re.IGNORECASE
)
# The list itself: short items that start with a capital, separated by commas, pipes or dots.
_TAG_ITEMS = re.compile(r"[^\W\d_][^,|·•;.!?]{0,40}(?:\s*[,|·•;]\s*[^\W\d_][^,|·•;.!?]{0,40}){1,14}")
MAX_TAG_WORDS = 20


def find_tag_list(text: str, ctx: Context) -> list[Span]:
    """A labelled list of tags ("Tags: A, B"), or a list of short capitalised items under a tags or
    topics heading, of at most MAX_TAG_WORDS words."""
    stripped = text.strip()
    if ctx.word_count() > MAX_TAG_WORDS or not stripped or starts_quoted(stripped):
        return []
    if _LABELLED_TAGS.fullmatch(stripped):
        return [(0, len(text))]
    previous = ctx.previous()
    if previous is None or not _TAG_HEADING.fullmatch(previous.strip()) or not _TAG_ITEMS.fullmatch(stripped):
        return []
    items = re.split(r"\s*[,|·•;]\s*", stripped)
    return [(0, len(text))] if all(item[:1].isupper() and len(item.split()) <= 4 for item in items) else []


TAG_LIST = rule(
    "tag-list",
    FAMILY,
    'A list of tags or categories ("Tags: Syria, Aleppo, Conflict"), or the list under a "Topics" heading.',
    find_tag_list,
    removes=[
        ("Related Topics\nFloods, Bangladesh, Climate change", "Related Topics"),
        ("Themen\nBundestag | Haushalt | Schuldenbremse", "Themen"),
        "Tags: Syria, Aleppo, Conflict",
        "Filed under: World | Middle East",
        "Schlagworte: Syrien, Aleppo",
        "Etiketler: Suriye, Halep",
    ],
    keeps=[
        "Topics: the council discussed three issues on Monday. Housing came first.",
        "Topics\nThe council discussed housing, transport and schools on Monday.",
        "The agenda\nHousing, Transport, Schools",
        "Tags on the luggage showed it had been checked in at Istanbul.",
    ],
)

# The labels and buttons of live pages, printed as lines of their own.
_LIVE_LABELS = alternation(
    # en
    "live",
    "live updates",
    "latest updates",
    "breaking",
    "pinned",
    "pinned post",
    "pinned update",
    "key event",
    "key events",
    "key update",
    "key updates",
    "key moments",
    "show key events only",
    r"load more(?: updates| posts| entries)?",
    r"show (?:more|newer|older|latest) (?:updates|posts|entries)",
    r"\d+ new (?:updates?|posts?)",
    # de
    "angepinnt",
    "wichtige ereignisse",
    "live-ticker",
    "liveticker",
    r"mehr laden|weitere beiträge laden",
    # fr
    "épinglé",
    "en direct",
    "les faits marquants",
    "moments clés",
    "charger plus",
    # es, it, pt
    "fijado",
    "en vivo",
    "en directo",
    "momentos clave",
    "cargar más",
    "in diretta",
    "carica altri",
    "fixado",
    "ao vivo",
    "carregar mais",
    # nl, tr
    "vastgepind",
    "laad meer",
    "sabitlenmiş",
    "canlı",
    "önemli gelişmeler",
)

LIVE_LABEL = rule(
    "live-label",
    FAMILY,
    'A label or button of a live page on its own line ("Pinned", "Key events", "Load more updates").',
    WholeLine(rf"[\W_]{{0,3}}{_LIVE_LABELS}[\s:.!…]*", max_words=6),
    removes=[
        "Pinned",
        "Key events",
        "Load more updates",
        "LIVE",
        "Show key events only",
        "En direct",
        "Canlı",
    ],
    keeps=[
        "Live music returns to the harbour on Saturday.",
        "Key events of the year were the floods and the election.",
        "Pinned under the rubble for two days, she was rescued on Tuesday.",
    ],
)


def find_separator(text: str, ctx: Context) -> list[Span]:
    """A line with no letter or digit: a rule of underscores or stars, a row of empty table cells."""
    return [] if any(ch.isalnum() for ch in text) else [(0, len(text))]


SEPARATOR_LINE = rule(
    "separator-line",
    FAMILY,
    'A line of symbols only: a separator ("___", "* * *") or a row of empty table cells ("|  |  |").',
    find_separator,
    removes=["___", "* * *", "|  |  |", "• • •"],
    keeps=["1-0", "Q&A", "— AP"],
)

_ROW_CELL_WORDS = 3
_ROW_MAX_CELLS = 12


def _cells(text: str) -> list[str] | None:
    stripped = text.strip()
    if not (stripped.startswith("|") and stripped.endswith("|")):
        return None
    return [cell.strip() for cell in stripped.strip("|").split("|")]


def find_label_row(text: str, ctx: Context) -> list[Span]:
    """A row of a table that lays out link labels: framed by pipes, two or more short cells without a
    digit or a sentence, and no neighbour row of the same width (a data table's rows share theirs)."""
    cells = _cells(text)
    if cells is None or any(ch.isdigit() for ch in text):
        return []
    filled = [cell for cell in cells if cell]
    if not 2 <= len(filled) <= _ROW_MAX_CELLS:
        return []
    if any(len(cell.split()) > _ROW_CELL_WORDS or cell[-1] in ".!?" for cell in filled):
        return []
    for neighbour in ctx.neighbours():
        around = _cells(neighbour) if neighbour else None
        if around is not None and len(around) == len(cells):
            return []
    return [(0, len(text))]


LABEL_ROW = rule(
    "label-row",
    FAMILY,
    'A layout table\'s row of link labels ("| Most Viewed | Most Emailed |"), not a row of a data table.',
    find_label_row,
    removes=["| Most Viewed | Most Emailed |", "| Home |  | News |  | Canada AM |  | Weather |"],
    keeps=[
        "| Team | Played | Points |\n| Harbour United | 12 | 27 |\n| Port Rovers | 12 | 19 |",
        "| Name | Role |\n| Jane Doe | Mayor |",
        "| The bridge is closed. | Use the ring road. |",
    ],
)
