"""Bytes to text: byte-order mark, then UTF-8 when the bytes are UTF-8, then a declared charset that fits
the bytes, then detection; control characters are dropped from the text.

trafilatura ignores a page's declared charset, so pages are decoded here and handed over as str.
The crawl path passes the HTTP Content-Type so that `clean` and the spiders decode alike.
"""

from __future__ import annotations

import codecs
import re

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes
from w3lib.encoding import http_content_type_encoding, resolve_encoding

from pipeline.document import DocumentError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 8192
_DETECT_BYTES = 65536
# C0 control bytes other than tab, newline, form feed and carriage return: above this share of the
# first 64 KB the input is taken for binary data; below it they are stray bytes, dropped from the text.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0c\r")
_MAX_CONTROL_SHARE = 0.01
_MIN_CONTROLS = 8  # so that one stray NUL in a tiny page is not a share of 1%
# A declared charset whose decoding fails on more than this share of the non-ASCII bytes does not fit
# the bytes (a page re-encoded by whoever saved it, a wrong server default): detection decides instead.
_MAX_DECLARED_ERRORS = 0.01
_NON_ASCII = bytes(range(128))
_PREFERRED = "cp1252"
_TIE = 0.005
# Below this size a detector has too little evidence to tell windows-1252 from rarer single-byte code
# pages that decode the same bytes to other accented letters (cp775, cp1250, mac-latin2 ...).
_SHORT_BYTES = 16384
# Text that windows-1252 decodes with more non-ASCII letters than this share is some other script
# (windows-1251 Cyrillic read as windows-1252 is nearly all accented Latin letters).
_MAX_LATIN_ACCENTED = 0.3
# Characters XML (and so lxml) refuses, dropped from every decoded text: C0 controls but tab, newline and
# carriage return, and the noncharacters U+FFFE and U+FFFF. Numeric references to them too ("&#1;").
# (A regular expression: str.translate with a table walks every character in Python-level lookups, 25 ms
# on a 100 KB page. Whether there is any to drop is asked of the text's UTF-8 bytes, where each of them is
# its own byte or byte sequence: 0.45 ms a page against 1.1 ms for a search of the text.)
_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DROPPED_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
_CONTROL_REFERENCE = re.compile(r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]));")


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode an HTML page; raise DocumentError('decode') for binary data."""
    return _CONTROL_REFERENCE.sub("", drop_control_characters(_decode_html(data, content_type)))


def decode_text(data: bytes) -> str:
    """Decode a plain-text dump; raise DocumentError('decode') for binary data."""
    bom = _bom(data)
    if bom:
        return drop_control_characters(data[len(bom[0]) :].decode(bom[1], errors="replace"))
    _reject_binary(data)
    return drop_control_characters(_undeclared(data))


def _decode_html(data: bytes, content_type: str | None) -> str:
    bom = _bom(data)
    if bom:
        return data[len(bom[0]) :].decode(bom[1], errors="replace")
    _reject_binary(data)
    utf8 = _strict_utf8(data)
    if utf8 is not None and not data.isascii():
        # Valid UTF-8 with multi-byte sequences is UTF-8 whatever the page declares: legacy bytes almost
        # never form valid sequences, while saved and re-served pages often keep an old declaration.
        return utf8
    for declared in (http_content_type_encoding(content_type) if content_type else None, _meta_charset(data)):
        codec = resolve_encoding(declared) if declared else None
        if codec and not _ignored(codec):
            text = _fitting(data, codec)
            if text is not None:
                return text
    return utf8 if utf8 is not None else _undeclared(data)


def _strict_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _ignored(codec: str) -> bool:
    # A UTF-16 or UTF-32 declaration on bytes without a byte-order mark is a template's leftover: such
    # bytes without NUL bytes cannot be UTF-16 (and NUL bytes were refused as binary before).
    return codec.replace("_", "-").lower().startswith(("utf-16", "utf-32"))


def _fitting(data: bytes, codec: str) -> str | None:
    """The bytes decoded with a declared codec, or None when too many bytes do not fit it."""
    try:
        text = data.decode(codec, errors="replace")
    except LookupError:
        return None
    errors = text.count("\ufffd") - (data.count(b"\xef\xbf\xbd") if codec == "utf-8" else 0)
    if errors <= 0:
        return text
    non_ascii = len(data.translate(None, _NON_ASCII))
    return text if errors <= _MAX_DECLARED_ERRORS * non_ascii else None


def drop_control_characters(text: str) -> str:
    """The text without the characters XML refuses (C0 controls but tab, newline and carriage return;
    U+FFFE, U+FFFF); the same object when it has none, as almost every text."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded.translate(None, _DROPPED_BYTES)) == len(encoded) and not any(
        character in encoded for character in _NONCHARACTERS
    ):
        return text
    return _DROPPED.sub("", text)


def _bom(data: bytes) -> tuple[bytes, str] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return None


def _meta_charset(data: bytes) -> str | None:
    # bs4's sniffer reads only the head of the document: no parse of the page.
    found = EncodingDetector.find_declared_encoding(data[:_SNIFF_BYTES], is_html=True)
    return str(found) if found else None


def _reject_binary(data: bytes) -> None:
    head = data[:_DETECT_BYTES]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(_MIN_CONTROLS, _MAX_CONTROL_SHARE * len(head)):
        kind = "NUL bytes" if b"\x00" in head else "control characters"
        raise DocumentError("decode", f"binary content ({kind}), not text or HTML")


def _undeclared(data: bytes) -> str:
    utf8 = _fitting(data, "utf-8")  # UTF-8, or nearly: a stray byte in a UTF-8 text stays one U+FFFD
    if utf8 is not None:
        return utf8
    encoding = _detect(data[:_DETECT_BYTES], short=len(data) <= _SHORT_BYTES)
    if encoding is None:
        raise DocumentError("decode", "not UTF-8 and no character encoding could be detected")
    return data.decode(encoding, errors="replace")


def _detect(sample: bytes, *, short: bool) -> str | None:
    """charset-normalizer's pick, except that windows-1252 wins a tie, and wins outright on a short text
    that it decodes as Latin script.

    On short texts several single-byte encodings decode with equal (zero) chaos; windows-1252 is the
    web's most common legacy encoding and the WHATWG default for undeclared pages.
    """
    matches = list(from_bytes(sample))
    preferred = _latin_1252(sample)
    if not matches:
        return _PREFERRED if preferred is not None else None
    best = min(match.chaos for match in matches)
    tied = [match.encoding for match in matches if match.chaos <= best + _TIE]
    if _PREFERRED in tied or (preferred is not None and short):
        return _PREFERRED
    if preferred is not None and any(_decodes_as(sample, codec, preferred) for codec in tied):
        return _PREFERRED
    return tied[0]


def _latin_1252(sample: bytes) -> str | None:
    """The sample as windows-1252 when it decodes strictly and reads as Latin script, else None."""
    try:
        text = sample.decode(_PREFERRED)
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    accented = sum(1 for ch in letters if not ch.isascii())
    return text if letters and accented <= _MAX_LATIN_ACCENTED * len(letters) else None


def _decodes_as(sample: bytes, codec: str, text: str) -> bool:
    try:
        return sample.decode(codec) == text
    except (UnicodeDecodeError, LookupError):
        return False
