"""Applying lifecycle decisions to stored stories: the write half of an ingest.

For each candidate version, :func:`wiredesk.core.lifecycle.decide` says what it means; this module
makes it so -- creating stories and versions, changing statuses, leaving tombstones and recording
events -- in the same transaction as the publication of the change.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery

from wiredesk.core.items import PubStatus
from wiredesk.core.lifecycle import (
    Action,
    Decision,
    Incoming,
    StoryState,
    VersionOrder,
    decide,
)
from wiredesk.core.lifecycle import Status as LifecycleStatus
from wiredesk.ingest.pipeline import Candidate
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import (
    RawPayload,
    Source,
    Story,
    StoryEvent,
    StoryVersion,
    Tombstone,
)
from wiredesk.newsroom.publishing import publish_changes

log = logging.getLogger(__name__)


def apply_candidates(source: Source, candidates: list[Candidate],
                     payload: RawPayload | None) -> list[Action]:
    """Decide and apply a payload's candidates, in chunks of one transaction each.

    Everything the decisions need is read in three queries per chunk, and new stories (the
    common case) are written in bulk. If the bulk write fails -- another process inserted one of
    the stories meanwhile -- the chunk is applied again one item at a time, each in its own
    transaction, so one bad item never takes the others down with it.
    """
    actions = []
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        try:
            with transaction.atomic():
                actions += _apply_chunk(source, chunk, payload)
        except (IntegrityError, DataError):
            log.info("bulk apply for source %s failed; applying one by one", source.pk)
            actions += [apply_candidate(source, candidate, payload) for candidate in chunk]
    return actions


def apply_candidate(source: Source, candidate: Candidate, payload: RawPayload | None) -> Action:
    """Decide and apply one candidate in its own transaction. Retries once on a racing insert."""
    try:
        with transaction.atomic():
            return _apply_chunk(source, [candidate], payload)[0]
    except IntegrityError:
        # Another process created the same story between our read and our insert: decide again.
        with transaction.atomic():
            return _apply_chunk(source, [candidate], payload)[0]


CHUNK = 500


@dataclass(slots=True)
class _Loaded:
    """The stored state of a chunk's stories, read in three queries."""

    stories: dict[str, Story]
    tombstoned: set[str]
    known: dict[int, set[str]]

    @classmethod
    def read(cls, source: Source, ids: list[str]) -> _Loaded:
        ids = _known_ids(source, ids)
        if not ids:  # all new: the common case when a feed is first read
            return cls({}, set(), defaultdict(set))
        stories = {story.external_id: story for story in
                   Story.objects.select_for_update(of=("self",)).select_related("current_version")
                   .filter(source=source, external_id__in=ids)}
        tombstoned = set(Tombstone.objects.filter(source=source, external_id__in=ids)
                         .values_list("external_id", flat=True))
        known: dict[int, set[str]] = defaultdict(set)
        for story_id, content_hash in StoryVersion.objects.filter(
                story__in=list(stories.values())).values_list("story_id", "content_hash"):
            known[story_id].add(content_hash)
        return cls(stories, tombstoned, known)


def _known_ids(source: Source, ids: list[str]) -> list[str]:
    """The ids among these that have a story or a tombstone, in one indexed query.

    Plain SQL on purpose: this runs for every payload, and the ORM's per-query overhead is ten
    times the query's own cost here.
    """
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT external_id FROM {Story._meta.db_table} "
            f"WHERE source_id = %s AND external_id IN ({marks}) UNION "
            f"SELECT external_id FROM {Tombstone._meta.db_table} "
            f"WHERE source_id = %s AND external_id IN ({marks})",
            [source.pk, *ids, source.pk, *ids])
        return [row[0] for row in cursor.fetchall()]


