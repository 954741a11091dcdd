"""What an article page shows of its story's enrichment: "By the numbers", its quotes, and links
to the people, organisations, places and topics it names; and the per-person quote index.

Everything shown comes from the story's stored enrichment (``Enrichment.data``, the API's shape)
and the entity rows it links to; a story not enriched yet simply shows none of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from wiredesk.newsroom.models import Enrichment, Entity, Story, StoryQuote
from wiredesk.newsroom.queries import public_filter

FIGURES_SHOWN = 3
QUOTES_SHOWN = 6


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    url: str  # "" when there is no page for it


@dataclass(frozen=True, slots=True)
class ShownQuote:
    text: str
    speaker: Link

    @property
    def anchor(self) -> str:
        return quote_anchor(self.text)


@dataclass(frozen=True, slots=True)
class ShownFigure:
    display: str
    counts: str


@dataclass(frozen=True, slots=True)
class StoryEnrichment:
    figures: list[ShownFigure] = field(default_factory=list)
    quotes: list[ShownQuote] = field(default_factory=list)
    people: list[Link] = field(default_factory=list)
    organisations: list[Link] = field(default_factory=list)
    places: list[Link] = field(default_factory=list)
    topics: list[Link] = field(default_factory=list)

    @property
    def has_links(self) -> bool:
        return bool(self.people or self.organisations or self.places or self.topics)


def story_enrichment(story: Story) -> StoryEnrichment | None:
    """The enrichment of a story for its page (two queries), or None if it has none yet."""
    data = Enrichment.objects.filter(story=story).values_list("data", flat=True).first()
    if not data:
        return None
    # Entities enrichment is sure of get a link (enrich.linking): those this story links (stored
    # as its link's decision), and those it names with fair confidence that have an indexed page
    # from other stories (Entity.linked). The rest are plain text, the least sure left out.
    pages = {entity.key: entity.get_absolute_url()
             for entity in Entity.objects.filter(
                 Q(story_links__linked=True) | Q(linked=True), story_links__story=story)
             .only("key", "slug")}

    def links(items: list[dict[str, Any]]) -> list[Link]:
        return [Link(str(item["name"]), pages.get(str(item["key"]), "")
                     if item.get("linked") or _shown_unlinked(item) else "")
                for item in items if item.get("linked") or _shown_unlinked(item)]

    entities = data.get("entities", [])
    quotes = [quote for quote in data.get("quotes", []) if not quote.get("partial")]
    return StoryEnrichment(
        # "By the numbers": the key figures only (the story's news first, each labelled with
        # confidence, enrich.figures.key_figures); none when enrichment was not sure of them.
        figures=[ShownFigure(str(f["display"]), str(f["counts"]))
                 for f in data.get("figures", []) if f.get("key") and f.get("counts")
                 ][:FIGURES_SHOWN],
        quotes=[ShownQuote(str(q["text"]), Link(str(q["speaker"]),
                                                 pages.get(str(q.get("speaker_key")), "")))
                for q in quotes[:QUOTES_SHOWN]],
        people=links([e for e in entities if e["kind"] == "person"]),
        organisations=links([e for e in entities if e["kind"] == "organisation"]),
        places=links([*data.get("countries", []),
                      *(e for e in entities if e["kind"] == "place")]),
        topics=[Link(str(t["label"]), pages.get(f"topic:{t['qcode']}", ""))
                for t in data.get("topics", [])],
    )


# An entity without a link is still named (as plain text) from this confidence up.
PLAIN_TEXT_FROM = 0.5


def _shown_unlinked(item: dict[str, Any]) -> bool:
    return float(item.get("confidence", 0.0)) >= PLAIN_TEXT_FROM


def public_quotes(entity: Entity) -> QuerySet[StoryQuote]:
    """What a person said, in the stories the public may see, newest first."""
    # Read from the story_quote_listing index in its order (the story's publication time copied
    # onto the quote), each joined to its story for the public conditions: a subquery of every
    # public story, or an order on the story's column, costs a scan of the archive.
    return (StoryQuote.objects.filter(public_filter("story__"), speaker=entity)
            .select_related("story", "story__source")
            .order_by("-published_at", "-story_id", "position"))


def quote_anchor(text: str) -> str:
    """A stable id for a quote (it survives re-enrichment, which recreates the rows)."""
    return "q-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
