"""Decoding order: byte-order mark, declared charset (HTTP, then meta), UTF-8, detection."""

from __future__ import annotations

import codecs

import pytest

from pipeline.decode import decode_html, decode_text
from pipeline.document import DocumentError

PAGE = "<html><head>{meta}</head><body><p>Café – “quoted” naïve</p></body></html>"


def test_utf8_bom_wins_over_a_wrong_meta_charset() -> None:
    data = codecs.BOM_UTF8 + PAGE.format(meta="<meta charset='iso-8859-1'>").encode("utf-8")
    assert "Café – “quoted” naïve" in decode_html(data)


def test_utf16_with_bom() -> None:
    data = codecs.BOM_UTF16_LE + PAGE.format(meta="").encode("utf-16-le")
    assert "Café" in decode_html(data)


def test_meta_charset_latin1_decodes_as_windows_1252() -> None:
    data = PAGE.format(meta="<meta charset='iso-8859-1'>").encode("cp1252")
    assert "Café – “quoted” naïve" in decode_html(data)


def test_http_equiv_charset() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    data = PAGE.format(meta=meta).replace("Café – “quoted” naïve", "Привет мир").encode("cp1251")
    assert "Привет мир" in decode_html(data)


def test_http_header_charset_comes_before_meta() -> None:
    data = PAGE.format(meta="<meta charset='utf-8'>").encode("cp1252")
    assert "Café" in decode_html(data, "text/html; charset=windows-1252")


def test_undeclared_utf8() -> None:
    assert "Café – “quoted” naïve" in decode_html(PAGE.format(meta="").encode("utf-8"))


def test_undeclared_legacy_encoding_is_detected() -> None:
    text = "Le café du port a rouvert jeudi après trois mois de travaux, a annoncé la mairie."
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary" * 100, b"GIF89a" + bytes(range(32)) * 50])
def test_binary_data_is_a_decode_error(data: bytes) -> None:
    with pytest.raises(DocumentError) as raised:
        decode_html(data)
    assert raised.value.stage == "decode"