def _apply_chunk(source: Source, chunk: list[Candidate], payload: RawPayload | None
                 ) -> list[Action]:
    ids = [candidate.identity.external_id for candidate in chunk]
    repeated = {external_id for external_id, n in Counter(ids).items() if n > 1}
    loaded = _Loaded.read(source, ids)
    now = clock.now()
    actions: dict[int, Action] = {}
    new: list[tuple[Candidate, Decision]] = []
    changed: list[Story] = []
    for position, candidate in enumerate(chunk):
        if candidate.identity.external_id in repeated:
            continue  # several versions of one story in this chunk: applied in order below
        decision = _decide(source, loaded, candidate, now)
        actions[position] = decision.action
        if decision.action is Action.CREATE:
            new.append((candidate, decision))
        elif (story := _apply_decision(source, loaded, candidate, decision, payload, now)):
            changed.append(story)
    publish_changes(_create_stories(source, new, payload, now), created=True)
    for position, candidate in enumerate(chunk):
        if candidate.identity.external_id in repeated:
            loaded = _Loaded.read(source, [candidate.identity.external_id])
            decision = _decide(source, loaded, candidate, now)
            actions[position] = decision.action
            if decision.action is Action.CREATE:
                publish_changes(_create_stories(source, [(candidate, decision)], payload, now),
                                created=True)
            elif (story := _apply_decision(source, loaded, candidate, decision, payload, now)):
                changed.append(story)
    publish_changes(list({story.pk: story for story in changed}.values()))
    return [actions[position] for position in range(len(chunk))]


def _decide(source: Source, loaded: _Loaded, candidate: Candidate, now: datetime) -> Decision:
    external_id = candidate.identity.external_id
    story = loaded.stories.get(external_id)
    return decide(_state(story, loaded.known), _incoming(source, candidate),
                  tombstoned=external_id in loaded.tombstoned, now=now)


def _apply_decision(source: Source, loaded: _Loaded, candidate: Candidate, decision: Decision,
                    payload: RawPayload | None, now: datetime) -> Story | None:
    """Apply any decision but CREATE; returns the story when its public state changed."""
    story = loaded.stories.get(candidate.identity.external_id)
    action = decision.action
    if action is Action.KILL:
        _tombstone(source, candidate.identity.external_id, decision.reason)
        loaded.tombstoned.add(candidate.identity.external_id)
    if story is None or action is Action.IDENTICAL:
        return None
    version = None
    if action is Action.NEW_VERSION:
        version = _add_version(story, candidate, payload, now, current=True)
        _take_status(story, candidate, decision, now)
    elif action in (Action.STALE, Action.KILL) and \
            candidate.content_hash not in loaded.known[story.pk]:
        version = _add_version(story, candidate, payload, now, current=False)
    if action is Action.KILL:
        _take_status(story, candidate, decision, now)
    loaded.known[story.pk].add(candidate.content_hash)
    StoryEvent.objects.create(story=story, at=now, action=action, status=story.status,
                              version=version, cause=_cause(decision, payload))
    return story if action in (Action.NEW_VERSION, Action.KILL) else None


def _cause(decision: Decision, payload: RawPayload | None) -> str:
    origin = f" ({payload.transport}: {payload.origin})" if payload else ""
    return (decision.reason + origin)[:500]


def _tombstone(source: Source, external_id: str, reason: str) -> None:
    Tombstone.objects.get_or_create(source=source, external_id=external_id,
                                    defaults={"reason": reason[:500]})


def _take_status(story: Story, candidate: Candidate, decision: Decision, now: datetime) -> None:
    """Bring the story's lifecycle fields in line with the version that now rules it."""
    wire = candidate.article.wire
    if decision.status is not None:
        story.status = decision.status
    story.status_reason = decision.reason[:500]
    if decision.action is not Action.KILL:
        story.embargoed_until = wire.embargoed_until
        story.expires_at = _expiry(story.source, candidate, story.first_published_at)
        if "correction" in wire.signals or wire.correction_note:
            story.corrected_at = candidate.article.updated_at or now
            story.correction_note = wire.correction_note
    story.save(update_fields=["status", "status_reason", "embargoed_until", "expires_at",
                              "corrected_at", "correction_note"])


def _expiry(source: Source, candidate: Candidate, first_published: datetime | None
            ) -> datetime | None:
    """The source's expiry time, else the source's retention period, else none."""
    if candidate.article.wire.expires_at is not None:
        return candidate.article.wire.expires_at
    if source.retention_days and first_published is not None:
        return first_published + timedelta(days=source.retention_days)
    return None


def _state(story: Story | None, known: dict[int, set[str]]) -> StoryState | None:
    if story is None or story.current_version is None:
        return None
    current = story.current_version
    return StoryState(
        status=LifecycleStatus(story.status),
        current_hash=current.content_hash,
        current_order=VersionOrder(current.version_number, current.version_created,
                                   current.source_updated_at or current.published_at),
        known_hashes=frozenset(known[story.pk]),
        embargoed_until=current.embargoed_until,
        pubstatus=PubStatus(current.pubstatus),
    )


