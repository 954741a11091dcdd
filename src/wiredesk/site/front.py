"""The home page: a lead story with its picture, the top stories of the moment, a block per section
and the latest-news river.

**Ranking.** The candidates are the newest timely stories (of the :data:`POOL` newest, those
within :data:`WINDOW` of the newest): the publication gate marks an undated story or one first
seen long after its date as untimely (wiredesk.core.gate), and such a story never reaches the
top; it stays in the river at its time. Stories of one event (a cluster) compete as one entry,
represented by their best story. An entry's score is

    event size x recency x source priority x (1.15 with a picture)

where event size is ``1 + (sources - 1) + 0.25 x (stories - sources)`` (a second outlet counts more
than a follow-up from the same one), recency halves every :data:`HALF_LIFE_HOURS` measured from the
newest candidate (so an archive or a quiet night still has a front page), and source priority is
the ``WIREDESK_SOURCE_PRIORITY`` weight of its source (1 by default). The lead is the best-scored
of the top three entries that has a picture, else the first.

A routing rule (docs/rules.md) can **pin** a story (it goes first, whatever its score) or
**raise** it (priority 1-9 multiplies its score by 1 + priority) until a time; such stories join
the candidates even when older, read through their own small index (story_front).

Everything comes from one read of the pool (a few columns per story, no text), one of the
events' stored sizes (their public stories and sources, kept by publishing:
wiredesk.newsroom.write.event_sizes), one of pictures and one of the stories shown that the
river, the latest listing's page, does not hold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.queries import public_stories
from wiredesk.newsroom.write import event_sizes
from wiredesk.site.fragments import story_key
from wiredesk.site.listings import Listing, teaser_columns
from wiredesk.site.pictures import attach, lead_pictures

POOL = 150
WINDOW = timedelta(hours=72)
HALF_LIFE_HOURS = 12.0
TOP = 7  # the lead and six more
SECTION_STORIES = 4
PICTURE_BONUS = 1.15


@dataclass(slots=True)
class Candidate:
    """A story of the pool as the ranking sees it: a few columns read as a tuple, no text (a
    model instance per story of the pool, with its source, section and version, cost more than
    the rest of the page). Only the stories shown are then read whole."""

    pk: int
    first_published_at: datetime
    cluster_id: int | None
    source_id: int
    source_slug: str
    section_slug: str | None
    front_priority: int
    front_until: datetime | None
    picture: bool = False


# Candidate's columns, in its order.
CANDIDATE_COLUMNS = ("pk", "first_published_at", "cluster_id", "source_id", "source__slug",
                     "section__slug", "front_priority", "front_until")


@dataclass(slots=True)
class Ranked:
    """An event (or an unclustered story) of the pool, represented by its best story."""

    best: Candidate
    stories: int  # in its cluster, itself included
    sources: int
    score: float
    others: list[Candidate]  # other stories of the event shown under it


@dataclass(slots=True)
class Entry:
    """A story on the front page, with its event's size."""

    story: Story
    stories: int = 1  # in its cluster, itself included
    sources: int = 1
    score: float = 0.0
    others: list[Story] = field(default_factory=list)  # other stories of the event shown under it

    @property
    def more(self) -> int:
        return self.stories - 1

    @property
    def fragment_key(self) -> str:
        """What the entry shows besides its story (site/_entry.html, kept by
        wiredesk.site.fragments): the event's size and the stories under it."""
        return "\x1d".join([str(self.stories), str(self.sources), str(self.story.cluster_id),
                             *(story_key(other) for other in self.others)])

    @property
    def cluster_url(self) -> str:
        cluster = self.story.cluster_id
        return reverse("site:cluster", kwargs={"slug": str(cluster)}) \
            if cluster is not None and self.more else ""


@dataclass(slots=True)
class FrontPage:
    lead: Entry | None
    top: list[Entry]
    sections: list[tuple[str, str, list[Story]]]  # (name, slug, stories)

    @property
    def shown_ids(self) -> set[int]:
        ids = {entry.story.pk for entry in self.top}
        if self.lead is not None:
            ids.add(self.lead.story.pk)
        return ids


def source_priority() -> dict[str, float]:
    """WIREDESK_SOURCE_PRIORITY ("slug:2,other:0.5") as weights by source slug."""
    weights: dict[str, float] = {}
    for part in getattr(settings, "WIREDESK_SOURCE_PRIORITY", []):
        slug, _, weight = part.partition(":")
        try:
            weights[slug.strip()] = float(weight)
        except ValueError:
            continue
    return weights


def event_size(stories: int, sources: int) -> float:
    return 1.0 + (sources - 1) + 0.25 * max(0, stories - sources)


def recency(published: datetime, newest: datetime) -> float:
    hours = max(0.0, (newest - published).total_seconds() / 3600)
    return float(0.5 ** (hours / HALF_LIFE_HOURS))


