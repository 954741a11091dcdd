"""A full coverage page: an event as one page, led by its most representative story.

The stories of a cluster are read once (at most :data:`SCAN`); the lead is the story that names
most of what the event's stories have in common (the entities linked by two or more of them), a
story with a picture and then the earliest report breaking ties: the first full account, not
whichever follow-up came last. The page is named after it. Around it: a timeline of the event's
stories, the outlets that covered it, the people, organisations and places across it, and the
key quotes (one per speaker, from the most-named speakers first).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from wiredesk.newsroom.models import Cluster, Entity, Story, StoryEntity, StoryQuote
from wiredesk.newsroom.queries import public_stories
from wiredesk.site.pictures import attach

SCAN = 200
ENTITIES_SHOWN = 8
QUOTES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class SourceCount:
    name: str
    slug: str
    stories: int
    first_at: datetime


@dataclass(slots=True)
class CoveragePage:
    cluster: Cluster
    lead: Story
    stories: int
    first_at: datetime
    latest_at: datetime
    sources: list[SourceCount] = field(default_factory=list)
    people: list[Entity] = field(default_factory=list)
    organisations: list[Entity] = field(default_factory=list)
    places: list[Entity] = field(default_factory=list)
    quotes: list[StoryQuote] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.lead.headline


def coverage_page(cluster: Cluster) -> CoveragePage | None:
    stories = list(public_stories().filter(cluster=cluster)
                   .select_related("source", "section", "current_version")
                   .defer("current_version__body_html")
                   .order_by("first_published_at", "id")[:SCAN])
    if not stories:
        return None
    ids = [story.pk for story in stories]
    links = list(StoryEntity.objects.filter(story_id__in=ids, linked=True)
                 .values_list("story_id", "entity_id"))
    shared = Counter(entity for _, entity in set(links))
    common = {entity for entity, n in shared.items() if n >= 2}
    named: defaultdict[int, int] = defaultdict(int)
    for story_id, entity_id in links:
        if entity_id in common:
            named[story_id] += 1
    attach(stories)
    lead = max(stories, key=lambda s: (named[s.pk], getattr(s, "picture", None) is not None,
                                       -s.first_published_at.timestamp()))
    by_source: dict[int, list[Story]] = defaultdict(list)
    for story in stories:
        by_source[story.source_id].append(story)
    sources = sorted((SourceCount(items[0].source.name, items[0].source.slug, len(items),
                                  items[0].first_published_at) for items in by_source.values()),
                     key=lambda s: (-s.stories, s.first_at))
    page = CoveragePage(cluster, lead, len(stories), stories[0].first_published_at,
                        stories[-1].first_published_at, sources)
    entities = (Entity.objects.filter(story_links__story_id__in=ids, story_links__linked=True)
                .annotate(stories=Count("story_links__story_id", distinct=True))
                .order_by("-stories", "name")[:60])
    for entity in entities:
        group = {"person": page.people, "organisation": page.organisations,
                 "place": page.places, "country": page.places}.get(entity.kind)
        if group is not None and len(group) < ENTITIES_SHOWN:
            group.append(entity)
    rank = {entity.pk: n for n, entity in enumerate(page.people)}
    quotes = (StoryQuote.objects.filter(story_id__in=ids, speaker__isnull=False)
              .select_related("speaker", "story", "story__source")
              .order_by("story__first_published_at", "position")[:100])
    seen: set[int] = set()
    for quote in sorted(quotes, key=lambda q: rank.get(q.speaker_id or 0, len(rank))):
        if quote.speaker_id not in seen and len(page.quotes) < QUOTES_SHOWN:
            seen.add(quote.speaker_id or 0)
            page.quotes.append(quote)
    return page
