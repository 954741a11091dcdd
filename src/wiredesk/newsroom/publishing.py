"""The one function that publishes a change to a story.

Every surface renders from story state, and every conditional-request validator (ETag/Last-Modified)
and page-cache key is derived from ``Story.changed_at``; so publishing a change means: move
``changed_at``, and bring the search index in line with the story's public state. Call it inside the
transaction that changed the story, so the change and its publication commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from wiredesk.core.text import html_to_text
from wiredesk.newsroom import search
from wiredesk.newsroom.models import Story


def publish_change(story: Story) -> None:
    publish_changes([story])


def publish_changes(stories: Sequence[Story]) -> None:
    """Publish changes to several stories at once (a whole feed's new stories, say)."""
    if not stories:
        return
    # changed_at must strictly increase, even for two changes in the same clock tick, or a
    # validator computed between them would match the second state too.
    now = max([timezone.now()] + [s.changed_at + timedelta(microseconds=1)
                                  for s in stories if s.changed_at])
    for story in stories:
        story.changed_at = now
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(changed_at=now)
    entries, gone = [], []
    for story in stories:
        version = story.current_version
        if story.is_public and version is not None:
            entries.append(search.Entry(story.pk, version.headline,
                                        html_to_text(version.body_html)))
        else:
            gone.append(story.pk)
    search.index(entries)
    search.remove(gone)


def touch(stories: QuerySet[Story]) -> None:
    """Move the validators of everything that shows these stories, when something they display
    but do not own changed (their source's name or note, their section's name)."""
    stories.update(changed_at=timezone.now())
