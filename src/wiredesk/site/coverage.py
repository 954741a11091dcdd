"""A full coverage page: an event as one page, led by its most representative story.

The stories of a cluster are read once (at most :data:`SCAN`, a few columns each); the lead is the
story that names most of what the event's stories have in common (the entities linked by two or
more of them), a story with a picture and then the earliest report breaking ties: the first full
account, not whichever follow-up came last. The page is named after it. Around it: a timeline of
the event's stories, the outlets that covered it, the people, organisations and places across it,
and the key quotes (one per speaker, from the most-named speakers first).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from wiredesk.newsroom.models import Cluster, Entity, Story, StoryEntity, StoryQuote
from wiredesk.newsroom.queries import public_stories
from wiredesk.site.listings import teaser_columns
from wiredesk.site.pictures import attach, lead_pictures

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
    # The event's stories as a few columns each (a model row with its source, section and
    # version per story cost more than the rest of the page); the lead is read whole after.
    scan = public_stories().filter(cluster=cluster).order_by("first_published_at", "id")
    stories = list(scan.values_list("pk", "source_id", "source__name", "source__slug",
                                    "first_published_at")[:SCAN])
    if not stories:
        return None
    # The same stories as a subquery, for the statements below: Django prepares every value of
    # an IN list of ids in Python (a millisecond per statement for 200 ids).
    ids = scan.values("pk")[:SCAN]
    links = list(StoryEntity.objects.filter(story_id__in=ids, linked=True)
                 .values_list("story_id", "entity_id"))
    shared = Counter(entity for _, entity in set(links))
    common = {entity for entity, n in shared.items() if n >= 2}
    named: defaultdict[int, int] = defaultdict(int)
    for story_id, entity_id in links:
        if entity_id in common:
            named[story_id] += 1
    pictures = lead_pictures(pk for pk, *_ in stories)
    lead_id = max(stories, key=lambda s: (named[s[0]], s[0] in pictures, -s[4].timestamp()))[0]
    lead = teaser_columns(public_stories().filter(pk=lead_id)).first()
    if lead is None:  # gone since the read above
        return None
    attach([lead], pictures)
    by_source: dict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    for _, source_id, name, slug, published in stories:
        by_source[source_id].append((name, slug, published))
    sources = sorted((SourceCount(items[0][0], items[0][1], len(items), items[0][2])
                      for items in by_source.values()),
                     key=lambda s: (-s.stories, s.first_at))
    page = CoveragePage(cluster, lead, len(stories), stories[0][4], stories[-1][4], sources)
    entities = (Entity.objects.filter(story_links__story_id__in=ids, story_links__linked=True)
                .annotate(stories=Count("story_links__story_id", distinct=True))
                .only("kind", "name", "slug")
                .order_by("-stories", "name")[:60])
    for entity in entities:
        group = {"person": page.people, "organisation": page.organisations,
                 "place": page.places, "country": page.places}.get(entity.kind)
        if group is not None and len(group) < ENTITIES_SHOWN:
            group.append(entity)
    rank = {entity.pk: n for n, entity in enumerate(page.people)}
    # The first quotes of the event by time, as ids; only the few shown are read whole.
    candidates = list(StoryQuote.objects.filter(story_id__in=ids, speaker__isnull=False)
                      .order_by("story__first_published_at", "position")
                      .values_list("pk", "speaker_id")[:100])
    chosen: dict[int, int] = {}  # speaker -> quote
    for pk, speaker in sorted(candidates, key=lambda q: rank.get(q[1], len(rank))):
        if speaker not in chosen and len(chosen) < QUOTES_SHOWN:
            chosen[speaker] = pk
    shown = {quote.pk: quote for quote in
             StoryQuote.objects.filter(pk__in=chosen.values())
             .select_related("speaker", "story", "story__source")
             .only("text", "speaker__name", "speaker__slug", "story__slug",
                   "story__source__name")}
    page.quotes = [shown[pk] for pk in chosen.values() if pk in shown]
    return page
