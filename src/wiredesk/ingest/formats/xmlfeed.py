"""What the XML feed formats share: namespaces, reading text and HTML out of elements, dates, scope.

RSS, RDF and Atom modules map elements to :class:`~wiredesk.core.items.FeedItem` fields; the helpers
here do the element-level work the same way for all of them. They are written for speed: direct
child iteration over tag strings precomputed in Clark notation (``{namespace}local``), no XPath.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree

from wiredesk.core.dates import parse_date

# -- namespaces -----------------------------------------------------------------------------------

ATOM10 = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
# Namespaces some RSS 2.0 generators put the core elements in (Userland, Harvard).
RSS20_NAMESPACES = ("http://backend.userland.com/rss2", "http://blogs.law.harvard.edu/tech/rss")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XHTML = "http://www.w3.org/1999/xhtml"
XML = "http://www.w3.org/XML/1998/namespace"
FEEDBURNER = "http://rssnamespace.org/feedburner/ext/1.0"
# Apple documents the lower-case spelling; most podcast feeds use the capitalised one.
ITUNES_NAMESPACES = (
    "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "http://www.itunes.com/DTDs/Podcast-1.0.dtd",
)

XML_BASE = f"{{{XML}}}base"
XML_LANG = f"{{{XML}}}lang"
_XHTML_PREFIX = f"{{{XHTML}}}"
_XHTML_DIV = f"{{{XHTML}}}div"


def clark(namespace: str | None, local: str) -> str:
    """Return the tag lxml uses for ``local`` in ``namespace`` (no namespace: the bare name)."""
    return f"{{{namespace}}}{local}" if namespace else local


def tag_map(namespaces: Iterable[str | None], fields: dict[str, str]) -> dict[str, str]:
    """Map every ``{ns}local`` spelling of ``fields``' element names to the field they fill."""
    return {clark(ns, local): key for ns in namespaces for local, key in fields.items()}


def collect(element: etree._Element, tags: dict[str, str]) -> dict[str, list[etree._Element]]:
    """Group ``element``'s children by the field their tag maps to, in document order.

    One pass over the children: unknown tags, comments and entity nodes miss the dict lookup.
    """
    found: dict[str, list[etree._Element]] = {}
    for child in element:
        key = tags.get(child.tag)
        if key is not None:
            found.setdefault(key, []).append(child)
    return found


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace_of(element: etree._Element) -> str:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1 : tag.index("}")]
    return ""


# -- text -----------------------------------------------------------------------------------------

_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")


def collapse(text: str) -> str:
    """Collapse runs of ASCII whitespace to one space and trim: titles and names are one line.

    Unicode spaces (no-break, thin, em...) are typography the author chose, so they are kept.
    """
    return _SPACE_RE.sub(" ", text).strip()


def language_tag(value: str) -> str:
    """A language code as a BCP 47 tag: trimmed, "en_US" written "en-US"."""
    return value.strip().replace("_", "-")


def text_of(element: etree._Element | None) -> str:
    """All character data inside ``element`` (CDATA included, markup children flattened)."""
    if element is None:
        return ""
    if len(element) == 0:
        return element.text or ""
    return "".join(element.itertext())  # type: ignore[arg-type]


