"""The fallback for feeds that are not well-formed XML: recover all you can, lose nothing silently.

Two recoverers run and the one that reads more items wins (lxml on a tie, because our own mapping
reads more fields):

* lxml with ``recover=True`` after a textual repair. The repair matters: once libxml2 has met an
  error it drops even ``&amp;`` from the rest of the document, so bare ampersands and HTML entity
  names (``&nbsp;``, undefined in XML) are rewritten as numeric character references first.
* feedparser, whose loose SGML-based parser rescues feeds that lxml cannot. It gets the text with
  every DOCTYPE and entity declaration removed, so it cannot expand an XML bomb, and a file object,
  so it can never mistake the payload for a URL or a filename.

Whatever happens, the result says so: a warning names the XML error, and when fewer items come out
than ``<item``/``<entry`` tags went in, another warning says how many were lost.
"""

from __future__ import annotations

import html.entities
import io
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import feedparser
from lxml import etree

from wiredesk.core.errors import NotAFeed, ParseError, UnsafeXML
from wiredesk.core.items import FeedItem, Image, ParsedFeed
from wiredesk.core.text import html_to_line
from wiredesk.ingest.formats.media import dimension, is_image, unique_images
from wiredesk.ingest.formats.xmlfeed import (
    author_name,
    collapse,
    read_dates,
    resolve,
    text_to_html,
    unique,
)
from wiredesk.ingest.xmlsafe import parse_xml, scan_prolog, strip_doctype

__all__ = ["count_item_tags", "parse_isolating", "parse_lenient", "repair_for_recovery"]

RootReader = Callable[[etree._Element, str], ParsedFeed]

# feedparser's version names -> ours (ParsedFeed.format)
_VERSIONS = {
    "rss090": "rss0.90",
    "rss091n": "rss0.91",
    "rss091u": "rss0.91",
    "rss092": "rss0.92",
    "rss093": "rss0.93",
    "rss094": "rss0.94",
    "rss20": "rss2.0",
    "rss10": "rss1.0",
    "rss": "rss",
    "atom01": "atom0.3",
    "atom02": "atom0.3",
    "atom03": "atom0.3",
    "atom10": "atom1.0",
    "atom": "atom1.0",
    "cdf": "cdf",
}


def parse_lenient(text: str, *, url: str, reason: str, read_root: RootReader) -> ParsedFeed:
    """Recover a malformed feed; ``reason`` is the strict parser's error, ``read_root`` the reader.

    Raises :class:`NotAFeed` when the recovered document is something else (an HTML page) and
    :class:`ParseError` when no recoverer finds a feed.
    """
    expected = count_item_tags(text)
    by_lxml, lxml_error = _with_lxml(text, url, read_root)
    candidates = [(by_lxml, "lxml")]
    if by_lxml is not None and len(by_lxml.items) < expected:
        candidates.append((_with_lxml_per_item(text, url, read_root), "lxml, item by item"))
    candidates.append((_with_feedparser(text, url), "feedparser"))
    recovered = [
        (_without_empty_items(feed), name) for feed, name in candidates if feed is not None
    ]
    if not recovered:
        if isinstance(lxml_error, NotAFeed):
            raise lxml_error
        raise ParseError(f"the feed is not well-formed XML and could not be recovered: {reason}")
    # max() keeps the first of equals, so a whole-document lxml recovery wins a tie.
    best, recoverer = max(recovered, key=lambda candidate: len(candidate[0].items))
    best.parser = "lenient"
    best.warnings.insert(
        0,
        f"the feed is not well-formed XML ({reason}); "
        f"it was read with the lenient parser ({recoverer})",
    )
    if len(best.items) < expected:
        lost = expected - len(best.items)
        best.warnings.append(
            f"recovered {len(best.items)} of {expected} items; {lost} could not be read"
        )
    best.expected_items = max(expected, len(best.items))
    cut = mark_cut_items(text, best.items)
    if cut:
        best.warnings.append(
            f"{cut} item{'s' if cut != 1 else ''} not closed in the payload (cut off or broken "
            "inside): not published"
        )
    return best


_ITEM_CLOSE_RE = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.IGNORECASE)


def unclosed_items(text: str) -> list[str]:
    """The source text of each item whose element is not closed before the next item starts or
    the payload ends: where a truncated payload was cut off, or a broken one broke."""
    offsets = item_offsets(text)
    if not offsets:
        return []
    return [text[start:end] for start, end in zip(offsets, [*offsets[1:], len(text)], strict=True)
            if not _ITEM_CLOSE_RE.search(text, start, end)]


def mark_cut_items(text: str, items: list[FeedItem]) -> int:
    """Mark the recovered items read from an unclosed item's text (``FeedItem.cut``): their text
    may end where the payload did. Returns how many were marked."""
    unclosed = unclosed_items(text)
    marked = 0
    for item in items:
        if any(_mentions(part, item) for part in unclosed):
            item.cut = True
            marked += 1
    return marked


