"""Changes that happen by the clock: embargoes lifting, held items released from the review queue,
licences expiring.

Run on every scheduler tick. Each change is published like any other (validators move, the search
index follows), and recorded as a story event.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Story, StoryEvent
from wiredesk.newsroom.write.gating import HELD_BY_GATE
from wiredesk.newsroom.write.publishing import publish_changes


def apply_timed_changes(now: datetime | None = None) -> tuple[int, int]:
    """Publish stories whose embargo has passed; expire stories whose time is up.

    Returns (released, expired).
    """
    now = now or clock.now()
    with transaction.atomic():
        released = _move(Story.objects.filter(status=Story.Status.EMBARGOED,
                                              embargoed_until__lte=now),
                         Story.Status.PUBLISHED, "the embargo time passed", now)
        # Held for review past the time a rule or WIREDESK_REVIEW_RELEASE_MINUTES allowed.
        released += _move(Story.objects.filter(status=Story.Status.HELD, release_at__lte=now,
                                               status_reason__startswith=HELD_BY_GATE),
                          Story.Status.PUBLISHED, "released from the review queue: nobody "
                          "decided in time", now)
        _unpin(now)
        expired = _move(Story.objects.filter(expires_at__lte=now).exclude(
                            status__in=[Story.Status.EXPIRED, Story.Status.KILLED]),
                        Story.Status.EXPIRED, "the story's publication period ended", now)
    return released, expired


def _unpin(now: datetime) -> None:
    """A routing rule's pin or raise whose time is up: the story goes back to its own place
    (published as a change, so cached home pages follow)."""
    stories = list(Story.objects.filter(front_priority__gt=0, front_until__lte=now)
                   .select_for_update(of=("self",)))
    Story.objects.filter(pk__in=[story.pk for story in stories]).update(front_priority=0,
                                                                         front_until=None)
    for story in stories:
        story.front_priority, story.front_until = 0, None
    publish_changes(stories)


def _move(due: QuerySet[Story], status: Story.Status, cause: str, now: datetime) -> int:
    stories = list(due.select_for_update(of=("self",)).select_related("current_version"))
    for story in stories:
        story.status, story.status_reason = status, cause
    Story.objects.bulk_update(stories, ["status", "status_reason"])
    StoryEvent.objects.bulk_create([
        StoryEvent(story=story, at=now, action="timed", status=status, cause=cause)
        for story in stories])
    publish_changes(stories)
    return len(stories)