def text_to_html(text: str) -> str:
    """Escaped HTML paragraphs for plain text; a blank line parts paragraphs, a newline is <br>."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK_RE.split(text) if part.strip()]
    return "".join(
        "<p>" + html.escape(part, quote=False).replace("\n", "<br>") + "</p>" for part in paragraphs
    )


def inner_html(element: etree._Element) -> str:
    """The HTML inside ``element``: its text and its children serialised, without XHTML namespaces.

    Used for markup embedded as elements (Atom ``type="xhtml"``, ``xhtml:body``, "naked" markup in
    RSS descriptions, which inherits the container's namespace). A detached copy is serialised
    because lxml writes every namespace declaration in scope onto a serialised subtree.
    """
    if len(element) == 0:
        return html.escape(element.text or "", quote=False)
    container = copy.deepcopy(element)
    container.tail = None
    strip = (_XHTML_PREFIX, f"{{{namespace_of(element)}}}")
    for node in container.iter():
        tag = node.tag
        if isinstance(tag, str) and tag.startswith(strip):
            node.tag = tag[tag.index("}") + 1 :]
    container.tag = "div"  # a neutral name: "title" or "body" would be special to the serialiser
    etree.cleanup_namespaces(container)
    markup = etree.tostring(container, encoding="unicode", method="html")
    # Drop the container's own tags; lxml escapes ">" in attribute values, so the first ">" ends it.
    return markup[markup.index(">") + 1 : markup.rindex("</")].strip()


def markup_of(element: etree._Element | None) -> str:
    """The HTML an element carries: escaped or CDATA text as is, "naked" child markup serialised."""
    if element is None:
        return ""
    if len(element) == 0:
        return (element.text or "").strip()
    return inner_html(element)


_EMAIL_NAME_RE = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]*)\)$")
_NAME_EMAIL_RE = re.compile(r"^(?P<name>[^<]+?)\s*<\S+@\S+>$")


def author_name(value: str) -> str:
    """A person's name from RSS's ``email (Name)`` or the mail-style ``Name <email>``.

    A bare address or a bare name is returned as it is: the normaliser decides what to show.
    """
    value = collapse(value)
    match = _EMAIL_NAME_RE.match(value) or _NAME_EMAIL_RE.match(value)
    if match:
        return match.group("name").strip().strip('"') or value
    return value


def xhtml_div_content(element: etree._Element) -> str:
    """Inner HTML of an XHTML construct; RFC 4287 section 3.1.1.3 wraps it in one xhtml:div."""
    if len(element) == 1:
        div = element[0]
        wrapped = div.tag == _XHTML_DIV and not (element.text or "").strip()
        if wrapped and not (div.tail or "").strip():
            return inner_html(div)
    return inner_html(element)


def first(found: dict[str, list[etree._Element]], key: str) -> etree._Element | None:
    elements = found.get(key)
    return elements[0] if elements else None


def first_text(found: dict[str, list[etree._Element]], key: str) -> str:
    """Stripped text of the first non-empty element collected under ``key``."""
    for element in found.get(key, ()):
        value = text_of(element).strip()
        if value:
            return value
    return ""


def all_texts(found: dict[str, list[etree._Element]], key: str) -> Iterator[str]:
    for element in found.get(key, ()):
        value = collapse(text_of(element))
        if value:
            yield value


def texts(found: dict[str, list[etree._Element]], keys: Iterable[str]) -> Iterator[str]:
    """The texts of every element collected under ``keys``, key by key."""
    for key in keys:
        for element in found.get(key, ()):
            yield text_of(element)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Distinct non-empty values in first-seen order."""
    return tuple(dict.fromkeys(value for value in values if value))


# -- URLs and scope -------------------------------------------------------------------------------


def resolve(url: str, base: str) -> str:
    """``url`` made absolute against ``base`` (left alone when already absolute or no base)."""
    url = url.strip()
    if not base or not url or url.startswith(("http://", "https://")):
        return url
    try:
        return urljoin(base, url)
    except ValueError:  # e.g. an invalid IPv6 literal in a hostile URL
        return url


def declared_base(element: etree._Element) -> str:
    """The xml:base in scope at ``element``, resolved through its ancestors, or "" if none is."""
    node: etree._Element | None = element
    while node is not None:
        if XML_BASE in node.attrib:
            return element.base or ""
        node = node.getparent()
    return ""


def declared_lang(element: etree._Element) -> str:
    """The xml:lang in scope at ``element`` (XML 1.0 section 2.12), or ""."""
    node: etree._Element | None = element
    while node is not None:
        lang = node.get(XML_LANG)
        if lang is not None:
            return language_tag(lang)
        node = node.getparent()
    return ""


@dataclass(frozen=True, slots=True)
class FeedScope:
    """Feed-level facts every item inherits: where relative URLs resolve, the default language."""

    url: str  # the URL the payload was fetched from
    link: str  # the feed's own link, absolute
    language: str

    def base_for(self, element: etree._Element) -> str:
        """The xml:base in scope at ``element``, else the feed's link, else the fetch URL."""
        return declared_base(element) or self.link or self.url


# -- dates ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dates:
    """An item's dates, plus every date string that could not be read (to be flagged, not lost)."""

    published: datetime | None = None
    updated: datetime | None = None
    unparsed: tuple[str, ...] = ()


def read_dates(published: Iterable[str], updated: Iterable[str]) -> Dates:
    """Take the first readable candidate for each date; unreadable candidates are kept as strings.

    Candidates come in order of preference (e.g. ``pubDate`` before ``dc:date``), so an unreadable
    ``pubDate`` does not hide a readable ``dc:date``, but it is still reported.
    """
    unparsed: list[str] = []
    return Dates(
        _first_readable(published, unparsed),
        _first_readable(updated, unparsed),
        unique(unparsed),
    )


def _first_readable(candidates: Iterable[str], unparsed: list[str]) -> datetime | None:
    for raw in candidates:
        value = raw.strip()
        if not value:
            continue
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
        unparsed.append(value)
    return None