# How far down the latest listing the front page looks for timely stories: the newest this many
# public stories, read from the listing index alone. Without the bound, a desk whose newest
# stories are mostly untimely (old items arriving in bulk) would walk its whole archive.
LOOK_BACK = 2000


@dataclass(frozen=True, slots=True)
class LookBack:
    """The time of the :data:`LOOK_BACK`-th newest published story (None: there are fewer),
    read once for the whole home page (its pool and the river's tiers).

    Published, not public: the listing index (story_listing_latest: status, time and id, over
    stories not merged) answers that alone, where the public conditions (a current version, the
    embargo and expiry times) would read the row of each of the 2,000 stories walked (SQLite,
    100k stories: 1.5 ms with the rows warm, 0.14 ms from the index). The few published stories
    not public yet only make the bound a little newer: it is a bound on the walk, not a
    listing; what is shown is still read through public_stories."""

    oldest: datetime | None

    @classmethod
    def read(cls, count: int = LOOK_BACK) -> LookBack:
        oldest = list(Story.objects.filter(status=Story.Status.PUBLISHED,
                                           merged_into__isnull=True)
                      .order_by("-first_published_at", "-id")
                      .values_list("first_published_at", flat=True)[count - 1:count])
        return cls(oldest[0] if oldest else None)

    def newest(self, stories: QuerySet[Story]) -> QuerySet[Story]:
        """``stories`` among the newest public ones: from :attr:`oldest` on."""
        return stories if self.oldest is None else stories.filter(
            first_published_at__gte=self.oldest)


def newest(stories: QuerySet[Story], count: int = LOOK_BACK) -> QuerySet[Story]:
    """``stories`` among the newest ``count`` public ones: from the time of the ``count``-th
    newest on (one short read of the listing index). The caller's query then walks the listing
    from its newest end and stops at its own limit; with the newest ids as an IN subquery,
    PostgreSQL joined every one of them to its version, source and cluster before sorting
    (the home page's pool: 35 ms at a million stories, 2 ms this way)."""
    return LookBack.read(count).newest(stories)


def _pool(look: LookBack) -> list[Candidate]:
    """The newest timely stories: one read, within the newest :data:`LOOK_BACK`."""
    stories = [Candidate(*row) for row in look.newest(public_stories())
               .filter(timely=True, current_version__date_is_fallback=False)
               .order_by("-first_published_at", "-id").values_list(*CANDIDATE_COLUMNS)[:POOL]]
    chosen = {story.pk for story in stories}
    return stories + [story for story in _lifted() if story.pk not in chosen]


PINNED = 10  # Story.front_priority of a pinned story (newsroom/write/gating.py)


def _lifted() -> list[Candidate]:
    """Stories a routing rule pinned or raised, until their time: a few rows of story_front."""
    # Ordered as the partial index story_front is: with the listing's default order instead,
    # the planner walked the whole latest-listing index looking for the few pinned rows. Read
    # as model rows (a handful): in a values() query the order would name the selected columns
    # by position, and SQLite then chose another index and sorted.
    return [candidate(story) for story in
            teaser_columns(public_stories().filter(front_priority__gt=0,
                                                   front_until__gt=clock.now()))
            .order_by("-front_priority", "-first_published_at")[:POOL]]


def candidate(story: Story) -> Candidate:
    return Candidate(story.pk, story.first_published_at, story.cluster_id, story.source_id,
                     story.source.slug, story.section.slug if story.section else None,
                     story.front_priority, story.front_until)


def _lift(story: Candidate, now: datetime) -> int:
    """The story's front priority while it lasts (0 otherwise)."""
    until = story.front_until
    return story.front_priority if until is not None and until > now else 0


def rank(pool: list[Candidate]) -> list[Ranked]:
    """One entry per event (or unclustered story), best first (module docstring); the
    candidates' ``picture`` must be set."""
    if not pool:
        return []
    sizes = event_sizes.sizes({s.cluster_id for s in pool if s.cluster_id is not None})
    weights = source_priority()
    now = clock.now()
    newest = max(story.first_published_at for story in pool)
    events: dict[object, list[Candidate]] = defaultdict(list)
    for story in pool:
        events[story.cluster_id if story.cluster_id is not None else f"s{story.pk}"].append(story)
    entries = []
    for key, stories in events.items():
        count, sources = sizes.get(key, (1, 1)) if isinstance(key, int) else (1, 1)
        count, sources = max(count, len(stories)), max(sources, len({s.source_id
                                                                      for s in stories}))

        def story_score(story: Candidate) -> float:
            return (recency(story.first_published_at, newest)
                    * weights.get(story.source_slug, 1.0)
                    * (PICTURE_BONUS if story.picture else 1.0))

        # A pinned story stands for its event (its headline, its place) while the pin lasts.
        stories.sort(key=lambda s: (_lift(s, now) >= PINNED, story_score(s)), reverse=True)
        best = stories[0]
        # The event's recency is its latest story's: a developing story stays up.
        latest = max(s.first_published_at for s in stories)
        score = (event_size(count, sources) * recency(latest, newest)
                 * weights.get(best.source_slug, 1.0)
                 * (PICTURE_BONUS if best.picture else 1.0))
        lift = max(_lift(story, now) for story in stories)
        score = float("inf") if lift >= PINNED else score * (1 + lift)  # pinned: first
        entries.append(Ranked(best, count, sources, score, others=stories[1:3]))
    entries.sort(key=lambda e: (e.score, e.best.first_published_at, e.best.pk), reverse=True)
    return entries


