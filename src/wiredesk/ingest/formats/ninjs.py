"""ninjs, IPTC's News in JSON (https://iptc.org/standards/ninjs/), versions 1.x, 2.x and 3.x.

The three generations name the same things differently, and this module reads them all through
one set of lookups (:data:`_FIELDS`); keys are compared lower-cased, because 3.x writes them in
camelCase (``versionCreated``, ``pubStatus``) where 1.x and 2.x write ``versioncreated``:

====================  =============================  =========================================
what                  1.x                             2.x / 3.x
====================  =============================  =========================================
headline              ``headline``                    ``headlines`` [{role, value}]
body                  ``body_html``, ``body_xhtml``,  ``bodies`` [{role, contentType, value}]
                      ``body_text``
byline                ``byline``                      ``by`` (3.x)
summary               ``description_text``/``_html``  ``descriptions`` [{role, contentType, value}]
subjects              ``subject`` [{name, code}]      ``subjects`` [{name, uri, literal}] (3.x)
====================  =============================  =========================================

Identity (``FeedItem.guid``) is ``uri`` (the spec's identifier of the story across versions), else
``guid`` (Superdesk and AAP send that), except that an ``altids`` entry naming the story is
preferred (:data:`_STORY_ALTIDS`): the AP Media API's ``uri`` carries per-request query parameters,
while ``altids.itemid`` stays the same for every version. ``version`` orders versions,
``pubstatus`` says usable / withheld / canceled, ``embargoed`` holds the embargo time.

The item's link (``FeedItem.link``, the "Source:" link of its article) comes from ``links``
[{href, rel, mimetype}] (:func:`_link`): ``canonical`` first, then ``alternate``, then ``self``. A
link declaring a type that is not a web page (the ``self`` link to the item's JSON in an API, say)
is no article, and is skipped.

Pictures come from ``associations`` (1.x/2.x: an object by name; 3.x: a list): each picture's
renditions give one image (:func:`~.wire.best_rendition`), captioned from its description or
headline and credited from its credit line, byline or copyright holder. A picture item's own
renditions are read the same way.

A payload may hold one ninjs object, a JSON array of them, or a wrapper around them (the AP Media
API's ``{"data": {"items": [{"item": ...}]}}``, BBC's ``{"item": [...]}``): every object found
becomes an item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wiredesk.core.errors import NotAFeed, ParseError
from wiredesk.core.items import FeedItem, Image, ParsedFeed, PubStatus, Subject, WireMeta
from wiredesk.core.text import html_to_line
from wiredesk.ingest.formats.media import dimension, unique_images
from wiredesk.ingest.formats.nitf import parse_nitf_text
from wiredesk.ingest.formats.wire import (
    Rendition,
    best_rendition,
    correction_note,
    says_correction,
    version_number,
)
from wiredesk.ingest.formats.xmlfeed import (
    collapse,
    language_tag,
    read_dates,
    resolve,
    text_to_html,
    unique,
)

__all__ = ["looks_like_ninjs", "parse_ninjs"]

_Object = Mapping[str, Any]

# An object is ninjs when it has an identifier and one of these (lower-cased) properties.
_IDENTIFIERS = ("uri", "guid")
_MARKERS = frozenset(
    ("headline", "headlines", "body_html", "bodies", "body_text", "body_xhtml", "type",
     "versioncreated", "renditions", "descriptions", "title")
)  # fmt: skip
# Keys that wrap ninjs objects in API responses: AP Media API ("data", "items", "item"), BBC.
_WRAPPER_KEYS = ("data", "items", "item")
_MAX_WRAPPING = 4
# altids entries that name the story across versions (AP Media API: "itemid").
_STORY_ALTIDS = ("itemid",)
# Query parameters of a ``uri`` that change per request, not per story: the AP Media API's query
# token and entitlement ("?qt=H1Kdh42orF&et=0a1aza3c0").
_VOLATILE_URI_PARAMETERS = frozenset(("qt", "et"))
_PUBSTATUS = {
    "usable": PubStatus.USABLE,
    "withheld": PubStatus.WITHHELD,
    "canceled": PubStatus.CANCELED,
    "cancelled": PubStatus.CANCELED,
}
# Link relations that name the item's web page, best first (a relation may be given as a URI, as
# in "http://www.iana.org/assignments/relation/canonical": its last part counts).
_LINK_RELS = ("canonical", "alternate", "self")
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
# Signal values (lower-cased; bare, as QCodes or as the last part of a URI) -> WireMeta.signals.
_SIGNALS = {"update": "update", "correction": "correction", "kill": "kill"}
# Body and description content types, by what they are.
_HTML_TYPES = ("html", "xhtml")
_NITF_TYPES = ("nitf",)
# Item types some providers name their own way (BBC: "story").
_TYPE_ALIASES = {"story": "text", "article": "text", "image": "picture"}
# Picture-like association and item types.
_PICTURE_TYPES = frozenset(("picture", "graphic", "image"))
# Description roles that summarise the story (a picture's caption does not).
_SUMMARY_ROLES = ("summary", "lead", "abstract", "text", "")
_HTML_START_RE = re.compile(r"^\s*<(?:p|div|section|h[1-6]|ul|ol|table|br)\b", re.IGNORECASE)
_JSONFEED_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")


def looks_like_ninjs(document: object) -> bool:
    """Whether a decoded JSON document is (or wraps) ninjs rather than a JSON Feed or other JSON."""
    if isinstance(document, dict) and str(document.get("version", "")).startswith(
        _JSONFEED_PREFIXES
    ):
        return False
    return bool(_ninjs_objects(document)[0])


def parse_ninjs(document: object, url: str = "") -> ParsedFeed:
    """Map a decoded ninjs document (one object, a list, or a wrapper) to a :class:`ParsedFeed`."""
    objects, skipped = _ninjs_objects(document)
    if not objects:
        raise NotAFeed("the response is JSON but neither a JSON Feed nor ninjs")
    warnings: list[str] = []
    if skipped:
        warnings.append(f"skipped {skipped} list entries that are not ninjs objects")
    items = [_item(_lower(item), url, warnings) for item in objects]
    language = items[0].language if len(items) == 1 else ""
    return ParsedFeed(format=_format(objects[0]), language=language, items=items, warnings=warnings)


# -- finding the ninjs objects -------------------------------------------------------------------


def _lower(value: object) -> dict[str, Any]:
    """An object's properties with lower-cased names (3.x is camelCase); {} for a non-object."""
    if not isinstance(value, dict):
        return {}
    return {str(key).lower(): item for key, item in value.items()}


