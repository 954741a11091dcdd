"""Storing what arrives: the raw payload first, then every candidate version through the lifecycle.

The payload is written before it is parsed, so nothing received is ever lost; a payload that cannot
be parsed keeps its error beside it (outcome ``failed``) and can be re-processed later.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from wiredesk.core.errors import ParseError
from wiredesk.core.lifecycle import Action, Incoming, StoryState, decide
from wiredesk.ingest.pipeline import Batch, Candidate, prepare
from wiredesk.newsroom.models import RawPayload, Source, Story, StoryVersion, Tombstone
from wiredesk.newsroom.publishing import publish_changes

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What one payload did to the site."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def items(self) -> int:
        return self.new + self.updated + self.unchanged + self.stale + self.refused

    def add(self, other: IngestReport) -> None:
        for name in ("new", "updated", "unchanged", "stale", "refused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)

    def summary(self) -> str:
        text = (f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged"
                f"{f', {self.stale} stale' if self.stale else ''}"
                f"{f', {self.refused} refused (tombstoned)' if self.refused else ''}")
        return text + (f", {len(self.errors)} errors" if self.errors else "")


def store_payload(source: Source, body: bytes, *, origin: str, content_type: str = "",
                  received_at: datetime | None = None) -> RawPayload:
    return RawPayload.objects.create(
        source=source, origin=origin[:2000], content_type=content_type[:200],
        compressed_body=RawPayload.compress(body), size=len(body),
        sha256=hashlib.sha256(body).hexdigest(), received_at=received_at or timezone.now(),
    )


def process_payload(payload: RawPayload, *, base_url: str = "") -> IngestReport:
    """Parse a stored payload and apply every item; a ParseError is recorded and re-raised."""
    try:
        batch = prepare(payload.body, content_type=payload.content_type,
                        url=base_url or payload.origin, received_at=payload.received_at,
                        iframe_hosts=frozenset(settings.WIREDESK_IFRAME_HOSTS))
    except ParseError as exc:
        payload.outcome, payload.error = RawPayload.Outcome.FAILED, str(exc)
        payload.save(update_fields=["outcome", "error"])
        raise
    report = IngestReport(errors=[f"item {f.position + 1} ({f.title!r}): {f.error}"
                                  for f in batch.failures])
    for action in apply_candidates(payload.source, batch.candidates, payload):
        _count(report, action)
    _record_outcome(payload, batch, report)
    return report


def _record_outcome(payload: RawPayload, batch: Batch, report: IngestReport) -> None:
    warnings = list(batch.feed.warnings) + report.errors
    if batch.duplicates_in_feed:
        warnings.append(f"{batch.duplicates_in_feed} exact duplicate items in the feed skipped")
    payload.outcome = RawPayload.Outcome.PARTIAL if warnings else RawPayload.Outcome.PARSED
    payload.warnings, payload.format = warnings, batch.feed.format
    payload.item_count = len(batch.feed.items)
    payload.save(update_fields=["outcome", "warnings", "format", "item_count"])


def _count(report: IngestReport, action: Action) -> None:
    field_name = {Action.CREATE: "new", Action.NEW_VERSION: "updated",
                  Action.IDENTICAL: "unchanged", Action.STALE: "stale",
                  Action.REFUSED: "refused"}[action]
    setattr(report, field_name, getattr(report, field_name) + 1)


def apply_candidates(source: Source, candidates: list[Candidate],
                     payload: RawPayload | None) -> list[Action]:
    """Decide and apply a payload's candidates, in chunks of one transaction each.

    Everything the decisions need is read in three queries per chunk, and new stories (the
    common case) are written in bulk. If the bulk write fails -- another process inserted one of
    the stories meanwhile -- the chunk is applied again one item at a time, each in a savepoint,
    so one bad item never takes the others down with it.
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


