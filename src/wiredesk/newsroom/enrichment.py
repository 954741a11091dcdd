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
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import close_old_connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils.text import slugify

from wiredesk.core.text import html_to_text
from wiredesk.enrich.pipeline import ENRICHER_VERSION, enrich
from wiredesk.enrich.result import Enrichment as Result
from wiredesk.enrich.result import EntityRef, StoryText
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Enrichment, Entity, Story, StoryEntity, StoryQuote
from wiredesk.newsroom.publishing import publish_change

log = logging.getLogger(__name__)

BATCH = 20


def pending(version: str = ENRICHER_VERSION) -> QuerySet[Story]:
    """Stories whose current version has not been enriched by this enricher version, newest
    first (readers see the newest first; the archive follows)."""
    return (Story.objects.filter(current_version__isnull=False, merged_into__isnull=True)
            .filter(Q(enrichment__isnull=True) | ~Q(enrichment__version=version)
                    | ~Q(enrichment__content_hash=F("current_version__content_hash")))
            .order_by("-first_published_at", "-pk"))


def story_text(story: Story) -> StoryText:
    version = story.current_version
    assert version is not None
    subjects = tuple(str(subject.get("code") or "") for subject in version.subjects or []
                     if isinstance(subject, dict) and subject.get("code"))
    return StoryText(version.headline, html_to_text(version.body_html), version.dateline,
                     subjects, version.summary)


@dataclass(frozen=True, slots=True)
class Outcome:
    story_id: int
    changed: bool  # what readers see changed (the story was republished)
    stale: bool = False  # a newer version arrived meanwhile: enriched again later


def enrich_story(story_id: int) -> Outcome:
    """Enrich one story's current version and store the result."""
    story = Story.objects.select_related("current_version").get(pk=story_id)
    version = story.current_version
    assert version is not None
    result = enrich(story_text(story))
    with transaction.atomic():
        story = Story.objects.select_for_update(of=("self",)).select_related(
            "current_version").get(pk=story_id)
        if story.current_version is None or \
                story.current_version.content_hash != version.content_hash:
            return Outcome(story_id, changed=False, stale=True)
        return Outcome(story_id, changed=_store(story, version.content_hash, result))


def enrich_pending(limit: int = BATCH) -> list[Outcome]:
    """Enrich up to ``limit`` stories that need it; one failure does not stop the others."""
    outcomes = []
    for story_id in pending().values_list("pk", flat=True)[:limit]:
        try:
            outcomes.append(enrich_story(story_id))
        except Exception:  # a bad story is logged and left for the next pass
            log.exception("enriching story %s failed", story_id)
    return outcomes


def enrich_all(progress: Callable[[int], None] = lambda n: None) -> int:
    """Enrich everything that needs it (``wiredesk enrich --all``); returns how many."""
    done = 0
    seen: set[int] = set()
    while True:
        ids = [pk for pk in pending().values_list("pk", flat=True)[:BATCH * 10]
               if pk not in seen]
        if not ids:
            return done
        for story_id in ids:
            seen.add(story_id)  # a story failing every time must not loop forever
            try:
                enrich_story(story_id)
            except Exception:
                log.exception("enriching story %s failed", story_id)
            done += 1
            progress(1)


def run_enricher(stop: threading.Event, *, tick: float) -> None:
    """The worker's enrichment loop: beside ingest, never in its way (its own thread and
    database connection; nothing ingest waits for)."""
    log.info("enricher started")
    while not stop.is_set():
        try:
            outcomes = enrich_pending()
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
    """Write the result; True when what readers see changed (then the story is republished)."""
    data = json.loads(json.dumps(result.as_dict()))  # as stored: tuples become lists
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
    entities = _entities(_all_refs(result))
    StoryEntity.objects.filter(story=story).delete()
    StoryEntity.objects.bulk_create([
        StoryEntity(story=story, entity=entities[ref.key], count=ref.count, rank=rank)
        for rank, ref in enumerate(_all_refs(result)) if ref.key in entities])
    StoryQuote.objects.filter(story=story).delete()
    StoryQuote.objects.bulk_create([
        StoryQuote(story=story, position=n, text=quote.text, speaker_name=quote.speaker[:300],
                   speaker=entities.get(quote.speaker_key))
        for n, quote in enumerate(result.quotes) if not quote.partial])
    publish_change(story)
    return True


def _all_refs(result: Result) -> list[EntityRef]:
    """People, organisations, places, countries and topics, most salient first, once each."""
    refs = [*result.entities, *result.countries,
            *(EntityRef(topic.key, topic.label, "topic", country_code="")
              for topic in result.topics)]
    return list({ref.key: ref for ref in reversed(refs)}.values())[::-1]


def _entities(refs: Iterable[EntityRef]) -> dict[str, Entity]:
    """The Entity rows of these refs, created when new (names and aliases kept up to date)."""
    refs = list(refs)
    found = {entity.key: entity for entity in Entity.objects.filter(key__in=[r.key for r in refs])}
    for ref in refs:
        if ref.key in found:
            entity = found[ref.key]
            aliases = sorted(set(entity.aliases) | set(ref.aliases))
            if aliases != entity.aliases:
                entity.aliases = aliases
                entity.save(update_fields=["aliases"])
            continue
        code = ref.country_code if ref.kind == "country" else ""
        if ref.kind == "topic":
            code = ref.key.removeprefix("topic:")
        found[ref.key] = Entity.objects.create(
            key=ref.key[:200], kind=ref.kind, name=ref.name[:300], slug=_unique_slug(ref),
            code=code, aliases=sorted(ref.aliases))
    return found


def _unique_slug(ref: EntityRef) -> str:
    base = (slugify(ref.key.replace(":", "-")) or "entity")[:180]
    slug, n = base, 1
    while Entity.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
