"""The one function that publishes a change to a story.

Every surface renders from story state, and every conditional-request validator (ETag/Last-Modified)
and page-cache key is derived from ``Story.changed_at`` (an article) or from the stored version of
a listing (:mod:`wiredesk.newsroom.write.listing_state`); so publishing a change means: move
``changed_at``, bump every listing the story was or is now in, and bring the search index in line
with the story's public state. Call it inside the transaction that changed the story, so the change
and its publication commit together. Once it has committed, the front caches (if any are
configured) are refreshed for exactly the URLs it changed (:mod:`wiredesk.newsroom.write.purge`);
the in-process response cache of ``wiredesk run``/``serve`` sees the bumped ``all`` listing itself
(:mod:`wiredesk.site.responsecache`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import lxml.html
from django.db.models import QuerySet
from django.utils import timezone

from wiredesk.newsroom import search
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.outbox import events as outbox
from wiredesk.newsroom.write import listing_state, purge


def publish_change(story: Story) -> None:
    publish_changes([story])


def publish_changes(stories: Sequence[Story], *, created: bool = False) -> None:
    """Publish changes to several stories at once (a whole feed's new stories, say).

    ``created``: the stories were just inserted with a fresh ``changed_at``; only the search
    index needs them.
    """
    if not stories:
        return
    if not created:
        _move_changed_at(stories)
    at = max((story.changed_at for story in stories if story.changed_at),
             default=timezone.now())
    bumped = listing_state.bump_for_stories([story.pk for story in stories], at,
                                            created=created)
    purge.after_commit(stories, bumped)
    outbox.after_publish(stories, bumped)  # webhook events and hub pings, in this transaction
    entries, gone = [], []
    for story in stories:
        version = story.current_version
        if story.is_public and version is not None:
            entries.append(search.Entry(story.pk, version.headline, body_text(version.body_html)))
        else:
            gone.append(story.pk)
    search.index(entries)
    search.remove(gone)


def body_text(body_html: str) -> str:
    """The words of a sanitised body, for the search index (lxml: this runs for every story)."""
    if not body_html.strip():
        return ""
    return str(lxml.html.fragment_fromstring(body_html, create_parent="div").text_content())


def _move_changed_at(stories: Sequence[Story]) -> None:
    # changed_at must strictly increase, even for two changes in the same clock tick, or a
    # validator computed between them would match the second state too.
    now = max([timezone.now()] + [s.changed_at + timedelta(microseconds=1)
                                  for s in stories if s.changed_at])
    for story in stories:
        story.changed_at = now
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(changed_at=now)


def touch(stories: QuerySet[Story]) -> None:
    """Move the validators of everything that shows these stories, when something they display
    but do not own changed (their source's name or note, their section's name): their article
    pages, and every listing (through the ``site`` state all of them read: such edits are rare).
    """
    now = timezone.now()
    stories.update(changed_at=now)
    listing_state.bump([listing_state.SITE], now)
    purge.after_commit([], [listing_state.SITE])
