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

from collections.abc import Sequence

from django.db import connection

from wiredesk.newsroom.models import Source, Story, StoryVersion

# Ids per statement: well under SQLite's and PostgreSQL's limits on bound parameters.
_CHUNK = 500


def flag(publication_mode: str, link: str) -> bool:
    """The flag :func:`refresh` stores for a story of this mode whose current version has this
    link: what a story created by the desk is inserted with."""
    return publication_mode == Source.Mode.FULL and not link.lower().startswith(
        ("http://", "https://"))


def refresh(story_ids: Sequence[int]) -> None:
    """Set the flag of these stories from their mode and current version: one statement (a
    chunk of ids), which writes only the rows whose flag changes.

    Written out rather than built with the ORM from
    :data:`~wiredesk.newsroom.canonical.FULL_WITHOUT_ORIGINAL`: every desk session refreshes the
    stories it published, and compiling the ORM's two updates and their subquery cost ten times
    running them (~3 ms a session on a slow host). The rule is the same -- full text, and no
    current version whose link starts with http:// or https:// (in any case, as
    :func:`wiredesk.newsroom.canonical.original_url` reads it) -- and
    tests/site/test_sitemaps.py checks the two agree."""
    quote = connection.ops.quote_name
    story, version = quote(Story._meta.db_table), quote(StoryVersion._meta.db_table)
    flag = (f"({story}.publication_mode = %s AND NOT EXISTS (SELECT 1 FROM {version} v "
            f"WHERE v.id = {story}.current_version_id "
            f"AND (LOWER(SUBSTR(v.link, 1, 7)) = 'http://' "
            f"OR LOWER(SUBSTR(v.link, 1, 8)) = 'https://')))")
    ids = sorted(set(story_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            cursor.execute(
                f"UPDATE {story} SET full_without_original = {flag} "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND full_without_original <> {flag}",
                [Source.Mode.FULL, *chunk, Source.Mode.FULL])
