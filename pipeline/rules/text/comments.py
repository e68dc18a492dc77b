"""Comment-form family: the strings of comment forms and comment counters, as whole lines."""

from __future__ import annotations

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import WholeLine, alternation, rule

FAMILY = Family.COMMENT_FORM

# Strings a comment form renders (WordPress core and its translations, Akismet, Disqus-style
# prompts). Matched only as a whole line: "The ministry declined to comment." stays.
_FORM_LINES = alternation(
    # en
    r"leave a (?:reply|comment|response)(?: to .{1,60}?)?(?:\s*cancel reply)?",
    r"cancel reply",
    r"your email address will not be published\.?(?:\s*required fields are marked\s*\*?)?",
    r"required fields are marked\s*\*?",
    r"(?:comment|name|e-?mail|website)\s*\*",
    r"save my name, email, and website in this browser for the next time i comment\.?",
    r"(?:post|submit|add) (?:a |your )?comment",
    r"this site uses akismet to reduce spam\.?(?:\s*learn how your comment data is processed\.?)?",
    r"notify me of (?:follow-up comments|new posts|new comments) by email\.?",
    r"(?:be the first to comment|there are no comments yet\.?(?: be the first.*)?|no comments yet\.?)",
    r"join the (?:conversation|discussion)",
    r"comments (?:are|have been) (?:closed|disabled|turned off)(?: for this (?:article|story|post))?\.?",
    r"log in to reply",
    r"(?:log in|sign in|please sign in or register) to (?:leave a |post a )?comment\.?",
    r"you must be logged in to post a comment\.?",
    # de
    r"(?:hinterlasse|schreibe|schreib) einen kommentar",
    r"kommentar (?:verfassen|schreiben|abschicken|absenden)",
    r"antworten abbrechen",
    r"(?:deine|ihre) e-?mail-?adresse wird nicht veröffentlicht\.?(?:\s*erforderliche felder sind "
    r"(?:mit \* )?markiert\s*\*?\.?)?",
    r"erforderliche felder sind (?:mit \* )?markiert\s*\*?\.?",
    r"benachrichtige mich (?:über|bei) .{1,60}",
    r"es gibt noch keine kommentare\.?(?: sei der erste!?)?",
    r"bitte melden sie sich an,? um zu kommentieren\.?",
    # fr
    r"laisser un commentaire(?:\s*annuler la réponse)?",
    r"laisser une réponse",
    r"annuler la réponse",
    r"votre adresse e-?mail ne sera pas publiée\.?(?:\s*les champs obligatoires sont indiqués avec\s*\*?)?",
    r"les champs obligatoires sont indiqués avec\s*\*?",
    r"(?:laisser|écrire|publier) (?:un|le|votre) commentaire",
    # es
    r"deja (?:una respuesta|un comentario)(?:\s*cancelar (?:la )?respuesta)?",
    r"cancelar (?:la )?respuesta",
    r"tu (?:dirección de )?correo electrónico no será publicad[oa]\.?"
    r"(?:\s*los campos (?:obligatorios|necesarios)"
    r" están marcados(?: con)?\s*\*?)?",
    r"los campos (?:obligatorios|necesarios) están marcados(?: con)?\s*\*?",
    r"publicar (?:el )?comentario",
    # it, pt, nl
    r"lascia (?:un commento|una risposta)(?:\s*annulla (?:la )?risposta)?",
    r"annulla (?:la )?risposta",
    r"il tuo indirizzo (?:e-?mail )?non sarà pubblicato\.?(?:\s*i campi obbligatori sono (?:contrassegnati|"
    r"indicati)(?: con)?\s*\*?)?",
    r"i campi obbligatori sono (?:contrassegnati|indicati)(?: con)?\s*\*?",
    r"(?:invia|pubblica) (?:il )?commento",
    r"deixe (?:um comentário|uma resposta)(?:\s*cancelar resposta)?",
    r"cancelar resposta",
    r"o (?:seu )?endereço de e-?mail não será publicado\.?(?:\s*campos obrigatórios são marcados com\s*\*?)?",
    r"laat een (?:reactie|antwoord) achter",
    r"je e-?mailadres wordt niet gepubliceerd\.?(?:\s*vereiste velden zijn gemarkeerd met\s*\*?)?",
    # tr
    r"bir yan[ıi]t yaz[ıi]n",
    r"yorum (?:yap|yaz|gönder)",
    r"bir yorum (?:yaz[ıi]n|yap[ıi]n|b[ıi]rak[ıi]n)",
    r"yan[ıi]t[ıi] gönder",
    r"e-?posta (?:adresiniz|hesabınız) yay[ıi]nlanmayacak(?:t[ıi]r)?\.?(?:\s*gerekli alanlar \* ile "
    r"işaretlen(?:miş|di)(?:lerdir)?\s*\*?\.?)?",
    r"gerekli alanlar \* ile işaretlen(?:miş|di)(?:lerdir)?\s*\*?\.?",
    # The buttons and prompts around each comment, and the calls to join in.
    r"report (?:this(?: comment)?|abuse|comment)",
    r"flag as (?:inappropriate|offensive)",
    r"(?:reply|recommend|permalink)",
    r"have your say",
    r"add (?:a |your )?comment",
    r"(?:read|view|show|see) (?:all )?(?:the )?(?:\d+ )?(?:comments|reader comments|readers' comments)",
    r"(?:kommentar melden|antworten|melden|kommentieren)",
    r"(?:signaler(?: un abus)?|répondre|réagir)",
    r"(?:denunciar|responder)",
)

