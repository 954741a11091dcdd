"""Turning a fetched body into text: which character encoding a feed is really in.

Feeds lie about their encoding more often than any other property. The order of evidence in
:func:`decode_payload` follows from what goes wrong in practice:

1. A byte-order mark cannot be produced by accident, so it wins (XML 1.0 Appendix F, and the WHATWG
   Encoding Standard's "BOM sniffing" does the same). UTF-16/32 without a BOM are recognised by the
   NUL pattern Appendix F describes for a document starting with ``<``: UTF-8 text never has NULs.
2. Bytes that decode as UTF-8 *are* UTF-8: random legacy-encoded text above ASCII is almost never
   valid UTF-8, while "charset=iso-8859-1" on UTF-8 content is a common server default.
3. The HTTP ``charset`` parameter, then 4. the XML declaration's ``encoding``. Both are read through
   the WHATWG label table's supersets (``iso-8859-1`` and ``us-ascii`` mean windows-1252, ``gb2312``
   means GB18030, ``shift_jis`` means cp932...), because servers name the narrow charset while the
   text uses the vendor superset. A name Python does not know falls through to the next rule. A
   declared multi-byte charset that fails on a few bytes is still used, with U+FFFD for the bad
   bytes: one broken character should not turn a whole Chinese feed into mojibake.
5. JSON without a BOM is UTF-8 by definition (RFC 8259 section 8.1), so it is decoded as UTF-8 with
   replacement characters rather than guessed.
6. Finally windows-1252, with its five unassigned bytes mapped to the C1 controls as browsers do, so
   decoding can never fail: it is a superset of latin-1 and what most mislabelled feeds really are.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_payload"]

_BOMS = (
    # UTF-32 first: the UTF-32LE BOM begins with the UTF-16LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# XML 1.0 Appendix F: which of the first four bytes are NUL when the document starts with "<".
_NUL_PATTERNS: dict[tuple[bool, ...], str] = {
    (True, True, True, False): "utf-32-be",
    (False, True, True, True): "utf-32-le",
    (True, False, True, False): "utf-16-be",
    (False, True, False, True): "utf-16-le",
}

_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([^"';,\s]+)""", re.IGNORECASE)
_XML_DECL_ENCODING_RE = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE
)

# WHATWG Encoding Standard labels whose real-world content is a superset encoding.
_SUPERSETS = {
    "latin-1": "cp1252",  # codecs' canonical name of iso-8859-1
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}

# Labels the byte evidence has already ruled out when rule 3 or 4 is reached: the text is not valid
# UTF-8 (rule 2), and real UTF-16/32 always shows a BOM or NUL bytes (rule 1). A document that
# merely claims UTF-16 would "decode" into nonsense, since almost any byte pair is a UTF-16 unit.
_RULED_OUT = frozenset(
    ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")
)


def decode_payload(body: bytes, http_content_type: str = "") -> tuple[str, str]:
    """Decode ``body`` and return ``(text, encoding_used)``; this never raises on bad bytes.

    ``encoding_used`` is the Python codec name actually applied (e.g. ``"utf-8"``, ``"cp1252"``),
    which may differ from the label the feed declared. A leading BOM is not part of ``text``.
    """
    sniffed = _sniff_unicode(body)
    if sniffed is not None:
        codec, skip = sniffed
        return body[skip:].decode(codec, errors="replace"), codec
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for label in (_http_charset(http_content_type), _xml_declared_encoding(body)):
        decoded = _decode_declared(body, label)
        if decoded is not None:
            return decoded
    if _looks_like_json(body, http_content_type):
        return body.decode("utf-8", errors="replace"), "utf-8"
    return body.decode("latin-1").translate(_CP1252_TABLE), "cp1252"


def _sniff_unicode(body: bytes) -> tuple[str, int] | None:
    """Return (codec, BOM length) from a BOM or from XML 1.0 Appendix F's NUL patterns."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    head = body[:4]
    if len(head) < 4 or 0 not in head:
        return None
    nul_codec = _NUL_PATTERNS.get(tuple(byte == 0 for byte in head))
    return (nul_codec, 0) if nul_codec else None


def _http_charset(content_type: str) -> str:
    match = _CHARSET_RE.search(content_type)
    return match.group(1) if match else ""


def _xml_declared_encoding(body: bytes) -> str:
    # The declaration is ASCII-compatible here (UTF-16/32 were handled by rule 1).
    match = _XML_DECL_ENCODING_RE.search(body, 0, 1024)
    return match.group(1).decode("ascii") if match else ""


def _decode_declared(body: bytes, label: str) -> tuple[str, str] | None:
    codec = _codec_for(label)
    if codec is None or codec in _RULED_OUT:
        return None  # unknown, bogus or disproved labels fall through to the next rule
    try:
        return body.decode(codec), codec
    except UnicodeDecodeError:
        if _is_single_byte(codec):
            return None  # a single-byte charset that cannot decode the text is simply wrong
        return body.decode(codec, errors="replace"), codec


def _codec_for(label: str) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(name, name)


def _is_single_byte(codec: str) -> bool:
    try:
        return len(bytes(range(256)).decode(codec, errors="replace")) == 256
    except (UnicodeError, LookupError):  # e.g. UTF-16, which pairs bytes
        return False


def _looks_like_json(body: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or body.lstrip()[:1] in (b"{", b"[")


def _cp1252_table() -> dict[int, str]:
    """Map latin-1 code points to windows-1252 characters; unassigned bytes stay C1 controls."""
    table: dict[int, str] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes((byte,)).decode("cp1252")
        except UnicodeDecodeError:
            continue  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: the WHATWG decoder keeps them as U+0081...
    return table


_CP1252_TABLE = _cp1252_table()
