"""The one definition of what the public may see.

Every surface (pages, feeds, sitemaps, search, API) starts from :func:`public_stories`, so a story
that stops being public leaves all of them at once.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, Q, QuerySet

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Story


def public_stories() -> QuerySet[Story]:
    """Published stories, not merged into another (a duplicate shows as that story's version
    or under its "Also reported by"). The scheduler moves stories in and out of PUBLISHED when
    embargoes lift and licences expire; the time conditions here make that exact to the second
    even if the scheduler is late: an embargoed story is never shown early, an expired one never
    late."""
    return (Story.objects.filter(public_filter())
            .select_related("source", "section", "current_version", "cluster"))


def public_filter(prefix: str = "") -> Q:
    """The conditions of :func:`public_stories` on a related story (``prefix`` "story__"): for
    lists of rows that belong to stories (quotes), read in their own index's order and joined to
    the story, rather than matched against a subquery of every public story."""
    now = clock.now()
    return (Q(**{f"{prefix}status": Story.Status.PUBLISHED,
                 f"{prefix}current_version__isnull": False,
                 f"{prefix}merged_into__isnull": True})
            & (Q(**{f"{prefix}embargoed_until__isnull": True})
               | Q(**{f"{prefix}embargoed_until__lte": now}))
            & (Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now})))


def last_change(stories: QuerySet[Story]) -> datetime | None:
    """When anything in a listing last changed (including stories that have just left it).

    Callers pass the listing's filter over *all* stories, not only public ones, so a story leaving
    the listing moves the fingerprint too.
    """
    return stories.aggregate(last=Max("changed_at"))["last"]
