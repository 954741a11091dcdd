"""What the wire formats (ninjs, NewsML-G2, NITF) share: local-name element access, version
numbers, correction notes, and choosing one picture among its renditions.

RSS and Atom share :mod:`.xmlfeed`; the wire formats need a few things more. NITF travels inside
NewsML-G2 and ninjs with or without its namespace, and NewsML-G2 providers differ in prefixes, so
wire XML is read by local name. Agencies mark corrections in free-text editors' notes, so which
notes are correction notices is decided here once, the same way for every format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from wiredesk.core.items import Image
from wiredesk.ingest.formats.media import is_image
from wiredesk.ingest.formats.xmlfeed import collapse, unique

__all__ = [
    "Rendition",
    "best_rendition",
    "correction_note",
    "element_children",
    "first_child",
    "says_correction",
    "spaced_text",
    "version_number",
]

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
    """All text inside ``element``, its pieces joined by spaces (``By<person>Ann</person>``)."""
    if element is None:
        return ""
    return collapse(" ".join(element.itertext()))  # type: ignore[arg-type]


# -- versions ------------------------------------------------------------------------------------


def version_number(value: object) -> int | None:
    """A version or urgency as an int when it is a whole number ("11", 11, "04"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# -- corrections ---------------------------------------------------------------------------------

# Words that make an editor's note a correction notice: English, and the agencies' languages
# (German berichtigt/korrigiert, Scandinavian rettelse/rättelse/korrigert, Romance corrige...).
_CORRECTION_RE = re.compile(
    r"\bcorrect(?:s|ed|ion|ions|ing)?\b|\bcorrig|\bkorrig|\brettels|\brättels|\bberichtig"
    r"|\bcorrez|\bcorrecci|\brectif",
    re.IGNORECASE,
)


def says_correction(note: str) -> bool:
    """Whether an editor's note announces a correction ("Eds: Corrects spelling of ...")."""
    return bool(_CORRECTION_RE.search(note))


def correction_note(notes: Iterable[str], signals: Iterable[str]) -> str:
    """WireMeta.correction_note: the agency's notes, when the item is a correction.

    Notes that say so are the note. If the item is flagged a correction (a signal) and no note says
    so, all its notes are, since they then explain the correction. Other notes ("Eds: Adds
    full-year results") are not a correction's.
    """
    distinct = unique(collapse(note) for note in notes)
    saying = [note for note in distinct if says_correction(note)]
    if saying:
        return " ".join(saying)
    return " ".join(distinct) if "correction" in signals else ""


# -- pictures ------------------------------------------------------------------------------------

# Rendition names that mean "the picture itself", best first: ninjs "original", Reuters'
# "rend:baseImage", the IPTC rendition NewsCodes' "highRes"/"print". Lower-cased, prefix dropped.
_PREFERRED_RENDITIONS = ("original", "baseimage", "highres", "print", "hires")


@dataclass(frozen=True, slots=True)
class Rendition:
    """One rendition of a picture as a wire format describes it."""

    name: str  # "original", "rend:baseImage", a rendition NewsCode URI, "thumbnail"...
    image: Image


def best_rendition(renditions: Iterable[Rendition]) -> Image | None:
    """One picture from its renditions: a preferred name (in preference order), else the largest.

    Only fetchable pictures count: an http(s) URL that is an image by MIME type or extension.
    """
    usable = [
        rendition
        for rendition in renditions
        if rendition.image.url.startswith(("http://", "https://"))
        and is_image(rendition.image.url, rendition.image.mime_type)
    ]
    by_name = {_rendition_key(rendition.name): rendition.image for rendition in reversed(usable)}
    for name in _PREFERRED_RENDITIONS:
        if name in by_name:
            return by_name[name]
    if not usable:
        return None
    return max(usable, key=lambda rendition: _area(rendition.image)).image


def _rendition_key(name: str) -> str:
    """The last part of a rendition name: "rend:baseImage" and a NewsCode URI ".../highRes"."""
    return re.split(r"[:/]", name.strip())[-1].lower()


def _area(image: Image) -> int:
    return (image.width or 0) * (image.height or 0)
