"""Enrichment after publication: a story goes online first, then its entities, quotes, key
figures, places and topics follow (:mod:`wiredesk.enrich`) and its pages update.

What needs doing is found from stored state alone: a story shown on its own whose current version
has no enrichment, or one made by another enricher version. So the work is idempotent and
re-runnable: a new version of a story is re-enriched, an upgraded enricher redoes the archive
(``wiredesk enrich --all``), and a re-run that finds the same things changes nothing visible (only
the stored version moves; nothing is republished).

The text is enriched outside any transaction (it takes tens of milliseconds); the result is
written in a short one that first checks the story still has the version that was read -- if a
new version arrived meanwhile, the result is dropped and the new version is enriched next.

Several enrichers share the work: each story is claimed (:mod:`.claims`) while it is enriched, so
two workers, or a worker and ``wiredesk enrich --all``, never do the same story twice. A story
whose enrichment fails is set aside for a while (``RETRY_FAILED_AFTER``) so that it cannot hold
the front of the queue: the stories behind it go on being enriched.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, transaction
from django.db.models import QuerySet

from wiredesk.core.text import html_to_text
from wiredesk.enrich import linking
from wiredesk.enrich.pipeline import ENRICHER_VERSION, Enricher
from wiredesk.enrich.result import Enrichment as Result
from wiredesk.enrich.result import EntityRef, StoryText
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import (
    ENRICH_QUEUE,
    Enrichment,
    Entity,
    Section,
    Story,
    StoryEntity,
    StoryQuote,
)
from wiredesk.newsroom.workers import claims
from wiredesk.newsroom.workers.priority import Recovering
from wiredesk.newsroom.write.entities import entity_rows
from wiredesk.newsroom.write.publishing import publish_change

log = logging.getLogger(__name__)

BATCH = 20
# The claim key for "enriching story N" (see claims.claim).
ENRICH_CLAIM = 0x57D_E1
# A story whose enrichment failed is tried again after this many seconds, not on every pass.
RETRY_FAILED_AFTER = 600.0



class SetAside:
    """The stories whose enrichment failed, each set aside until it is due for another try
    (``retry_after`` seconds on the ``now`` clock later).

    Each enrichment loop creates its own -- the worker's (:func:`run_enricher`), the ``enrich``
    command's -- and tests build a fresh one: nothing about failures is kept for the process.
    Thread-safe, so a loop's helpers may share it.
    """

    def __init__(self, retry_after: float = RETRY_FAILED_AFTER,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.retry_after = retry_after
        self._now = now
        self._lock = threading.Lock()
        self._until: dict[int, float] = {}  # story id -> time from which it is tried again

    def add(self, story_id: int) -> None:
        """Set a story aside after a failure."""
        with self._lock:
            self._until[story_id] = self._now() + self.retry_after

    def ids(self) -> list[int]:
        """The stories set aside now (forgetting those due for another try)."""
        now = self._now()
        with self._lock:
            for story_id in [pk for pk, until in self._until.items() if until <= now]:
                del self._until[story_id]
            return list(self._until)


def pending() -> QuerySet[Story]:
    """Stories whose current version has not been enriched, newest first (readers see the
    newest first; the archive follows): a range scan of the queue's partial index, whose size
    is the queue's (models.ENRICH_QUEUE). After an enricher upgrade, :func:`requeue_outdated`
    puts what the old enricher did back in the queue."""
    return Story.objects.filter(ENRICH_QUEUE).order_by("-first_published_at", "-pk")


def queue_length() -> int:
    """How many stories wait for enrichment (the metrics' backlog): counted in the queue's own
    index."""
    return Story.objects.filter(ENRICH_QUEUE).count()


def requeue_outdated(version: str = ENRICHER_VERSION) -> int:
    """Put back in the queue every story enriched by another enricher version; returns how many.
    One index probe when there are none (every start but the first after an upgrade)."""
    outdated = Enrichment.objects.exclude(version=version)
    if not outdated.exists():
        return 0
    return Story.objects.filter(pk__in=outdated.values("story_id")).exclude(
        enriched_version=0).update(enriched_version=0)


def story_text(story: Story) -> StoryText:
    version = story.current_version
    assert version is not None
    subjects = tuple(str(subject.get("code") or "") for subject in version.subjects or []
                     if isinstance(subject, dict) and subject.get("code"))
    return StoryText(version.headline, html_to_text(version.body_html), version.dateline,
                     subjects, version.summary, version.language)


@dataclass(frozen=True, slots=True)
class Outcome:
    story_id: int
    changed: bool  # what readers see changed (the story was republished)
    stale: bool = False  # a newer version arrived meanwhile: enriched again later


def enrich_story(enricher: Enricher, story_id: int) -> Outcome:
    """Enrich one story's current version with ``enricher`` and store the result."""
    story = Story.objects.select_related("current_version").get(pk=story_id)
    version = story.current_version
    assert version is not None
    result = enricher.enrich(story_text(story))
    with transaction.atomic():
        story = Story.objects.select_for_update(of=("self",)).select_related(
            "current_version", "source").get(pk=story_id)
        if story.current_version is None or \
                story.current_version.content_hash != version.content_hash:
            return Outcome(story_id, changed=False, stale=True)
        changed = _store(story, version.content_hash, result)
        # Out of the queue: the version enriched is the current one (its text, if not its id).
        Story.objects.filter(pk=story_id).update(enriched_version=story.current_version.pk)
        return Outcome(story_id, changed=changed)


def _enrich_claimed(enricher: Enricher, story_id: int, set_aside: SetAside) -> Outcome | None:
    """Enrich a story unless another enricher holds it or has just done it; None when skipped.
    A failure is logged and the story set aside, never raised: one bad story stops nothing."""
    with claims.claim(ENRICH_CLAIM, story_id) as mine:
        if not mine or not pending().filter(pk=story_id).exists():
            return None
        try:
            return enrich_story(enricher, story_id)
        except Exception:
            log.exception("enriching story %s failed; next try in %d s", story_id,
                          set_aside.retry_after)
            set_aside.add(story_id)
            return None


def enrich_pending(enricher: Enricher, limit: int = BATCH,
                   set_aside: SetAside | None = None) -> list[Outcome]:
    """Enrich up to ``limit`` stories that need it, skipping those another enricher holds and
    those in ``set_aside`` after a failure (a loop passes its own on every pass; without one,
    failures are remembered for this call only)."""
    set_aside = set_aside if set_aside is not None else SetAside()
    ids = pending().exclude(pk__in=set_aside.ids()).values_list("pk", flat=True)[:limit]
    return [outcome for outcome in (_enrich_claimed(enricher, pk, set_aside) for pk in ids)
            if outcome is not None]


def enrich_all(enricher: Enricher, progress: Callable[[int], None] = lambda n: None) -> int:
    """Enrich everything that needs it (``wiredesk enrich --all``); returns how many stories
    were gone through."""
    done = 0
    seen: set[int] = set()
    set_aside = SetAside()
    requeue_outdated()
    while True:
        ids = [pk for pk in pending().values_list("pk", flat=True)[:BATCH * 10]
               if pk not in seen]
        if not ids:
            return done
        for story_id in ids:
            seen.add(story_id)  # a story failing every time must not loop forever
            _enrich_claimed(enricher, story_id, set_aside)
            done += 1
            progress(1)


def run_enricher(stop: threading.Event, *, tick: float, enricher: Enricher | None = None,
                 priority: Recovering | None = None) -> None:
    """The worker's enrichment loop: beside ingest, never in its way (its own thread and
    database connection; nothing ingest waits for). It uses ``enricher``, or creates its own:
    the loop owns the recogniser, and the stories it set aside after a failure, for as long as
    it runs. With ``priority``, it starts (and loads its model) after the worker's first
    recovery pass and gives way to every later one before each pass of its own
    (:mod:`wiredesk.newsroom.workers.priority`)."""
    if priority is not None and not priority.give_way(stop):
        return
    enricher = enricher or Enricher()
    set_aside = SetAside()
    log.info("enricher started")
    try:
        requeued = requeue_outdated()
        if requeued:
            log.info("%d stories enriched by an older enricher queued again", requeued)
    except Exception:
        log.exception("could not queue stories of an older enricher again")
    while not stop.is_set():
        if priority is not None and not priority.give_way(stop):
            break
        try:
            outcomes = enrich_pending(enricher, set_aside=set_aside)
        except Exception:
            log.exception("enrichment pass failed; retrying")
            outcomes = []
        finally:
            close_old_connections()
        if outcomes:
            log.info("enriched %d stories", len(outcomes))
        else:
            stop.wait(tick)
    log.info("enricher stopped")


# ---------------------------------------------------------------------------------- storing

def _store(story: Story, content_hash: str, result: Result) -> bool:
    """Write the result; True when what readers see changed (then the story is republished).

    Entities are resolved across stories first (:func:`_entities`), and the stored data names
    them by the entity they resolved to, so the API's ids are the same across stories.
    """
    refs = _all_refs(result)
    entities = entity_rows(refs)
    data = _canonical(json.loads(json.dumps(result.as_dict())), entities)  # tuples -> lists
    linked = _linked_keys(story, refs, entities)
    for item in (*data.get("entities", []), *data.get("countries", [])):
        item["linked"] = item["key"] in linked
    record = Enrichment.objects.filter(story=story).first()
    visible = {k: v for k, v in data.items() if k not in ("version", "methods")}
    unchanged = record is not None and record.content_hash == content_hash and {
        k: v for k, v in record.data.items() if k not in ("version", "methods")} == visible
    if record is None:
        record = Enrichment(story=story)
    record.version, record.content_hash = result.version, content_hash
    record.enriched_at, record.data = clock.now(), data
    record.save()
    if unchanged:
        return False
    links: dict[int, StoryEntity] = {}
    for rank, ref in enumerate(refs):
        entity = entities[ref.key]
        if entity.pk in links:  # two of the story's names resolved to one entity
            links[entity.pk].count += ref.count
            links[entity.pk].linked |= entity.key in linked
        else:
            links[entity.pk] = StoryEntity(story=story, entity=entity, count=ref.count, rank=rank,
                                           linked=entity.key in linked)
    before = set(StoryEntity.objects.filter(story=story).values_list("entity_id", flat=True))
    StoryEntity.objects.filter(story=story).delete()
    StoryEntity.objects.bulk_create(list(links.values()))
    refresh_linked(before | set(links))
    StoryQuote.objects.filter(story=story).delete()
    StoryQuote.objects.bulk_create([
        StoryQuote(story=story, position=n, text=quote.text, speaker_name=quote.speaker[:300],
                   speaker=entities.get(quote.speaker_key))
        for n, quote in enumerate(result.quotes) if not quote.partial])
    _section_by_topic(story, result)
    publish_change(story)
    return True


# How many of an entity's other story links are read for cross-story support: enough for the
# bar (linking.MIN_STORIES, MIN_SOURCES) and a constant cost whatever the archive holds.
SUPPORT_SCAN = 20


def _linked_keys(story: Story, refs: list[EntityRef], entities: dict[str, Entity]) -> set[str]:
    """Keys (as resolved) of the entities this story links: its own evidence decided, or, for
    a name that needs it, other stories and sources naming the same entity back it."""
    linked: set[str] = set()
    for ref in refs:
        entity = entities[ref.key]
        if ref.linked:
            linked.add(entity.key)
        elif ref.needs_support and entity.pk is not None:
            sources = list(StoryEntity.objects.filter(entity=entity).exclude(story=story)
                           .values_list("story__source_id", flat=True)[:SUPPORT_SCAN])
            if linking.supported(len(sources) + 1, len({*sources, story.source_id})):
                linked.add(entity.key)
    return linked


def refresh_linked(entity_ids: set[int]) -> None:
    """An entity is linked while some story links it (one index probe each): one that falls
    below the bar keeps its page, noindexed and out of the sitemap."""
    for entity in Entity.objects.filter(pk__in=entity_ids).only("pk", "linked"):
        now = StoryEntity.objects.filter(entity_id=entity.pk, linked=True).exists()
        if now != entity.linked:
            Entity.objects.filter(pk=entity.pk).update(linked=now)


def _section_by_topic(story: Story, result: Result) -> None:
    """Move the story to the section its source maps its first mapped topic to, if any."""
    mapping = story.source.topic_sections or {}
    for topic in result.topics:
        slug = mapping.get(topic.qcode) if isinstance(mapping, dict) else None
        section = Section.objects.filter(slug=slug).first() if slug else None
        if section is not None:
            if story.section_id != section.pk:
                story.section = section
                story.save(update_fields=["section"])
            return


def _canonical(data: dict[str, Any], entities: dict[str, Entity]) -> dict[str, Any]:
    """Name entities and speakers in ``data`` by the entities they resolved to."""
    for item in data.get("entities", []):
        entity = entities.get(item["key"])
        if entity is not None and entity.key != item["key"]:
            item["key"], item["name"] = entity.key, entity.name
    for quote in data.get("quotes", []):
        entity = entities.get(quote.get("speaker_key", ""))
        if entity is not None:
            quote["speaker_key"] = entity.key
    return data


def _all_refs(result: Result) -> list[EntityRef]:
    """People, organisations, places, countries and topics, most salient first, once each."""
    refs = [*result.entities, *result.countries,
            *(EntityRef(topic.key, topic.label, "topic", country_code="")
              for topic in result.topics)]
    return list({ref.key: ref for ref in reversed(refs)}.values())[::-1]
