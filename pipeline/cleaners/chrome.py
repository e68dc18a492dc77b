"""Chrome family: navigation, share and social lines, ad labels, cookie banners, follow prompts,
tag lists."""

from __future__ import annotations

from .base import alternation, rule, whole_line

FAMILY = "chrome"

# Words and phrases of site chrome: a line made of nothing else is a menu, share bar or
# social strip ("Close", "newsletters Newsletters", "X Instagram Youtube", "Share this:").
_CHROME_TOKENS = alternation(
    # social networks and share targets
    "facebook", "twitter", "x", "instagram", "youtube", "linkedin", "whatsapp", "telegram", "pinterest",
    "reddit", "tiktok", "threads", "bluesky", "mastodon", "flipboard", "rss", "messenger", "snapchat",
    "tumblr", "vk", "xing", "pocket", "line", "viber", "email", "e-mail", "mail", "print", "copy link",
    "link copied", "copy", "sms",
    # navigation and page tools
    "close", "menu", "search", "home", "newsletters", "newsletter", "sign in", "log in", "login", "register",
    "my account", "account", "skip to content", "skip to main content", "back to top", "scroll to top",
    "listen", "listen to this article", "share", "share this", "share this article", "share this story",
    "share this post", "share on", "tweet", "pin it", "pin", "like this", "like", "loading", "save",
    "bookmark", "comments", "comment", "gift this article", "toggle navigation", "open menu", "close menu",
    r"click to (?:share|email|print)(?: (?:on|a link to a friend))?",
    r"\(?opens? in (?:a )?new (?:window|tab)\)?", r"\d+ min(?:ute)?s? read", r"reading time:? \d+ min(?:utes?)?",
    # de, fr, es, tr
    "teilen", "schließen", "suche", "drucken", "merken", "artikel anhören", "diesen artikel teilen",
    "anmelden", "partager", "fermer", "rechercher", "imprimer", "partager sur", "écouter",
    "compartir", "cerrar", "buscar", "imprimir", "compartir en", "escuchar",
    "paylaş", "kapat", "ara", "yazdır", "giriş yap", "dinle", r"\w+'?(?:[dt][ae]) paylaş",
)
_CHROME_LINE = rf"[\W_]{{0,3}}{_CHROME_TOKENS}(?:[\s|·•,:/()+-]+{_CHROME_TOKENS})*[\s|·•,:.()+-]*"

NAV_SOCIAL_LINE = rule(
    "nav-social-line",
    FAMILY,
    'A line made only of navigation, share and social-network words ("X Instagram Youtube", "Share this:").',
    whole_line(_CHROME_LINE, max_words=20),
    removes=[
        "Close",
        "newsletters Newsletters",
        "X Instagram Youtube",
        "Share this:",
        "Click to share on Facebook (Opens in new window)",
        "Facebook | Twitter | WhatsApp | Email",
        "5 min read",
        "Diesen Artikel teilen",
        "Partager sur Facebook",
        "Compartir en Twitter",
        "Facebook'ta paylaş",
    ],
    keeps=[
        "Facebook and Instagram went down for six hours on Monday.",
        "Close to 300 people were killed in the strikes.",
        "Share prices fell sharply in Tokyo.",
        "Bakan açıklamayı sosyal medya hesabından paylaştı.",
    ],
)

_AD_LABELS = alternation(
    "advertisement", "advertising", "ad", "ads", "sponsored", "sponsored content", "sponsored post",
    r"sponsored by .{1,40}", r"promoted by .{1,40}", "paid content", "paid post", "paid partnership",
    "skip advertisement", "skip ad", "continue reading below", "story continues below",
    "story continues below advertisement", "article continues below", "article continues after advertisement",
    "scroll to continue", "scroll down to continue", "advertisement - scroll to continue",
    "advertisement - story continues below", "anzeige", "werbung", "gesponsert",
    "weiterlesen nach der anzeige", "publicité", "publicite", "contenu sponsorisé", "publicidad",
    "contenido patrocinado", "reklam", "sponsorlu içerik", "إعلان", "διαφήμιση",
)

