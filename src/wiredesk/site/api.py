"""The read-only JSON API: /api/v1/stories, /api/v1/stories/<id>, /api/v1/openapi.json.

Stories are ninjs-shaped objects (:mod:`wiredesk.newsroom.serialize`). Every error, whatever its
cause, has one shape::

    {"error": {"status": 404, "code": "not_found", "message": "No such story."}}

Stories that are not public do not exist for the API (404), exactly as for the article page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime

from wiredesk.newsroom.hosted import hosted_pictures
from wiredesk.newsroom.models import Entity, Story
from wiredesk.newsroom.queries import public_stories
from wiredesk.newsroom.serialize import (
    enrichments_of,
    iso,
    permanent_url,
    pubstatus,
    story_to_ninjs,
)
from wiredesk.newsroom.write.listing_state import (
    ALL,
    cluster_key,
    entity_key,
    quotes_key,
    section_key,
    source_key,
)
from wiredesk.site import openapi, params
from wiredesk.site.article import StoryGone, StoryMerged, find_public_story
from wiredesk.site.enriched import public_quotes, quote_anchor
from wiredesk.site.http import Fingerprint, conditional, listing_fingerprint
from wiredesk.site.listings import static_fingerprint, story_fingerprint
from wiredesk.site.pagination import (
    MAX_OFFSET,
    MAX_PAGE,
    Position,
    Window,
    links,
    page_url,
    read_window,
)
from wiredesk.site.params import BadParameter
from wiredesk.site.searching import search_filtered

MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 200
# Totals are counted this far and no further: a count of a listing is a scan of the listing.
TOTAL_CAP = 1000


class ApiError(Exception):
    """An error answered in the API's error shape."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "code": code, "message": message}},
                        status=status)