# The river's first places go to timely stories, then to dated ones, then to undated ones: an
# undated story's time is when we received it, so in time order it would sit on top of the page
# whenever the ranked top is thin (a desk whose feeds are all old, say). Each tier is one query
# down the listing index.
RIVER_TOP = 10
_TIERS = (Q(timely=True), Q(current_version__date_is_fallback=False))


def tiered_river(listing: Listing, stories: list[Story], look: LookBack | None = None
                 ) -> list[Story]:
    """The first page of the latest-news river with its first :data:`RIVER_TOP` places by tier,
    then the page's other stories in time order."""
    if all(story.timely for story in stories[:RIVER_TOP]):
        return stories  # the common case: nothing to move, no query
    look = look or LookBack.read()
    top: list[Story] = []
    for tier in _TIERS:
        shown = [story.pk for story in top]
        top += list(look.newest(listing.teasers(tier)).exclude(pk__in=shown)
                    [:RIVER_TOP - len(top)])
        if len(top) == RIVER_TOP:
            break
    placed = {story.pk for story in top}
    return top + [story for story in stories if story.pk not in placed]


def front_page(sections: list[tuple[str, str]], river: list[Story],
               look: LookBack | None = None) -> FrontPage:
    """The lead, the top stories and the section blocks (``sections``: (slug, name) in nav
    order). The pictures of the ``river``'s stories are read with the pool's, in one query, and
    the stories shown that the river does not hold in one more."""
    pool = _pool(look or LookBack.read())
    pictures = lead_pictures([story.pk for story in pool] + [story.pk for story in river])
    for candidate in pool:
        candidate.picture = candidate.pk in pictures
    # The top is ranked among the stories of the last WINDOW; section blocks take from them all.
    since = pool[0].first_published_at - WINDOW if pool else None
    now = clock.now()
    entries = rank([story for story in pool if since and (story.first_published_at >= since
                                                          or _lift(story, now))])
    top = entries[:TOP]
    # A pinned story leads until its pin expires, picture or not; otherwise the best of the top
    # three with a picture.
    pinned = bool(top) and _lift(top[0].best, now) >= PINNED
    lead = top[0] if pinned else next((e for e in top[:3] if e.best.picture),
                                      top[0] if top else None)
    shown = {e.best.pk for e in top} | {s.pk for e in top for s in e.others}
    blocks = []
    for slug, name in sections:
        # Pinned stories the top had no room for lead their section's block.
        chosen = sorted((s for s in pool if s.section_slug == slug and s.pk not in shown),
                        key=lambda s: _lift(s, now) >= PINNED, reverse=True)[:SECTION_STORIES]
        if chosen:
            blocks.append((name, slug, chosen))
    stories = _shown_stories(shown | {s.pk for _, _, chosen in blocks for s in chosen}, river)
    attach(river, pictures)
    attach(stories.values(), pictures)

    def entry(ranked: Ranked) -> Entry | None:
        story = stories.get(ranked.best.pk)
        return None if story is None else Entry(
            story, ranked.stories, ranked.sources, ranked.score,
            others=[stories[s.pk] for s in ranked.others if s.pk in stories])

    rest = [e for e in (entry(ranked) for ranked in top if ranked is not lead) if e is not None]
    return FrontPage(entry(lead) if lead is not None else None, rest,
                     [(name, slug, [stories[s.pk] for s in chosen if s.pk in stories])
                      for name, slug, chosen in blocks])


def _shown_stories(ids: set[int], river: list[Story]) -> dict[int, Story]:
    """The stories the front page shows by id, whole as a teaser needs them: the river's own,
    the others read in one query. A story that stopped being public since the pool was read is
    left out."""
    known = {story.pk: story for story in river if story.pk in ids}
    missing = ids - known.keys()
    if missing:
        known.update((story.pk, story) for story in
                     teaser_columns(public_stories().filter(pk__in=sorted(missing))))
    return known