def _is_ninjs(properties: _Object) -> bool:
    if not any(isinstance(properties.get(key), (str, int)) for key in _IDENTIFIERS):
        return False
    return any(key in _MARKERS or key.startswith(("headline_", "body_")) for key in properties)


def _ninjs_objects(document: object, depth: int = 0) -> tuple[list[dict[Any, Any]], int]:
    """The ninjs objects in a document, as sent and in order, looking through lists and wrappers;
    and how many list entries were something else."""
    if depth > _MAX_WRAPPING:
        return [], 0
    if isinstance(document, list):
        found: list[dict[Any, Any]] = []
        skipped = 0
        for entry in document:
            objects, inner = _ninjs_objects(entry, depth + 1)
            found += objects
            skipped += inner if objects or inner else 1
        return found, skipped
    properties = _lower(document)
    if isinstance(document, dict) and _is_ninjs(properties):
        return [document], 0
    for key in _WRAPPER_KEYS:
        if key in properties:
            return _ninjs_objects(properties[key], depth + 1)
    return [], 0


def _format(document: Mapping[Any, Any]) -> str:
    """The standard version the object names ("ninjs1.4"), else the generation it looks like.

    3.x writes camelCase property names ("versionCreated") and ``by``; 2.x has the lists
    ``headlines``/``bodies``/``descriptions``; 1.x has neither.
    """
    properties = _lower(document)
    standard = _lower(properties.get("$standard") or properties.get("standard"))
    if _text(standard, "version"):
        return f"ninjs{_text(standard, 'version')}"
    if any(str(key) != str(key).lower() for key in document) or "by" in properties:
        return "ninjs3"
    if any(key in properties for key in ("headlines", "bodies", "descriptions")):
        return "ninjs2"
    return "ninjs1"


