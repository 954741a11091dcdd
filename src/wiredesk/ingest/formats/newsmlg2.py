"""NewsML-G2 (https://iptc.org/standards/newsml-g2/) news items and news messages into FeedItems.

A ``newsItem`` is one version of one story: ``@guid`` is the story's identity across versions
(NewsML-G2 defines it as "the persistent, universally unique identifier common for all versions
of the Item") and ``@version`` its version number, so Reuters' kill of
``tag:reuters.com,0000:newsml_L1N14N0FF`` (version 1542761538) is the same story as the version
978556838 it kills. A ``newsMessage`` carries several items in its ``itemSet``; package, concept,
knowledge, planning and catalog items carry no copy and are skipped with a warning.

What is read, and from where (element names as in the NewsML-G2 specification):

* ``itemMeta``: ``itemClass`` (ninat:text, ninat:picture... -> WireMeta.item_type),
  ``versionCreated``, ``firstCreated``, ``embargoed``, ``pubStatus`` (stat:usable / withheld /
  canceled), ``signal`` (sig:update, sig:correction, and agency signals mapped in
  :data:`SIGNALS`), ``edNote`` (the correction note when the item is a correction);
* ``contentMeta``: ``headline``, ``by``, ``dateline``, ``located``, ``subject`` (qcode and name),
  ``keyword``, ``language``, ``urgency``, ``description`` (role summary -> summary, role caption
  -> picture caption), ``creditline``;
* ``contentSet``: the first ``inlineXML`` or ``inlineData`` with copy -- XHTML (the children of the
  html ``body``), NITF (its ``body.content``, via :mod:`.nitf`) or text -- and ``remoteContent``
  renditions, of which one picture is kept (:func:`~.wire.best_rendition`).

Elements are matched by local name: providers use the G2 namespace
(``http://iptc.org/std/nar/2006-10-01/``) with or without a prefix, and inline XHTML or NITF
sometimes inherits it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from wiredesk.core.dates import parse_date
from wiredesk.core.items import FeedItem, Image, ParsedFeed, PubStatus, Subject, WireMeta
from wiredesk.core.text import html_to_line
from wiredesk.ingest.formats.media import dimension, unique_images
from wiredesk.ingest.formats.nitf import NitfBody, read_nitf
from wiredesk.ingest.formats.wire import (
    Rendition,
    best_rendition,
    correction_note,
    element_children,
    first_child,
    says_correction,
    spaced_text,
    version_number,
)
from wiredesk.ingest.formats.xmlfeed import (
    XML_LANG,
    collapse,
    inner_html,
    language_tag,
    local_name,
    read_dates,
    resolve,
    text_to_html,
    unique,
)

__all__ = ["ROOT_ELEMENTS", "SIGNALS", "parse_newsmlg2"]

# Item kinds that carry no copy of their own, and why they are skipped.
_NOT_STORIES = {
    "packageItem": "a package only groups other items",
    "conceptItem": "a concept item describes a concept, not news",
    "knowledgeItem": "a knowledge item carries concepts, not news",
    "planningItem": "a planning item announces coverage, not news",
    "catalogItem": "a catalog item defines codes, not news",
}
# The root elements this module reads (registered in formats/__init__.py, lower-cased).
ROOT_ELEMENTS = ("newsItem", "newsMessage", *_NOT_STORIES)

# pubStatus qcodes (IPTC NewsCodes "stat") by their code part.
_PUBSTATUS = {
    "usable": PubStatus.USABLE,
    "withheld": PubStatus.WITHHELD,
    "canceled": PubStatus.CANCELED,
    "cancelled": PubStatus.CANCELED,
}
# signal qcodes (lower-cased) -> WireMeta.signals. IPTC's "sig" NewsCodes, and Reuters' editorial
# status, which its corrections (edStat:C, with a "CORRECTED-" headline) and kills (edStat:D,
# with stat:canceled) carry.
SIGNALS = {
    "sig:update": "update",
    "sig:correction": "correction",
    "edstat:u": "update",
    "edstat:c": "correction",
    "edstat:d": "kill",
}
# Description roles: the summary of a story, the caption of a picture.
_SUMMARY_ROLES = frozenset(("summary", "abstract", "intro"))
_CAPTION_ROLES = frozenset(("caption", "videocaption"))
# Elements of an inline XHTML body that are not copy: dpa opens its body with a <header> holding
# the slugline, the time and the headline again, all of which are metadata here.
_XHTML_NOT_COPY = frozenset(("header", "script", "style"))
# Roots of inline XML that is copy: an XHTML document, or XHTML fragments placed directly in
# inlineXML. Other vocabularies (SportsML, financial data) are data, not prose, and are not shown.
_XHTML_FRAGMENT_ROOTS = frozenset(
    ("p", "div", "section", "article", "h1", "h2", "h3", "h4", "ul", "ol", "table", "blockquote")
)
# Values agencies put in fields they have nothing for (Reuters video: "No-Data-Available").
_PLACEHOLDERS = frozenset(("no-data-available", "n/a"))
_ISO_DATE_START_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\b")
# "London (dpa) - " -> "London": an agency credit and dash ending a dateline are not the place.
_DATELINE_CREDIT_RE = re.compile(r"\s*(?:\([^)]*\))?\s*[-\u2013\u2014_:]*\s*$")
# Reuters opens a corrected story with the note in parentheses: "(In Jan. 3 story, corrects ...)".
_BODY_CORRECTION_RE = re.compile(r"^\((?=[^)]*\bcorrect)[^)]*\)$", re.IGNORECASE)
_FIRST_PARAGRAPH_RE = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL | re.IGNORECASE)
_HTML_START_RE = re.compile(r"^\s*<(?:p|div|section|h[1-6]|ul|ol|table|br)\b", re.IGNORECASE)


def parse_newsmlg2(root: etree._Element, url: str) -> ParsedFeed:
    """Map a newsItem or newsMessage to a :class:`ParsedFeed`; other G2 items give no items."""
    warnings: list[str] = []
    items = [_news_item(item, url, warnings) for item in _items(root, warnings)]
    language = items[0].language if len(items) == 1 else ""
    return ParsedFeed(format="newsmlg2", language=language, items=items, warnings=warnings)


def _items(root: etree._Element, warnings: list[str]) -> Iterator[etree._Element]:
    """The newsItems of a message (in order) or the root itself; the rest is skipped, with why."""
    candidates = [root]
    if local_name(root) == "newsMessage":
        item_set = first_child(root, "itemSet")
        candidates = [
            item for item in (item_set if item_set is not None else ()) if _is_element(item)
        ]
    for item in candidates:
        name = local_name(item)
        if name == "newsItem":
            yield item
        else:
            reason = _NOT_STORIES.get(name, "not a NewsML-G2 item")
            warnings.append(f"skipped a NewsML-G2 {name} ({item.get('guid', 'no guid')}): {reason}")


def _is_element(node: etree._Element) -> bool:
    return isinstance(node.tag, str)


# -- one news item -------------------------------------------------------------------------------


_NO_NITF = NitfBody()


@dataclass(frozen=True, slots=True)
class _Copy:
    """What the contentSet holds: the body, the NITF it came from (if any), the pictures."""

    html: str = ""
    nitf: NitfBody = _NO_NITF
    images: tuple[Image, ...] = ()


def _news_item(item: etree._Element, url: str, warnings: list[str]) -> FeedItem:
    meta = first_child(item, "itemMeta")
    content = first_child(item, "contentMeta")
    copy_ = _copy(first_child(item, "contentSet"), content, item, url, warnings)
    dates = read_dates(
        (_text(meta, "firstCreated"), _text(content, "contentCreated"),
         _text(meta, "versionCreated")),
        (_text(meta, "versionCreated"), _text(content, "contentModified")),
    )  # fmt: skip
    embargo = read_dates((_text(meta, "embargoed"),), ())
    notes = _editor_notes(meta)
    signals = _signals(meta, notes)
    return FeedItem(
        guid=item.get("guid", "").strip(),
        title=_headline(content) or copy_.nitf.headline or _text(meta, "title"),
        content_html=copy_.html,
        summary_html=_summary(content) or copy_.nitf.abstract_html,
        author=_byline(content) or copy_.nitf.byline,
        published=dates.published,
        updated=dates.updated,
        unparsed_dates=unique((*dates.unparsed, *embargo.unparsed)),
        categories=_categories(content),
        images=copy_.images,
        base_url=url,
        language=_language(content, item),
        rights=_rights(item),
        wire=WireMeta(
            version=item.get("version", "").strip(),
            version_number=version_number(item.get("version", "")),
            version_created=dates.updated,
            pubstatus=_pubstatus(meta, warnings),
            signals=signals,
            correction_note=correction_note(notes, signals) or _body_note(copy_.html, signals),
            embargoed_until=embargo.published,
            urgency=version_number(_text(content, "urgency")),
            located=_located(content) or copy_.nitf.dateline,
            subjects=tuple(_subjects(content)),
            item_type=_item_type(meta),
        ),
    )


def _rights(item: etree._Element) -> str:
    """The item's usage terms, then its copyright notices, from every rightsInfo."""
    terms = [spaced_text(child) for info in element_children(item, "rightsInfo")
             for child in element_children(info, "usageTerms")]
    notices = [spaced_text(child) for info in element_children(item, "rightsInfo")
               for child in element_children(info, "copyrightNotice")]
    return " ".join(unique(text for text in (*terms, *notices) if text))


