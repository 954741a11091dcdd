"""NITF 3.x (News Industry Text Format, https://iptc.org/std/NITF/) into FeedItems.

One NITF document is one story version: ``head/docdata`` says who it is and what to do with it,
``body/body.head`` carries the headline, byline, dateline and abstract, ``body/body.content`` the
copy. NITF also travels inside the other wire formats (NewsML-G2 ``inlineXML`` with content type
``application/nitf+xml``, ninjs ``bodies`` of type ``text/vnd.IPTC.NITF``), so the body reader,
:func:`read_nitf_body`, is public; elements are matched by local name, because inline NITF comes
with the NITF namespace, without one, or in the enclosing NewsML-G2 namespace.

**Identity** (``FeedItem.guid``), first of:

1. ``docdata/du-key/@key``. The "dynamic use key" is NITF's own mechanism for "grouping and updating
   versions of stories" (NITF 3.6, ``du-key``): AP writethrus, NTB and Ritzau updates keep the key
   while the version goes up. The spec lets a provider reuse a key after "a period fixed by the
   provider", so a key is one story only within that period -- PA's keys are slugs
   (``PA-HHH-POLITICS-Brexit``), which is why the lifecycle orders versions by number and time.
2. ``docdata/doc-id/@id-string``, as sent. No suffix is stripped: the one provider whose doc-id
   visibly ends in a version counter (NTB, ``<key>_47``) also sends a du-key, and cutting a guessed
   suffix off other ids (AAP's ``AAP.115314987.5417374``) could merge different stories.
3. The AP slugline convention, when AP's Media API sends ``<doc-id regsrc="AP"/>`` without an id
   but a slug such as ``BC-BBN--Top Ten`` in ``hl1``/``hl2``/``title``: the slug without its
   ``, 1st Ld-Writethru`` suffix, so a writethru maps to the story it updates. AP reuses slugs for
   recurring features, which then read as versions of one story.
4. Nothing (``""``): the pipeline's identity chain falls back to the link, then a content hash.

**Versions**: ``du-key`` ``@generation`` ("increments with each instance of a story that uses the
same du-key") then ``@version``; version_number is ``generation * 10000 + version`` when both are
numbers, else whichever is. Without a du-key version, an AP writethru label ("1st Ld-Writethru")
numbers the version (the Nth lead is version N + 1; an AP slug without one is version 1).

**Status**: ``docdata/@management-status`` (usable, embargoed, withheld, canceled); a kill notice in
``ed-msg`` (``msg-type="kill"``, or AP's capitalised ``KILL`` / ``MANDATORY KILL``) is canceled too.
``date.release`` later than ``date.issue`` is an embargo until then; ``management-status=
"embargoed"`` without a release date is withheld, since no time to lift it is known.
``date.expire`` is the expiry. A ``docdata/correction`` element, or an ``ed-msg`` that speaks of a
correction, makes the item a correction with that note.

The helpers at the end (correction notes, version numbers) are shared with :mod:`.ninjs` and
:mod:`.newsmlg2`, which already depend on this module for NITF bodies.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from wiredesk.core.errors import ParseError
from wiredesk.core.items import FeedItem, Image, ParsedFeed, PubStatus, Subject, WireMeta
from wiredesk.ingest.formats.media import dimension
from wiredesk.ingest.formats.xmlfeed import (
    XML_LANG,
    collapse,
    language_tag,
    local_name,
    read_dates,
    resolve,
    unique,
)
from wiredesk.ingest.xmlsafe import parse_xml

__all__ = [
    "NitfBody",
    "correction_note",
    "element_children",
    "first_child",
    "parse_nitf",
    "parse_nitf_text",
    "read_nitf_body",
    "says_correction",
    "spaced_text",
    "version_number",
]

# -- NITF body markup to HTML: data, not branches ------------------------------------------------

# NITF body.content elements with an HTML equivalent (NITF's block and table model is HTML's).
_HTML_FOR = {
    "p": "p", "hl2": "h2", "bq": "blockquote", "pre": "pre", "hr": "hr", "br": "br",
    "ul": "ul", "ol": "ol", "li": "li", "dl": "dl", "dt": "dt", "dd": "dd",
    "table": "table", "caption": "caption", "thead": "thead", "tbody": "tbody", "tfoot": "tfoot",
    "tr": "tr", "th": "th", "td": "td", "col": "col", "colgroup": "colgroup",
    "a": "a", "em": "em", "q": "q", "sub": "sub", "sup": "sup",
}  # fmt: skip
# Elements whose content is not copy: pictures (read as images), editors' notes, metadata blocks.
_DROPPED = frozenset(
    ("media", "note", "nitf-table-metadata", "custom-table", "datasource", "tagline", "body.end")
)
# Attributes kept per HTML tag; everything else (NITF's idsrc, value, class codes...) goes.
_KEPT_ATTRIBUTES = {"a": ("href", "title"), "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan")}
# Every other element (person, org, location, chron, money, block, lang...) is semantic markup
# around text: unwrapped, its text kept.
_UNWRAP, _DROP = "wiredesk-unwrap", "wiredesk-drop"


def nitf_html(container: etree._Element) -> str:
    """The HTML of a NITF container's children (``body.content``, ``abstract``...), unsanitised."""
    root = copy.deepcopy(container)
    root.tail = None
    for node in root.iterdescendants():
        _to_html(node)
    etree.strip_elements(root, _DROP, with_tail=False)
    etree.strip_tags(root, _UNWRAP)
    etree.cleanup_namespaces(root)
    parts = [html.escape(root.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in root)
    return "".join(parts).strip()


def _to_html(node: etree._Element) -> None:
    name = local_name(node)
    if name in _DROPPED:
        node.tag = _DROP
        return
    tag = _HTML_FOR.get(name)
    if tag is None:
        node.tag = _UNWRAP
        return
    kept = {key: node.get(key, "") for key in _KEPT_ATTRIBUTES.get(tag, ()) if node.get(key)}
    node.attrib.clear()
    node.tag = tag
    node.attrib.update(kept)
    if name == "hl2":  # a subhead inside the copy (the story's own headline is hl1)
        node.set("class", "subhead")


# -- reading elements by local name --------------------------------------------------------------


def element_children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    """Children of ``element`` whose local name is ``name``, whatever their namespace."""
    if element is None:
        return
    for child in element:
        if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == name:
            yield child


def first_child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down ``path`` (local names), or None."""
    for name in path:
        element = next(element_children(element, name), None)
        if element is None:
            return None
    return element


def spaced_text(element: etree._Element | None) -> str:
    """All text inside ``element``, pieces joined by spaces: ``By<person>Ann</person>`` is two words."""
    if element is None:
        return ""
    return collapse(" ".join(element.itertext()))  # type: ignore[arg-type]


# -- the body ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NitfBody:
    """What a NITF ``<body>`` tells a reader, wherever the NITF came from."""

    headline: str = ""
    subheadline: str = ""  # hl2 of the hedline: AP puts its slug there
    byline: str = ""
    dateline: str = ""
    abstract_html: str = ""
    content_html: str = ""
    images: tuple[Image, ...] = ()


def read_nitf_body(body: etree._Element | None, base: str = "") -> NitfBody:
    """Read ``body.head`` and ``body.content`` of a NITF ``<body>`` element."""
    head = first_child(body, "body.head")
    content = first_child(body, "body.content")
    hedline = first_child(head, "hedline")
    abstract = first_child(head, "abstract")
    return NitfBody(
        headline=spaced_text(first_child(hedline, "hl1")),
        subheadline=spaced_text(first_child(hedline, "hl2")),
        byline=_byline(first_child(head, "byline")),
        dateline=_dateline(first_child(head, "dateline")),
        abstract_html=_abstract_html(abstract),
        content_html=nitf_html(content) if content is not None else "",
        images=tuple(_images(content, base)),
    )


def parse_nitf_text(text: str) -> NitfBody:
    """The body of a NITF document given as text (a ninjs body); hardened parse, may raise."""
    root = parse_xml(text)
    if local_name(root) != "nitf":
        raise ParseError(f"the NITF body is a <{local_name(root)}> document, not <nitf>")
    return read_nitf_body(first_child(root, "body"))


def _byline(byline: etree._Element | None) -> str:
    """``By BERNARD CONDON<byttl>AP Business Writer</byttl>`` -> "By BERNARD CONDON, AP Business Writer"."""
    if byline is None:
        return ""
    titles = [spaced_text(title) for title in element_children(byline, "byttl")]
    pieces = [byline.text or ""]
    for child in byline:
        if local_name(child) != "byttl":
            pieces.append(spaced_text(child))
        pieces.append(child.tail or "")
    return ", ".join(part for part in (collapse(" ".join(pieces)), *titles) if part)


def _dateline(dateline: etree._Element | None) -> str:
    """The place of a dateline: its ``location`` (city, state...) or its own text, not the date."""
    if dateline is None:
        return ""
    location = first_child(dateline, "location")
    if location is not None:
        return collapse(re.sub(r"\s+,", ",", spaced_text(location)))
    parts = [dateline.text or ""]
    parts.extend(child.tail or "" for child in dateline)  # story.date is the date, not the place
    return collapse(" ".join(parts))


def _abstract_html(abstract: etree._Element | None) -> str:
    if abstract is None:
        return ""
    markup = nitf_html(abstract)
    if markup and not markup.startswith("<"):
        return f"<p>{markup}</p>"  # a bare-text abstract, as AAP sends
    return markup


def _images(content: etree._Element | None, base: str) -> Iterator[Image]:
    """Pictures in the copy: ``media[@media-type="image"]`` with its reference, caption, producer."""
    if content is None:
        return
    for media in content.iter():
        if local_name(media) != "media" or media.get("media-type", "image") != "image":
            continue
        reference = first_child(media, "media-reference")
        source = reference.get("source", "").strip() if reference is not None else ""
        if reference is None or not source:
            continue
        yield Image(
            url=resolve(source, base),
            caption=spaced_text(first_child(media, "media-caption")),
            credit=spaced_text(first_child(media, "media-producer")),
            mime_type=reference.get("mime-type", "").strip(),
            width=dimension(reference.get("width")),
            height=dimension(reference.get("height")),
        )


