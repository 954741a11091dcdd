"""Delivering wire items straight to the lifecycle, whatever format they would arrive in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tests.support.clock import WIRE_HOUR
from wiredesk.core.identity import assign_identities, content_hash
from wiredesk.core.items import FeedItem, PubStatus, WireMeta
from wiredesk.ingest.normalize import normalize
from wiredesk.ingest.pipeline import Candidate
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.write.apply import apply_candidates
from wiredesk.newsroom.write.desk import WriteDesk


def wire_item(guid: str, version: int, *, headline: str = "", body: str = "",
              pubstatus: PubStatus = PubStatus.USABLE, embargo: datetime | None = None,
              expires: datetime | None = None, signals: tuple[str, ...] = (),
              note: str = "") -> FeedItem:
    created = WIRE_HOUR.replace(minute=version)
    return FeedItem(
        guid=guid, title=headline or f"Story {guid}, version {version}",
        content_html=body or f"<p>Body of {guid} as of version {version}.</p>",
        link=f"https://wire.example/{guid}", published=created, updated=created,
        wire=WireMeta(version=str(version), version_number=version, version_created=created,
                      pubstatus=pubstatus, embargoed_until=embargo, expires_at=expires,
                      signals=signals, correction_note=note),
    )


def deliver(source: Source, *items: FeedItem) -> list[str]:
    received = clock.now()
    candidates = []
    for item, identity in zip(items, assign_identities(list(items)), strict=True):
        article = replace(normalize(item, received_at=received), wire=item.wire)
        candidates.append(Candidate(identity, article, content_hash(article)))
    return apply_candidates(WriteDesk(), source, candidates, None)
