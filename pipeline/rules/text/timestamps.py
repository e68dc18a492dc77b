"""Timestamp family: a paragraph that is only a date or date-time, and reading the date from it."""

from __future__ import annotations

import re

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import WholeLine, alternation, rule

FAMILY = Family.TIMESTAMP

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar janvier enero ocak ιανουαρίου gennaio janeiro januari",
        "february feb februar février fevrier febrero şubat subat φεβρουαρίου febbraio fevereiro februari",
        "march mar märz maerz mars marzo mart μαρτίου marzo março maart",
        "april apr avril abril nisan απριλίου aprile abril",
        "may mai mayo mayıs mayis μαΐου maggio maio mei",
        "june jun juni juin junio haziran ιουνίου giugno junho",
        "july jul juli juillet julio temmuz ιουλίου luglio julho",
        "august aug août aout agosto ağustos agustos αυγούστου augustus",
        "september sep sept septembre septiembre setiembre eylül eylul σεπτεμβρίου settembre setembro",
        "october oct oktober octobre octubre ekim okt οκτωβρίου ottobre outubro",
        "november nov novembre noviembre kasım kasim νοεμβρίου novembro",
        "december dec dezember décembre decembre diciembre aralık aralik dez déc δεκεμβρίου "
        "dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = alternation(*_MONTHS)
_WEEKDAY = alternation(
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thurs",
    "fri",
    "sat",
    "sun",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "pazartesi",
    "salı",
    "çarşamba",
    "perşembe",
    "cuma",
    "cumartesi",
    "pazar",
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_FORMS = (
    rf"(?P<month>{_MONTH})\.?\s+{_DAY},?\s+{_YEAR}",
    rf"{_DAY}\s*(?:de\s+)?(?P<month>{_MONTH})\.?,?\s+(?:de\s+)?{_YEAR}",
    r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})",
    r"(?P<day>\d{1,2})[./](?P<mnum>\d{1,2})[./](?P<year>\d{4})",
)
_DATE_RES = [re.compile(form, re.IGNORECASE) for form in _DATE_FORMS]
_DATE = "(?:" + "|".join(re.sub(r"\?P<\w+>", "", form) for form in _DATE_FORMS) + ")"
_TIME = (
    r"(?:\s*[,·|–-]?\s*(?:at|um|à|às|a las|alle(?: ore)?|ore|saat|kl\.)?\s*"
    r"\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\.\d+)?\s*"
    r"(?:[ap]\.?m\.?|uhr|h)?(?:\s*(?:[A-Z]{2,5}|GMT|UTC|Z)?\s*[+-]\d{1,2}(?::?\d{2})?|\s*(?:[A-Z]{2,5}|GMT|UTC))?)"
)
_ISO_TIME = r"(?:T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
_PREFIX = alternation(
    "published",
    "updated",
    "posted",
    "last updated",
    "modified",
    "first published",
    "published on",
    "updated on",
    "posted on",
    "veröffentlicht",
    "veröffentlicht am",
    "aktualisiert",
    "aktualisiert am",
    "stand",
    "publié le",
    "mis à jour le",
    "publié",
    "publicado",
    "publicado el",
    "actualizado",
    "actualizado el",
    "yayınlanma",
    "yayınlanma tarihi",
    "güncelleme",
    "güncellenme",
    "güncellenme tarihi",
    "pubblicato",
    "pubblicato il",
    "aggiornato",
    "aggiornato il",
    "publicado em",
    "atualizado",
    "atualizado em",
    "gepubliceerd",
    "bijgewerkt",
    "기사입력",
    "입력",
    "수정",
)
_STAMP = rf"(?:{_WEEKDAY}\.?,?\s+)?{_DATE}(?:,?\s+{_WEEKDAY})?{_ISO_TIME}?{_TIME}?"
# How long ago, as sites print it instead of a date ("Updated 3 hours ago").
_RELATIVE = (
    r"(?:\d+|an?|one) (?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?) ago"
    r"|vor \d+ (?:minuten|stunden|tagen)|il y a \d+ (?:minutes?|heures?|jours?)"
    r"|hace \d+ (?:minutos?|horas?|días?)|\d+ (?:dakika|saat|gün) önce"
)
# A second date-time is allowed with its own label ("Published ... | Updated ..."); a bare range
# of two dates is an event's dates ("29 November 2018 | 20 January 2019") and stays.
# A clock time alone ("14:05", "9.30am", "15:21 GMT"): a live page's entry times, a wire's time stamp.
_CLOCK = (
    r"\d{1,2}(?::\d{2}(?::\d{2})?|\.\d{2}\s*(?:[ap]\.?m\.?|uhr|h))\s*(?:[ap]\.?m\.?|uhr|h)?"
    r"(?:\s*(?:[A-Z]{2,5}|GMT|UTC)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?"
)
# "at 11:25am on 07.01.08": the clock before a short date, as British papers printed it.
_CLOCK_ON_DATE = rf"(?:at\s+)?{_CLOCK}\s+on\s+\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}"
DATE_LINE_PATTERN = (
    # A list marker may stand before the line ("- Published 18 November 2019").
    r"(?:[-–•*]\s+)?(?:"
    # A label whose date the page printed in an element of its own, which extraction drops ("Updated").
    rf"{_PREFIX}\s*:?|"
    rf"{_PREFIX}\s*:?\s*{_CLOCK_ON_DATE}\s*\.?|"
    rf"(?:{_PREFIX}\s*:?\s*)?(?:{_RELATIVE}|{_CLOCK})\s*\.?|"
    rf"(?:{_PREFIX}\s*:?\s*)?[\[(]?\s*{_STAMP}\s*[\])]?"
    rf"(?:\s*[|·•,/-]?\s*{_PREFIX}\s*:?\s*{_STAMP})?\s*[.|]?"
    r")"
)


