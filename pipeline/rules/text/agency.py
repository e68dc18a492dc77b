"""Agency-notice family: wire-service notices pasted into captions (AFP metadata corrections,
usage advisories)."""

from __future__ import annotations

from pipeline.rules.families import Family
from pipeline.rules.text.shapes import Spans, rule

FAMILY = Family.AGENCY_NOTICE

# The AFP notice opens with a fixed phrase and closes with one of its fixed sentences; the
# window between is bounded so a cut never runs past one caption, and a notice cut short by a
# CMS field limit ends at the paragraph's end. The full opening phrase is required: articles
# about AFP, kill notices or photo metadata do not carry it.
_AFP_NOTICE = (
    r"[?¿«\"“]?\s*the erroneous mentions?(?:\[s\])? appearing in the metadata of this "
    r"(?:photo|picture|image|video)s?\b"
    # The notice's closing sentence if it is there, else the latest of its other sentences,
    # else (a notice cut short) the end of the paragraph.
    r"(?:.{0,1500}?further information you may require\.|.{0,1200}?post[- ]notification usage\."
    r"|.{0,900}?from your servers\.|.{0,700}$)"
    r"(?:\s*[?»\"”])?"
)

AFP_CORRECTION_NOTICE = rule(
    "afp-correction-notice",
    FAMILY,
    "AFP's metadata-correction notice pasted into a photo caption, cut from wherever it stands.",
    Spans(_AFP_NOTICE, needs=("erroneous mention",)),
    removes=[
        (
            "Fighters in Maaret al-Numan. (Photo by Bakr ALKASEM / AFP) / The erroneous mention appearing "
            "in the metadata of this photo by Jane DOE has been modified in AFP systems in the following "
            "manner: [John ROE] instead of [Jane DOE]. Please immediately remove the erroneous mention from "
            "all your online services and delete it from your servers. We are sorry for the inconvenience "
            "this notification may cause and remain at your disposal for any further information you may "
            "require. Rescue workers in Idlib.",
            "Fighters in Maaret al-Numan. (Photo by Bakr ALKASEM / AFP) / Rescue workers in Idlib.",
        ),
        (
            "A market in Homs. The erroneous mentions appearing in the metadata of this picture by A. "
            "SMITH have been modified in AFP systems",
            "A market in Homs.",
        ),
    ],
    keeps=[
        "Photo editors from AFP's London bureau were alerted on Sunday to alterations on an image released "
        "by Kensington Palace, and AFP agreed to remove the photo from its distribution platforms.",
        "AFP Fact Check found that the image was taken in 2015 and that its metadata had been altered.",
        "“At closer inspection, it appears that the source has manipulated the image,” read the official "
        "AP kill notification. “Please remove it from all platforms, including social, where it may still "
        "be visible.”",
        "We immediately issued a Mandatory Kill asking our subscribers not to use the picture.",
    ],
)

# Usage advisories are written in capitals by the agencies; matched case-sensitively.
_ADVISORY = (
    r"(?:\b[A-Z][A-Z.]+(?: [A-Z][A-Z.]+)? OUT\s*[-/]\s*)?"
    r"\b(?:RESTRICTED TO EDITORIAL USE|MANDATORY CREDIT)\b"
    r"(?:\s*[-/]\s*(?:MANDATORY CREDIT\s*[\"“][^\"”]{1,60}[\"”]|NO MARKETING(?: NO ADVERTISING CAMPAIGNS)?"
    r"|NO ADVERTISING CAMPAIGNS|DISTRIBUTED AS A SERVICE TO CLIENTS|RESTRICTED TO EDITORIAL USE"
    r"|[A-Z][A-Z.]+(?: [A-Z][A-Z.]+)? OUT))*"
)

USAGE_ADVISORY = rule(
    "usage-advisory",
    FAMILY,
    'A picture-agency usage advisory in a caption ("RESTRICTED TO EDITORIAL USE - MANDATORY CREDIT ...").',
    Spans(_ADVISORY, flags=0, needs=("RESTRICTED TO EDITORIAL USE", "MANDATORY CREDIT")),
    removes=[
        (
            'Officials meet in Beijing. RESTRICTED TO EDITORIAL USE - MANDATORY CREDIT "AFP PHOTO / CCTV" - '
            "NO MARKETING NO ADVERTISING CAMPAIGNS - DISTRIBUTED AS A SERVICE TO CLIENTS",
            "Officials meet in Beijing.",
        ),
        ("A rally in Shanghai. CCTV OUT - RESTRICTED TO EDITORIAL USE", "A rally in Shanghai."),
    ],
    keeps=[
        "The agency said the images were restricted to editorial use and could not appear in advertising.",
        "WORKERS WALK OUT OVER PAY",
    ],
)
