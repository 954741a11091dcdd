"""The one function that publishes a change to a story.

Every surface renders from story state, and every conditional-request validator (ETag/Last-Modified)
and page-cache key is derived from ``Story.changed_at``; so publishing a change means: move
``changed_at``, and bring the search index in line with the story's public state. Call it inside the
transaction that changed the story, so the change and its publication commit together.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wiredesk.core.text import html_to_text
from wiredesk.newsroom import search
from wiredesk.newsroom.models import Story


def publish_change(story: Story) -> None:
    now = timezone.now()
    # changed_at must strictly increase, even for two changes in the same clock tick, or a
    # validator computed between them would match the second state too.
    if story.changed_at and story.changed_at >= now:
        now = story.changed_at + timedelta(microseconds=1)
    story.changed_at = now
    Story.objects.filter(pk=story.pk).update(changed_at=now)
    version = story.current_version
    if story.is_public and version is not None:
        search.index_story(story.pk, version.headline, html_to_text(version.body_html))
    else:
        search.remove_story(story.pk)
