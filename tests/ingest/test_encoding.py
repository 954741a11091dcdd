"""Which encoding a payload is in: BOM, valid UTF-8, HTTP charset, XML declaration, fallback."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from wiredesk.ingest.encoding import decode_payload

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
DOC = '<?xml version="1.0"?><t>Café “quoted” €</t>'


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_wins_over_any_declaration(bom: bytes, codec: str) -> None:
    body = bom + DOC.encode(codec)
    assert decode_payload(body, "text/xml; charset=iso-8859-1") == (DOC, codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom_are_recognised_by_their_nul_bytes(codec: str) -> None:
    assert decode_payload(DOC.encode(codec)) == (DOC, codec)


def test_invalid_bytes_after_a_bom_are_replaced_not_fatal() -> None:
    text, codec = decode_payload(codecs.BOM_UTF8 + b"<t>ok \xff</t>")
    assert (text, codec) == ("<t>ok \ufffd</t>", "utf-8")


def test_valid_utf8_is_utf8_whatever_the_labels_say() -> None:
    body = DOC.replace("?>", ' encoding="iso-8859-1"?>').encode("utf-8")
    assert decode_payload(body, "application/rss+xml; charset=windows-1252") == (
        body.decode("utf-8"),
        "utf-8",
    )


def test_http_charset_comes_before_the_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="iso-8859-5"?><t>привет</t>'.encode("koi8-r")
    text, codec = decode_payload(body, 'text/xml; charset="KOI8-R"')
    assert (text, codec) == ('<?xml version="1.0" encoding="iso-8859-5"?><t>привет</t>', "koi8-r")


def test_the_xml_declaration_is_used_without_an_http_charset() -> None:
    body = '<?xml version="1.0" encoding="koi8-r"?><t>привет</t>'.encode("koi8-r")
    assert decode_payload(body) == (
        '<?xml version="1.0" encoding="koi8-r"?><t>привет</t>',
        "koi8-r",
    )


def test_a_bogus_http_charset_falls_through_to_the_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="koi8-r"?><t>привет</t>'.encode("koi8-r")
    text, codec = decode_payload(body, "text/xml; charset=no-such-charset")
    assert codec == "koi8-r"
    assert "привет" in text


def test_latin1_and_ascii_labels_mean_windows_1252() -> None:
    # WHATWG Encoding Standard: "iso-8859-1" and "us-ascii" are labels of windows-1252, whose
    # 0x93/0x94 are the curly quotes latin-1 would turn into C1 control characters.
    body = b"<t>\x93quoted\x94 caf\xe9</t>"
    assert decode_payload(body, "text/xml; charset=ISO-8859-1") == (
        "<t>“quoted” café</t>",
        "cp1252",
    )
    assert decode_payload(body, "text/xml; charset=us-ascii") == ("<t>“quoted” café</t>", "cp1252")


def test_gb2312_label_reads_gbk_characters() -> None:
    body = "<t>中文 镕</t>".encode("gbk")  # 镕 is in GBK but not in GB2312
    assert decode_payload(body, "text/xml; charset=gb2312") == ("<t>中文 镕</t>", "gb18030")


def test_a_declared_multibyte_charset_keeps_its_text_despite_one_bad_byte() -> None:
    body = "<t>日本語".encode("shift_jis") + b"\x85\x40</t>"  # 0x85 0x40 is unassigned in cp932
    text, codec = decode_payload(body, "text/xml; charset=shift_jis")
    assert (text, codec) == ("<t>日本語\ufffd@</t>", "cp932")


def test_json_without_a_bom_is_utf8_with_replacement() -> None:
    body = b'{"title": "caf\xe9"}'
    assert decode_payload(body, "application/feed+json") == ('{"title": "caf\ufffd"}', "utf-8")


def test_the_final_fallback_is_windows_1252_and_never_fails() -> None:
    body = bytes(range(0x20, 0x100))
    text, codec = decode_payload(body)
    assert codec == "cp1252"
    assert len(text) == len(body)
    assert text[0x80 - 0x20] == "€"
    assert text[0x81 - 0x20] == "\x81"  # unassigned in windows-1252: kept as the C1 control


def test_iso_8859_1_fixture() -> None:
    text, codec = decode_payload((FEEDS / "iso-8859-1.xml").read_bytes())
    assert codec == "cp1252"
    assert "<title>Café à Paris : 20 °C en février</title>" in text


def test_mislabelled_windows_1252_fixture() -> None:
    # Declared UTF-8, not valid UTF-8, no HTTP charset: windows-1252 is the fallback that fits.
    text, codec = decode_payload((FEEDS / "windows-1252-mislabelled.xml").read_bytes())
    assert codec == "cp1252"
    assert "<title>Bread costs €2 – again</title>" in text
    assert "It’s the flour." in text


def test_a_utf16_label_on_ascii_compatible_bytes_is_disproved() -> None:
    body = b'<?xml version="1.0" encoding="utf-16"?><t>caf\xe9</t>'
    assert decode_payload(body, "text/xml; charset=utf-16") == (
        '<?xml version="1.0" encoding="utf-16"?><t>café</t>',
        "cp1252",
    )
