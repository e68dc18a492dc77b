"""Subscription family: newsletter sign-up prompts, "Discover more from <site>", paywall teasers."""

from __future__ import annotations

import re

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import Context, WholeLine, alternation, rule

FAMILY = Family.SUBSCRIPTION

# Call-to-action sentences that open a paragraph: an imperative to subscribe or sign up, with
# what is on offer (a newsletter, posts by email, access). Reported speech ("asked readers to
# subscribe ...") does not start the paragraph and is kept.
_SIGNUP = alternation(
    # en: the offer is the site's own ("our newsletter", "the latest posts", "free access"); a how-to
    # step ("Sign up for the bundle using the same email ...") names no such offer and stays.
    r"(?:subscribe|sign up|sign-up|signup|register|join)(?: now| today| here| for free| free)?"
    r"(?: (?:to|for|with))? (?:our|my|the latest|free|unlimited|full)\b.{0,120}?"
    r"\b(?:newsletters?|e-?mails?|inbox|posts|updates|alerts|briefings?|digest|access|stories)\b.*",
    r"(?:subscribe|sign up) to (?:get|receive)\b.{0,100}?"
    r"\b(?:posts|newsletters?|updates|e-?mails?|inbox)\b.*",
    r"(?:subscribe|sign up) (?:to|for) (?:the|this|a) [\w\s'’-]{0,40}?newsletter\b.*",
    r"thanks? (?:you )?for (?:signing up|subscribing)\b.{0,100}",
    r"subscribe(?: now| today| here)?[.!]?",
    r"(?:get|receive) (?:our|the) .{0,60}?\b(?:newsletters?|briefings?|digest|inbox)\b.*",
    r"join [\d,.\s]+ other (?:subscribers|readers|followers)\b.*",
    r"(?:type|enter) your e-?mail(?: address)?.{0,80}",
    r"thanks for reading\b.{0,80}?\bsubscribe\b.*",
    r"(?:already a subscriber|already have an account)\??.{0,40}",
    r"by subscribing,? you agree\b.*",
    # de
    r"(?:jetzt )?(?:(?:den|unseren) )?(?:kostenlosen )?newsletter (?:abonnieren|bestellen)\b.*",
    r"(?:melden sie sich|abonnieren sie|registrieren sie sich)\b.{0,100}?\b(?:newsletter|abo)\w*\b.*",
    r"mit (?:meiner|ihrer) anmeldung zum newsletter\b.*",
    r"(?:jetzt )?(?:abonnieren|abo abschließen) und weiterlesen\b.*",
    # fr
    r"(?:abonnez-vous|inscrivez-vous)\b.{0,120}?\b(?:newsletters?|lettres? d'information|infolettres?|"
    r"alertes?|e-?mails?|courriels?|la suite|gratuitement)\b.*",
    r"(?:recevez|découvrez) (?:notre|nos) (?:newsletters?|lettres?)\b.*",
    # es
    r"(?:suscr[ií]bete|reg[ií]strate|ap[uú]ntate)\b.{0,120}?\b(?:newsletters?|bolet[ií]n|correo|e-?mail|"
    r"seguir leyendo|gratis)\b.*",
    r"(?:recibe|recibí) (?:nuestro|el|nuestros) (?:newsletters?|bolet[ií]n(?:es)?)\b.*",
    # it, pt, nl
    r"iscriviti\b.{0,120}?\b(?:newsletter|e-?mail|notizie|gratis|gratuitamente)\b.*",
    r"(?:inscreva-se|assine|cadastre-se)\b.{0,120}?\b(?:newsletters?|e-?mail|boletim|gratuitamente|grátis)\b.*",
    r"(?:schrijf je in|abonneer je|meld je aan)\b.{0,120}?\b(?:nieuwsbrief|e-?mail)\b.*",
    # A box that presents a newsletter and ends with the call to act ("... Jetzt kostenlos abonnieren!").
    r".{0,300}?\b(?:newsletters?|postfach|inbox|e-?mail|briefing|bolet[ií]n|lettre|bülten|nieuwsbrief)\b.{0,300}?"
    r"[.!?:]\s+(?:jetzt |now |ahora |maintenant |ora |şimdi |agora )?"
    r"(?:kostenlos |gratis |for free |gratuitement )?"
    r"(?:abonnieren|anmelden|registrieren|subscribe|sign up|register|abonnez-vous|inscrivez-vous|"
    r"suscr[ií]bete|iscriviti|abone olun|inscreva-se|assine)"
    r"(?: now| today| here| jetzt| kostenlos| gratis)?\s*[.!]*",
    # Alerts and daily news by e-mail, and the magazine delivered to the door.
    r"(?:subscribe|sign up|register)\s+(?:for|to)\s+.{0,40}?\b(?:e-?mail|newsletter|news)\s+alerts?\b.*",
    r"get (?:daily|weekly|the daily|the weekly) [\w\s'’-]{1,40}?(?:news|headlines|updates|newsletter)s?\W*",
    r"(?:get|have|receive) .{1,60}? delivered (?:to|through|straight to|right to) your "
    r"(?:door|doorstep|letterbox|letter box|inbox|mailbox)\b.*",
    # ja: e-mail magazines, the digital edition, members only, as a line that is no sentence (no 。)
    r"[^。]{0,30}(?:メールマガジン|メルマガ|ニュースレター)[^。]{0,30}",
    r"[^。]{0,20}(?:電子版|会員登録|有料会員|会員限定)[^。]{0,20}",
    # tr
    r"(?:e-?)?bültenimize (?:abone olun|kaydolun|üye olun)\b.*",
    r"(?:abone ol(?:un)?|üye ol(?:un)?)\b.{0,80}?\b(?:bülten|e-?posta)\w*\b.*",
)
# One of these stands in every sign-up prompt the patterns take (a cheap test before them).
_SIGNUP_NEEDS = (
    "subscri",
    "sign up",
    "sign-up",
    "signup",
    "register",
    "join",
    "thank",
    "newsletter",
    "mail",
    "inbox",
    "briefing",
    "digest",
    "type your",
    "enter your",
    "already",
    "abonn",
    "anmeld",
    "registr",
    "inscri",
    "suscr",
    "apúnt",
    "apunt",
    "iscriv",
    "inscreva",
    "assine",
    "cadastre",
    "schrijf",
    "abonneer",
    "meld je",
    "bülten",
    "abone",
    "üye",
    "get daily",
    "get weekly",
    "get the",
    "get our",
    "delivered",
    "receive",
    "recibe",
    "recibí",
    "recevez",
    "découvrez",
    "メール",
    "メルマガ",
    "ニュースレター",
    "電子版",
    "会員",
    "postfach",
    "boletín",
    "boletin",
    "lettre",
    "nieuwsbrief",
)
_SIGNUP_LINE = re.compile(rf"[\W_]{{0,3}}{_SIGNUP}", re.IGNORECASE)

