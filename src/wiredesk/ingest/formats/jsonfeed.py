"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) into FeedItems.

JSON Feed is loosely typed in practice (1.0 allowed numeric ids; publishers put strings where
objects belong), so every field is read through a type check and a wrong-typed value counts as
absent. ``content_text`` and ``summary`` are plain text and become escaped HTML paragraphs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from wiredesk.core.errors import NotAFeed
from wiredesk.core.items import FeedItem, Image, ParsedFeed
from wiredesk.core.text import html_to_line
from wiredesk.ingest.formats.media import dimension, is_image, unique_images
from wiredesk.ingest.formats.xmlfeed import (
    collapse,
    language_tag,
    read_dates,
    resolve,
    text_to_html,
    unique,
)

__all__ = ["parse_jsonfeed"]

_VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")


def parse_jsonfeed(document: object, url: str = "") -> ParsedFeed:
    """Map a decoded JSON document to a :class:`ParsedFeed`; other JSON is :class:`NotAFeed`."""
    if not isinstance(document, dict):
        raise NotAFeed("the response is JSON but not a JSON Feed (it is not an object)")
    version = _version(document)
    base = resolve(_text(document, "home_page_url"), url) or url
    language = language_tag(_text(document, "language"))
    feed_authors = _authors(document)
    warnings: list[str] = []
    items = document.get("items")
    if not isinstance(items, list):
        warnings.append("the JSON Feed has no 'items' list")
        items = []
    parsed: list[FeedItem] = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, dict):
            parsed.append(_item(item, base, language, feed_authors))
        else:
            warnings.append(f"item {position} of the JSON Feed is not an object and was skipped")
    return ParsedFeed(
        format=version,
        title=html_to_line(_text(document, "title")),
        link=base if _text(document, "home_page_url") else "",
        language=language,
        items=parsed,
        warnings=warnings,
    )


def _version(document: Mapping[str, Any]) -> str:
    version = _text(document, "version")
    for prefix in _VERSION_PREFIXES:
        if version.startswith(prefix):
            number = version[len(prefix) :].strip("/")
            return f"jsonfeed{number}.0" if number.isdigit() else f"jsonfeed{number}"
    raise NotAFeed(
        "the response is JSON but not a JSON Feed "
        f"(its 'version' is {version!r}, not a https://jsonfeed.org/version/ URL)"
    )


def _item(
    item: Mapping[str, Any], feed_base: str, feed_language: str, feed_authors: str
) -> FeedItem:
    dates = read_dates((_text(item, "date_published"),), (_text(item, "date_modified"),))
    content_html = _text(item, "content_html") or text_to_html(_text(item, "content_text"))
    return FeedItem(
        guid=_id(item.get("id")),
        link=resolve(_text(item, "url") or _text(item, "external_url"), feed_base),
        # Plain text by the spec, but WordPress writes entities ("&#8211;") into titles.
        title=html_to_line(_text(item, "title")),
        content_html=content_html,
        summary_html=text_to_html(_text(item, "summary")),
        author=_authors(item) or feed_authors,
        published=dates.published,
        updated=dates.updated,
        unparsed_dates=dates.unparsed,
        categories=unique(collapse(tag) for tag in _list(item, "tags") if isinstance(tag, str)),
        images=unique_images(_images(item, feed_base)),
        base_url=feed_base,
        language=language_tag(_text(item, "language")) or feed_language,
    )


def _id(value: object) -> str:
    # JSON Feed 1.0 let ids be numbers; 1.1 requires strings. Either way it is an identifier.
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip() if isinstance(value, (str, int, float)) else ""


def _authors(container: Mapping[str, Any]) -> str:
    """1.1's ``authors`` list, else 1.0's single ``author`` object."""
    people = _list(container, "authors") or [container.get("author")]
    names = (collapse(_text(person, "name")) for person in people if isinstance(person, dict))
    return ", ".join(unique(names))


def _images(item: Mapping[str, Any], base: str) -> Iterator[Image]:
    for key in ("image", "banner_image"):
        if url := _text(item, key):
            yield Image(url=resolve(url, base))
    for attachment in _list(item, "attachments"):
        if not isinstance(attachment, dict):
            continue
        url, mime_type = _text(attachment, "url"), _text(attachment, "mime_type")
        if url and is_image(url, mime_type):
            yield Image(
                url=resolve(url, base),
                caption=collapse(_text(attachment, "title")),
                mime_type=mime_type,
                width=dimension(str(attachment.get("width", "")) or None),
                height=dimension(str(attachment.get("height", "")) or None),
            )


def _text(container: Mapping[str, Any], key: str) -> str:
    value = container.get(key)
    return value.strip() if isinstance(value, str) else ""


def _list(container: Mapping[str, Any], key: str) -> list[Any]:
    value = container.get(key)
    return value if isinstance(value, list) else []