def _text(parent: etree._Element | None, name: str) -> str:
    """The text of the first ``name`` child, whitespace collapsed."""
    return spaced_text(first_child(parent, name))


def _code(qcode: str) -> str:
    """The code part of a QCode: "stat:usable" -> "usable"."""
    return qcode.rpartition(":")[2].strip().lower()


def _item_type(meta: etree._Element | None) -> str:
    item_class = first_child(meta, "itemClass")
    code = _code(item_class.get("qcode", "")) if item_class is not None else ""
    return code or "text"


def _pubstatus(meta: etree._Element | None, warnings: list[str]) -> PubStatus:
    element = first_child(meta, "pubStatus")
    code = _code(element.get("qcode", "")) if element is not None else ""
    if code and code not in _PUBSTATUS:
        warnings.append(f"unknown NewsML-G2 pubStatus {code!r}; read as usable")
    return _PUBSTATUS.get(code, PubStatus.USABLE)


def _signals(meta: etree._Element | None, notes: tuple[str, ...]) -> tuple[str, ...]:
    """Known signal qcodes, plus "correction" when an editor's note announces one."""
    qcodes = (_qcode(signal) for signal in element_children(meta, "signal"))
    signals = unique(SIGNALS.get(qcode, "") for qcode in qcodes)
    if "correction" not in signals and any(says_correction(note) for note in notes):
        signals = (*signals, "correction")
    return signals


