"""A hardened XML parser for hostile input: feeds are written by strangers.

The threats and what stops each one:

* **External entities (XXE)** -- ``<!ENTITY x SYSTEM "file:///etc/passwd">`` would read local files
  or reach internal hosts. Refused outright by :func:`scan_prolog`; the parser also never loads DTDs
  (``load_dtd=False``), never resolves entities (``resolve_entities=False``) and never touches the
  network (``no_network=True``).
* **Entity expansion (billion laughs)** -- entities that refer to entities expand exponentially.
  Declarations whose value refers to another entity are refused, as are parameter entities (except
  the W3C's HTML entity sets, recognised by public identifier and never fetched). An internal
  entity with a plain value (``<!ENTITY id "tag:example.com,">``) cannot explode: it is substituted
  once, after parsing, with the total expansion capped.
* **Deep nesting** -- libxml2 without ``huge_tree`` refuses documents deeper than 256 elements
  (:data:`MAX_DEPTH`); we turn that into :class:`UnsafeXML` rather than retry with a lenient parser.
* **Huge documents** -- capped upstream: the fetcher limits the body size after decompression.

A plain external DTD reference, like RSS 0.91's Netscape DOCTYPE, is harmless because it is never
loaded, and parses normally.
"""

from __future__ import annotations

import html
import html.entities
import re
from dataclasses import dataclass, field

from lxml import etree

from wiredesk.core.errors import ParseError, UnsafeXML
from wiredesk.ingest.encoding import decode_payload

__all__ = [
    "MAX_DEPTH",
    "MalformedXML",
    "Prolog",
    "make_parser",
    "parse_xml",
    "scan_prolog",
    "strip_doctype",
]

# libxml2's own depth limit without XML_PARSE_HUGE, named so that tests and messages can cite it.
MAX_DEPTH = 256
# Characters that substituting the declared internal entities may add to a document, in total.
MAX_ENTITY_EXPANSION = 1_000_000


class MalformedXML(ParseError):
    """The document is not well-formed XML; the message is libxml2's, with line and column."""


@dataclass(frozen=True, slots=True)
class Prolog:
    """What precedes the root element: the DOCTYPE, if any, and where the root starts."""

    root_name: str = ""  # as written, prefix included ("rdf:RDF"); "" if there is no element
    root_offset: int = -1
    doctype: str = ""  # the whole <!DOCTYPE ...> declaration
    # Internal general entities with plain values, safe to substitute (name -> replacement text).
    entities: dict[str, str] = field(default_factory=dict)


def make_parser(*, recover: bool = False) -> etree.XMLParser:
    """Return a new hardened parser (cheap to build: a parser per document avoids shared state)."""
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        # collect_ids stays at its default: with collect_ids=False, libxml2 2.14 tries to fetch
        # the external DTD (failing, as no_network forbids it), and RSS 0.91 would not parse.
        # Comments and processing instructions carry nothing a feed item needs.
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(source: str | bytes, *, recover: bool = False, base_url: str = "") -> etree._Element:
    """Parse ``source`` safely and return its root element.

    Raises :class:`UnsafeXML` for entity tricks and excessive depth, :class:`MalformedXML` when a
    strict parse fails, and :class:`ParseError` when even a recovering parse finds no element.
    """
    text = decode_payload(source)[0] if isinstance(source, bytes) else source
    prolog = scan_prolog(text)
    parser = make_parser(recover=recover)
    try:
        root = etree.fromstring(_without_xml_declaration(text), parser, base_url=base_url)
    except etree.XMLSyntaxError as exc:
        _refuse_if_too_deep(parser.error_log)
        raise MalformedXML(" ".join(exc.msg.split())) from exc
    if recover:
        _refuse_if_too_deep(parser.error_log)
    if root is None:
        raise ParseError("the document contains no XML element")
    if prolog.doctype:
        # Only a DOCTYPE can leave entity references in the tree: declared internal entities, or,
        # with an external DTD we do not load, undeclared ones (libxml2 then only warns).
        _substitute_entities(root, prolog.entities)
    return root