def api_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """GET only, errors in the API's shape, readable from any origin (the data is public)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, "method_not_allowed",
                                      f"{request.method} is not allowed; the API is read-only.")
            response.headers["Allow"] = "GET, HEAD"
        else:
            try:
                response = view(request, *args, **kwargs)
            except ApiError as exc:
                response = error_response(exc.status, exc.code, exc.message)
            except Http404 as exc:
                response = error_response(404, "not_found", str(exc) or "Not found.")
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """The list endpoint's parameters, validated."""

    page: int = 1
    page_size: int = 20
    section: str = ""
    source: str = ""
    cluster: int | None = None
    entity: str = ""
    since: datetime | None = None
    q: str = ""
    position: Position = field(default_factory=Position)

    @classmethod
    def from_request(cls, request: HttpRequest) -> StoryQuery:
        get = request.GET
        try:
            size = _page_size(get.get("page_size"))
            return cls(
                page=params.optional_number(get, "page", default=1, maximum=MAX_PAGE),
                page_size=size,
                section=params.text(get, "section"),
                source=params.text(get, "source"),
                cluster=(params.whole_number(get["cluster"], "cluster") if get.get("cluster")
                         else None),
                entity=params.text(get, "entity"),
                since=_since(params.text(get, "since", max_length=100)),
                q=params.text(get, "q", max_length=MAX_QUERY_LENGTH),
                position=Position.from_query(get, size),
            )
        except BadParameter as exc:
            raise ApiError(400, "invalid_parameter", exc.message) from exc

    @property
    def listing_keys(self) -> list[str]:
        """The stored listings whose versions cover this query's results."""
        keys = []
        if self.section:
            keys.append(section_key(self.section))
        if self.source:
            keys.append(source_key(self.source))
        if self.cluster is not None:
            keys.append(cluster_key(self.cluster))
        if self.entity:
            slug = Entity.objects.filter(key=self.entity).values_list("slug", flat=True).first()
            keys.append(entity_key(slug or "-"))
        return keys or [ALL]

    @property
    def scope(self) -> Q:
        """The section and source filters: what the fingerprint watches over all stories."""
        scope = Q()
        if self.section:
            scope &= Q(section__slug=self.section)
        if self.source:
            scope &= Q(source__slug=self.source)
        if self.cluster is not None:
            scope &= Q(cluster_id=self.cluster)
        if self.entity:
            # The entity's id first, so the links are read from their own index
            # (story_entity_listing), not joined through the entity table.
            found = Entity.objects.filter(key=self.entity).values_list("pk", flat=True).first()
            scope &= Q(entity_links__entity_id=found) if found is not None else Q(pk__in=[])
        return scope

    @property
    def order(self) -> tuple[str, str]:
        """Listing order as (time, id) columns: an entity's list reads its links' copy of the
        story's publication time, so that the link index gives the order (as entity pages do)."""
        if self.entity:
            return ("entity_links__published_at", "entity_links__story_id")
        return ("first_published_at", "id")

    @property
    def filters(self) -> Q:
        if self.since is None:
            return self.scope
        # "Since" means new or updated since: what a client polling for changes needs.
        return self.scope & (Q(first_published_at__gte=self.since)
                             | Q(last_updated_at__gte=self.since))

    def parts(self) -> list[Q]:
        """:attr:`filters` as disjoint filters that are each one index range: published since
        (the listing's own index, from its newest story down to ``since``), and published
        before but updated since (the few stories of the partial index on ``last_updated_at``).
        With the two conditions OR-ed in one statement, the listing is walked to its end
        whenever fewer than a page (or than the count's cap) match: every story of the archive
        for a client polling every few minutes.

        On SQLite the updated stories are also named by a subquery on the partial index: with
        the plain condition alone, SQLite chose the listing index and walked every story
        published before ``since`` whenever the partial index had no statistics (no story
        updated when ANALYZE ran: 4.6 ms for the page and as much for the count at 10,000
        stories, 0.02 ms this way, growing with the archive). Not on PostgreSQL, which then looks
        every updated story up by key (?since=30d at a million stories, 3,760 updated: 7.2 ms
        for the page with both, 1,444 ms with the subquery alone, 3.2 ms with the condition)."""
        scope = self.scope  # once: it looks up the entity
        if self.since is None:
            return [scope]
        time, _ = self.order
        updated = Q(last_updated_at__gte=self.since)
        if connection.vendor == "sqlite":
            updated &= Q(pk__in=Story.objects.filter(updated).values("pk"))
        return [scope & Q(**{f"{time}__gte": self.since}),
                scope & Q(**{f"{time}__lt": self.since}) & updated]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def stories(self, where: Q | None = None, filters: Q | None = None) -> QuerySet[Story]:
        """The public stories matching the filters, in listing order; ``where`` (a page cursor)
        in the same filter, so that it constrains the same entity link."""
        time, pk = self.order
        return (public_stories().filter((self.filters if filters is None else filters)
                                        & (where or Q()))
                .order_by(f"-{time}", f"-{pk}"))


def _positive_int(raw: str, name: str, maximum: int = params.MAX_ID) -> int:
    try:
        return params.whole_number(raw, name, maximum=maximum)
    except BadParameter as exc:
        raise ApiError(400, "invalid_parameter", exc.message) from exc


def _page_size(raw: str | None) -> int:
    if raw is None:
        return min(settings.WIREDESK_PAGE_SIZE, MAX_PAGE_SIZE)
    return _positive_int(raw, "page_size", MAX_PAGE_SIZE)


def _since(raw: str) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    # An unencoded "+" in a query string arrives as a space: "…T10:00:00 00:00".
    raw = raw.replace(" ", "+")
    try:
        moment = parse_datetime(raw)
        day = None if moment else parse_date(raw)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise ApiError(400, "invalid_parameter",
                       "since must be an ISO 8601 date or date and time, "
                       "e.g. 2024-05-01T12:00:00Z.")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stories_fingerprint_for(request: HttpRequest, *args: Any, **kwargs: Any) -> Fingerprint:
    # Validation errors are answered by the view; here an invalid query only needs some key.
    try:
        keys = StoryQuery.from_request(request).listing_keys
    except ApiError:
        keys = [ALL]
    return listing_fingerprint(keys)


