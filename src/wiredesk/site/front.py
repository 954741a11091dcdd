"""The top of the home page: the newest timely stories first, never an undated one above a dated
one.

A story the publication gate marked untimely (undated, so its time is when we received it; or
first seen long after its date) stays in the latest-news listing at its time, but the home page's
first :data:`TOP` places go to timely stories, then to dated ones, and only then to undated ones
(see wiredesk.core.gate).
"""

from __future__ import annotations

from django.db.models import Q

from wiredesk.newsroom.models import Story
from wiredesk.site.listings import Listing

TOP = 10

# Each tier fills the places the one before left; each is one query down the listing index.
_TIERS = (Q(timely=True), Q(current_version__date_is_fallback=False))


def front_page(listing: Listing, stories: list[Story]) -> list[Story]:
    """The first page: the top :data:`TOP` by tier, then the page's other stories in listing
    order."""
    if all(story.timely for story in stories[:TOP]):
        return stories  # the common case: nothing to move, no query
    top: list[Story] = []
    for tier in _TIERS:
        shown = [story.pk for story in top]
        top += list(listing.stories(tier).exclude(pk__in=shown)[:TOP - len(top)])
        if len(top) == TOP:
            break
    placed = {story.pk for story in top}
    return top + [story for story in stories if story.pk not in placed]
