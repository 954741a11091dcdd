"""Feed formats: from a fetched body to a :class:`~wiredesk.core.items.ParsedFeed`.

:func:`parse_feed` decodes the body, tells JSON from XML, and hands XML to the reader registered for
its root element in :data:`XML_FORMATS`. Adding an XML format is one module and one entry there.
JSON is a JSON Feed when its ``version`` says so, ninjs when it looks like ninjs (see
:func:`.ninjs.looks_like_ninjs`), and otherwise not a feed.
Well-formed XML takes the fast path (one strict, hardened lxml parse); only a document the strict
parser rejects goes to :mod:`.lenient`, and the result then carries warnings saying so.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from lxml import etree

from wiredesk.core.errors import NotAFeed, ParseError, UnsafeXML
from wiredesk.core.items import ParsedFeed
from wiredesk.ingest.encoding import decode_payload
from wiredesk.ingest.formats.atom import parse_atom, parse_atom_entry
from wiredesk.ingest.formats.cdf import parse_cdf
from wiredesk.ingest.formats.jsonfeed import parse_jsonfeed
from wiredesk.ingest.formats.lenient import parse_isolating, parse_lenient
from wiredesk.ingest.formats.newsmlg2 import ROOT_ELEMENTS as NEWSML_G2_ROOTS
from wiredesk.ingest.formats.newsmlg2 import parse_newsmlg2
from wiredesk.ingest.formats.ninjs import looks_like_ninjs, parse_ninjs
from wiredesk.ingest.formats.nitf import parse_nitf
from wiredesk.ingest.formats.rss import parse_rdf, parse_rss
from wiredesk.ingest.formats.xmlfeed import local_name
from wiredesk.ingest.xmlsafe import MalformedXML, Prolog, parse_xml, scan_prolog

__all__ = ["XML_FORMATS", "XmlFeedReader", "parse_feed", "read_root"]

XmlFeedReader = Callable[[etree._Element, str], ParsedFeed]

# Root element local name, lower-cased -> reader. RDF covers RSS 0.90 and 1.0; CHANNEL is CDF.
# The wire formats: NITF, and NewsML-G2's item kinds (only news items and messages carry copy).
XML_FORMATS: dict[str, XmlFeedReader] = {
    "rss": parse_rss,
    "rdf": parse_rdf,
    "feed": parse_atom,
    "entry": parse_atom_entry,
    "channel": parse_cdf,
    "nitf": parse_nitf,
    **{root.lower(): parse_newsmlg2 for root in NEWSML_G2_ROOTS},
}

# Roots that mean an HTML page (or a fragment of one, as some error pages are).
_HTML_ROOTS = frozenset(("html", "head", "body"))

# A feed's root tag somewhere in the text, when junk precedes it (a PHP warning, a stray BOM...).
_FEED_ROOT_RE = re.compile(r"<(?:rss|feed|rdf:RDF|RDF)[\s>]")
_HTML_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)

# C1 control characters, raw or as character references (&#146;, &#x92;). In feeds they are always
# windows-1252 punctuation that went through a latin-1 step (curly quotes, dashes, the euro sign);
# HTML's numeric character reference rules map them to windows-1252 the same way.
_C1_REFERENCE = r"&#(?:12[89]|1[34][0-9]|15[0-9]|[xX]0*[89][0-9a-fA-F]);"
_C1_RE = re.compile(rf"[\x80-\x9f]|{_C1_REFERENCE}")
# Searching the bytes is ten times faster than searching the decoded text, so the bytes decide
# whether the text needs the (rare) repair at all. In UTF-8, C1 characters are 0xC2 0x80-0x9F.
_C1_REFERENCE_BYTES_RE = re.compile(_C1_REFERENCE.encode("ascii"))
_C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")


def parse_feed(body: bytes, content_type: str = "", url: str = "") -> ParsedFeed:
    """Parse a fetched feed body.

    ``content_type`` is the HTTP Content-Type (its charset is one piece of encoding evidence) and
    ``url`` the fetch URL, against which relative links resolve. Raises :class:`NotAFeed` for HTML
    pages and other non-feeds, :class:`~wiredesk.core.errors.UnsafeXML` for XML bombs and XXE, and
    :class:`ParseError` for payloads that cannot be read at all.
    """
    if not body.strip():
        raise ParseError("the response is empty")
    text, encoding = decode_payload(body, content_type)
    if text.lstrip()[:1] in ("{", "["):
        return _parse_json(text, url)
    return _parse_xml(_repair_c1_controls(text, body, encoding), url)


def read_root(root: etree._Element, url: str) -> ParsedFeed:
    """Dispatch a parsed XML document to the reader of its root element."""
    name = local_name(root)
    reader = XML_FORMATS.get(name.lower())
    if reader is None:
        if name.lower() in _HTML_ROOTS:
            raise NotAFeed(_html_message(etree.tostring(root, encoding="unicode")))
        raise NotAFeed(f"the response is an XML document of type <{name}>, not RSS, RDF or Atom")
    return reader(root, url)


def _parse_json(text: str, url: str) -> ParsedFeed:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"the response looks like JSON but is not valid JSON: {exc}") from exc
    if looks_like_ninjs(document):
        return parse_ninjs(document, url)
    return parse_jsonfeed(document, url)


def _parse_xml(text: str, url: str) -> ParsedFeed:
    prolog = scan_prolog(text)  # raises UnsafeXML before any parser sees the document
    _refuse_non_feeds(prolog, text)
    try:
        root = parse_xml(text, base_url=url)
    except MalformedXML as exc:
        return parse_lenient(text, url=url, reason=str(exc), read_root=read_root)
    except UnsafeXML as exc:
        # A hostile construct inside one item costs that item, not the feed (the prolog's
        # entity tricks were refused above, for the whole payload).
        isolated = parse_isolating(text, url=url, error=exc, read_root=read_root)
        if isolated is None:
            raise
        return isolated
    return read_root(root, url)


def _repair_c1_controls(text: str, body: bytes, encoding: str) -> str:
    if _C1_REFERENCE_BYTES_RE.search(body) or (encoding == "utf-8" and _C1_UTF8_RE.search(body)):
        return _C1_RE.sub(_windows_1252, text)
    return text


def _windows_1252(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) == 1:
        code = ord(found)
    elif found[2] in "xX":
        code = int(found[3:-1], 16)
    else:
        code = int(found[2:-1])
    try:
        return bytes((code,)).decode("cp1252")
    except UnicodeDecodeError:
        return found  # one of the five bytes windows-1252 leaves unassigned


def _refuse_non_feeds(prolog: Prolog, text: str) -> None:
    """Recognise HTML pages and text that has no XML element before trying to parse them."""
    root = prolog.root_name.rpartition(":")[2].lower()
    # An HTML DOCTYPE alone does not decide: some feeds carry one by mistake over an <rss> root.
    html_doctype = prolog.doctype.lower().startswith("<!doctype html")
    if root in _HTML_ROOTS or (html_doctype and root not in XML_FORMATS):
        raise NotAFeed(_html_message(text))
    if root or _FEED_ROOT_RE.search(text):
        return  # junk before a feed's root: the strict parse fails and the lenient path copes
    start = " ".join(text[:200].split())[:60]
    raise NotAFeed(f"the response has no XML element, so it is not a feed (it starts: {start!r})")


def _html_message(text: str) -> str:
    match = _HTML_TITLE_RE.search(text)
    title = " ".join(html.unescape(match.group(1)).split())[:120] if match else ""
    suffix = f' (title: "{title}")' if title else ""
    return f"the response is an HTML page, not a feed{suffix}"