def parse_date(text: str) -> str | None:
    """The first calendar date in a timestamp line, as YYYY-MM-DD, or None."""
    best: tuple[int, str] | None = None
    for regex in _DATE_RES:
        match = regex.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        month = (
            int(groups["mnum"]) if groups.get("mnum") else _MONTHS.get(groups["month"].lower().rstrip("."))
        )
        day, year = int(groups["day"]), int(groups["year"])
        if not month or not 1 <= month <= 12 or not 1 <= day <= 31:
            continue
        if best is None or match.start() < best[0]:
            best = (match.start(), f"{year:04d}-{month:02d}-{day:02d}")
    return best[1] if best else None


DATE_LINE = rule(
    "date-line",
    FAMILY,
    "A paragraph that is only a date or a date-time (it fills `date` when the page gave none).",
    WholeLine(DATE_LINE_PATTERN, max_words=16),
    removes=[
        "December 01, 2024 09:14 AM GMT+03:00",
        "Published: 1 December 2024, 09:14 GMT",
        "Updated Dec 1, 2024 at 9:14 am EST",
        "2024-12-01T09:14:00Z",
        "01.12.2024, 09:14 Uhr",
        "Veröffentlicht am 1. Dezember 2024",
        "Publié le 1 décembre 2024 à 09h14",
        "1 de diciembre de 2024",
        "1 Aralık 2024 Pazar 09:14",
        "14 ottobre 2025 - 09:47",
        "Published 1 December 2024 | Updated 2 December 2024, 10:30",
        "Updated 3 hours ago",
        "Updated",
        "Last updated:",
        "15:21 GMT",
        "9.30am",
        "Aktualisiert 14:05 Uhr",
        "Last updated at 11:25am on 07.01.08",
        "- Published 18 November 2019",
    ],
    keeps=[
        "On Saturday, Khan Shaykhun and all of Idlib province fell under the control of anti-regime forces.",
        "December 1, 2024: rebels reach the outskirts of Hama",
        "Fighting erupted on Nov. 27 between regime forces and armed groups.",
        "29 November 2018 | 20 January 2019",
        "Three hours ago the bridge was still open.",
        "Updated figures were released on Monday.",
        "3.14",
        "The 15:21 from Northgate was cancelled.",
    ],
)
