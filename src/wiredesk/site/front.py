"""The top of the home page: the newest timely stories first.

A story the publication gate marked untimely (undated, so its time is when we received it; or
first seen long after its date) stays in the latest-news listing at its time but never among the
home page's first :data:`TOP` stories (see wiredesk.core.gate).
"""

from __future__ import annotations

from django.db.models import Q

from wiredesk.newsroom.models import Story
from wiredesk.site.listings import Listing

TOP = 10


def front_page(listing: Listing, stories: list[Story]) -> list[Story]:
    """The first page: the newest :data:`TOP` timely stories (one query down the listing index),
    then the page's other stories in listing order, untimely ones among them."""
    if all(story.timely for story in stories[:TOP]):
        return stories  # the common case: nothing to move, no query
    top = list(listing.stories(Q(timely=True))[:TOP])
    shown = {story.pk for story in top}
    return top + [story for story in stories if story.pk not in shown]