NEWSLETTER_SIGNUP = rule(
    "newsletter-signup",
    FAMILY,
    'A newsletter or posts-by-email prompt ("Subscribe to get the latest posts sent to your email.").',
    # One short lead-in may come first: "Enjoyed this story? Sign up for free to get every new post ...".
    # The lead-in opens no quotation: a quoted sign-up line is the article reporting it.
    WholeLine(rf"(?:[^.!?\"“'‘«„]{{1,60}}[.!?]\s+)?[\W_]{{0,3}}{_SIGNUP}", max_words=45, needs=_SIGNUP_NEEDS),
    removes=[
        "Subscribe to get the latest posts sent to your email.",
        "Register now for FREE unlimited access to example.com",
        "Thanks for signing up!",
        "Get the latest headlines delivered straight to your inbox.",
        "Join 4,812 other subscribers",
        "Liked this piece? Subscribe to our weekly newsletter.",
        "Sign up for our free newsletter to get the top stories in your inbox every morning.",
        "Type your email…",
        "Subscribe",
        "Get our morning briefing delivered to your inbox.",
        "Thanks for reading Example Weekly! Subscribe for free to receive new posts and support my work.",
        "Jetzt Newsletter abonnieren und nichts mehr verpassen!",
        "Melden Sie sich für unseren kostenlosen Newsletter an.",
        "Abonnez-vous à notre newsletter pour recevoir l'essentiel de l'actualité.",
        "Inscrivez-vous gratuitement à nos alertes.",
        "Suscríbete a nuestro boletín y recibe las noticias más importantes.",
        "Bültenimize abone olun, gündemi kaçırmayın.",
        "Der Morgen-Newsletter: Die wichtigsten Themen des Tages um 7 Uhr in Ihrem Postfach. Jetzt anmelden!",
        "Iscriviti alla newsletter del mattino per ricevere le notizie del giorno.",
        "Sign Up For Breaking News E-mail Alerts",
        "Get daily National news",
        "Get Motor Cycle Monthly delivered through your letterbox every month. 12 issues for £11.99.",
        "各種メールマガジンで最新情報をお届け",
        "中日新聞電子版が利用できる",
    ],
    keeps=[
        "Aid agencies warned that fuel was running short, and asked readers to subscribe to official "
        "alerts rather than rumours.",
        "Netflix said it added 9 million subscribers in the quarter.",
        "More than 2 million people signed up for the programme in its first week.",
        "Writers end posts with 'Thanks for reading! Subscribe for free to receive new posts and support "
        "my work.'",
        "Mehr als 20.000 Leser haben den Newsletter der Stadt abonniert, teilte die Verwaltung mit.",
        "Près de 5 000 habitants se sont abonnés à la lettre d'information de la mairie.",
        "Más de un millón de personas se suscribieron al boletín oficial del Estado en 2023.",
        "Platformun abone sayısı geçen yıl yüzde 20 arttı.",
        "The council sent the alert by email on Monday. Residents were told to register by Friday.",
        "- Sign up for the streaming bundle using the same email as your existing account",
        "Get daily updates on the recovery from the council's website, the mayor said.",
        "The parcels were delivered to your door within two days, the company promised in its advert.",
        "同社は電子版の読者が昨年より2割増えたと発表した。",
    ],
)

