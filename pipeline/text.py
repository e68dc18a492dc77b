"""Text helpers shared by extraction, the DOM rules, the text rules and the record: comparing and counting,
and the code that is never text."""

from __future__ import annotations

import math
import re
import unicodedata

# Elements whose content is code or markup kept for later, never page text: a script, a style sheet, the
# fallback shown without scripts, a template.
CODE_ELEMENTS = ("script", "style", "noscript", "template")
# Such an element written out in a text, from its start tag to its end tag (case aside).
_CODE_BLOCK = re.compile(rf"<({'|'.join(CODE_ELEMENTS)})\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def without_code(text: str) -> str:
    """The text without the script, style, noscript and template elements written out in it (a text dump
    saved with a page's style sheet); an element not closed is left as it is, and the text with it."""
    return _CODE_BLOCK.sub("", text) if "<" in text else text


def squeeze(text: str) -> str:
    """White space collapsed and case folded: the form in which two texts are compared."""
    return " ".join(text.split()).casefold()


# Scripts written without spaces between words. Han (Chinese, Japanese kanji) and kana: each character
# is one word, as word processors count them. Thai, Lao, Khmer and Myanmar: one word per
# LETTERS_PER_WORD letters (combining marks aside), about their average word length.
_CHARACTER_WORDS = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\uff66-\uff9f"  # halfwidth Katakana
    "\U00020000-\U0003134f"  # CJK Extensions B to G
)
_LETTER_RUNS = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
)
LETTERS_PER_WORD = 4
_UNSPACED = re.compile(f"[{_CHARACTER_WORDS}{_LETTER_RUNS}]")
_PIECES = re.compile(f"([{_CHARACTER_WORDS}])|([{_LETTER_RUNS}]+)|([^{_CHARACTER_WORDS}{_LETTER_RUNS}]+)")


def count_words(text: str) -> int:
    """Words in a text: whitespace-separated tokens, except that text in a script written without spaces
    counts by its characters (see _CHARACTER_WORDS and _LETTER_RUNS).

    Text without such scripts gets exactly `len(text.split())`.
    """
    if not _UNSPACED.search(text):
        return len(text.split())
    return sum(_token_words(token) for token in text.split())


def _token_words(token: str) -> int:
    if not _UNSPACED.search(token):
        return 1
    words = 0
    for character, letters, other in _PIECES.findall(token):
        if character:
            words += 1
        elif letters:
            marks = sum(unicodedata.category(c).startswith("M") for c in letters)
            words += math.ceil((len(letters) - marks) / LETTERS_PER_WORD)
        elif any(c.isalnum() for c in other):
            words += 1  # a Latin name or a number inside Chinese text
    return max(words, 1)


_WORDS = re.compile(f"[{_CHARACTER_WORDS}]|[^\\W{_CHARACTER_WORDS}]+")


def words(text: str) -> list[str]:
    """The text's words, case folded, punctuation dropped: runs of letters and digits, and each Han or kana
    character on its own (as `count_words` counts them). The tokens near-duplicate shingles are made of."""
    return _WORDS.findall(text.casefold())