def _qcode(element: etree._Element) -> str:
    return element.get("qcode", "").strip().lower()


def _editor_notes(meta: etree._Element | None) -> tuple[str, ...]:
    """Plain-text edNotes meant for the receiving desk (not non-public ones, not dpa's notepad)."""
    notes = (
        spaced_text(note)
        for note in element_children(meta, "edNote")
        if len(note) == 0 and "nonpublic" not in note.get("pubconstraint", "").lower()
    )
    return unique(notes)


def _body_note(body_html: str, signals: tuple[str, ...]) -> str:
    """A corrected story's opening note in parentheses, when no edNote says what was corrected."""
    if "correction" not in signals:
        return ""
    match = _FIRST_PARAGRAPH_RE.search(body_html)
    text = html_to_line(match.group(1)) if match else ""
    return text if _BODY_CORRECTION_RE.match(text) else ""


# -- contentMeta ---------------------------------------------------------------------------------


def _headline(content: etree._Element | None) -> str:
    """The main headline: the first without a role or with a "main" one, else the first."""
    headlines = [headline for headline in element_children(content, "headline")]
    main = [h for h in headlines if _code(h.get("role", "main")) in ("main", "hl1", "")]
    for headline in (*main, *headlines):
        text = spaced_text(headline)
        if text:
            return text
    return ""


def _summary(content: etree._Element | None) -> str:
    for description in element_children(content, "description"):
        if _code(description.get("role", "")) in _SUMMARY_ROLES:
            text = spaced_text(description)
            if text:
                return text_to_html(text)
    return ""


def _caption(content: etree._Element | None) -> str:
    for description in element_children(content, "description"):
        if _code(description.get("role", "")) in _CAPTION_ROLES and spaced_text(description):
            return spaced_text(description)
    return ""


def _byline(content: etree._Element | None) -> str:
    """``by``. Not ``creator``: dpa names the editor's account there ("degenhardt.sandra")."""
    return _text(content, "by")


