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

Wire helpers shared with :mod:`.ninjs` and :mod:`.newsmlg2` (correction notes, version numbers,
local-name access) are in :mod:`.wire`.
"""

from __future__ import annotations

import copy
import dataclasses
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from wiredesk.core.errors import ParseError
from wiredesk.core.items import FeedItem, Image, ParsedFeed, PubStatus, Subject, WireMeta
from wiredesk.ingest.formats.media import dimension, is_image
from wiredesk.ingest.formats.wire import (
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
    language_tag,
    local_name,
    read_dates,
    resolve,
    unique,
)
from wiredesk.ingest.xmlsafe import parse_xml

__all__ = ["NitfBody", "nitf_html", "parse_nitf", "parse_nitf_text", "read_nitf", "read_nitf_body"]

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
_KEPT_ATTRIBUTES = {
    "a": ("href", "title"), "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan")
}  # fmt: skip
# Every other element (person, org, location, chron, money, block, lang...) is semantic markup
# around text: unwrapped, its text kept.
_UNWRAP, _DROP = "wiredesk-unwrap", "wiredesk-drop"


def nitf_html(container: etree._Element) -> str:
    """The HTML of a NITF container's children (``body.content``, ``abstract``...), unsanitised."""
    root = copy.deepcopy(container)
    root.tail = None
    for node in root.iterdescendants():
        _to_html(node)
    root.tag = "div"  # so that no NITF namespace declaration stays in scope of the children
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
    kept = [(key, node.get(key, "")) for key in _KEPT_ATTRIBUTES.get(tag, ()) if node.get(key)]
    node.attrib.clear()
    node.tag = tag
    for key, value in kept:
        node.set(key, value)
    if name == "hl2":  # a subhead inside the copy (the story's own headline is hl1)
        node.set("class", "subhead")


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


def read_nitf(root: etree._Element, base: str = "") -> NitfBody:
    """The body of a whole ``<nitf>`` element (NITF inside NewsML-G2); ``head/title`` stands in
    for a missing ``hl1``."""
    body = read_nitf_body(first_child(root, "body"), base)
    if body.headline:
        return body
    return dataclasses.replace(body, headline=spaced_text(first_child(root, "head", "title")))


def parse_nitf_text(text: str) -> NitfBody:
    """The body of a NITF document given as text (a ninjs body); hardened parse, may raise."""
    root = parse_xml(text)
    if local_name(root) != "nitf":
        raise ParseError(f"the NITF body is a <{local_name(root)}> document, not <nitf>")
    return read_nitf(root)


def _byline(byline: etree._Element | None) -> str:
    """``By ANN LEE<byttl>AP Writer</byttl>`` reads "By ANN LEE, AP Writer"."""
    if byline is None:
        return ""
    titles = [spaced_text(title) for title in element_children(byline, "byttl")]
    pieces = [byline.text or ""]
    for child in byline:
        if local_name(child) != "byttl":
            pieces.append(spaced_text(child))
        pieces.append(child.tail or "")
    name = collapse(" ".join(pieces)).rstrip(",").strip()  # "By Ann Lee, <byttl>..."
    return ", ".join(part for part in (name, *titles) if part)


def _dateline(dateline: etree._Element | None) -> str:
    """The place of a dateline: its ``location`` (city, state...) or its own text, not the date."""
    if dateline is None:
        return ""
    location = first_child(dateline, "location")
    if location is not None:
        return _place(location)
    parts = [dateline.text or ""]
    parts.extend(child.tail or "" for child in dateline)  # story.date is the date, not the place
    return collapse(" ".join(parts))


def _place(location: etree._Element) -> str:
    """``<city>Ottawa</city><state>Ontario</state>`` -> "Ottawa, Ontario" (commas kept if sent)."""
    if "," in "".join(location.itertext()):  # type: ignore[arg-type]
        return re.sub(r"\s+,", ",", spaced_text(location))
    return ", ".join(part for part in (spaced_text(child) for child in location) if part) or (
        spaced_text(location)
    )


def _abstract_html(abstract: etree._Element | None) -> str:
    if abstract is None:
        return ""
    markup = nitf_html(abstract)
    if markup and not markup.startswith("<"):
        return f"<p>{markup}</p>"  # a bare-text abstract, as AAP sends
    return markup


def _images(content: etree._Element | None, base: str) -> Iterator[Image]:
    """Pictures in the copy: ``media[@media-type="image"]``, its reference, caption and producer."""
    if content is None:
        return
    for media in content.iter():
        if local_name(media) != "media" or media.get("media-type", "image") != "image":
            continue
        reference = first_child(media, "media-reference")
        source = reference.get("source", "").strip() if reference is not None else ""
        url = resolve(source, base)
        if reference is None or not (url.startswith(("http://", "https://")) or is_image(source)):
            continue  # an id only the agency's system can resolve (NTB sends those)
        yield Image(
            url=url,
            caption=spaced_text(first_child(media, "media-caption")),
            credit=spaced_text(first_child(media, "media-producer")),
            mime_type=reference.get("mime-type", "").strip(),
            width=dimension(reference.get("width")),
            height=dimension(reference.get("height")),
        )


