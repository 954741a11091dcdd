"""Atom 1.0 (RFC 4287) and the pre-standard Atom 0.3 into FeedItems.

Atom's text constructs say what they contain: ``type="text"``, ``"html"`` (escaped markup) or
``"xhtml"`` (markup as child elements inside one xhtml:div), RFC 4287 section 3.1. Atom 0.3 used
MIME types plus a ``mode`` of ``xml``, ``escaped`` or ``base64``. Both are reduced to (value,
is_html) by :func:`_construct`, and from there to plain text for titles or to HTML for content and
summaries.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from lxml import etree

from wiredesk.core.items import FeedItem, Image, ParsedFeed
from wiredesk.core.text import html_to_line
from wiredesk.ingest.formats.media import (
    MEDIA_ITEM_TAGS,
    is_image,
    media_images,
    media_thumbnails,
    unique_images,
)
from wiredesk.ingest.formats.xmlfeed import (
    ATOM03,
    ATOM10,
    DC,
    XML_BASE,
    FeedScope,
    all_texts,
    collapse,
    collect,
    declared_base,
    declared_lang,
    first,
    local_name,
    namespace_of,
    read_dates,
    resolve,
    tag_map,
    text_of,
    text_to_html,
    texts,
    unique,
    xhtml_div_content,
)

__all__ = ["parse_atom", "parse_atom_entry"]

# Atom without a namespace declaration is seen in the wild (and in feedparser's corpus).
_CORE_NAMESPACES = (ATOM10, ATOM03, None)

_ENTRY_TAGS = {
    **tag_map(
        _CORE_NAMESPACES,
        {
            "id": "id",
            "title": "title",
            "link": "link",
            "content": "content",
            "summary": "summary",
            "author": "author",
            "category": "category",
            "source": "source",
            "published": "published",
            "updated": "updated",
            # Atom 0.3 names (https://www.ietf.org/archive/id/draft-nottingham-atom-format-02.txt)
            "issued": "issued",
            "created": "created",
            "modified": "modified",
        },
    ),
    **tag_map((DC,), {"subject": "subject", "date": "dc_date", "creator": "creator"}),
    **MEDIA_ITEM_TAGS,
}
_FEED_TAGS = tag_map(
    _CORE_NAMESPACES, {"title": "title", "link": "link", "author": "author", "entry": "entry"}
)
_PERSON_TAGS = tag_map(_CORE_NAMESPACES, {"name": "name", "email": "email"})

_PUBLISHED_KEYS = ("published", "issued", "created", "dc_date")
_UPDATED_KEYS = ("updated", "modified")
_HTML_TYPES = frozenset(("html", "text/html", "xhtml", "application/xhtml+xml"))


def parse_atom(root: etree._Element, url: str = "") -> ParsedFeed:
    """Read an Atom ``<feed>`` document."""
    _adopt_unknown_namespace(root)
    legacy = _is_atom03(root)
    found = collect(root, _FEED_TAGS)
    link = _alternate_link(found, declared_base(root) or url)
    scope = FeedScope(url=url, link=link, language=declared_lang(root))
    feed_authors = _people(found)
    return ParsedFeed(
        format="atom0.3" if legacy else "atom1.0",
        title=_title(first(found, "title"), legacy),
        link=link,
        language=scope.language,
        items=[_entry(entry, scope, legacy, feed_authors) for entry in found.get("entry", ())],
    )


def parse_atom_entry(root: etree._Element, url: str = "") -> ParsedFeed:
    """Read an Atom Entry Document (RFC 4287 section 2): a lone ``<entry>`` is a one-item feed."""
    legacy = _is_atom03(root)
    scope = FeedScope(url=url, link="", language=declared_lang(root))
    return ParsedFeed(
        format="atom0.3" if legacy else "atom1.0",
        language=scope.language,
        items=[_entry(root, scope, legacy, feed_authors="")],
    )


def _adopt_unknown_namespace(root: etree._Element) -> None:
    """Read a ``<feed>`` in a namespace of its own (pre-standard drafts did this) as Atom.

    Its elements are renamed into the Atom namespace its version suggests: one pass over a rare tree
    instead of tag maps for every namespace someone might invent.
    """
    namespace = namespace_of(root)
    if namespace in _CORE_NAMESPACES or not namespace:
        return
    target = ATOM03 if root.get("version", "").strip() == "0.3" else ATOM10
    for element in root.iter(f"{{{namespace}}}*"):
        element.tag = f"{{{target}}}{local_name(element)}"


def _is_atom03(root: etree._Element) -> bool:
    namespace = namespace_of(root)
    return namespace == ATOM03 or (not namespace and root.get("version", "").strip() == "0.3")


def _entry(entry: etree._Element, scope: FeedScope, legacy: bool, feed_authors: str) -> FeedItem:
    found = collect(entry, _ENTRY_TAGS)
    base = scope.base_for(entry)
    dates = read_dates(texts(found, _PUBLISHED_KEYS), texts(found, _UPDATED_KEYS))
    content = first(found, "content")
    summary = first(found, "summary")
    body = content if content is not None else summary
    return FeedItem(
        guid=collapse(text_of(first(found, "id"))),
        link=_alternate_link(found, base) or _content_src(content, base),
        title=_title(first(found, "title"), legacy),
        content_html=_html(content, legacy),
        summary_html=_html(summary, legacy),
        author=_people(found) or _source_authors(found) or feed_authors,
        published=dates.published,
        updated=dates.updated,
        unparsed_dates=dates.unparsed,
        categories=unique([*_category_names(found), *all_texts(found, "subject")]),
        images=_images(found, base),
        # Where the body's relative URLs resolve: an xml:base on <content> itself counts.
        base_url=scope.base_for(body) if body is not None else base,
        language=declared_lang(entry) or scope.language,
    )


# -- text constructs ------------------------------------------------------------------------------


def _title(element: etree._Element | None, legacy: bool) -> str:
    if element is None:
        return ""
    value, is_html = _construct(element, legacy)
    return html_to_line(value) if is_html else collapse(value)


def _html(element: etree._Element | None, legacy: bool) -> str:
    if element is None or element.get("src"):
        return ""  # out-of-line content (RFC 4287 section 4.1.3.2) is not fetched here
    value, is_html = _construct(element, legacy)
    return value.strip() if is_html else text_to_html(value)


def _construct(element: etree._Element, legacy: bool) -> tuple[str, bool]:
    """Return the construct's value and whether that value is HTML."""
    declared = element.get("type", "").strip().lower()
    if legacy:
        return _construct_03(element, declared or "text/plain")
    kind = declared or "text"
    if kind in ("xhtml", "application/xhtml+xml"):
        return xhtml_div_content(element), True
    if kind in ("html", "text/html"):
        # itertext, not just .text: TypePad wraps escaped HTML in an (X)HTML div element.
        return text_of(element), True
    if kind == "text" or kind.startswith("text/") or kind.endswith(("+xml", "/xml")):
        return text_of(element), False
    # Any other media type is base64-encoded (RFC 4287 section 4.1.3.3, rule 5). We keep it as text.
    return _base64_text(element), False


