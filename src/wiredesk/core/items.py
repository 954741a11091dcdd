"""The pipeline's shared vocabulary: what a parser produces and what the normaliser makes of it.

Every format module maps its input into :class:`FeedItem`; the normaliser turns a FeedItem into an
:class:`Article` (sanitised, attributed, ready to store). Both are plain data: no Django, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Image:
    """A picture that belongs to an item (enclosure, media:content, JSON Feed image...)."""

    url: str
    caption: str = ""
    credit: str = ""
    mime_type: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(slots=True)
class FeedItem:
    """One item exactly as far as the source told us, in a format-independent shape.

    Text fields hold text (entities decoded, no markup); ``*_html`` fields hold the source's HTML,
    *unsanitised* -- the normaliser sanitises. Datetimes are timezone-aware UTC or None.
    """

    guid: str = ""
    link: str = ""
    title: str = ""
    content_html: str = ""
    summary_html: str = ""
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    # Raw date strings the parser could not read; the normaliser falls back to the time received
    # and flags the story, so the fallback is visible rather than silent.
    unparsed_dates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    # The URL relative links in this item resolve against (xml:base, else the feed's link).
    base_url: str = ""
    language: str = ""


@dataclass(slots=True)
class ParsedFeed:
    """The result of parsing one payload."""

    format: str  # e.g. "rss2.0", "rss1.0", "atom1.0", "atom0.3", "jsonfeed1.1"
    title: str = ""
    link: str = ""
    language: str = ""
    items: list[FeedItem] = field(default_factory=list)
    # Problems that did not stop parsing (malformed XML recovered, items a lenient parser had to
    # rescue...). A non-empty list is recorded on the payload and shown in the admin.
    warnings: list[str] = field(default_factory=list)
    parser: str = "fast"  # "fast" (strict lxml path) or "lenient" (feedparser fallback)


@dataclass(slots=True)
class Article:
    """A normalised item: what a story version is made of.

    ``body_html`` is sanitised and safe to render; everything else is plain text.
    """

    headline: str
    body_html: str
    summary: str
    slug: str
    byline: str = ""
    dateline: str = ""
    link: str = ""
    language: str = ""
    images: tuple[Image, ...] = ()
    categories: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    # True when the source's date could not be read and the time received stands in for it.
    date_is_fallback: bool = False
    unparsed_dates: tuple[str, ...] = ()
