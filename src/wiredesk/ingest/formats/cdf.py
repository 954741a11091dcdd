"""Microsoft's Channel Definition Format (CDF, https://www.w3.org/TR/NOTE-CDFsubmit.html).

A 1997 predecessor of RSS that a few old feeds and feedparser's corpus still contain: ``<CHANNEL>``
with ``<ITEM HREF="..." LASTMOD="...">`` children carrying ``<TITLE>`` and ``<ABSTRACT>``. CDF came
from SGML habits, so element and attribute names are matched case-insensitively.
"""

from __future__ import annotations

from lxml import etree

from wiredesk.core.items import FeedItem, ParsedFeed
from wiredesk.ingest.formats.xmlfeed import (
    FeedScope,
    collapse,
    declared_lang,
    local_name,
    markup_of,
    read_dates,
    resolve,
    text_of,
)

__all__ = ["parse_cdf"]


def parse_cdf(root: etree._Element, url: str = "") -> ParsedFeed:
    """Read a ``<CHANNEL>`` document."""
    children = _children(root)
    link = resolve(_attribute(root, "href"), url)
    scope = FeedScope(url=url, link=link, language=declared_lang(root))
    return ParsedFeed(
        format="cdf",
        title=collapse(text_of(children.get("title"))),
        link=link,
        language=scope.language,
        items=[_item(child, scope) for child in root if local_name(child).lower() == "item"],
    )


def _item(element: etree._Element, scope: FeedScope) -> FeedItem:
    children = _children(element)
    base = scope.base_for(element)
    link = resolve(_attribute(element, "href"), base)
    dates = read_dates((), (_attribute(element, "lastmod"),))
    return FeedItem(
        guid=link,
        link=link,
        title=collapse(text_of(children.get("title"))),
        summary_html=markup_of(children.get("abstract")),
        updated=dates.updated,
        unparsed_dates=dates.unparsed,
        base_url=base,
        language=declared_lang(element) or scope.language,
    )


def _children(element: etree._Element) -> dict[str, etree._Element]:
    """First child of each (lower-cased) name."""
    children: dict[str, etree._Element] = {}
    for child in element:
        children.setdefault(local_name(child).lower(), child)
    return children


def _attribute(element: etree._Element, name: str) -> str:
    for key, value in element.attrib.items():
        if str(key).lower() == name:
            return str(value).strip()
    return ""
