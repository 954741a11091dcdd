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
    now = clock.now()
    return (Story.objects.filter(status=Story.Status.PUBLISHED, current_version__isnull=False,
                                 merged_into__isnull=True)
            .filter(Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now))
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .select_related("source", "section", "current_version", "cluster"))


def last_change(stories: QuerySet[Story]) -> datetime | None:
    """When anything in a listing last changed (including stories that have just left it).

    Callers pass the listing's filter over *all* stories, not only public ones, so a story leaving
    the listing moves the fingerprint too.
    """
    return stories.aggregate(last=Max("changed_at"))["last"]
