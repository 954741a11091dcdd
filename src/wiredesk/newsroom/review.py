"""The review queue: stories the publication gate or a routing rule held for an editor, with
their reasons; approving publishes one, rejecting drops it (never public, kept in the admin).

A held story is on no public surface (every public query asks for status "published"); the admin
lists the queue (newsroom/admin_rules.py) and the timed jobs release what a rule or
WIREDESK_REVIEW_RELEASE_MINUTES lets go unattended (newsroom/workers/timed.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Story, StoryEvent
from wiredesk.newsroom.write.gating import HELD_BY_GATE
from wiredesk.newsroom.write.publishing import publish_change


def queue() -> QuerySet[Story]:
    """Stories waiting for an editor: held by the gate or a rule, not dropped, not merged."""
    return Story.objects.filter(status=Story.Status.HELD, merged_into__isnull=True,
                                status_reason__startswith=HELD_BY_GATE).exclude(
        gate_outcome="drop")


REJECTED = "rejected in review by "


@transaction.atomic
def approve(story: Story, editor: str) -> bool:
    """Publish a held story (an editor's decision: a later failing version holds it again only
    as the gate holds any published story)."""
    if story.status != Story.Status.HELD:
        return False
    _decide(story, Story.Status.PUBLISHED, f"approved in review by {editor or 'an editor'}",
            outcome="publish")
    return True


@transaction.atomic
def reject(story: Story, editor: str) -> bool:
    """Drop a held story: it stays held (never public), marked dropped, out of the queue."""
    if story.status != Story.Status.HELD:
        return False
    _decide(story, Story.Status.HELD, f"{REJECTED}{editor or 'an editor'}", outcome="drop")
    return True


_BY_MODE = {"full": "publish", "excerpt": "excerpt", "headline": "headline"}


def _decide(story: Story, status: Story.Status, cause: str, *, outcome: str) -> None:
    story.status, story.status_reason, story.release_at = status, cause[:500], None
    story.gate_outcome = outcome if outcome == "drop" else \
        _BY_MODE.get(story.publication_mode, "publish")
    story.save(update_fields=["status", "status_reason", "release_at", "gate_outcome"])
    StoryEvent.objects.create(story=story, at=clock.now(), action="review", status=status,
                              cause=cause[:500])
    publish_change(story)


@dataclass(frozen=True, slots=True)
class Counts:
    """What the admin index shows of the queue."""

    waiting: int
    releasing: int  # of those, released by the desk unless an editor decides first
    dropped_today: int
    failing_rules: int


def counts() -> Counts:
    from wiredesk.newsroom.rules import Rule

    waiting = queue()
    since = clock.now() - timedelta(hours=24)
    return Counts(
        waiting=waiting.count(),
        releasing=waiting.filter(release_at__isnull=False).count(),
        dropped_today=Story.objects.filter(status=Story.Status.HELD, gate_outcome="drop",
                                           changed_at__gte=since).count(),
        failing_rules=Rule.objects.exclude(last_error="").count())


def reasons(story: Story) -> list[str]:
    """The findings that held it, as lines: "language: written in 'de', not a language...\"."""
    found = [f"{f.get('check')}: {f.get('reason')}" for f in story.gate_reasons or []
             if f.get("outcome") in ("hold", "drop")]
    return found or [story.status_reason.removeprefix(HELD_BY_GATE)]