def _construct_03(element: etree._Element, mime_type: str) -> tuple[str, bool]:
    mode = element.get("mode", "xml").strip().lower()
    is_html = mime_type in _HTML_TYPES
    if mode == "base64":
        return _base64_text(element), is_html
    if mode == "xml" and len(element):
        return xhtml_div_content(element), True
    return text_of(element), is_html


def _base64_text(element: etree._Element) -> str:
    try:
        return base64.b64decode("".join(text_of(element).split())).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


# -- links, people, categories, pictures ----------------------------------------------------------


def _links(found: dict[str, list[etree._Element]], base: str) -> Iterator[tuple[str, str, str]]:
    """(rel, type, absolute href) of every link; a link's own xml:base takes precedence."""
    for link in found.get("link", ()):
        href = link.get("href", "").strip()
        if href:
            link_base = (link.base or base) if XML_BASE in link.attrib else base
            rel = link.get("rel", "alternate").strip().lower()
            yield rel, link.get("type", "").strip().lower(), resolve(href, link_base)


def _alternate_link(found: dict[str, list[etree._Element]], base: str = "") -> str:
    """The alternate link, preferring an HTML one (RFC 4287 section 4.2.7.2: no rel = alternate)."""
    alternates = [(kind, href) for rel, kind, href in _links(found, base) if rel == "alternate"]
    for kind, href in alternates:
        if kind in ("", "text/html", "application/xhtml+xml"):
            return href
    return alternates[0][1] if alternates else ""


def _content_src(content: etree._Element | None, base: str) -> str:
    return resolve(content.get("src", ""), base) if content is not None else ""


def _people(found: dict[str, list[etree._Element]]) -> str:
    """Names of the Atom persons (name, else email) and Dublin Core creators, comma-separated."""
    names = [_person_name(person) for person in found.get("author", ())]
    names.extend(all_texts(found, "creator"))
    return ", ".join(unique(names))


def _person_name(person: etree._Element) -> str:
    details = collect(person, _PERSON_TAGS)
    for key in ("name", "email"):
        if value := collapse(text_of(first(details, key))):
            return value
    return collapse(text_of(person))  # a bare <author>Name</author>, seen in the wild


def _source_authors(found: dict[str, list[etree._Element]]) -> str:
    """Authors of the feed an entry was copied from (RFC 4287 section 4.2.11)."""
    source = first(found, "source")
    return _people(collect(source, _FEED_TAGS)) if source is not None else ""


def _category_names(found: dict[str, list[etree._Element]]) -> Iterator[str]:
    for category in found.get("category", ()):
        name = collapse(category.get("label") or category.get("term") or text_of(category))
        if name:
            yield name


def _images(found: dict[str, list[etree._Element]], base: str) -> tuple[Image, ...]:
    enclosures = [
        Image(url=href, mime_type=kind)
        for rel, kind, href in _links(found, base)
        if rel == "enclosure" and is_image(href, kind)
    ]
    full_size = [*media_images(found, base), *enclosures]
    return unique_images(full_size) or unique_images(media_thumbnails(found, base))