# -- the document --------------------------------------------------------------------------------

# docdata/@management-status -> what the source says about publishing (NITF 3.6 docdata).
_MANAGEMENT_STATUS = {
    "usable": PubStatus.USABLE,
    "embargoed": PubStatus.USABLE,  # with date.release as the embargo time
    "withheld": PubStatus.WITHHELD,
    "canceled": PubStatus.CANCELED,
    "cancelled": PubStatus.CANCELED,
}
# Kill notices in ed-msg: AP capitalises the instruction ("MANDATORY KILL", "KILL"), so case is
# kept; a note that merely mentions deaths ("3 killed") never matches.
_KILL_NOTICE_RE = re.compile(r"\b(?:MANDATORY\s+)?KILL(?:ED)?\b")
_KILL_MESSAGE_TYPES = frozenset(("kill", "killed", "withdrawal"))
# AP's slugline, "BC-BKN--Heat-Hawks" (category, desk, "--", keyword), and its writethru label.
_AP_SLUG_RE = re.compile(r"^[A-Z]{1,3}-[A-Z0-9]{0,5}--[^,]+")
_WRITETHRU_RE = re.compile(r"\b(\d+)(?:st|nd|rd|th)\s*Ld-Writethru\b", re.IGNORECASE)
_NITF_VERSION_RE = re.compile(r"NITF\s+(\d+(?:\.\d+)?)")
_SUBJECT_CODE_RE = re.compile(r"^\d{8}$")  # an IPTC Subject Code, "04011002"


@dataclass(frozen=True, slots=True)
class _Slug:
    """AP's slugline convention, when the document follows it."""

    key: str = ""  # "BC-BKN--Heat-Hawks"
    writethru: str = ""  # "1st Ld-Writethru"
    lead: int | None = None  # 1


@dataclass(frozen=True, slots=True)
class _Schedule:
    """When the copy may be used: embargo and expiry, and date strings that could not be read."""

    embargoed_until: datetime | None = None
    expires_at: datetime | None = None
    release_date_given: bool = False
    unparsed: tuple[str, ...] = ()


def parse_nitf(root: etree._Element, url: str) -> ParsedFeed:
    """Map a ``<nitf>`` document (one story version) to a :class:`ParsedFeed` of one item."""
    warnings: list[str] = []
    item = _item(root, url, warnings)
    return ParsedFeed(format=_format(root), language=item.language, items=[item], warnings=warnings)


def _format(root: etree._Element) -> str:
    match = _NITF_VERSION_RE.search(root.get("version", ""))
    return f"nitf{match.group(1)}" if match else "nitf"


def _rights(docdata: etree._Element | None) -> str:
    """doc.rights: its limitations (the usage terms), then who holds the rights."""
    rights = first_child(docdata, "doc.rights")
    if rights is None:
        return ""
    parts = (rights.get(name, "") for name in ("limitations", "owner", "agent"))
    return " ".join(collapse(part) for part in parts if part.strip())


def _item(root: etree._Element, url: str, warnings: list[str]) -> FeedItem:
    head = first_child(root, "head")
    docdata = first_child(head, "docdata")
    body = read_nitf_body(first_child(root, "body"), url)
    title = spaced_text(first_child(head, "title"))
    slug = _ap_slug((body.subheadline, body.headline, title))
    issued = _norm(first_child(docdata, "date.issue"))
    dates = read_dates((issued, *_other_dates(root, head)), (issued,))
    schedule = _schedule(docdata, dates.updated)
    version, number = _versioning(first_child(docdata, "du-key"), slug)
    signals, note = _correction(docdata)
    return FeedItem(
        guid=_guid(docdata, slug),
        title=body.headline or title,
        content_html=body.content_html,
        summary_html=body.abstract_html,
        author=body.byline,
        published=dates.published,
        updated=dates.updated,
        unparsed_dates=unique((*dates.unparsed, *schedule.unparsed)),
        categories=_keywords(docdata),
        images=body.images,
        base_url=url,
        language=language_tag(root.get("baselang", "") or root.get(XML_LANG, "")),
        rights=_rights(docdata),
        wire=WireMeta(
            version=version,
            version_number=number,
            version_created=dates.updated,
            pubstatus=_pubstatus(docdata, schedule, warnings),
            signals=signals,
            correction_note=note,
            embargoed_until=schedule.embargoed_until,
            expires_at=schedule.expires_at,
            urgency=version_number(_attribute(first_child(docdata, "urgency"), "ed-urg")),
            located=body.dateline,
            subjects=tuple(_subjects(head)),
        ),
    )


def _attribute(element: etree._Element | None, name: str) -> str:
    return (element.get(name, "") if element is not None else "").strip()


def _norm(element: etree._Element | None) -> str:
    """A NITF date: its ``norm`` attribute (ISO 8601), else its text."""
    if element is None:
        return ""
    return (element.get("norm") or element.text or "").strip()


