"""What an editor can do to a story by hand: hold, unpublish, republish, kill, delete for good.

Every change is published like one from a source, and recorded as a story event naming the editor.
"""

from __future__ import annotations

from django.db import transaction

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Story, StoryEvent, Tombstone
from wiredesk.newsroom.write.publishing import publish_change

# How the reason of an editor's kill begins (a source's kill reads "the source canceled…"): the
# public notice of a killed story says who withdrew it.
EDITOR_KILL = "killed by "


@transaction.atomic
def set_status(story: Story, status: Story.Status, *, editor: str = "") -> bool:
    """Hold, unpublish or republish; a killed story stays killed (returns False)."""
    if story.status == Story.Status.KILLED:
        return False
    story.status, story.status_reason = status, f"set by {editor or 'an editor'}"
    story.save(update_fields=["status", "status_reason"])
    StoryEvent.objects.create(story=story, at=clock.now(), action="editor", status=status,
                              cause=story.status_reason)
    publish_change(story)
    return True


@transaction.atomic
def kill(story: Story, *, reason: str, editor: str = "") -> None:
    """Withdraw a story for good, as an agency kill would: 410 everywhere, never back."""
    cause = f"{EDITOR_KILL}{editor or 'an editor'}: {reason}"[:500]
    Tombstone.objects.get_or_create(source=story.source, external_id=story.external_id,
                                    defaults={"reason": cause})
    story.status, story.status_reason = Story.Status.KILLED, cause
    story.save(update_fields=["status", "status_reason"])
    StoryEvent.objects.create(story=story, at=clock.now(), action="kill",
                              status=Story.Status.KILLED, cause=cause)
    publish_change(story)


def killed_by_editor(story_id: int) -> bool:
    """True when an editor, not the source, killed the story: the first kill is the one that
    counts, since a source's later kill of an already killed story changes nothing."""
    first_kill = (StoryEvent.objects.filter(story_id=story_id, status=Story.Status.KILLED)
                  .order_by("at", "pk").values_list("cause", flat=True).first())
    if first_kill is None:  # a story killed before events were kept: its reason says
        first_kill = (Story.objects.filter(pk=story_id)
                      .values_list("status_reason", flat=True).first() or "")
    return first_kill.startswith(EDITOR_KILL)


@transaction.atomic
def delete_for_good(story: Story, *, reason: str = "deleted by an editor") -> None:
    """Delete a story and leave a tombstone, so the source cannot bring it back."""
    Tombstone.objects.get_or_create(source=story.source, external_id=story.external_id,
                                    defaults={"reason": reason[:500]})
    story.current_version = None
    story.status = Story.Status.UNPUBLISHED
    # Stored so that what publishing reads of it says it is gone (its event's public size).
    story.save(update_fields=["current_version", "status"])
    publish_change(story)  # takes it out of the search index before the row goes
    story.delete()