# -- one item ------------------------------------------------------------------------------------


def _item(properties: _Object, url: str, warnings: list[str]) -> FeedItem:
    dates = read_dates(  # "firstpublished" is Superdesk's, "contentcreated" 1.4's
        (_text(properties, key) for key in ("firstpublished", "firstcreated", "versioncreated",
                                             "contentcreated")),
        (_text(properties, "versioncreated"),),
    )  # fmt: skip
    embargo = read_dates((_text(properties, "embargoed"),), ())
    expires = read_dates((_text(properties, "expires"),), ())
    notes = unique((collapse(_text(properties, "ednote")),))
    signals = _signals(properties, notes)
    version = properties.get("version")
    return FeedItem(
        guid=_guid(properties),
        link=_link(properties, url),
        title=_headline(properties),
        content_html=_body(properties, url, warnings),
        summary_html=_summary(properties),
        author=_byline(properties),
        published=dates.published,
        updated=dates.updated,
        unparsed_dates=unique((*dates.unparsed, *embargo.unparsed, *expires.unparsed)),
        categories=_categories(properties),
        images=_images(properties, url),
        base_url=url,
        language=language_tag(_text(properties, "language")),
        rights=" ".join(unique((_text(properties, "usageterms"),
                                _text(properties, "copyrightnotice")))),
        wire=WireMeta(
            version=str(version).strip() if isinstance(version, (str, int)) else "",
            version_number=version_number(version),
            version_created=dates.updated,
            pubstatus=_pubstatus(properties, warnings),
            signals=signals,
            correction_note=correction_note(notes, signals),
            embargoed_until=embargo.published,
            expires_at=expires.published,
            urgency=version_number(properties.get("urgency")),
            located=collapse(_text(properties, "located")),
            subjects=tuple(_subjects(properties)),
            item_type=_item_type(properties),
        ),
    )


def _text(properties: _Object, key: str) -> str:
    value = properties.get(key)
    return value.strip() if isinstance(value, str) else ""


def _list(properties: _Object, key: str) -> list[Any]:
    value = properties.get(key)
    return value if isinstance(value, list) else []


def _guid(properties: _Object) -> str:
    altids = _lower(properties.get("altids"))
    for key in _STORY_ALTIDS:
        if _text(altids, key):
            return _text(altids, key)
    for key in _IDENTIFIERS:
        value = properties.get(key)
        if isinstance(value, (str, int)) and str(value).strip():
            return _stable_uri(str(value).strip())
    return ""


def _link(properties: _Object, url: str) -> str:
    """The item's web page from ``links``: by relation (:data:`_LINK_RELS`), in the order sent
    within one relation; "" when none names a page."""
    pages: dict[str, str] = {}
    for entry in map(_lower, _list(properties, "links")):
        href = _text(entry, "href")
        rel = re.split(r"[:/#]", _text(entry, "rel").lower())[-1]
        kind = (_text(entry, "mimetype") or _text(entry, "contenttype")).lower()
        if href and rel in _LINK_RELS and (not kind or kind.split(";")[0].strip() in _PAGE_TYPES):
            pages.setdefault(rel, resolve(href, url))
    return next((pages[rel] for rel in _LINK_RELS if rel in pages), "")