COMMENT_FORM = rule(
    "comment-form",
    FAMILY,
    'A line of a comment form ("Leave a Reply", "Your email address will not be published.").',
    WholeLine(rf"[\W_]{{0,3}}{_FORM_LINES}[\s.:!*]*", max_words=40),
    removes=[
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Cancel reply",
        "Save my name, email, and website in this browser for the next time I comment.",
        "Post Comment",
        "Comments are closed.",
        "Schreibe einen Kommentar",
        "Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert",
        "Laisser un commentaire",
        "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
        "Deja una respuesta",
        "Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados con *",
        "Bir Yanıt Yazın",
        "E-posta adresiniz yayınlanmayacak. Gerekli alanlar * ile işaretlenmişlerdir",
        "Lascia una risposta",
        "O seu endereço de email não será publicado. Campos obrigatórios são marcados com *",
        "Report this",
        "Have your say",
        "Reply",
    ],
    keeps=[
        "The ministry declined to comment.",
        "Leave a reply, she said, was the only option the court gave him.",
        "Der Sprecher wollte den Vorfall auf Nachfrage nicht kommentieren.",
        "Le ministère n'a pas souhaité laisser de commentaire sur cette affaire.",
        "El ministerio declinó hacer comentarios sobre la investigación.",
        "Bakanlık konuyla ilgili yorum yapmadı.",
        "Reply to the council's letter was due by Friday.",
        "Report this week: the harbour reopens.",
    ],
)

_COUNTS = (
    r"(?:\d[\d.,]*|one|no) (?:comments?|responses?|replies|kommentare?|commentaires?|comentarios?|yorum)"
    r"|(?:one|\d+) (?:thoughts?|responses?) (?:on|to) [\"“].{1,150}[\"”]"
    r"|(?:view|show|read|see) (?:all )?(?:\d+ )?comments?(?: \(\d+\))?"
    r"|(?:comments?|kommentare?|commentaires?|comentarios?|reactions?)\s*\(\d+\)"
)

COMMENT_COUNT = rule(
    "comment-count",
    FAMILY,
    'A comment counter or link ("12 comments", "One thought on “<title>”", "View comments (299)").',
    WholeLine(rf"[\W_]{{0,3}}(?:{_COUNTS})[\s.:]*", max_words=30),
    removes=[
        "12 Comments",
        "One thought on “Aleppo falls to rebels”",
        "View comments (299)",
        "3 Kommentare",
        "5 yorum",
    ],
    keeps=[
        "Three comments from the minister drew criticism from the opposition on Monday.",
        "12 comments were submitted to the inquiry before the deadline.",
    ],
)
