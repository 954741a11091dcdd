"""An editor's corrections to the duplicate desk: split a wrong merge, merge by hand.

Both lock the story (``merge_locked``): the desk never merges it again by itself, and since a story
that exists is found by its identity before any duplicate check, a re-ingest of the same item --
a re-poll, a re-processed payload, a new version under the same id -- goes to that story and stays
where the editor put it. Both run in a session of the write desk they are given, like ingest.
"""

from __future__ import annotations

from django.db.models import Max

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Story, StoryEvent, StoryVersion
from wiredesk.newsroom.write.apply import root_of
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.publishing import publish_changes


class MergeRefused(ValueError):
    """The merge or split asked for makes no sense (said why, for the admin's message)."""


def split(desk: WriteDesk, story: Story, editor: str) -> Story:
    """Take a merged story out of the story it was merged into: it is published on its own
    again, and the text it had given the other story (as versions) is taken back. Returns the
    story it was merged into."""
    with desk.session():
        story = Story.objects.select_for_update().get(pk=story.pk)
        root = story.merged_into
        if root is None:
            raise MergeRefused(f"story {story.pk} is not merged into another story")
        root = Story.objects.select_for_update().get(pk=root.pk)
        now = clock.now()
        taken_back = _take_back_versions(root, story)
        kind = story.merge_kind
        story.merged_into, story.merge_kind = None, ""
        story.merged_by, story.merge_locked = editor, True
        story.cluster = None
        story.save(update_fields=["merged_into", "merge_kind", "merged_by", "merge_locked",
                                  "cluster"])
        desk.clusters.place_new([Story.objects.select_related("current_version").get(pk=story.pk)])
        StoryEvent.objects.create(story=story, at=now, action="split", status=story.status,
                                  cause=f"split from story {root.pk} by {editor}")
        StoryEvent.objects.create(
            story=root, at=now, action="split", status=root.status,
            cause=f"story {story.pk} ({kind}) split away by {editor}"
                  f"{f'; {taken_back} versions taken back' if taken_back else ''}")
        publish_changes([root, story])
        return root


def merge(desk: WriteDesk, story: Story, into: Story, editor: str) -> Story:
    """Merge ``story`` into ``into`` by hand, as another outlet's copy ("Also reported by").

    Stories already merged into ``story`` move along with it; ``into`` may itself be merged, in
    which case the story it stands for is used. Returns that story.
    """
    with desk.session():
        root = root_of(into.pk)
        if root is None:
            raise MergeRefused(f"story {into.pk} no longer exists")
        story = Story.objects.select_for_update().get(pk=story.pk)
        if root.pk == story.pk:
            raise MergeRefused("a story cannot be merged into itself")
        if story.merged_into_id is not None:
            raise MergeRefused(f"story {story.pk} is already merged into story "
                               f"{story.merged_into_id}: split it first")
        now = clock.now()
        moved = list(Story.objects.filter(merged_into=story))
        Story.objects.filter(merged_into=story).update(merged_into=root)
        story.merged_into, story.merge_kind = root, Story.MergeKind.COPY
        story.merged_by, story.merge_locked = editor, True
        story.cluster = root.cluster
        story.save(update_fields=["merged_into", "merge_kind", "merged_by", "merge_locked",
                                  "cluster"])
        StoryEvent.objects.create(story=story, at=now, action="merged", status=story.status,
                                  cause=f"merged into story {root.pk} by {editor}")
        StoryEvent.objects.create(story=root, at=now, action="also_reported", status=root.status,
                                  cause=f"story {story.pk} merged in by {editor}")
        publish_changes([root, story, *moved])
        return root


def _take_back_versions(root: Story, merged: Story) -> int:
    """Delete the versions ``merged`` gave ``root``; if one of them was current, the latest of
    the rest becomes current again. Returns how many were taken back."""
    mirrored = StoryVersion.objects.filter(story=root, from_story=merged)
    count = mirrored.count()
    if not count:
        return 0
    was_current = root.current_version_id is not None and \
        mirrored.filter(pk=root.current_version_id).exists()
    mirrored.delete()
    if was_current:
        current = (StoryVersion.objects.filter(story=root, is_superseded=False)
                   .order_by("-number").first()
                   or StoryVersion.objects.filter(story=root).order_by("-number").first())
        root.current_version = current
        if current is not None:
            root.headline, root.summary = current.headline, current.summary
        root.save(update_fields=["current_version", "headline", "summary"])
    root.version_count = (StoryVersion.objects.filter(story=root).aggregate(n=Max("number"))["n"]
                          or 0)
    root.save(update_fields=["version_count"])
    return count