@api_view
@conditional(stories_fingerprint_for)
def story_list(request: HttpRequest) -> JsonResponse:
    """Newest first. ``total`` is exact up to TOTAL_CAP (``total_exact`` says whether it is);
    past the first MAX_OFFSET stories, ``next`` and ``previous`` carry keyset cursors."""
    query = StoryQuery.from_request(request)
    if query.q:
        stories, total = _find(query)
        exact = True
        pages = max(1, -(-total // query.page_size))
        if query.page > pages:
            raise ApiError(404, "not_found",
                           f"Page {query.page} is past the last page ({pages}).")
        previous = page_url(request, query.page - 1) if query.page > 1 else None
        following = page_url(request, query.page + 1) if query.page < pages else None
    else:
        listings = [partial(query.stories, filters=part) for part in query.parts()]
        window = read_merged(listings, query.order, query.position, query.page_size)
        if not window.rows and query.position.number != 1:
            raise ApiError(404, "not_found", "This page is past the last page.")
        stories = window.rows
        total, exact = _capped_total(listings)
        pages = max(1, -(-total // query.page_size))
        previous, following = links(request, query.position, window, query.page_size,
                                    lambda story: story.first_published_at)
    base = settings.WIREDESK_BASE_URL
    enrichments = enrichments_of(stories)
    pictures = hosted_pictures(stories, base)
    return JsonResponse({
        "total": total,
        "total_exact": exact,
        "page": query.position.number or None,
        "page_size": query.page_size,
        "pages": pages,
        "next": base + following if following else None,
        "previous": base + previous if previous else None,
        "items": [story_to_ninjs(story, base_url=base, enrichments=enrichments,
                                 pictures=pictures)
                  for story in stories],
    })


def read_merged(listings: Sequence[Callable[[Q | None], QuerySet[Story]]], order: tuple[str, str],
                position: Position, size: int) -> Window:
    """One page of the union of disjoint listings, newest first, each listing wholly newer
    than the next (:meth:`StoryQuery.parts`: published since, then published before): the
    union in listing order is the listings one after the other, so a page is read from the
    first listing that reaches it and the next ones are read only when it runs short. The
    updated part of ``?since=30d`` (every story updated in a month, ~3,700 at a million
    stories) is then never read while the stories published since fill the page."""
    if len(listings) == 1:
        return read_window(listings[0], order, position, size)
    if position.before is None and position.after is None:
        # The first offset + size + 1 of the union: each listing's ids from its index, as many
        # as the ones before it left missing, then the page's stories whole.
        offset = (position.number - 1) * size
        wanted = offset + size + 1
        keys: list[tuple[Callable[[Q | None], QuerySet[Story]], int]] = []
        for listing in listings:
            keys += [(listing, pk) for pk in
                     listing(None).values_list("pk", flat=True)[:wanted - len(keys)]]
            if len(keys) == wanted:
                break
        shown = keys[offset:offset + size]
        found: dict[int, Story] = {}
        for listing in listings:
            ids = [pk for part, pk in shown if part is listing]
            if ids:
                found.update((story.pk, story) for story in listing(None).filter(pk__in=ids))
        rows = [found[pk] for _, pk in shown if pk in found]
        return Window(rows, position.number > 1, len(keys) > offset + size)
    # A cursor: from the listing holding it, towards older (before) or newer (after) ones, each
    # asked only for what the ones nearer the cursor left missing.
    older = position.before is not None
    found_rows: list[Story] = []
    beyond = False  # rows past the page on the side read
    for listing in (listings if older else list(reversed(listings))):
        window = read_window(listing, order, position, size - len(found_rows))
        found_rows = (found_rows + window.rows) if older else (window.rows + found_rows)
        beyond = window.has_older if older else window.has_newer
        if beyond:
            break
    if older:
        return Window(found_rows, True, beyond)
    return Window(found_rows, beyond, True)


def _capped_total(listings: Sequence[Callable[[Q | None], QuerySet[Story]]]) -> tuple[int, bool]:
    """The count of the union of disjoint listings, no further than TOTAL_CAP: (count, exact).
    Once the listings counted reach the cap the rest are not counted (the total is capped
    whatever they hold)."""
    found = 0
    for listing in listings:
        count, exact = _capped_count(listing(None))
        found += count
        if not exact or found > TOTAL_CAP:
            return TOTAL_CAP, False
    return found, True


def _capped_count(items: QuerySet[Any]) -> tuple[int, bool]:
    """How many there are, counting no further than TOTAL_CAP: (count, exact)."""
    found = items.order_by().values("pk")[:TOTAL_CAP + 1].count()
    return min(found, TOTAL_CAP), found <= TOTAL_CAP


def _find(query: StoryQuery) -> tuple[list[Story], int]:
    if query.q:
        return search_filtered(query.q, query.filters, limit=query.page_size,
                               offset=query.offset)
    stories = public_stories().filter(query.filters)
    return list(stories[query.offset:query.offset + query.page_size]), stories.count()


@api_view
@conditional(story_fingerprint)
def story_detail(request: HttpRequest, story_id: int) -> HttpResponse:
    story_id = params.object_id(story_id)
    try:
        story = find_public_story(story_id)
    except StoryMerged as merged:  # a duplicate: the story it is part of
        return HttpResponsePermanentRedirect(
            reverse("site:api-story", kwargs={"story_id": merged.story.pk}))
    except StoryGone as exc:
        # The API reports a withdrawn story's status, and nothing else of it.
        response = error_response(410, "gone", exc.notice)
        response.content = json.dumps({
            "error": {"status": 410, "code": "gone", "message": exc.notice},
            "story": {"uri": settings.WIREDESK_BASE_URL + reverse(
                "site:permalink", kwargs={"story_id": story_id}),
                      "status": exc.status.value, "pubstatus": pubstatus(exc.status)},
        }).encode()
        return response
    return JsonResponse(story_to_ninjs(story, base_url=settings.WIREDESK_BASE_URL,
                                       with_versions=True))


@api_view
@conditional(static_fingerprint)
def openapi_description(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.description(settings.WIREDESK_BASE_URL))


@api_view
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other URL under /api/: a 404 in the API's shape rather than an HTML page."""
    raise ApiError(404, "not_found", f"There is no API endpoint at {request.path}.")


def quotes_fingerprint_for(request: HttpRequest, *args: Any, **kwargs: Any) -> Fingerprint:
    speaker = params.text(request.GET, "speaker")
    slug = Entity.objects.filter(key=speaker).values_list("slug", flat=True).first()
    return listing_fingerprint([quotes_key(slug or "-")])


@api_view
@conditional(quotes_fingerprint_for)
def quote_list(request: HttpRequest) -> JsonResponse:
    """What one person said: ``?speaker=<entity id>`` (e.g. person:joe-biden), newest first."""
    speaker_key = params.text(request.GET, "speaker")
    if not speaker_key:
        raise ApiError(400, "invalid_parameter",
                       "speaker is required: an entity id such as person:joe-biden.")
    size = _page_size(request.GET.get("page_size"))
    page = _positive_int(request.GET.get("page", "1"), "page", MAX_PAGE)
    if (page - 1) * size > MAX_OFFSET:
        raise ApiError(400, "invalid_parameter",
                       f"page numbers go {MAX_OFFSET // size + 1} deep at this page size.")
    speaker = Entity.objects.filter(key=speaker_key).first()
    if speaker is None:
        raise ApiError(404, "not_found", f"No entity {speaker_key!r}.")
    quotes = public_quotes(speaker)
    total, exact = _capped_count(quotes)
    pages = max(1, -(-total // size))
    if page > pages:
        raise ApiError(404, "not_found", f"Page {page} is past the last page ({pages}).")
    base = settings.WIREDESK_BASE_URL
    found = quotes[(page - 1) * size:page * size]
    return JsonResponse({
        "speaker": {"id": speaker.key, "name": speaker.name,
                    "uri": base + speaker.get_absolute_url()},
        "total": total, "total_exact": exact, "page": page, "page_size": size, "pages": pages,
        "next": (base + page_url(request, page + 1)
                 if page < pages and page * size <= MAX_OFFSET else None),
        "previous": base + page_url(request, page - 1) if page > 1 else None,
        "items": [{"text": quote.text, "speaker": quote.speaker_name,
                   "story": {"uri": permanent_url(quote.story, base),
                             "headline": quote.story.headline,
                             "source": quote.story.source.name,
                             "published": iso(quote.story.first_published_at)},
                   "uri": permanent_url(quote.story, base) + "#" + quote_anchor(quote.text)}
                  for quote in found],
    })