def _apply_chunk(source: Source, chunk: list[Candidate], payload: RawPayload | None
                 ) -> list[Action]:
    ids = [candidate.identity.external_id for candidate in chunk]
    stories = {story.external_id: story for story in
               Story.objects.select_for_update(of=("self",)).select_related("current_version")
               .filter(source=source, external_id__in=ids)}
    tombstoned = set(Tombstone.objects.filter(source=source, external_id__in=ids)
                     .values_list("external_id", flat=True))
    known: dict[int, set[str]] = defaultdict(set)
    for story_id, content_hash in StoryVersion.objects.filter(
            story__in=list(stories.values())).values_list("story_id", "content_hash"):
        known[story_id].add(content_hash)
    actions, new, changed = [], [], []
    for candidate in chunk:
        story = stories.get(candidate.identity.external_id)
        decision = decide(_state(story, known), _incoming(candidate),
                          tombstoned=candidate.identity.external_id in tombstoned)
        actions.append(decision.action)
        if decision.action is Action.CREATE:
            new.append(candidate)
        elif story is not None and decision.action is Action.NEW_VERSION:
            _add_version(story, candidate, payload, current=True)
            changed.append(story)
        elif (story is not None and decision.action is Action.STALE
              and candidate.content_hash not in known[story.pk]):
            _add_version(story, candidate, payload, current=False)
        if story is not None:
            known[story.pk].add(candidate.content_hash)
    publish_changes(changed + _create_stories(source, new, payload))
    return actions


def _state(story: Story | None, known: dict[int, set[str]]) -> StoryState | None:
    if story is None or story.current_version is None:
        return None
    current = story.current_version
    return StoryState(
        current_hash=current.content_hash,
        current_source_time=current.source_updated_at or current.published_at,
        known_hashes=frozenset(known[story.pk]),
    )


def _incoming(candidate: Candidate) -> Incoming:
    article = candidate.article
    return Incoming(candidate.content_hash, article.updated_at or article.published_at)


def _create_stories(source: Source, candidates: list[Candidate], payload: RawPayload | None
                    ) -> list[Story]:
    """Create new stories with their first versions: three statements however many there are."""
    if not candidates:
        return []
    now = timezone.now()
    stories = Story.objects.bulk_create([
        Story(source=source, external_id=c.identity.external_id,
              identity_basis=c.identity.basis, slug=c.article.slug[:100] or "story",
              section_id=source.section_id, headline=c.article.headline[:500],
              summary=c.article.summary, first_published_at=c.article.published_at or now,
              version_count=1, changed_at=now)
        for c in candidates])
    versions = StoryVersion.objects.bulk_create([
        _version(story, 1, c, payload, now, current=True)
        for story, c in zip(stories, candidates, strict=True)])
    for story, version in zip(stories, versions, strict=True):
        story.current_version = version
    # One UPDATE with a subquery, rather than bulk_update's CASE over every row.
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(current_version_id=Subquery(
        StoryVersion.objects.filter(story_id=OuterRef("pk"), number=1).values("pk")[:1]))
    return stories


def _version(story: Story, number: int, candidate: Candidate, payload: RawPayload | None,
             now: datetime, *, current: bool) -> StoryVersion:
    article = candidate.article
    return StoryVersion(
        story=story, number=number, received_at=now, is_superseded=not current,
        headline=article.headline[:500], byline=article.byline[:500],
        dateline=article.dateline[:200], body_html=article.body_html, summary=article.summary,
        link=article.link[:2000], language=article.language[:20],
        images=[dataclasses.asdict(image) for image in article.images],
        categories=list(article.categories), published_at=article.published_at or now,
        source_updated_at=article.updated_at, date_is_fallback=article.date_is_fallback,
        unparsed_dates=list(article.unparsed_dates), content_hash=candidate.content_hash,
        payload=payload,
    )


def _add_version(story: Story, candidate: Candidate, payload: RawPayload | None, *,
                 current: bool) -> StoryVersion:
    """Add a version to an existing story; the caller publishes the change."""
    now = timezone.now()
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
