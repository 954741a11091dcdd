"""Full text with no original to name, kept on the story (``Story.full_without_original``).

A story is in our sitemaps when its text is full and its canonical page is ours
(:data:`wiredesk.newsroom.canonical.IN_SITEMAPS`): its source's canonical policy names our page,
or it has no link to an original article. The news sitemap tested that on every story of its 48
hours, each joined to its version (a million-story archive on PostgreSQL: ~5,700 rows read from
disk, 30 ms, to find none). The story's own part of the rule -- full text, no original
(:data:`~wiredesk.newsroom.canonical.FULL_WITHOUT_ORIGINAL`) -- is kept on the story and indexed
(story_full_without_original); the source's part is read as it is, a few source ids
(:func:`wiredesk.site.sitemaps.listed`), so a policy changed in the admin or by an OPML import
applies at once, as before.

The story's part changes only through publishing (a new version and its link, the gate's mode, an
editor's edit): :func:`wiredesk.newsroom.write.listing_state.bump_for_stories` calls
:func:`refresh` for every story it publishes, in the same transaction.
"""

from __future__ import annotations

from django.db.models import QuerySet

from wiredesk.newsroom.canonical import FULL_WITHOUT_ORIGINAL
from wiredesk.newsroom.models import Story


def refresh(stories: QuerySet[Story]) -> None:
    """Set the flag of these stories from their mode and current version (two statements,
    whatever their number; only rows whose flag changes are written)."""
    flagged = stories.filter(FULL_WITHOUT_ORIGINAL).values("pk")
    stories.filter(full_without_original=False, pk__in=flagged).update(
        full_without_original=True)
    stories.filter(full_without_original=True).exclude(pk__in=flagged).update(
        full_without_original=False)