def _stable_uri(uri: str) -> str:
    """``uri`` without the query parameters that change per request, not per story."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in query if key.lower() not in _VOLATILE_URI_PARAMETERS]
    if len(kept) == len(query):
        return uri  # untouched, so its encoding stays the provider's
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _item_type(properties: _Object) -> str:
    """``type`` (aliases mapped); without one, an event (3.x ``eventDetails``), else text."""
    kind = _text(properties, "type").lower()
    if kind:
        return _TYPE_ALIASES.get(kind, kind)
    return "event" if "eventdetails" in properties else "text"


def _pubstatus(properties: _Object, warnings: list[str]) -> PubStatus:
    status = _text(properties, "pubstatus").lower()
    if status and status not in _PUBSTATUS:
        warnings.append(f"unknown ninjs pubstatus {status!r}; read as usable")
    return _PUBSTATUS.get(status, PubStatus.USABLE)


def _signals(properties: _Object, notes: Iterable[str]) -> tuple[str, ...]:
    """Known ``signals`` (strings, or objects with a code, name or URI), and a noted correction."""
    values = []
    for signal in _list(properties, "signals"):
        entry = _lower(signal)
        value = (
            signal
            if isinstance(signal, str)
            else (_text(entry, "code") or _text(entry, "uri") or _text(entry, "name"))
        )
        values.append(_SIGNALS.get(re.split(r"[:/]", value.strip())[-1].lower(), ""))
    if any(says_correction(note) for note in notes):
        values.append("correction")
    return unique(values)


# -- text ----------------------------------------------------------------------------------------


def _roles(properties: _Object, key: str) -> list[dict[str, Any]]:
    """A 2.x/3.x list of {role, contentType, value}, as lower-cased objects with a text value."""
    entries = (_lower(entry) for entry in _list(properties, key))
    return [entry for entry in entries if _text(entry, "value")]


def _headline(properties: _Object) -> str:
    """1.x ``headline``, else 2.x/3.x ``headlines`` (role "main" first), else ``headline_*``."""
    candidates = [_text(properties, "headline")]
    headlines = _roles(properties, "headlines")
    candidates += [_text(h, "value") for h in headlines if _text(h, "role").lower() == "main"]
    candidates += [_text(h, "value") for h in headlines]
    candidates += [_text(properties, key) for key in properties if key.startswith("headline_")]
    candidates.append(_text(properties, "title"))
    return next((html_to_line(text) for text in candidates if html_to_line(text)), "")


def _byline(properties: _Object) -> str:
    return collapse(_text(properties, "byline") or _text(properties, "by"))


def _as_html(value: str, content_type: str) -> str:
    """Text or HTML by declared type; undeclared text that plainly is markup counts as HTML."""
    if any(kind in content_type.lower() for kind in _HTML_TYPES) or _HTML_START_RE.match(value):
        return value.strip()
    return text_to_html(value)


def _body(properties: _Object, url: str, warnings: list[str]) -> str:
    """The richest body: HTML first, then NITF, then plain text (each in the order sent)."""
    html_bodies: list[str] = []
    nitf_bodies: list[str] = []
    text_bodies: list[str] = []
    for key, value in properties.items():
        if isinstance(value, str) and value.strip() and key.startswith("body_"):
            rich = key in ("body_html", "body_xhtml", "body_richtext")
            (html_bodies if rich else text_bodies).append(value)
    for entry in _roles(properties, "bodies"):
        kind = f"{_text(entry, 'contenttype')} {_text(entry, 'role')}".lower()
        if any(nitf in kind for nitf in _NITF_TYPES):
            nitf_bodies.append(_text(entry, "value"))
        elif any(html in kind for html in _HTML_TYPES):
            html_bodies.append(_text(entry, "value"))
        else:
            text_bodies.append(_text(entry, "value"))
    if html_bodies:
        return html_bodies[0].strip()
    for document in nitf_bodies:
        converted = _nitf_body(document, properties, warnings)
        if converted:
            return converted
    return next((_as_html(text, "") for text in text_bodies), "")


def _nitf_body(document: str, properties: _Object, warnings: list[str]) -> str:
    """A NITF body given as a string: parsed with the hardened parser, refused with a warning."""
    try:
        return parse_nitf_text(document).content_html
    except ParseError as exc:  # UnsafeXML included: the body is refused, the item is kept
        warnings.append(f"the NITF body of ninjs item {_guid(properties)!r} was not read: {exc}")
        return ""


def _summary(properties: _Object) -> str:
    """``description_html``/``description_text``, else a summarising 2.x/3.x ``descriptions``."""
    if _text(properties, "description_html"):
        return _text(properties, "description_html")
    if _text(properties, "description_text"):
        return text_to_html(_text(properties, "description_text"))
    for entry in _roles(properties, "descriptions"):
        if _text(entry, "role").lower() in _SUMMARY_ROLES:
            return _as_html(_text(entry, "value"), _text(entry, "contenttype"))
    return ""


def _subjects(properties: _Object) -> Iterator[Subject]:
    """1.x/2.x ``subject`` [{name, code}] and 3.x ``subjects`` [{name, uri, literal}]."""
    for entry in (*_list(properties, "subject"), *_list(properties, "subjects")):
        subject = _lower(entry)
        code = _text(subject, "code") or _text(subject, "literal") or _text(subject, "uri")
        name = collapse(_text(subject, "name"))
        if code or name:
            yield Subject(code=code, name=name)


def _categories(properties: _Object) -> tuple[str, ...]:
    """Keywords, then subject names (a name that only repeats its code is not one)."""
    keywords = (collapse(word) for word in _list(properties, "keywords") if isinstance(word, str))
    names = (subject.name for subject in _subjects(properties) if subject.name != subject.code)
    return unique((*keywords, *names))


# -- pictures ------------------------------------------------------------------------------------


def _images(properties: _Object, url: str) -> tuple[Image, ...]:
    """The item's own picture (a picture item) and its associated pictures, in order."""
    pictures = [properties] if _item_type(properties) in _PICTURE_TYPES else []
    pictures += [entry for entry in _associations(properties) if _is_picture(entry)]
    images = (_picture(picture, url) for picture in pictures)
    return unique_images(image for image in images if image is not None)


