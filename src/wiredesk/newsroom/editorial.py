"""What an editor can do to a story by hand: hold, unpublish, republish, delete for good."""

from __future__ import annotations

from django.db import transaction

from wiredesk.newsroom.models import Story, Tombstone
from wiredesk.newsroom.publishing import publish_change


@transaction.atomic
def set_status(story: Story, status: Story.Status) -> None:
    story.status = status
    story.save(update_fields=["status"])
    publish_change(story)


@transaction.atomic
def delete_for_good(story: Story, *, reason: str = "deleted by an editor") -> None:
    """Delete a story and leave a tombstone, so the source cannot bring it back."""
    Tombstone.objects.get_or_create(source=story.source, external_id=story.external_id,
                                    defaults={"reason": reason[:500]})
    story.current_version = None
    story.status = Story.Status.UNPUBLISHED
    publish_change(story)  # takes it out of the search index before the row goes
    story.delete()