def _mentions(part: str, item: FeedItem) -> bool:
    """Whether an item's text is where ``item`` was read from: it holds its id, link or title."""
    for value in (item.guid, item.link, item.title):
        if value and (value in part or html.escape(value, quote=False) in part):
            return True
    return False


def _without_empty_items(feed: ParsedFeed) -> ParsedFeed:
    """Drop items a recoverer made from fragments (a start tag cut off, say): nothing to show."""
    feed.items = [item for item in feed.items if _has_substance(item)]
    return feed


def _has_substance(item: FeedItem) -> bool:
    return any(
        (item.guid, item.link, item.title, item.content_html, item.summary_html, item.images)
    )


# -- counting what should have been there --------------------------------------------------------

# <item ...>, <entry>, <rss:item/>, but not <items> (RSS 1.0's table of contents) or <itemtype>;
# CDATA sections and comments are matched first so that tags inside them are not counted.
_ITEM_OPEN_RE = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|(<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>]))",
    re.DOTALL | re.IGNORECASE,
)


def item_offsets(text: str) -> list[int]:
    """Where each item/entry start tag begins, outside CDATA sections and comments."""
    return [match.start(1) for match in _ITEM_OPEN_RE.finditer(text) if match.group(1)]


def count_item_tags(text: str) -> int:
    """How many item/entry start tags the text contains, outside CDATA sections and comments."""
    return len(item_offsets(text))


# -- lxml -----------------------------------------------------------------------------------------

_REPAIR_RE = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->"
    r"|&(#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?"
    r"|<(?![A-Za-z_:/!?])",  # a "<" that cannot start markup, as in "a < b"
    re.DOTALL,
)
_XML_DECLARATION_RE = re.compile(r"<\?xml\s[^>]*\?>")
_PREDEFINED = {"amp": "&#38;", "lt": "&#60;", "gt": "&#62;", "quot": "&#34;", "apos": "&#39;"}


def repair_for_recovery(text: str, declared: Iterable[str] = ()) -> str:
    """Rewrite what makes libxml2's recovery lose text; leave CDATA sections and comments alone.

    Bare ``&`` and ``<`` become ``&#38;`` and ``&#60;``; predefined and HTML entity references
    become numeric character references; references to unknown entities stay visible as text.
    Entities the document declares itself (``declared``) are left for the parser. Junk before the
    first tag and misplaced XML declarations are removed.
    """
    keep = frozenset(declared)

    def fix(match: re.Match[str]) -> str:
        whole, reference = match.group(0), match.group(1)
        if whole == "<":
            return "&#60;"
        if whole[0] == "<":
            return whole
        if reference is not None and reference[0] == "#":
            return whole.replace("&#X", "&#x")  # XML only knows the lower-case hex marker
        if reference is None:
            return "&#38;"
        name = reference[:-1]
        if name in keep:
            return whole
        if name in _PREDEFINED:
            return _PREDEFINED[name]
        characters = html.entities.html5.get(reference)
        if characters is None:
            return "&#38;" + reference
        return "".join(f"&#{ord(character)};" for character in characters)

    start = text.find("<")
    text = text[start:] if start > 0 else text
    return _REPAIR_RE.sub(fix, _XML_DECLARATION_RE.sub("", text))


def _with_lxml(
    text: str, url: str, read_root: RootReader
) -> tuple[ParsedFeed | None, ParseError | None]:
    declared = scan_prolog(text).entities
    try:
        root = parse_xml(repair_for_recovery(text, declared), recover=True, base_url=url)
        return read_root(root, url), None
    except UnsafeXML:
        raise  # hostile, not merely broken: never retried
    except ParseError as exc:  # NotAFeed included: the caller reports it if feedparser fails too
        return None, exc


def _with_lxml_per_item(text: str, url: str, read_root: RootReader) -> ParsedFeed | None:
    """Recover each item on its own, so that one broken item cannot swallow those after it.

    libxml2's recovery nests everything after an unclosed tag inside it. Here every item is parsed
    as a small document: the text before the first item (root and channel start tags, with their
    namespace declarations), then the text from this item's start tag to the next one's.
    """
    repaired = repair_for_recovery(text, scan_prolog(text).entities)
    offsets = item_offsets(repaired)
    if not offsets:
        return None
    head = repaired[: offsets[0]]
    feed: ParsedFeed | None = None
    for start, end in zip(offsets, [*offsets[1:], len(repaired)], strict=True):
        try:
            part = read_root(parse_xml(head + repaired[start:end], recover=True, base_url=url), url)
        except UnsafeXML:
            raise
        except ParseError:
            continue
        if feed is None:
            feed = part
        else:
            feed.items.extend(part.items)
    return feed


