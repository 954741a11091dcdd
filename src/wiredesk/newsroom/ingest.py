"""Storing what arrives: the raw payload first, then every candidate version through the lifecycle.

The payload is written before it is parsed, so nothing received is ever lost; a payload that cannot
be parsed keeps its error beside it (outcome ``failed``) and can be re-processed later.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from wiredesk.core.errors import ParseError
from wiredesk.core.lifecycle import Action, Incoming, StoryState, decide
from wiredesk.ingest.pipeline import Batch, Candidate, prepare
from wiredesk.newsroom.models import RawPayload, Source, Story, StoryVersion, Tombstone
from wiredesk.newsroom.publishing import publish_change

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
    source = payload.source
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
    for candidate in batch.candidates:
        _count(report, apply_candidate(source, candidate, payload))
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


def apply_candidate(source: Source, candidate: Candidate, payload: RawPayload | None) -> Action:
    """Decide and apply one candidate in its own transaction. Retries once on a racing insert."""
    try:
        return _apply(source, candidate, payload)
    except IntegrityError:
        # Another process created the same story between our read and our insert: decide again.
        return _apply(source, candidate, payload)


@transaction.atomic
def _apply(source: Source, candidate: Candidate, payload: RawPayload | None) -> Action:
    external_id = candidate.identity.external_id
    story = (Story.objects.select_for_update(of=("self",)).select_related("current_version")
             .filter(source=source, external_id=external_id).first())
    tombstoned = Tombstone.objects.filter(source=source, external_id=external_id).exists()
    decision = decide(_state(story), _incoming(candidate), tombstoned=tombstoned)
    if decision.action is Action.CREATE:
        _create_story(source, candidate, payload)
    elif story is not None and decision.action is Action.NEW_VERSION:
        _add_version(story, candidate, payload, current=True)
    elif (story is not None and decision.action is Action.STALE
          and not story.versions.filter(content_hash=candidate.content_hash).exists()):
        _add_version(story, candidate, payload, current=False)
    return decision.action


def _state(story: Story | None) -> StoryState | None:
    if story is None or story.current_version is None:
        return None
    current = story.current_version
    return StoryState(
        current_hash=current.content_hash,
        current_source_time=current.source_updated_at or current.published_at,
        known_hashes=frozenset(story.versions.values_list("content_hash", flat=True)),
    )


def _incoming(candidate: Candidate) -> Incoming:
    article = candidate.article
    return Incoming(candidate.content_hash, article.updated_at or article.published_at)


def _create_story(source: Source, candidate: Candidate, payload: RawPayload | None) -> Story:
    article = candidate.article
    now = timezone.now()
    story = Story.objects.create(
        source=source, external_id=candidate.identity.external_id,
        identity_basis=candidate.identity.basis, slug=article.slug[:100] or "story",
        section=source.section, headline=article.headline[:500], summary=article.summary,
        first_published_at=article.published_at or now, version_count=0, changed_at=now,
    )
    _add_version(story, candidate, payload, current=True)
    return story


def _add_version(story: Story, candidate: Candidate, payload: RawPayload | None, *,
                 current: bool) -> StoryVersion:
    article = candidate.article
    now = timezone.now()
    version = StoryVersion.objects.create(
        story=story, number=story.version_count + 1, received_at=now,
        is_superseded=not current, headline=article.headline[:500],
        byline=article.byline[:500], dateline=article.dateline[:200],
        body_html=article.body_html, summary=article.summary, link=article.link[:2000],
        language=article.language[:20],
        images=[dataclasses.asdict(image) for image in article.images],
        categories=list(article.categories), published_at=article.published_at or now,
        source_updated_at=article.updated_at, date_is_fallback=article.date_is_fallback,
        unparsed_dates=list(article.unparsed_dates), content_hash=candidate.content_hash,
        payload=payload,
    )
    story.version_count = version.number
    fields = ["version_count"]
    if current:
        is_update = story.current_version_id is not None
        story.current_version = version
        story.headline, story.summary = article.headline[:500], article.summary
        fields += ["current_version", "headline", "summary"]
        if is_update:
            story.last_updated_at = _update_time(story, article.updated_at, now)
            fields.append("last_updated_at")
    story.save(update_fields=fields)
    if current:
        publish_change(story)
    return version


def _update_time(story: Story, source_updated: datetime | None, now: datetime) -> datetime:
    """The source's update time when it gave a plausible one, else when we received the change."""
    if source_updated and story.first_published_at < source_updated <= now:
        return source_updated
    return now