def _associations(properties: _Object) -> Iterator[dict[str, Any]]:
    """1.x/2.x ``associations`` {name: item} and 3.x ``associations`` [{name, ...item}]."""
    associations = properties.get("associations")
    if isinstance(associations, dict):
        values: Iterable[object] = associations.values()
    else:
        values = _list(properties, "associations")
    for value in values:
        association = _lower(value)
        if association:
            yield association


def _is_picture(association: _Object) -> bool:
    kind = _text(association, "type").lower()
    return kind in _PICTURE_TYPES or (not kind and bool(association.get("renditions")))


def _picture(picture: _Object, url: str) -> Image | None:
    """One image from a picture's renditions, with its caption and credit."""
    caption = (
        _text(picture, "description_text")
        or html_to_line(_text(picture, "description_html"))
        or next((_text(entry, "value") for entry in _roles(picture, "descriptions")), "")
        or _headline(picture)
    )
    credit = _text(picture, "creditline") or _byline(picture) or _text(picture, "copyrightholder")
    image = best_rendition(_renditions(picture, url))
    if image is None:
        return None
    return Image(
        url=image.url,
        caption=collapse(caption),
        credit=collapse(credit),
        mime_type=image.mime_type,
        width=image.width,
        height=image.height,
    )


def _renditions(picture: _Object, url: str) -> Iterator[Rendition]:
    """1.x/2.x ``renditions`` {name: {href...}} and 3.x ``renditions`` [{name, href...}]."""
    renditions = picture.get("renditions")
    if isinstance(renditions, dict):
        named: Iterable[tuple[str, object]] = renditions.items()
    else:
        named = ((_text(_lower(entry), "name"), entry) for entry in _list(picture, "renditions"))
    for name, value in named:
        rendition = _lower(value)
        href = _text(rendition, "href")
        if not href:
            continue
        yield Rendition(
            name=str(name),
            image=Image(
                url=resolve(href, url),
                mime_type=_text(rendition, "mimetype") or _text(rendition, "contenttype"),
                width=dimension(str(rendition.get("width", "")) or None),
                height=dimension(str(rendition.get("height", "")) or None),
            ),
        )
