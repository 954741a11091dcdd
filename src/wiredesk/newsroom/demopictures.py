"""The demo's pictures: its feeds name them on the outlets' ``.example`` addresses, which do not
resolve, so the bundled files (:mod:`wiredesk.demo.draw`) stand in for the fetch. Everything else
is the real pipeline: verification, renditions, storage, and the pages that show them."""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from wiredesk import demo
from wiredesk.demo.draw import PICTURES_DIR
from wiredesk.newsroom import images
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.workers import pictures
from wiredesk.newsroom.write.publishing import publish_changes


def bundled(candidate: images.Candidate) -> images.Outcome:
    """The picture from the demo's folder, by its file name."""
    name = posixpath.basename(urlsplit(candidate.url).path)
    path = PICTURES_DIR / name
    if not name or not path.is_file():
        return images.Outcome(candidate, None, f"not in the demo's pictures: {name}", 0, 0.0)
    return images.store_local(candidate, path.read_bytes(), "image/jpeg")


def load_demo_pictures() -> str:
    """Store the pictures of the demo's stories that have not been gone through; a summary."""
    slugs = [source.slug for source in demo.DEMO_SOURCES]
    ids = list(pictures.pending().filter(source__slug__in=slugs).values_list("pk", flat=True))
    for story_id in ids:
        pictures.process_story(story_id, bundled)
    stored = Story.objects.filter(source__slug__in=slugs, pictures__status="ready").count()
    return f"Pictures: {stored} stored for {len(ids)} stories gone through"


def demo_is_current() -> int:
    """The demo's dated stories count as timely: the gate holds back stories first seen long after
    their date (a feed replaying its archive), but the bundled demo is loaded whenever someone
    tries Wiredesk, always long after its fixed dates, and its front page should still have a
    lead. Undated stories stay untimely. Returns how many stories changed."""
    stale = list(Story.objects.filter(source__slug__in=[s.slug for s in demo.DEMO_SOURCES],
                                      timely=False, current_version__date_is_fallback=False))
    if stale:
        Story.objects.filter(pk__in=[story.pk for story in stale]).update(timely=True)
        publish_changes(stale)
    return len(stale)
