"""Decoding order: byte-order mark, declared charset (HTTP, then meta), UTF-8, detection."""

from __future__ import annotations

import codecs

import pytest

from pipeline.decode import decode_html, decode_text, drop_control_characters
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


# Pages written for each case below: what a crawler's re-encoded save, a wrong server default or a
# template's leftover declaration looks like.
CHINESE = (
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"
    "<title>新闻</title></head><body><p>国务院新闻办公室今天举行发布会，介绍今年前三季度经济运行情况。</p>"
    "</body></html>"
)
CYRILLIC = (
    "<html><head><meta charset='utf-8'><title>Новости</title></head><body>"
    "<p>Москва — столица России, крупнейший по численности населения город страны.</p>"
    "<p>Городская дума утвердила бюджет на следующий год во вторник вечером.</p></body></html>"
)


def test_utf8_bytes_win_over_a_legacy_meta_charset() -> None:
    assert "国务院新闻办公室今天举行发布会" in decode_html(CHINESE.encode("utf-8"))


def test_utf8_bytes_win_over_a_legacy_http_charset() -> None:
    assert "国务院新闻办公室" in decode_html(CHINESE.encode("utf-8"), "text/html; charset=iso-8859-1")


def test_a_declared_charset_that_does_not_fit_the_bytes_falls_back_to_detection() -> None:
    text = decode_html(CYRILLIC.encode("cp1251"))
    assert "Москва — столица России" in text and "\ufffd" not in text


def test_a_few_stray_bytes_keep_the_declared_charset() -> None:
    page = CYRILLIC.encode("utf-8").replace("вторник".encode(), b"\xff")  # one bad byte
    text = decode_html(page)
    assert "Москва — столица России" in text and text.count("\ufffd") == 1


def test_a_declared_utf16_on_bytes_without_bom_or_nuls_is_ignored() -> None:
    page = b"<html><head><meta charset='utf-16'></head><body><p>Plain ASCII news text.</p></body></html>"
    assert "Plain ASCII news text." in decode_html(page)


def test_control_character_references_are_dropped() -> None:
    page = b"<html><body><p>Before&#1; after &#x1F;and&#0; &#10;kept &#9;kept</p></body></html>"
    assert "<p>Before after and &#10;kept &#9;kept</p>" in decode_html(page)


@pytest.mark.parametrize("stray", [b"\x00", b"\x01", b"\x1b", b"\x7f\x00"])
def test_a_stray_control_byte_is_dropped_not_fatal(stray: bytes) -> None:
    page = b"<html><body><p>The council met on Monday" + stray + b" and voted.</p></body></html>"
    assert "The council met on Monday and voted." in decode_html(page).replace("\x7f", "")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Zürich\x01 – Grüezi", "Zürich – Grüezi"),
        ("Москва\x0b и Киев", "Москва и Киев"),
        ("東京\ufffeと大阪\uffff", "東京と大阪"),
        ("form\x0cfeed and \x1fescape", "formfeed and escape"),
        ("tab\tnew\nline\rreturn, all kept: \ufffd stays", "tab\tnew\nline\rreturn, all kept: \ufffd stays"),
    ],
    ids=["latin", "cyrillic", "noncharacters", "form-feed", "nothing-to-drop"],
)
def test_control_characters_are_dropped_in_any_script(text: str, kept: str) -> None:
    assert drop_control_characters(text) == kept


def test_a_stray_nul_in_a_text_dump_is_dropped() -> None:
    assert decode_text(b"First line.\nSecond\x00 line.\n") == "First line.\nSecond line.\n"


@pytest.mark.parametrize(
    "text",
    [
        "Le café du port a rouvert jeudi.",
        "Zürich – “Grüezi” sagte er.",
        "Straße über Öl",
        "naïve café résumé",
        "São Paulo é a maior cidade do Brasil.",
    ],
)
def test_a_short_windows_1252_dump_is_windows_1252(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [("Привет, как дела у вас сегодня?", "cp1251"), ("Dzień dobry, jak się masz?", "utf-8")],
)
def test_a_short_dump_in_another_script_or_in_utf8_is_not_windows_1252(text: str, codec: str) -> None:
    assert decode_text(text.encode(codec)) == text
