"""The public listings (latest, a section, a source) and the fingerprints of what the site shows.

A :class:`Listing` is shared by the HTML page and the three feeds of the same list, so they can
never disagree on which stories belong to it. Its ``scope`` is the filter without the
"public" condition: :meth:`Listing.stories` adds that through :func:`public_stories`.

Fingerprints read the listing's stored version (:mod:`wiredesk.newsroom.write.listing_state`), which
publishing bumps for every listing a changed story was or is in: one indexed row read per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.urls import reverse

from wiredesk.newsroom.models import Cluster, Entity, Section, Source, Story
from wiredesk.newsroom.queries import public_stories
from wiredesk.newsroom.write.listing_state import (
    ALL,
    cluster_key,
    entity_key,
    quotes_key,
    section_key,
    source_key,
)
from wiredesk.site.http import Fingerprint, listing_fingerprint, stories_fingerprint
from wiredesk.site.params import valid_id


@dataclass(frozen=True, slots=True)
class Listing:
    kind: str  # "latest", "section" or "source": names the URL patterns of its page and feeds
    title: str
    description: str
    scope: Q
    slug: str = ""
    # Listing order, newest first, as (time, id) columns: the story's own by default; an entity's
    # listing reads its links' copy of the time, so that the link index gives the order.
    order: tuple[str, str] = ("first_published_at", "id")

    def stories(self, where: Q | None = None) -> QuerySet[Story]:
        """The public stories of the listing, newest first. ``where`` (a page cursor) is applied
        in the same filter as the scope, so that it constrains the same entity link."""
        time, pk = self.order
        # The body is the heaviest column and no listing shows it.
        return (public_stories().filter(self.scope & (where or Q()))
                .order_by(f"-{time}", f"-{pk}").defer("current_version__body_html"))

    def teasers(self, where: Q | None = None) -> QuerySet[Story]:
        """:meth:`stories` with only what a teaser shows: for the HTML pages."""
        return teaser_columns(self.stories(where))

    def url_kwargs(self) -> dict[str, str]:
        return {"slug": self.slug} if self.slug else {}

    @property
    def page_url(self) -> str:
        return reverse("site:home") if self.kind == "latest" else reverse(
            f"site:{self.kind}", kwargs=self.url_kwargs())

    def feed_url(self, fmt: str) -> str:
        """Our feed of this listing in ``fmt`` ("rss", "atom" or "json")."""
        return reverse(f"site:{self.kind}-feed-{fmt}", kwargs=self.url_kwargs())

    # For templates, which cannot pass an argument.
    @property
    def rss_url(self) -> str:
        return self.feed_url("rss")

    @property
    def atom_url(self) -> str:
        return self.feed_url("atom")

    @property
    def json_url(self) -> str:
        return self.feed_url("json")


# What a listing page reads of a story: what its teaser shows (site/_teaser.html, _lead.html,
# _meta.html: the link needs the version's only for a headline-only story), what its cached
# fragment is keyed by (wiredesk.site.fragments) and what the front page ranks by. A story row
# has some forty columns and its version a dozen more, five of them JSON that would be decoded
# for nothing; a publisher's own teaser template that shows another one still gets it (Django
# reads a deferred column when it is first used).
TEASER_FIELDS = (
    "headline", "summary", "slug", "first_published_at", "changed_at", "publication_mode",
    "timely", "front_priority", "front_until", "cluster_id", "source", "section",
    "current_version", "source__name", "source__slug", "section__name", "section__slug",
    "current_version__link",
)


def teaser_columns(stories: QuerySet[Story]) -> QuerySet[Story]:
    """``stories`` (from :func:`public_stories`) with only :data:`TEASER_FIELDS`: no cluster row
    (a teaser links its event by id)."""
    return (stories.select_related(None).select_related("source", "section", "current_version")
            .only(*TEASER_FIELDS))


def latest(**_: Any) -> Listing:
    return Listing("latest", "Latest news",
                   f"The latest stories on {settings.WIREDESK_SITE_NAME}.", Q())


def for_section(slug: str, **_: Any) -> Listing:
    section = Section.objects.filter(slug=slug).first()
    if section is None:
        raise Http404("No such section.")
    return Listing("section", section.name, f"The latest {section.name} stories.",
                   Q(section_id=section.pk), slug)


def for_source(slug: str, **_: Any) -> Listing:
    source = Source.objects.filter(slug=slug).first()
    if source is None:
        raise Http404("No such source.")
    return Listing("source", source.name, f"The latest stories from {source.name}.",
                   Q(source_id=source.pk), slug)


def for_cluster(slug: str, **_: Any) -> Listing:
    """An event's full coverage: every outlet's story about it, newest first."""
    cluster = find_cluster(slug)
    if cluster is None or not public_stories().filter(cluster=cluster).exists():
        raise Http404("No such story cluster.")
    return cluster_listing(cluster)


def find_cluster(slug: str) -> Cluster | None:
    pk = valid_id(slug)
    return Cluster.objects.filter(pk=pk).first() if pk is not None else None


def cluster_listing(cluster: Cluster) -> Listing:
    return Listing("cluster", cluster.title, f"Full coverage: {cluster.title}",
                   Q(cluster_id=cluster.pk), str(cluster.pk))


ENTITY_DESCRIPTIONS = {
    "person": "Stories naming {name}.",
    "organisation": "Stories about {name}.",
    "place": "News from and about {name}.",
    "country": "News about {name}.",
    "topic": "Stories on {name} (IPTC Media Topic).",
}


def for_entity(slug: str, **_: Any) -> Listing:
    """A person's, organisation's, place's, country's or topic's stories, newest first."""
    entity = Entity.objects.filter(slug=slug).first()
    if entity is None:
        raise Http404("No such person, organisation, place or topic.")
    return entity_listing(entity)