def _incoming(source: Source, candidate: Candidate) -> Incoming:
    article = candidate.article
    wire = article.wire
    return Incoming(
        candidate.content_hash,
        order=VersionOrder(wire.version_number, wire.version_created,
                           article.updated_at or article.published_at),
        pubstatus=wire.pubstatus, embargoed_until=wire.embargoed_until,
        expires_at=_expiry(source, candidate, article.published_at),
    )


def _create_stories(source: Source, created: list[tuple[Candidate, Decision]],
                    payload: RawPayload | None, now: datetime) -> list[Story]:
    """Create new stories with their first versions: a few statements however many there are."""
    if not created:
        return []
    stories = Story.objects.bulk_create([
        Story(source=source, external_id=c.identity.external_id,
              identity_basis=c.identity.basis, slug=c.article.slug[:100] or "story",
              section_id=source.section_id, headline=c.article.headline[:500],
              summary=c.article.summary, first_published_at=c.article.published_at or now,
              version_count=1, changed_at=now, status=d.status or Story.Status.PUBLISHED,
              status_reason=d.reason[:500], embargoed_until=c.article.wire.embargoed_until,
              expires_at=_expiry(source, c, c.article.published_at or now),
              corrected_at=(c.article.updated_at or now) if "correction" in c.article.wire.signals
              else None, correction_note=c.article.wire.correction_note)
        for c, d in created])
    versions = StoryVersion.objects.bulk_create([
        _version(story, 1, c, payload, now, current=True)
        for story, (c, _) in zip(stories, created, strict=True)])
    for story, version in zip(stories, versions, strict=True):
        story.current_version = version
    # One UPDATE with a subquery, rather than bulk_update's CASE over every row.
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(current_version_id=Subquery(
        StoryVersion.objects.filter(story_id=OuterRef("pk"), number=1).values("pk")[:1]))
    StoryEvent.objects.bulk_create([
        StoryEvent(story=story, at=now, action=Action.CREATE, status=story.status,
                   version=version, cause=_cause(d, payload))
        for story, version, (_, d) in zip(stories, versions, created, strict=True)])
    return stories


def _version(story: Story, number: int, candidate: Candidate, payload: RawPayload | None,
             now: datetime, *, current: bool) -> StoryVersion:
    article = candidate.article
    wire = article.wire
    return StoryVersion(
        story=story, number=number, received_at=now, is_superseded=not current,
        headline=article.headline[:500], byline=article.byline[:500],
        dateline=article.dateline[:200], body_html=article.body_html, summary=article.summary,
        link=article.link[:2000], language=article.language[:20],
        images=[dataclasses.asdict(image) for image in article.images],
        categories=list(article.categories), published_at=article.published_at or now,
        source_updated_at=article.updated_at, date_is_fallback=article.date_is_fallback,
        unparsed_dates=list(article.unparsed_dates), content_hash=candidate.content_hash,
        source_version=wire.version[:100], version_number=wire.version_number,
        version_created=wire.version_created, pubstatus=wire.pubstatus.value,
        signals=list(wire.signals), correction_note=wire.correction_note,
        embargoed_until=wire.embargoed_until, expires_at=wire.expires_at,
        located=wire.located[:200], urgency=wire.urgency,
        subjects=[{"code": subject.code, "name": subject.name} for subject in wire.subjects],
        payload=payload,
    )


def _add_version(story: Story, candidate: Candidate, payload: RawPayload | None,
                 now: datetime, *, current: bool) -> StoryVersion:
    """Add a version to an existing story; the caller publishes the change."""
    version = _version(story, story.version_count + 1, candidate, payload, now, current=current)
    version.save()
    story.version_count = version.number
    fields = ["version_count"]
    if current:
        article = candidate.article
        story.current_version = version
        story.headline, story.summary = article.headline[:500], article.summary
        story.last_updated_at = _update_time(story, article.updated_at, now)
        fields += ["current_version", "headline", "summary", "last_updated_at"]
    story.save(update_fields=fields)
    return version


def _update_time(story: Story, source_updated: datetime | None, now: datetime) -> datetime:
    """The source's update time when it gave a plausible one, else when we received the change."""
    if source_updated and story.first_published_at < source_updated <= now:
        return source_updated
    return now