def parse_isolating(text: str, *, url: str, error: UnsafeXML,
                    read_root: RootReader) -> ParsedFeed | None:
    """Read a feed refused as hostile (``error``: too deep, entities expanding too far) item by
    item, so that the hostile construct costs only the item that holds it.

    Every item is parsed as a small document of its own (the text before the first item, then
    the item's), under the same limits; an item that trips them is refused with the reason, the
    others are read. Returns None when the refusal cannot be pinned on items (it lies outside
    them, or every item trips it): then the whole payload stays refused.
    """
    offsets = item_offsets(text)
    if not offsets:
        return None
    head = text[: offsets[0]]
    try:
        feed = read_root(parse_xml(head, recover=True, base_url=url), url)
    except UnsafeXML:
        return None  # the channel itself is hostile
    except ParseError:
        return None
    feed.items = []
    for position, (start, end) in enumerate(
            zip(offsets, [*offsets[1:], len(text)], strict=True)):
        part = text[start:end]
        try:
            feed.items.extend(
                read_root(parse_xml(head + part, recover=True, base_url=url), url).items)
        except UnsafeXML as exc:
            feed.refused_items.append((position, _title_in(part), f"refused: {exc}"))
        except ParseError as exc:
            feed.refused_items.append((position, _title_in(part), f"could not be read: {exc}"))
    if not feed.items:
        return None
    feed.parser = "isolating"
    feed.expected_items = len(offsets)
    refused = len(feed.refused_items)
    feed.warnings.append(
        f"{error} -- in {refused} item{'s' if refused != 1 else ''}, refused alone; recovered "
        f"{len(feed.items)} of {len(offsets)} items")
    return feed


_TITLE_RE = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?title[^>]*>(.*?)</", re.DOTALL | re.IGNORECASE)


def _title_in(part: str) -> str:
    """The title of an item read as text, for naming it when it cannot be parsed."""
    found = _TITLE_RE.search(part[:20_000])
    return collapse(html.unescape(re.sub(r"<[^>]*>", "", found.group(1))))[:200] if found else ""


# -- feedparser -----------------------------------------------------------------------------------


def _with_feedparser(text: str, url: str) -> ParsedFeed | None:
    data = _XML_DECLARATION_RE.sub("", strip_doctype(text)).encode("utf-8")
    result = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = _VERSIONS.get(result.get("version") or "")
    if version is None:
        return None  # feedparser did not recognise a feed
    feed = result.get("feed", {})
    link = resolve(feed.get("link", ""), url)
    language = feed.get("language", "") or ""
    return ParsedFeed(
        format=version,
        title=_text_value(feed.get("title", ""), feed.get("title_detail")),
        link=link,
        language=language,
        items=[_entry(entry, link or url, language) for entry in result.get("entries", [])],
    )


def _entry(entry: Mapping[str, Any], feed_base: str, feed_language: str) -> FeedItem:
    detail = entry.get("title_detail") or entry.get("summary_detail") or {}
    base = detail.get("base") or feed_base
    dates = read_dates(
        (entry.get("published", ""), entry.get("created", "")),
        # dict.get: feedparser's own get() maps a missing "updated" to "published" with a
        # DeprecationWarning; a missing one is simply missing here.
        (dict.get(cast(dict[str, Any], entry), "updated", ""),)
    )
    return FeedItem(
        guid=collapse(entry.get("id", "") or ""),
        link=resolve(entry.get("link", "") or "", base),
        title=_text_value(entry.get("title", ""), entry.get("title_detail")),
        content_html=_content(entry),
        summary_html=_html_value(entry.get("summary", ""), entry.get("summary_detail")),
        author=author_name(entry.get("author", "") or ""),
        published=dates.published,
        updated=dates.updated,
        unparsed_dates=dates.unparsed,
        categories=unique(
            collapse(tag.get("label") or tag.get("term") or "") for tag in entry.get("tags", [])
        ),
        images=_images(entry, base),
        base_url=base,
        language=detail.get("language") or feed_language,
    )


def _text_value(value: str, detail: Mapping[str, Any] | None) -> str:
    kind = (detail or {}).get("type", "text/plain")
    return html_to_line(value or "") if "html" in kind else collapse(value or "")


def _html_value(value: str, detail: Mapping[str, Any] | None) -> str:
    kind = (detail or {}).get("type", "text/html")
    return (value or "").strip() if "html" in kind else text_to_html(value or "")


def _content(entry: Mapping[str, Any]) -> str:
    for content in entry.get("content", []):
        value = _html_value(content.get("value", ""), content)
        if value:
            return value
    return ""


def _images(entry: Mapping[str, Any], base: str) -> tuple[Image, ...]:
    full_size = [
        Image(url=resolve(url, base), mime_type=kind)
        for enclosure in entry.get("enclosures", [])
        if (url := enclosure.get("href", "")) and is_image(url, kind := enclosure.get("type", ""))
    ]
    full_size += [
        _media_image(media, base)
        for media in entry.get("media_content", [])
        if media.get("url")
        and is_image(media["url"], media.get("type", ""), media.get("medium", ""))
    ]
    thumbnails = [
        _media_image(media, base) for media in entry.get("media_thumbnail", []) if media.get("url")
    ]
    return unique_images(full_size) or unique_images(thumbnails)


def _media_image(media: Mapping[str, Any], base: str) -> Image:
    return Image(
        url=resolve(media["url"], base),
        mime_type=media.get("type", ""),
        width=dimension(media.get("width")),
        height=dimension(media.get("height")),
    )