def scan_prolog(text: str) -> Prolog:
    """Read what precedes the root element; raise :class:`UnsafeXML` for dangerous entities.

    The XML declaration, comments, PIs and the DOCTYPE are accepted in any order, because ill-formed
    feeds put comments before the XML declaration.
    """
    position = 0
    doctype = ""
    entities: dict[str, str] = {}
    while True:
        match = _PROLOG_ITEM_RE.match(text, position)
        if match is None:
            break
        if match.group("doctype"):
            doctype, position, entities = _read_doctype(text, match.start("doctype"))
        else:
            position = match.end()
    root = _ROOT_RE.match(text, position)
    if root is None:
        return Prolog(doctype=doctype, entities=entities)
    return Prolog(root.group(1), root.start(), doctype, entities)


def strip_doctype(text: str) -> str:
    """Remove every DOCTYPE declaration (with its internal subset) and stray entity declarations.

    Used before handing text to a parser we do not configure ourselves (feedparser), so that it
    cannot expand entities either.
    """
    text = _DOCTYPE_WITH_SUBSET_RE.sub("", text)
    text = _DOCTYPE_RE.sub("", text)
    return _ENTITY_DECL_RE.sub("", text)


# -- prolog scanning ------------------------------------------------------------------------------

_QUOTED = r"""(?:"[^"]*"|'[^']*')"""
_PROLOG_ITEM_RE = re.compile(
    r"\s*(?:\ufeff\s*)?(?:<\?.*?\?>|<!--.*?-->|(?P<doctype><!DOCTYPE\b))", re.DOTALL | re.IGNORECASE
)
_ROOT_RE = re.compile(r"\s*<([^\s/>!?]+)")
_DOCTYPE_END_RE = re.compile(r"\s*>")
_DOCTYPE_HEAD_RE = re.compile(
    rf"<!DOCTYPE\s+[^\s\[>]+(?:\s+(?:SYSTEM\s+{_QUOTED}|PUBLIC\s+{_QUOTED}(?:\s+{_QUOTED})?))?\s*",
    re.IGNORECASE,
)
# One token of an internal subset: markup declarations (quoted strings may contain ">"), comments,
# PIs, parameter-entity references, whitespace, or the closing bracket.
_SUBSET_TOKEN_RE = re.compile(
    rf"\s+|<!--.*?-->|<\?.*?\?>|<!(?:[^\"'>]|{_QUOTED})*>|%[^;\s]*;|\]",
    re.DOTALL,
)
_ENTITY_RE = re.compile(
    rf"<!ENTITY\s+(?P<parameter>%\s+)?(?P<name>[^\s\"']+)\s+"
    rf"(?:(?P<external>SYSTEM|PUBLIC)\s*(?P<public_id>{_QUOTED})?|(?P<value>{_QUOTED}))",
)
# The W3C's HTML entity sets, by public identifier. Feeds declare them as parameter entities to use
# &eacute; and friends. They are never fetched (no DTD loading, no network): their content is the
# HTML named character references the standard library already knows (html.entities.html5).
_HTML_ENTITY_SETS = frozenset(
    (
        "-//W3C//ENTITIES Latin 1 for XHTML//EN",
        "-//W3C//ENTITIES Symbols for XHTML//EN",
        "-//W3C//ENTITIES Special for XHTML//EN",
        "-//W3C//ENTITIES Latin1//EN//HTML",
        "-//W3C//ENTITIES Symbols//EN//HTML",
        "-//W3C//ENTITIES Special//EN//HTML",
    )
)
_ENTITY_REF_RE = re.compile(r"&([^#;\s][^;\s]*);|%[^;\s]+;")
_PREDEFINED = frozenset(("amp", "lt", "gt", "quot", "apos"))
_XML_DECL_RE = re.compile(r"\s*(?:\ufeff)?<\?xml\s[^>]*\?>")

_DOCTYPE_WITH_SUBSET_RE = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL | re.IGNORECASE)
_DOCTYPE_RE = re.compile(rf"<!DOCTYPE(?:[^\"'>\[]|{_QUOTED})*>", re.IGNORECASE)
_ENTITY_DECL_RE = re.compile(rf"<!ENTITY(?:[^\"'>]|{_QUOTED})*>", re.IGNORECASE)


def _read_doctype(text: str, start: int) -> tuple[str, int, dict[str, str]]:
    """Return (declaration, end offset, safe entities); raise UnsafeXML for dangerous ones."""
    head = _DOCTYPE_HEAD_RE.match(text, start)
    if head is None:
        return _unreadable_doctype(text, start)
    position = head.end()
    entities: dict[str, str] = {}
    if text.startswith("[", position):
        position, entities = _read_internal_subset(text, position + 1)
    closing = _DOCTYPE_END_RE.match(text, position)
    if closing is None:
        return _unreadable_doctype(text, start)
    return text[start : closing.end()], closing.end(), entities