AD_LABEL = rule(
    "ad-label",
    FAMILY,
    'An advertising label on its own line ("Advertisement", "Anzeige", "PUBLICIDAD", "Reklam").',
    whole_line(rf"[\W_]{{0,3}}{_AD_LABELS}[\s:.)\]-]*", max_words=10),
    removes=["Advertisement", "ADVERTISEMENT", "Advertisement - scroll to continue", "Anzeige", "Publicité",
             "PUBLICIDAD", "Reklam"],
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
    r"wir (?:verwenden|nutzen|setzen) cookies", r"diese (?:website|webseite|seite) (?:verwendet|nutzt|speichert) cookies",
    r"(?:ce|notre) site (?:web )?utilise des cookies", r"nous utilisons des cookies",
    r"(?:este|nuestro) (?:sitio(?: web)?|portal|web) (?:utiliza|usa) cookies", r"utilizamos cookies",
    r"(?:bu )?(?:web )?site(?:miz|mizde)? çerez(?:ler)? kullan\w*", r"çerez(?:ler)? kullanıyoruz",
)

COOKIE_NOTICE = rule(
    "cookie-notice",
    FAMILY,
    'A cookie or consent banner ("We use cookies to improve your experience ...").',
    whole_line(rf"[\W_]{{0,3}}{_COOKIE}\b.*", max_words=80),
    removes=[
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

_FOLLOW = alternation(
    r"(?:follow|join|like) us (?:on|at|via)\b.*",
    r"follow (?:@\w+|(?:him|her|them|the author|our \w+) on)\b.*",
    r"(?:click|tap) here (?:to|for)\b.*",
    r"(?:download|get) (?:the|our) .{0,30}?\bapp\b.*",
    r"(?:folgen sie uns|folge uns|folgt uns)\b.*",
    r"suivez-nous\b.*",
    r"s[ií]guenos\b.*",
    r"bizi .{0,40}?takip edin\b.*",
    r"(?:sosyal medya )?hesaplarımızı takip edin\b.*",
)

FOLLOW_PROMPT = rule(
    "follow-prompt",
    FAMILY,
    'A call to follow the site or get its app ("Follow us on Facebook, X and Instagram.").',
    whole_line(rf"[\W_]{{0,3}}{_FOLLOW}", max_words=40),
    removes=[
        "Follow us on Facebook, X and Instagram.",
        "Click here to get the Example News app",
        "Folgen Sie uns auf Facebook und Twitter",
        "Suivez-nous sur Instagram",
        "Síguenos en X y Facebook",
        "Bizi sosyal medyada takip edin",
    ],
    keeps=[
        "'Follow us on Telegram,' the group urged supporters, according to the indictment.",
        "The phishing email told recipients to 'click here to verify your account'.",
        "Follow the money, investigators were told, and the trail leads to Cyprus.",
    ],
)

_TAG_LABELS = alternation(
    "tags", "tag", "tagged", "tagged with", "topics", "filed under", "categories", "category", "posted in",
    "schlagworte", "schlagwörter", "stichworte", "themen", "étiquettes", "mots-clés", "mots clés",
    "etiquetas", "temas", "etiketler", "konular", "anahtar kelimeler",
)

TAG_LIST = rule(
    "tag-list",
    FAMILY,
    'A list of tags or categories ("Tags: Syria, Aleppo, Conflict").',
    whole_line(rf"[\W_]{{0,3}}{_TAG_LABELS}\s*:\s*[^.!?]{{1,200}}", max_words=20),
    removes=["Tags: Syria, Aleppo, Conflict", "Filed under: World | Middle East", "Schlagworte: Syrien, Aleppo",
             "Etiketler: Suriye, Halep"],
    keeps=["Topics: the council discussed three issues on Monday. Housing came first.",
           "Tags on the luggage showed it had been checked in at Istanbul."],
)
