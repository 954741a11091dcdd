"""RSS 0.90, 0.91, 0.92, 1.0 (RDF) and 2.0 into FeedItems.

The RSS family shares element names and differs in where they live: RSS 0.9x and 2.0 put ``item``
inside ``channel`` and use no namespace (some 2.0 generators use Userland's or Harvard's); RSS 0.90
and 1.0 (https://web.resource.org/rss/1.0/spec) are RDF, with ``item`` beside ``channel`` and
everything in their own namespace. One tag map covers every spelling, so a single reader handles
them all. Extensions read here: Dublin Core, content:encoded, xhtml:body, Media RSS, iTunes and
feedburner:origLink.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
    ATOM10,
    CONTENT,
    DC,
    DCTERMS,
    FEEDBURNER,
    ITUNES_NAMESPACES,
    RDF,
    RSS090,
    RSS10,
    RSS20_NAMESPACES,
    XHTML,
    FeedScope,
    all_texts,
    author_name,
    clark,
    collect,
    declared_base,
    declared_lang,
    first,
    first_text,
    language_tag,
    markup_of,
    namespace_of,
    read_dates,
    resolve,
    tag_map,
    text_of,
    texts,
    unique,
)

__all__ = ["parse_rdf", "parse_rss"]

_CORE_NAMESPACES = (None, RSS10, RSS090, *RSS20_NAMESPACES)
_RDF_ABOUT = clark(RDF, "about")

_ITEM_TAGS = {
    **tag_map(
        _CORE_NAMESPACES,
        {
            "title": "title",
            "link": "link",
            "guid": "guid",
            "description": "description",
            "author": "author",
            "pubDate": "pubDate",
            "category": "category",
            "enclosure": "enclosure",
            "body": "body",  # un-namespaced <body>, as some generators write xhtml:body
        },
    ),
    **tag_map(
        (DC,),
        {
            "title": "dc_title",
            "description": "dc_description",
            "creator": "creator",
            "author": "creator",  # not Dublin Core, but common
            "date": "dc_date",
            "subject": "subject",
            "language": "language",
            "rights": "rights",
        },
    ),
    **tag_map(ITUNES_NAMESPACES, {"summary": "itunes_summary", "author": "creator"}),
    **tag_map((DCTERMS,), {"issued": "issued", "created": "created", "modified": "modified"}),
    **tag_map((ATOM10,), {"link": "atom_link", "updated": "atom_updated"}),
    clark(CONTENT, "encoded"): "content",
    clark(XHTML, "body"): "body",
    clark(FEEDBURNER, "origLink"): "origLink",
    **MEDIA_ITEM_TAGS,
}

_CHANNEL_TAGS = {
    **tag_map(
        _CORE_NAMESPACES,
        {"title": "title", "link": "link", "language": "language", "item": "item",
         "copyright": "copyright"},
    ),
    **tag_map((DC,), {"title": "dc_title", "language": "dc_language", "rights": "dc_rights"}),
}
# RSS 0.90/1.0 put items and channel side by side under rdf:RDF; broken 2.0 feeds do it too.
_ROOT_TAGS = tag_map(_CORE_NAMESPACES, {"channel": "channel", "item": "item"})

# Fallback chains, best first: the first key with a non-empty value wins.
_TITLE_KEYS = ("title", "dc_title", "media_title")
_CONTENT_KEYS = ("content", "body")
_SUMMARY_KEYS = ("description", "dc_description", "itunes_summary", "media_description")
_PUBLISHED_KEYS = ("pubDate", "dc_date", "issued", "created")
_UPDATED_KEYS = ("modified", "atom_updated")


def parse_rss(root: etree._Element, url: str = "") -> ParsedFeed:
    """Read an ``<rss>`` document (0.91, 0.92, 2.0...)."""
    return _parse(root, url, _rss_version(root.get("version", "")))


def parse_rdf(root: etree._Element, url: str = "") -> ParsedFeed:
    """Read an ``<rdf:RDF>`` document: RSS 1.0, or RSS 0.90 by its Netscape namespace."""
    at_root = collect(root, _ROOT_TAGS)
    namespaces = {namespace_of(element) for elements in at_root.values() for element in elements}
    return _parse(root, url, "rss0.90" if RSS090 in namespaces else "rss1.0")


def _rss_version(version: str) -> str:
    version = version.strip()
    if version.startswith("2"):
        return "rss2.0"
    if version in ("0.90", "0.91", "0.92", "0.93", "0.94"):
        return f"rss{version}"
    return "rss"  # no or an unknown version attribute: read as RSS all the same


def _parse(root: etree._Element, url: str, version: str) -> ParsedFeed:
    at_root = collect(root, _ROOT_TAGS)
    channel = first(at_root, "channel")
    found = collect(channel, _CHANNEL_TAGS) if channel is not None else {}
    scope = _scope(channel if channel is not None else root, found, url)
    elements = [*found.get("item", ()), *at_root.get("item", ())]
    items = [_item(element, scope) for element in elements]
    # The channel's copyright covers every item that states no rights of its own.
    channel_rights = first_text(found, "copyright") or first_text(found, "dc_rights")
    for item in items:
        item.rights = item.rights or channel_rights
    return ParsedFeed(
        format=version,
        title=html_to_line(_first_of(found, ("title", "dc_title"), first_text)),
        link=scope.link,
        language=scope.language,
        items=items,
    )


def _scope(channel: etree._Element, found: dict[str, list[etree._Element]], url: str) -> FeedScope:
    link = resolve(first_text(found, "link"), declared_base(channel) or url)
    language = language_tag(first_text(found, "language") or first_text(found, "dc_language"))
    language = language or declared_lang(channel)
    return FeedScope(url=url, link=link, language=language)


def _item(element: etree._Element, scope: FeedScope) -> FeedItem:
    found = collect(element, _ITEM_TAGS)
    base = scope.base_for(element)
    guid_element = first(found, "guid")
    guid = text_of(guid_element).strip() or element.get(_RDF_ABOUT, "").strip()
    dates = read_dates(texts(found, _PUBLISHED_KEYS), texts(found, _UPDATED_KEYS))
    return FeedItem(
        guid=guid,
        link=_link(found, guid_element, base),
        title=html_to_line(_first_of(found, _TITLE_KEYS, first_text)),
        content_html=_first_of(found, _CONTENT_KEYS, _markup),
        summary_html=_first_of(found, _SUMMARY_KEYS, _markup),
        author=_author(found),
        published=dates.published,
        updated=dates.updated,
        unparsed_dates=dates.unparsed,
        categories=unique([*all_texts(found, "category"), *all_texts(found, "subject")]),
        images=_images(found, base),
        base_url=base,
        language=language_tag(first_text(found, "language"))
        or declared_lang(element)
        or scope.language,
        rights=first_text(found, "rights"),
    )


def _first_of(
    found: dict[str, list[etree._Element]],
    keys: tuple[str, ...],
    read: Callable[[dict[str, list[etree._Element]], str], str],
) -> str:
    for key in keys:
        if value := read(found, key):
            return value
    return ""


def _markup(found: dict[str, list[etree._Element]], key: str) -> str:
    return markup_of(first(found, key))


def _link(found: dict[str, list[etree._Element]], guid: etree._Element | None, base: str) -> str:
    """The article URL: feedburner's original link, <link>, an atom:link, else a permalink guid."""
    link = first_text(found, "origLink") or first_text(found, "link")
    if not link:
        link = next(_alternate_atom_links(found), "")
    if not link and guid is not None and guid.get("isPermaLink", "true").strip().lower() == "true":
        candidate = text_of(guid).strip()
        if candidate.startswith(("http://", "https://")):
            link = candidate
    return resolve(link, base)


def _alternate_atom_links(found: dict[str, list[etree._Element]]) -> Iterator[str]:
    for link in found.get("atom_link", ()):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            yield link.get("href", "")


def _author(found: dict[str, list[etree._Element]]) -> str:
    """RSS ``author`` reduced to the name; Dublin Core creators when it is only an address."""
    author = author_name(first_text(found, "author"))
    if author and "@" not in author:
        return author
    creators = unique(all_texts(found, "creator"))
    return ", ".join(creators) if creators else author


def _images(found: dict[str, list[etree._Element]], base: str) -> tuple[Image, ...]:
    # Media RSS first: it is where publishers put the lead picture, with caption and credit.
    full_size = [*media_images(found, base), *_enclosure_images(found, base)]
    return unique_images(full_size) or unique_images(media_thumbnails(found, base))


def _enclosure_images(found: dict[str, list[etree._Element]], base: str) -> Iterator[Image]:
    for enclosure in found.get("enclosure", ()):
        url = enclosure.get("url", "").strip()
        mime_type = enclosure.get("type", "").strip()
        if url and is_image(url, mime_type):
            yield Image(url=resolve(url, base), mime_type=mime_type)