def _other_dates(root: etree._Element, head: etree._Element | None) -> tuple[str, str]:
    """Publication dates after date.issue: the dateline's story.date, then pubdata."""
    story_date = first_child(root, "body", "body.head", "dateline", "story.date")
    return _norm(story_date), _attribute(first_child(head, "pubdata"), "date.publication")


def _guid(docdata: etree._Element | None, slug: _Slug) -> str:
    """The identity rule of the module docstring: du-key, doc-id, AP slug, else nothing."""
    candidates = (
        _attribute(first_child(docdata, "du-key"), "key"),
        _attribute(first_child(docdata, "doc-id"), "id-string"),
        slug.key,
    )
    return next((candidate for candidate in candidates if candidate), "")


def _ap_slug(texts: Iterable[str]) -> _Slug:
    """AP's slug and writethru label from the first of ``hl2``, ``hl1``, ``title`` that has one."""
    for text in texts:
        match = _AP_SLUG_RE.match(text)
        if match is None:
            continue
        key = _WRITETHRU_RE.split(match.group())[0].strip().rstrip(",").strip()
        writethru = _WRITETHRU_RE.search(text)
        if writethru is None:
            return _Slug(key)
        return _Slug(key, writethru.group(), int(writethru.group(1)))
    return _Slug()


def _versioning(du_key: etree._Element | None, slug: _Slug) -> tuple[str, int | None]:
    """(version, version_number): du-key generation and version, else AP's writethru lead."""
    generation = _attribute(du_key, "generation")
    version = _attribute(du_key, "version")
    if generation or version:
        label = f"{generation}.{version}" if generation and version else generation or version
        numbers = (version_number(generation), version_number(version))
        if numbers[0] is not None and numbers[1] is not None:
            return label, numbers[0] * 10_000 + numbers[1]
        return label, numbers[0] if numbers[0] is not None else numbers[1]
    if slug.lead is not None:  # the Nth lead rewrites the story for the Nth time
        return slug.writethru, slug.lead + 1
    return "", 1 if slug.key else None


def _schedule(docdata: etree._Element | None, issued: datetime | None) -> _Schedule:
    """Embargo (a release date after the issue date) and expiry."""
    release_text = _norm(first_child(docdata, "date.release"))
    release = read_dates((release_text,), ())
    expire = read_dates((_norm(first_child(docdata, "date.expire")),), ())
    embargoed = release.published
    if embargoed is not None and issued is not None and embargoed <= issued:
        embargoed = None  # released when issued: nothing to wait for
    return _Schedule(
        embargoed_until=embargoed,
        expires_at=expire.published,
        release_date_given=release.published is not None,
        unparsed=(*release.unparsed, *expire.unparsed),
    )


def _pubstatus(
    docdata: etree._Element | None, schedule: _Schedule, warnings: list[str]
) -> PubStatus:
    if any(_is_kill_notice(message) for message in element_children(docdata, "ed-msg")):
        return PubStatus.CANCELED
    status = _attribute(docdata, "management-status").lower()
    if status == "embargoed" and not schedule.release_date_given:
        warnings.append("an embargoed NITF document gives no date.release; it is withheld")
        return PubStatus.WITHHELD
    if status and status not in _MANAGEMENT_STATUS:
        warnings.append(f"unknown NITF management-status {status!r}; read as usable")
    return _MANAGEMENT_STATUS.get(status, PubStatus.USABLE)


def _is_kill_notice(message: etree._Element) -> bool:
    if message.get("msg-type", "").strip().lower() in _KILL_MESSAGE_TYPES:
        return True
    return bool(_KILL_NOTICE_RE.search(message.get("info", "")))


def _correction(docdata: etree._Element | None) -> tuple[tuple[str, ...], str]:
    """Signals and note: a ``correction`` element, or an ``ed-msg`` that speaks of a correction."""
    corrections = [
        collapse(element.get("info", "")) for element in element_children(docdata, "correction")
    ]
    notes = [collapse(message.get("info", "")) for message in element_children(docdata, "ed-msg")]
    is_correction = bool(corrections) or any(says_correction(note) for note in notes)
    signals = ("correction",) if is_correction else ()
    return signals, correction_note((*corrections, *notes), signals)


def _subjects(head: etree._Element | None) -> Iterator[Subject]:
    """``tobject.subject``: the IPTC Subject Code and its most specific name."""
    for tobject in element_children(head, "tobject"):
        for subject in element_children(tobject, "tobject.subject"):
            code = subject.get("tobject.subject.refnum", "").strip()
            if _SUBJECT_CODE_RE.match(code):
                code = f"subj:{code}"
            names = (
                subject.get(f"tobject.subject.{level}", "").strip()
                for level in ("detail", "matter", "type")
            )
            name = next((name for name in names if name), "")
            if code or name:
                yield Subject(code=code, name=name)


def _keywords(docdata: etree._Element | None) -> tuple[str, ...]:
    keywords = (
        collapse(keyword.get("key") or keyword.text or "")
        for key_list in element_children(docdata, "key-list")
        for keyword in element_children(key_list, "keyword")
    )
    return unique(keywords)
