"""Search results as stories, in rank order, through the one public search interface.

Ranked matches are cached by the query (as parsed: case and punctuation aside) and the desk's
state: the latest ``Story.changed_at`` and the latest tombstone. Every change that can take a story
out of search (kill, hold, withdrawal, merge, new version, deletion) moves one of them, so a cached
result never outlives it; and the stories shown are read through ``public_stories()`` whatever the
cache says, so an embargo or expiry time passing between two scheduler ticks is exact too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from wiredesk.newsroom import search
from wiredesk.newsroom.models import Story, Tombstone
from wiredesk.newsroom.queries import public_stories

# The API combines search with filters by taking this many best matches and filtering those: past
# this rank a match is not worth a reader's or a client's time, and the cap bounds the work.
MAX_FILTERED_MATCHES = search.MAX_RESULTS
# A cached result is keyed by the desk's state, so a change makes it unreachable; the timeout only
# bounds how long an unused one takes memory.
CACHE_TIMEOUT = 600
_KEY_PREFIX = "wiredesk:search:2:"  # the version of what is cached (search.Matches)


@dataclass(frozen=True, slots=True)
class Found:
    """One page of results: the stories, how many match, and whether that count is exact (else
    more than ``total`` match, ``total`` is the number ranked, and about ``estimate`` match)."""

    stories: list[Story]
    total: int
    exact: bool
    estimate: int = 0


def search_page(query: str, *, limit: int, offset: int, cached: bool = True) -> Found:
    """One page of matches for ``query`` and the number of matches in all."""
    found = ranked(query, cached=cached)
    page = found.story_ids[offset:offset + limit]
    # The page lists teasers: the body, the heaviest column, is not read.
    return Found(in_order(page, body=False), len(found.story_ids), found.complete,
                 search.about(found))


def search_filtered(query: str, scope: Q, *, limit: int,
                    offset: int) -> tuple[list[Story], int]:
    """Matches within ``scope`` (section, source, time): a page of them, and how many there are
    among the best :data:`MAX_FILTERED_MATCHES`."""
    best = ranked(query).story_ids
    allowed = set(public_stories().filter(scope, pk__in=best).values_list("pk", flat=True))
    matching = [story_id for story_id in best if story_id in allowed]
    return in_order(matching[offset:offset + limit]), len(matching)


def ranked(text: str, *, cached: bool = True) -> search.Matches:
    """The ranked matches of a query, from the cache when the desk has not changed since."""
    query = search.parse(text)
    if not query:
        return search.Matches([], True)
    if not cached:
        return search.matches(query)
    digest = hashlib.sha256(f"{query.key}\x1f{desk_state()}".encode()).hexdigest()
    key = _KEY_PREFIX + digest
    found: search.Matches | None = cache.get(key)
    if found is None:
        found = search.matches(query)
        cache.set(key, found, CACHE_TIMEOUT)
    return found


def desk_state() -> str:
    """What search results depend on, in one query that reads two index ends (no scan)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(changed_at) FROM {Story._meta.db_table}), "
            f"(SELECT MAX(id) FROM {Tombstone._meta.db_table})")
        changed, tombstone = cursor.fetchone()
    return f"{changed}|{tombstone}"


def in_order(story_ids: list[int], *, body: bool = True) -> list[Story]:
    """The public stories with these ids, in the given order (one query); without their
    current version's body unless ``body``."""
    if not story_ids:
        return []
    stories = public_stories() if body else public_stories().defer("current_version__body_html")
    by_id = stories.in_bulk(story_ids)
    return [by_id[story_id] for story_id in story_ids if story_id in by_id]
