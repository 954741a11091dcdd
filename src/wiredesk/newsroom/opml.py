"""Sources in bulk as OPML 2.0, the feed readers' exchange format: `wiredesk source export` and
`wiredesk source import FILE.opml`.

Each polled source is an ``<outline type="rss" text=… xmlUrl=…>`` inside an outline named after
its section (as feed readers group feeds in folders). Wiredesk's own settings travel as attributes
in their own namespace (:data:`NS`), which feed readers ignore and an import reads back, so an
export imported into another desk gives the same sources: section, publication mode, format,
duplicate policy, canonical policy, active flag, poll interval, retention, attribution note.

An OPML file comes from elsewhere and is parsed as hostile: by the project's hardened parser
(wiredesk.ingest.xmlsafe: no external entities, no entity expansion, no network), and refused
whole -- adding nothing -- when it is unsafe, not well-formed, not OPML, or has an outline that
cannot become a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from django.db import transaction
from lxml import etree

from wiredesk.core.errors import ParseError, WiredeskError
from wiredesk.ingest.xmlsafe import parse_xml
from wiredesk.newsroom.models import Section, Source
from wiredesk.newsroom.sources import section_named, unique_slug

NS = "urn:wiredesk:opml:1"
MAX_BYTES = 5_000_000
MAX_SOURCES = 10_000


class OPMLError(WiredeskError):
    """An OPML file refused whole: the message says why."""


# Wiredesk's settings as attributes: attribute -> (field, allowed values or None for free text).
_CHOICES: dict[str, tuple[str, frozenset[str] | None]] = {
    "mode": ("publication_mode", frozenset(Source.Mode.values)),
    "format": ("format", frozenset(Source.Format.values)),
    "duplicates": ("duplicate_policy", frozenset(Source.DuplicatePolicy.values)),
    "canonical": ("canonical_policy", frozenset(Source.Canonical.values)),
    "attribution": ("attribution_note", None),
}
_NUMBERS = {"interval": "poll_interval", "retention": "retention_days"}


@dataclass(slots=True)
class Entry:
    """One feed outline, read and checked."""

    url: str
    name: str
    section: str = ""  # a section's name
    settings: dict[str, object] = field(default_factory=dict)


def export_opml(now: datetime | None = None) -> bytes:
    """Every polled source, grouped by section, with Wiredesk's settings as attributes."""
    root = etree.Element("opml", version="2.0", nsmap={"wiredesk": NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = "Wiredesk sources"
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for source in Source.objects.filter(transport=Source.Transport.POLL).exclude(url="") \
            .select_related("section").order_by("section__name", "name", "pk"):
        parent = body
        if source.section is not None:
            name = source.section.name
            if name not in folders:
                folders[name] = etree.SubElement(body, "outline", text=name, title=name)
            parent = folders[name]
        outline = etree.SubElement(parent, "outline", type="rss", text=source.name,
                                   title=source.name, xmlUrl=source.url)
        for attribute, (name, _) in _CHOICES.items():
            if value := getattr(source, name):
                outline.set(f"{{{NS}}}{attribute}", str(value))
        for attribute, name in _NUMBERS.items():
            if (number := getattr(source, name)) is not None:
                outline.set(f"{{{NS}}}{attribute}", str(number))
        outline.set(f"{{{NS}}}active", "true" if source.is_active else "false")
        outline.set(f"{{{NS}}}slug", source.slug)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_opml(data: bytes) -> list[Entry]:
    """The feeds of an OPML file; :class:`OPMLError` if the file is refused."""
    if len(data) > MAX_BYTES:
        raise OPMLError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        root = parse_xml(data)
    except ParseError as exc:
        raise OPMLError(f"not a readable OPML file: {exc}") from exc
    if not isinstance(root.tag, str) or etree.QName(root).localname != "opml":
        raise OPMLError(f"not OPML: the document's root element is <{_name(root)}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise OPMLError("not OPML: there is no <body>")
    entries: list[Entry] = []
    _walk(body, "", entries)
    if len(entries) > MAX_SOURCES:
        raise OPMLError(f"more than {MAX_SOURCES} feeds")
    urls = [entry.url for entry in entries]
    if repeated := sorted({url for url in urls if urls.count(url) > 1}):
        raise OPMLError(f"the feed {repeated[0]} is listed twice")
    return entries


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else "?"


def _walk(parent: etree._Element, section: str, entries: list[Entry]) -> None:
    for outline in parent.iterchildren("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        name = (outline.get("title") or outline.get("text") or "").strip()
        if not url:
            # A folder: its feeds go to the section it names (a Wiredesk export's sections).
            _walk(outline, outline.get("text") or outline.get("title") or section, entries)
            continue
        entries.append(_entry(outline, url, name, section, len(entries) + 1))


def _entry(outline: etree._Element, url: str, name: str, section: str, number: int) -> Entry:
    where = f"feed {number} ({name or url})"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise OPMLError(f"{where}: not an http(s) feed URL: {url[:200]!r}")
    entry = Entry(url=url, name=(name or parts.hostname)[:200],
                  section=(outline.get(f"{{{NS}}}section") or section).strip()[:100])
    for attribute, (field_name, allowed) in _CHOICES.items():
        value = outline.get(f"{{{NS}}}{attribute}")
        if value is None:
            continue
        if allowed is not None and value not in allowed:
            raise OPMLError(f"{where}: wiredesk:{attribute} must be one of "
                            f"{', '.join(sorted(allowed))}, not {value!r}")
        entry.settings[field_name] = value
    for attribute, field_name in _NUMBERS.items():
        value = outline.get(f"{{{NS}}}{attribute}")
        if value is None:
            continue
        if not value.isdigit() or len(value) > 9:
            raise OPMLError(f"{where}: wiredesk:{attribute} must be a whole number, "
                            f"not {value!r}")
        entry.settings[field_name] = int(value)
    active = outline.get(f"{{{NS}}}active")
    if active is not None:
        if active not in ("true", "false"):
            raise OPMLError(f"{where}: wiredesk:active must be true or false")
        entry.settings["is_active"] = active == "true"
    if slug := outline.get(f"{{{NS}}}slug"):
        entry.settings["slug"] = slug[:100]
    return entry


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    updated: int


@transaction.atomic
def import_opml(data: bytes) -> Imported:
    """Add the file's feeds (a feed already polled is updated with the file's settings), all or
    nothing."""
    entries = read_opml(data)
    added = updated = 0
    for entry in entries:
        source = Source.objects.filter(transport=Source.Transport.POLL, url=entry.url).first()
        settings = dict(entry.settings)
        slug = str(settings.pop("slug", ""))
        if source is None:
            taken = not slug or Source.objects.filter(slug=slug).exists()
            source = Source(name=entry.name, url=entry.url, transport=Source.Transport.POLL,
                            slug=unique_slug(entry.name) if taken else slug)
            added += 1
        else:
            source.name = entry.name
            updated += 1
        if entry.section:
            source.section = Section.objects.filter(name=entry.section).first() or \
                section_named(entry.section)
        for name, value in settings.items():
            setattr(source, name, value)
        source.save()
    return Imported(added, updated)