def entity_listing(entity: Entity) -> Listing:
    return Listing("entity", entity.name,
                   ENTITY_DESCRIPTIONS.get(entity.kind, "Stories about {name}.").format(
                       name=entity.name),
                   Q(entity_links__entity_id=entity.pk), entity.slug,
                   order=("entity_links__published_at", "entity_links__story_id"))


# Fingerprints, called with the view's URL arguments (see wiredesk.site.http.conditional): one
# read of the listing's stored version, no lookup of the section, source or entity (keys carry the
# slug the URL carries).

def global_fingerprint(request: HttpRequest, *args: Any, **kwargs: Any) -> Fingerprint:
    return listing_fingerprint([ALL])


def section_fingerprint(request: HttpRequest, slug: str, **kwargs: Any) -> Fingerprint:
    return listing_fingerprint([section_key(slug)])


def source_fingerprint(request: HttpRequest, slug: str, **kwargs: Any) -> Fingerprint:
    return listing_fingerprint([source_key(slug)])


def story_fingerprint(request: HttpRequest, story_id: int, **kwargs: Any) -> Fingerprint:
    """The story (its enrichment republishes it), the duplicates merged into it ("Also reported
    by") and the stories of its event cluster ("Related coverage"): a change to any of them
    changes its page. Bounded by the size of one event, not the archive."""
    pk = valid_id(story_id)
    if pk is None:
        return Fingerprint(None)
    # The cluster as a scalar subquery (``= (SELECT ...)``): each arm of the OR is then an index
    # lookup (PostgreSQL: a BitmapOr of the primary key, story_merged_into and the cluster
    # index). With ``IN (SELECT ...)`` PostgreSQL cannot use an index for that arm and scans
    # the whole story table (~300 ms at a million stories).
    cluster = Subquery(Story.objects.filter(pk=pk).values("cluster")[:1])
    return stories_fingerprint(Story.objects.filter(
        Q(pk=pk) | Q(merged_into_id=pk) | Q(cluster_id=cluster)))


def entity_fingerprint(request: HttpRequest, slug: str, **kwargs: Any) -> Fingerprint:
    # A person's page also says whether they have quotes.
    return listing_fingerprint([entity_key(slug), quotes_key(slug)])


def quotes_fingerprint(request: HttpRequest, slug: str, **kwargs: Any) -> Fingerprint:
    return listing_fingerprint([quotes_key(slug)])


def cluster_fingerprint(request: HttpRequest, slug: str, **kwargs: Any) -> Fingerprint:
    pk = valid_id(slug)
    return listing_fingerprint([cluster_key(pk)] if pk is not None else [])


def static_fingerprint(request: HttpRequest, *args: Any, **kwargs: Any) -> Fingerprint:
    """For responses that depend on no story (the OpenAPI description): code and settings only."""
    return Fingerprint(None)
