"""What enrichment makes of a story: plain, JSON-ready data, the same shape the API and
``wiredesk export`` show (see :meth:`Enrichment.as_dict`).

Entities carry a cross-story ``key`` ("person:joe-biden", "country:mx", "topic:medtop:11000000")
so the newsroom can keep one row per entity and list every story that names it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StoryText:
    """The story as enrichment reads it."""

    headline: str
    text: str  # the body as plain text, paragraphs separated by a blank line
    dateline: str = ""
    subjects: tuple[str, ...] = ()  # the source's own subject codes (qcodes), if any
    summary: str = ""  # the source's summary, if any
    language: str = ""  # the language detected from the text at ingest ("" when unknown)


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A person, organisation, place or country named in the story."""

    key: str
    name: str  # canonical name
    kind: str  # person, organisation, place, country
    count: int = 1
    aliases: tuple[str, ...] = ()  # other forms seen in the story ("Biden")
    country_code: str = ""  # ISO 3166-1 alpha-2, for countries (and places, their country)
    # Whether the entity gets a public page and a link (:mod:`wiredesk.enrich.linking`), how
    # sure enrichment is of it, and whether other stories naming it could make it linkable.
    linked: bool = True
    confidence: float = 1.0
    needs_support: bool = False


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """A direct quotation with its speaker (``speaker_key`` "" when unresolved)."""

    text: str
    speaker: str
    speaker_key: str = ""
    partial: bool = False  # quoted words inside reported speech


@dataclass(frozen=True, slots=True)
class FigureRef:
    """A key number: its value, how it was written, its unit and what it counts."""

    value: float
    display: str
    unit: str
    counts: str
    confident: bool = False  # what it counts was read by a reliable rule
    key: bool = False  # shown in "By the numbers" (enrich.figures.key_figures)


@dataclass(frozen=True, slots=True)
class TopicRef:
    """An IPTC Media Topic: qcode, label, and whether it came from the source or the text."""

    qcode: str  # a top-level Media Topic
    label: str
    source: str  # "subject" or "text"
    score: float = 1.0
    detail: str = ""  # an aspect under it ("migration of people"), when recognised
    detail_qcode: str = ""  # that aspect's qcode, only when it is known

    @property
    def key(self) -> str:
        return f"topic:{self.qcode}"


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Everything enrichment found, with the version and methods that found it."""

    version: str
    methods: dict[str, str] = field(default_factory=dict)  # stage -> method (and degradations)
    entities: tuple[EntityRef, ...] = ()
    quotes: tuple[QuoteRef, ...] = ()
    figures: tuple[FigureRef, ...] = ()
    countries: tuple[EntityRef, ...] = ()
    places: tuple[EntityRef, ...] = ()
    dateline_place: str = ""
    topics: tuple[TopicRef, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""  # written when the source gave none

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = [{"qcode": t.qcode, "label": t.label, "source": t.source,
                           "detail": t.detail, "detail_qcode": t.detail_qcode}
                          for t in self.topics]
        return data