def _located(content: etree._Element | None) -> str:
    """The place as data (``located/name``), else the dateline without its agency credit.

    Reuters puts a date in some datelines and a placeholder in empty fields: neither is a place.
    """
    candidates = (
        _text(first_child(content, "located"), "name"),
        _DATELINE_CREDIT_RE.sub("", _text(content, "dateline")),
    )
    for place in candidates:
        if place and place.lower() not in _PLACEHOLDERS and not _is_date(place):
            return place
    return ""


def _is_date(text: str) -> bool:
    return bool(_ISO_DATE_START_RE.match(text)) or parse_date(text) is not None


def _language(content: etree._Element | None, item: etree._Element) -> str:
    language = first_child(content, "language")
    tag = language.get("tag", "") if language is not None else ""
    return language_tag(tag or item.get(XML_LANG, ""))


def _subjects(content: etree._Element | None) -> Iterator[Subject]:
    for subject in element_children(content, "subject"):
        code = (subject.get("qcode") or subject.get("literal") or subject.get("uri") or "").strip()
        name = _text(subject, "name")
        if code or name:
            yield Subject(code=code, name=name)


def _categories(content: etree._Element | None) -> tuple[str, ...]:
    """Keywords, then subject names (a name that only repeats its code, as AP's "f", is not one)."""
    keywords = (spaced_text(keyword) for keyword in element_children(content, "keyword"))
    names = (subject.name for subject in _subjects(content) if subject.name != _code(subject.code))
    return unique((*keywords, *names))


# -- contentSet ----------------------------------------------------------------------------------


def _copy(
    content_set: etree._Element | None,
    content: etree._Element | None,
    item: etree._Element,
    url: str,
    warnings: list[str],
) -> _Copy:
    """The first inline copy in the contentSet, and the pictures among its renditions."""
    found = _Copy()
    renditions: list[Rendition] = []
    for child in content_set if content_set is not None else ():
        name = local_name(child)
        if name == "remoteContent":
            renditions.append(_rendition(child, content, url))
        elif name in ("inlineXML", "inlineData") and not found.html:
            found = _inline(child, url, warnings)
    picture = best_rendition(renditions)
    images = unique_images((*([picture] if picture else []), *found.nitf.images))
    if content_set is None:
        warnings.append(f"NewsML-G2 item {item.get('guid', '')} has no contentSet")
    return _Copy(found.html, found.nitf, images)


def _inline(element: etree._Element, url: str, warnings: list[str]) -> _Copy:
    """inlineXML holds XHTML or NITF (told apart by their root); inlineData holds text or HTML."""
    root = next((child for child in element if _is_element(child)), None)
    content_type = element.get("contenttype", "")
    if root is None:
        return _Copy(html=_text_copy(element.text or "", content_type))
    name = local_name(root)
    if name == "nitf":
        nitf = read_nitf(root, url)
        return _Copy(html=nitf.content_html, nitf=nitf)
    if name == "html":
        body = first_child(root, "body")
        return _Copy(html=_xhtml_copy(body) if body is not None else "")
    if name in _XHTML_FRAGMENT_ROOTS:
        return _Copy(html=_xhtml_copy(element))
    warnings.append(f"inline <{name}> ({content_type or 'no content type'}) is data, not copy")
    return _Copy()


def _text_copy(text: str, content_type: str) -> str:
    """Inline text: HTML when declared or plainly markup (ANSA labels HTML as text/plain)."""
    if not text.strip():
        return ""
    if "html" in content_type.lower() or _HTML_START_RE.match(text):
        return text.strip()
    return text_to_html(text)


def _xhtml_copy(body: etree._Element) -> str:
    """The children of an XHTML body (or of inlineXML itself), without what is not copy."""
    container = copy.deepcopy(body)
    for node in list(container.iterdescendants()):
        if local_name(node) in _XHTML_NOT_COPY:
            _remove_keeping_tail(node)
    return inner_html(container)


def _remove_keeping_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _rendition(remote: etree._Element, content: etree._Element | None, url: str) -> Rendition:
    """A remoteContent as a picture rendition, captioned and credited from contentMeta."""
    name = remote.get("rendition") or remote.get("renditionuri") or ""
    credit = _text(content, "creditline") or _text(content, "by")
    return Rendition(
        name=name,
        image=Image(
            url=resolve(remote.get("href", "").strip(), url),
            caption=_caption(content) or _headline(content),
            credit=collapse(credit),
            mime_type=remote.get("contenttype", "").strip(),
            width=dimension(remote.get("width")),
            height=dimension(remote.get("height")),
        ),
    )
