"""Bytes to text: byte-order mark, then the declared charset, then UTF-8, then detection.

trafilatura ignores a page's declared charset, so pages are decoded here and handed over as str.
The crawl path passes the HTTP Content-Type so that `clean` and the spiders decode alike.
"""

from __future__ import annotations

import codecs

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
# Share of C0 control characters (other than tab, newline, carriage return) above which
# a decoded text is taken for binary data that happened to decode.
_MAX_CONTROL_SHARE = 0.01
_PREFERRED = "cp1252"
_TIE = 0.005


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode an HTML page; raise DocumentError('decode') for binary data."""
    bom = _bom(data)
    if bom:
        return data[len(bom[0]) :].decode(bom[1], errors="replace")
    _reject_binary(data)
    for declared in (http_content_type_encoding(content_type) if content_type else None, _meta_charset(data)):
        codec = resolve_encoding(declared) if declared else None
        if codec:
            return data.decode(codec, errors="replace")
    return _undeclared(data)


def decode_text(data: bytes) -> str:
    """Decode a plain-text dump; raise DocumentError('decode') for binary data."""
    bom = _bom(data)
    if bom:
        return data[len(bom[0]) :].decode(bom[1], errors="replace")
    _reject_binary(data)
    return _undeclared(data)


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
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        raise DocumentError("decode", "binary content (NUL bytes), not text or HTML")


def _undeclared(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = _detect(data[:_DETECT_BYTES])
    if encoding is None:
        raise DocumentError("decode", "not UTF-8 and no character encoding could be detected")
    text = data.decode(encoding, errors="replace")
    controls = sum(1 for ch in text[:_DETECT_BYTES] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > _MAX_CONTROL_SHARE * min(len(text), _DETECT_BYTES):
        raise DocumentError("decode", "binary content (control characters), not text or HTML")
    return text


def _detect(sample: bytes) -> str | None:
    """charset-normalizer's pick, except that windows-1252 wins a tie.

    On short texts several single-byte encodings decode with equal (zero) chaos; windows-1252
    is the web's most common legacy encoding and the WHATWG default for undeclared pages.
    """
    matches = list(from_bytes(sample))
    if not matches:
        return None
    best = min(match.chaos for match in matches)
    tied = [match.encoding for match in matches if match.chaos <= best + _TIE]
    return _PREFERRED if _PREFERRED in tied else tied[0]