_DISCOVER = re.compile(
    r"(?:discover more from|entdecke mehr von|découvrez plus de|descubre más de|"
    r"daha fazlasını keşfedin:?) .{1,80}",
    re.IGNORECASE,
)


def _discover_context(text: str, ctx: Context) -> bool:
    # Jetpack's heading stands right above its sign-up line, or closes the post.
    if text.rstrip()[-1:] in ".!?":
        return False
    following = ctx.next()
    if following is not None and _SIGNUP_LINE.fullmatch(following.strip()):
        return True
    return text.lower().startswith(("discover", "entdecke", "découvrez", "descubre")) and ctx.in_tail(3)


DISCOVER_MORE = rule(
    "discover-more-from",
    FAMILY,
    'The "Discover more from <site>" heading of a subscription box.',
    WholeLine(r"[\W_]{0,3}" + _DISCOVER.pattern, max_words=14, when=_discover_context),
    removes=[
        (
            "Discover more from Defence Talks | Defense News Military Pictures\n"
            "Subscribe to get the latest posts sent to your email.",
            "Subscribe to get the latest posts sent to your email.",
        ),
        ("The talks resume on Monday.\nDiscover more from Example News", "The talks resume on Monday."),
    ],
    keeps=[
        "Discover more from the Louvre's new Islamic art wing in our photo gallery.",
        "More from the interview:\nQ: What happens next? A: We wait for the court.",
    ],
)

_PAYWALL = alternation(
    r"subscribe (?:now )?to (?:continue|keep) reading\b.*",
    r"(?:this|the) (?:content|article|story|post) is (?:only )?(?:available |exclusive )?"
    r"(?:only )?for (?:paying )?(?:subscribers|members)(?: only)?\b.*",
    r"you(?:'ve| have) (?:reached|exhausted|used up|used) (?:your|all of your|all your|the) .{0,40}?"
    r"(?:free )?(?:articles|stories)\b.*",
    r"to continue reading,? (?:please )?(?:subscribe|log in|sign in|register)\b.*",
    r"(?:dieser artikel|dieser inhalt) ist (?:nur )?(?:exklusiv )?für (?:abonnenten|abonnentinnen)\b.*",
    r"cet article est réservé aux abonnés\b.*",
    r"il vous reste \d+ ?% de cet article à lire\b.*",
    r"este (?:contenido|artículo) es (?:exclusivo )?(?:solo )?para (?:suscriptores|socios)\b.*",
    r"bu içerik (?:sadece |yalnızca )?abonelere özeldir\b.*",
    # The reader's own subscription addressed ("Add another user to your subscription?").
    r".{0,60}?\b(?:your subscription|tu suscripci[oó]n|votre abonnement|ihr abo|dein abo|il tuo abbonamento)"
    r"\b.{0,60}[?!]",
    r"(?:jetzt )?(?:weiter)?lesen mit (?:\w+\s?){1,3}(?:abo|plus|\+)\W*",
    r".{0,80}?\bnur für (?:abonnenten|abonnentinnen|abonnent\*innen)\b.{0,40}",
    r"(?:この記事は)?(?:有料)?会員限定(?:の)?記事(?:です)?.{0,20}",
    r"続きを読むには.{0,40}",
)

_PAYWALL_NEEDS = (
    "subscri",
    "members",
    "articles",
    "stories",
    "continue reading",
    "keep reading",
    "abonn",
    "réservé",
    "il vous reste",
    "suscriptor",
    "socios",
    "abonelere",
    "suscripci",
    "abonnement",
    "abo",
    "abbonamento",
    "lesen mit",
    "会員",
    "続きを読む",
)

PAYWALL_PROMPT = rule(
    "paywall-prompt",
    FAMILY,
    'A paywall or metering teaser ("Subscribe to continue reading", "You have reached your limit ...").',
    WholeLine(rf"[\W_]{{0,3}}{_PAYWALL}", max_words=45, needs=_PAYWALL_NEEDS),
    removes=[
        "Subscribe to continue reading this article.",
        "This content is for subscribers only.",
        "You have reached your limit of free articles this month.",
        "Cet article est réservé aux abonnés.",
        "Este contenido es exclusivo para suscriptores.",
        "¿Quieres añadir otro usuario a tu suscripción?",
        "Jetzt weiterlesen mit SZ Plus",
        "続きを読むには会員登録が必要です",
    ],
    keeps=[
        "The newspaper said the content is for subscribers only, a policy it adopted in 2019.",
        "Readers who have reached their limit of free articles can still read the live blog.",
        "Your subscription helped fund the investigation, the editor wrote in a letter to readers.",
    ],
)