def _unreadable_doctype(text: str, start: int) -> tuple[str, int, dict[str, str]]:
    # A DOCTYPE we cannot follow is only a malformation (the strict parse will report it), unless
    # entity declarations follow that we could not vet.
    if "<!ENTITY" in text[start:]:
        raise UnsafeXML(
            "the document's DOCTYPE declares entities in a form we cannot check; refused"
        )
    end = text.find(">", start)
    return "", (end + 1 if end >= 0 else len(text)), {}


def _read_internal_subset(text: str, position: int) -> tuple[int, dict[str, str]]:
    entities: dict[str, str] = {}
    entity_sets: set[str] = set()  # parameter entities naming a W3C HTML entity set
    while True:
        token = _SUBSET_TOKEN_RE.match(text, position)
        if token is None:
            _unreadable_doctype(text, position)
            return position, entities
        position = token.end()
        value = token.group()
        if value == "]":
            return position, entities
        if value.startswith("%") and value[1:-1] not in entity_sets:
            raise UnsafeXML(
                f"the document's DOCTYPE uses a parameter entity ({value}); refused because "
                "parameter entities can pull in external or recursive definitions"
            )
        if value.startswith("<!ENTITY"):
            name, replacement = _vet_entity(value)
            if replacement is None:
                entity_sets.add(name)
            else:
                entities[name] = replacement


def _vet_entity(declaration: str) -> tuple[str, str | None]:
    """Return (name, replacement text), or (name, None) for a known HTML entity set; else refuse."""
    match = _ENTITY_RE.match(declaration)
    if match is None:
        raise UnsafeXML(
            f"the document's DOCTYPE has an unreadable entity declaration: {declaration[:80]}"
        )
    name = match.group("name")
    public_id = " ".join((match.group("public_id") or "")[1:-1].split())
    if match.group("parameter"):
        if match.group("external") == "PUBLIC" and public_id in _HTML_ENTITY_SETS:
            return name, None
        raise UnsafeXML(
            f"the document declares a parameter entity '%{name};'; refused because parameter "
            "entities can pull in external or recursive definitions"
        )
    if match.group("external"):
        raise UnsafeXML(
            f"the document declares an external entity '{name}' ({match.group('external')}); "
            "refused because external entities can read local files or internal URLs (XXE)"
        )
    value = match.group("value")[1:-1]
    for ref in _ENTITY_REF_RE.finditer(value):
        if ref.group(1) not in _PREDEFINED:
            raise UnsafeXML(
                f"the document's entity '{name}' refers to another entity ({ref.group()}); "
                "refused because nested entities can expand exponentially (billion laughs)"
            )
    return name, html.unescape(value)


def _without_xml_declaration(text: str) -> str:
    # lxml refuses str input that carries an encoding declaration; the text is already decoded.
    match = _XML_DECL_RE.match(text)
    return text[match.end() :] if match else text


# -- after parsing -------------------------------------------------------------------------------


def _refuse_if_too_deep(error_log: etree._ListErrorLog) -> None:
    for entry in error_log:
        if "Excessive depth" in entry.message:
            raise UnsafeXML(
                f"the document nests elements more than {MAX_DEPTH} levels deep; refused"
            )


def _substitute_entities(root: etree._Element, entities: dict[str, str]) -> None:
    """Replace entity references by text, since resolve_entities is off.

    Vetted internal entities give their value; names from an external DTD we did not load are read
    as HTML named references (the DTDs feeds cite -- RSS 0.91's, XHTML's -- define exactly those);
    anything else stays visible as the literal reference.
    """
    budget = MAX_ENTITY_EXPANSION
    for node in list(root.iter(etree.Entity)):
        reference = node.text or ""  # an entity node's text is its reference, "&name;"
        name = reference.strip("&;")
        if name in entities:
            replacement = entities[name]
        else:
            replacement = html.entities.html5.get(f"{name};", reference)
        budget -= len(replacement)
        if budget < 0:
            raise UnsafeXML("the document's entities expand to more than a million characters")
        _replace_with_text(node, replacement + (node.tail or ""))


def _replace_with_text(node: etree._Element, text: str) -> None:
    parent = node.getparent()
    if parent is None:
        return
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(node)
