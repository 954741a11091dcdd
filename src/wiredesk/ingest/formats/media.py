"""Pictures attached to feed items: RSS enclosures, Atom enclosure links and Media RSS.

Media RSS (https://www.rssboard.org/media-rss) is how news feeds ship photos: ``media:content`` with
``media:description`` as the caption and ``media:credit`` as the credit, several renditions of one
picture grouped in ``media:group``, and ``media:thumbnail`` for a preview. A thumbnail is only used
when an item has no full-size picture, because thumbnails are too small to lead an article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from urllib.parse import urlsplit

from lxml import etree

from wiredesk.core.items import Image
from wiredesk.core.text import html_to_line
from wiredesk.ingest.formats.xmlfeed import (
    collapse,
    collect,
    resolve,
    tag_map,
    text_of,
)

# The spec's namespace ends with a slash; a widespread variant does not.
MEDIA_NAMESPACES = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")

# Item children this module reads; format modules merge these into their own tag maps.
MEDIA_ITEM_TAGS = tag_map(
    MEDIA_NAMESPACES,
    {
        "content": "media_content",
        "group": "media_group",
        "thumbnail": "media_thumbnail",
        "title": "media_title",
        "description": "media_description",
        "credit": "media_credit",
    },
)
_MEDIA_CHILD_TAGS = tag_map(
    MEDIA_NAMESPACES,
    {
        "content": "content",
        "thumbnail": "thumbnail",
        "description": "description",
        "title": "title",
        "credit": "credit",
    },
)

_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
# Types that say nothing about the content, so the URL's extension decides.
_GENERIC_TYPES = frozenset(("", "application/octet-stream", "binary/octet-stream"))


def is_image(url: str, mime_type: str = "", medium: str = "") -> bool:
    """Whether a media reference is a picture, by medium, else MIME type, else file extension."""
    if medium:
        return medium.lower() == "image"
    if mime_type.lower() not in _GENERIC_TYPES:
        return mime_type.lower().startswith("image/")
    return urlsplit(url).path.lower().endswith(_IMAGE_EXTENSIONS)


def dimension(value: str | None) -> int | None:
    """A width or height attribute as a positive int, or None when absent or nonsense."""
    if value is None:
        return None
    try:
        number = int(value.strip().removesuffix("px"))
    except ValueError:
        return None
    return number if number > 0 else None


def media_images(found: dict[str, list[etree._Element]], base: str) -> list[Image]:
    """Full-size pictures from an item's ``media:content`` and ``media:group`` children.

    Captions and credits come from the most specific level that has them: the media:content, its
    media:group, then the item (the spec lets optional elements apply to everything below them).
    The item's media:title is not used as a caption: it is the item's title again.
    """
    item_level = {
        "description": found.get("media_description", []),
        "credit": found.get("media_credit", []),
    }
    images: list[Image] = []
    for content in found.get("media_content", ()):
        image = _content_image(content, base, (collect(content, _MEDIA_CHILD_TAGS), item_level))
        if image is not None:
            images.append(image)
    for group in found.get("media_group", ()):
        image = _group_image(group, base, item_level)
        if image is not None:
            images.append(image)
    return images


def media_thumbnails(found: dict[str, list[etree._Element]], base: str) -> list[Image]:
    """Thumbnails anywhere in the item's Media RSS: on the item, in groups, inside media:content."""
    thumbnails = [_thumbnail(element, base) for element in found.get("media_thumbnail", ())]
    for container in (*found.get("media_group", ()), *found.get("media_content", ())):
        inner = collect(container, _MEDIA_CHILD_TAGS)
        thumbnails.extend(_thumbnail(element, base) for element in inner.get("thumbnail", ()))
        for content in inner.get("content", ()):
            nested = collect(content, _MEDIA_CHILD_TAGS).get("thumbnail", ())
            thumbnails.extend(_thumbnail(element, base) for element in nested)
    return [thumbnail for thumbnail in thumbnails if thumbnail.url]


def unique_images(images: Iterable[Image]) -> tuple[Image, ...]:
    """Distinct pictures by URL, in order; a later duplicate fills in details the first lacked."""
    by_url: dict[str, Image] = {}
    for image in images:
        known = by_url.get(image.url)
        by_url[image.url] = image if known is None else _fill_in(known, image)
    return tuple(by_url.values())


def _fill_in(known: Image, other: Image) -> Image:
    missing = {
        name: getattr(other, name)
        for name in ("caption", "credit", "mime_type", "width", "height")
        if not getattr(known, name) and getattr(other, name)
    }
    return dataclasses.replace(known, **missing) if missing else known


_Details = dict[str, list[etree._Element]]


def _content_image(
    content: etree._Element, base: str, levels: tuple[_Details, ...]
) -> Image | None:
    """A media:content that is a picture; ``levels`` are its details, most specific first."""
    url = content.get("url", "").strip()
    mime_type = content.get("type", "").strip()
    if not url or not is_image(url, mime_type, content.get("medium", "").strip()):
        return None
    return Image(
        url=resolve(url, base),
        caption=next((caption for level in levels if (caption := _caption(level))), ""),
        credit=next((credit for level in levels if (credit := _credit(level))), ""),
        mime_type=mime_type,
        width=dimension(content.get("width")),
        height=dimension(content.get("height")),
    )


def _group_image(group: etree._Element, base: str, item_level: _Details) -> Image | None:
    """One picture per group: its renditions are the same picture (isDefault, else the widest)."""
    details = collect(group, _MEDIA_CHILD_TAGS)
    best: Image | None = None
    for content in details.get("content", ()):
        levels = (collect(content, _MEDIA_CHILD_TAGS), details, item_level)
        image = _content_image(content, base, levels)
        if image is None:
            continue
        if content.get("isDefault", "").strip().lower() == "true":
            return image
        if best is None or (image.width or 0) > (best.width or 0):
            best = image
    return best


def _caption(details: _Details) -> str:
    for key in ("description", "title"):
        for element in details.get(key, ()):
            text = text_of(element)
            value = html_to_line(text) if element.get("type") == "html" else collapse(text)
            if value:
                return value
    return ""


def _credit(details: _Details) -> str:
    credits = (collapse(text_of(element)) for element in details.get("credit", ()))
    return ", ".join(dict.fromkeys(credit for credit in credits if credit))


def _thumbnail(element: etree._Element, base: str) -> Image:
    return Image(
        url=resolve(element.get("url", ""), base),
        width=dimension(element.get("width")),
        height=dimension(element.get("height")),
    )
