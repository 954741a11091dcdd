"""The pipeline's shared vocabulary: what a parser produces and what the normaliser makes of it.

Every format module maps its input into :class:`FeedItem`; the normaliser turns a FeedItem into an
:class:`Article` (sanitised, attributed, ready to store). Both are plain data: no Django, no I/O.
"""

from __future__ import annotations

import enum
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


class PubStatus(enum.StrEnum):
    """What the source says about publishing an item (IPTC pubStatus, ninjs pubstatus)."""

    USABLE = "usable"
    WITHHELD = "withheld"  # take it down for now; a later usable version brings it back
    CANCELED = "canceled"  # killed: take it down for good


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject code the source sent (IPTC Media Topic, subject code, or the agency's own)."""

    code: str = ""  # e.g. "medtop:11000000"; may be empty for free-text subjects
    name: str = ""


@dataclass(frozen=True, slots=True)
class WireMeta:
    """What wire formats say about an item's life that RSS does not: versions, status, embargo.

    RSS, Atom and JSON Feed items carry the defaults (usable, no version, no embargo).
    """

    version: str = ""  # the source's version number or label ("3", "1stLd-Writethru")
    version_number: int | None = None  # when the version is a number: orders versions
    version_created: datetime | None = None  # when the source made this version (UTC)
    pubstatus: PubStatus = PubStatus.USABLE
    signals: tuple[str, ...] = ()  # "update", "correction", "kill"... (NewsML-G2 signal qcodes)
    correction_note: str = ""  # the agency's note (NITF ed-msg, NewsML-G2 edNote...)
    embargoed_until: datetime | None = None
    expires_at: datetime | None = None
    urgency: int | None = None
    located: str = ""  # the dateline place the source gave as data
    subjects: tuple[Subject, ...] = ()
    item_type: str = "text"  # "text", "picture", "video", "composite"...


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
    wire: WireMeta = field(default_factory=WireMeta)
    # The item's own rights statement (usage terms, copyright notice): read by core/rights.py.
    rights: str = ""
    # The item's element was not closed in the source: the payload was cut off (or broken) inside
    # it, so its text may be cut too. Such an item is never published (wiredesk.ingest.pipeline).
    cut: bool = False


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
    # How many items the payload held, counted from its item tags, when a lenient reading could
    # not rely on the parse (0: not counted; the items are all there is).
    expected_items: int = 0
    # Items refused on their own, each with its reason, while the others were read (a hostile
    # construct the parser could isolate in one item): (position, title, reason).
    refused_items: list[tuple[int, str, str]] = field(default_factory=list)


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
    wire: WireMeta = field(default_factory=WireMeta)
    rights: str = ""  # the item's usage terms and copyright notice, as the source gave them
