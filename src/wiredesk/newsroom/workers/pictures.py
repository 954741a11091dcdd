"""The picture job: after a story is published, its pictures are fetched, verified and stored
(:mod:`wiredesk.newsroom.images`), and its pages republished with them.

Like enrichment, the work is found from stored state alone: a public story whose current version
the job has not gone through (no :class:`PictureCheck` for that version). The story is online
before its pictures and stays online whatever happens to them: a refused or failed picture is a
:class:`Picture` row with its reason (shown in the admin), never an error that holds the story.
Stories are claimed while worked on, so several workers never fetch one story's pictures twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, transaction
from django.db.models import F, QuerySet

from wiredesk.core.rights import Mode
from wiredesk.newsroom import clock, images
from wiredesk.newsroom.imagemodels import Picture, PictureCheck
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.workers import claims
from wiredesk.newsroom.workers.priority import Recovering
from wiredesk.newsroom.write import gating
from wiredesk.newsroom.write.publishing import publish_change

log = logging.getLogger(__name__)

BATCH = 10
PICTURE_CLAIM = 0x9_1C7
# A story names at most this many pictures worth fetching (a gallery feed can name dozens).
MAX_PER_STORY = 6

Fetcher = Callable[[images.Candidate], images.Outcome]


def pending() -> QuerySet[Story]:
    """Public stories whose current version's pictures have not been gone through, newest
    first."""
    return (Story.objects.filter(status=Story.Status.PUBLISHED, merged_into__isnull=True,
                                 current_version__isnull=False)
            .exclude(picture_check__version_id=F("current_version_id"))
            .order_by("-first_published_at", "-pk"))


def may_host(story: Story) -> bool:
    """Whether the desk may show (so host) the story's pictures: in full mode, or when its
    source licenses its items in full and only the gate cut the text to an excerpt. A publisher's
    teaser feed's pictures are not ours to copy (docs/publication.md)."""
    return (story.publication_mode == Source.Mode.FULL
            or gating.source_mode(story.source) is Mode.FULL)


def process_story(story_id: int, fetcher: Fetcher = images.fetch_and_store) -> bool:
    """Go through one story's pictures; True when what readers see changed (republished)."""
    story = Story.objects.select_related("current_version", "source").get(pk=story_id)
    version = story.current_version
    if version is None:
        return False
    allowed = may_host(story)
    wanted = images.candidates(version.images or [])[:MAX_PER_STORY] if allowed else []
    known = {picture.key: picture for picture in Picture.objects.filter(story=story)}
    # Fetching happens outside any transaction: it takes up to the fetch timeout per picture.
    outcomes = {candidate.key: fetcher(candidate) for candidate in wanted
                if not _still_good(known.get(candidate.key), candidate)}
    with transaction.atomic():
        story = Story.objects.select_for_update(of=("self",)).get(pk=story_id)
        if story.current_version_id != version.pk:
            return False  # a newer version arrived: gone through next
        changed = _write(story, wanted, known, outcomes, version.headline)
        PictureCheck.objects.update_or_create(story=story, defaults={
            "version_id": version.pk, "checked_at": clock.now(),
            "note": "" if allowed else "not fetched: the story's rights do not cover its "
                                       "pictures (excerpt or headline from a publisher feed)"})
        if changed:
            publish_change(story)
    for outcome in outcomes.values():
        if outcome.stored is None:
            log.info("story %s: picture %s %s", story_id, outcome.candidate.url, outcome.reason)
    return changed


def _still_good(picture: Picture | None, candidate: images.Candidate) -> bool:
    return (picture is not None and picture.status == Picture.Status.READY
            and picture.url == candidate.url)


def _write(story: Story, wanted: list[images.Candidate], known: dict[str, Picture],
           outcomes: dict[str, images.Outcome], headline: str) -> bool:
    changed = False
    stale = [picture.pk for key, picture in known.items()
             if key not in {candidate.key for candidate in wanted}]
    if stale:
        changed |= Picture.objects.filter(pk__in=stale, status=Picture.Status.READY).exists()
        Picture.objects.filter(pk__in=stale).delete()
    for candidate in wanted:
        credit = images.clean_credit(candidate.credit, candidate.caption)
        caption = images.clean_caption(candidate.caption, candidate.credit)
        fields = {"position": candidate.position, "url": candidate.url, "caption": caption,
                  "credit": credit, "alt": images.alt_text(caption, headline)}
        outcome = outcomes.get(candidate.key)
        if outcome is not None:
            stored = outcome.stored
            fields |= {"fetched_at": clock.now(), "seconds": outcome.seconds,
                       "source_bytes": outcome.size or None}
            if stored is None:
                fields |= {"status": Picture.Status.FAILED, "reason": outcome.reason,
                           "width": None, "height": None, "renditions": [], "sha256": "",
                           "original": "", "source_format": ""}
            else:
                fields |= {"status": Picture.Status.READY, "reason": "", "width": stored.width,
                           "height": stored.height, "sha256": stored.sha256,
                           "source_format": stored.format, "original": stored.original,
                           "renditions": stored.renditions}
        before = known.get(candidate.key)
        if before is None:
            Picture.objects.create(story=story, key=candidate.key, **fields)
            changed |= fields.get("status") == Picture.Status.READY
            continue
        shown_before = _shown(before)
        for name, value in fields.items():
            setattr(before, name, value)
        before.save()
        changed |= shown_before != _shown(before)
    return changed


def _shown(picture: Picture) -> tuple[object, ...]:
    """What readers see of a picture: a change to it republishes the story."""
    if picture.status != Picture.Status.READY:
        return ()
    return (picture.position, picture.caption, picture.credit, picture.alt, picture.sha256)


def _process_claimed(story_id: int, fetcher: Fetcher) -> bool | None:
    with claims.claim(PICTURE_CLAIM, story_id) as mine:
        if not mine or not pending().filter(pk=story_id).exists():
            return None
        try:
            return process_story(story_id, fetcher)
        except Exception:
            # Never the story's problem: its check is written so the job moves on.
            log.exception("pictures of story %s failed", story_id)
            story = Story.objects.filter(pk=story_id).values("current_version_id").first()
            if story and story["current_version_id"]:
                PictureCheck.objects.update_or_create(
                    story_id=story_id, defaults={"version_id": story["current_version_id"],
                                                 "checked_at": clock.now(),
                                                 "note": "internal error; see the log"})
            return None


def process_pending(limit: int = BATCH, fetcher: Fetcher = images.fetch_and_store) -> int:
    """Go through up to ``limit`` stories' pictures; returns how many were gone through."""
    ids = list(pending().values_list("pk", flat=True)[:limit])
    return sum(1 for story_id in ids if _process_claimed(story_id, fetcher) is not None)


def run_pictures(stop: threading.Event, *, tick: float,
                 priority: Recovering | None = None) -> None:
    """The worker's picture loop, in its own thread beside ingest and enrichment; with
    ``priority``, each pass gives way to the worker's recovery passes
    (:mod:`wiredesk.newsroom.workers.priority`)."""
    log.info("picture job started")
    while not stop.is_set():
        if priority is not None and not priority.give_way(stop):
            break
        try:
            done = process_pending()
        except Exception:
            log.exception("picture pass failed; retrying")
            done = 0
        finally:
            close_old_connections()
        if not done:
            stop.wait(tick)
    log.info("picture job stopped")
