"""Search results as stories, in rank order, through the one public search interface."""

from __future__ import annotations

from django.db.models import Q

from wiredesk.newsroom import search
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.queries import public_stories

# The API combines search with filters by taking this many best matches and filtering those: past
# this rank a match is not worth a reader's or a client's time, and the cap bounds the work.
MAX_FILTERED_MATCHES = 1000


def search_page(query: str, *, limit: int, offset: int) -> tuple[list[Story], int]:
    """One page of matches for ``query`` and the number of matches in all."""
    found = search.search(query, limit=limit, offset=offset)
    return in_order(found.story_ids), found.total


def search_filtered(query: str, scope: Q, *, limit: int,
                    offset: int) -> tuple[list[Story], int]:
    """Matches within ``scope`` (section, source, time): a page of them, and how many there are."""
    ranked = search.search(query, limit=MAX_FILTERED_MATCHES).story_ids
    allowed = set(public_stories().filter(scope, pk__in=ranked).values_list("pk", flat=True))
    matching = [story_id for story_id in ranked if story_id in allowed]
    return in_order(matching[offset:offset + limit]), len(matching)


def in_order(story_ids: list[int]) -> list[Story]:
    """The public stories with these ids, in the given order (one query)."""
    by_id = public_stories().in_bulk(story_ids)
    return [by_id[story_id] for story_id in story_ids if story_id in by_id]
