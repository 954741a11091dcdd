"""From received bytes to candidate story versions: parse → normalise → identify. Pure.

This is the framework-free half of an ingest; :mod:`wiredesk.newsroom.transports.ingest` stores
what it
returns and :mod:`wiredesk.newsroom.transports.refresh` runs the whole refresh of a source end to
end. One bad item never blocks the others: it becomes an :class:`ItemFailure` beside the good ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wiredesk.core.identity import Identity, assign_identities, content_hash
from wiredesk.core.items import Article, ParsedFeed
from wiredesk.ingest.formats import parse_feed
from wiredesk.ingest.normalize import normalize

# Why an item of a truncated or broken payload is not published (see FeedItem.cut).
CUT_OFF = ("not published: the payload ends or breaks inside this item, so its text may be cut "
           "off; it is published when it arrives whole")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A normalised item with its identity: a possible new story or version."""

    identity: Identity
    article: Article
    content_hash: str


@dataclass(frozen=True, slots=True)
class ItemFailure:
    position: int
    title: str
    error: str


@dataclass(slots=True)
class Batch:
    feed: ParsedFeed
    candidates: list[Candidate] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)
    duplicates_in_feed: int = 0
    not_text: int = 0  # pictures, videos, packages: not published as stories


def prepare(body: bytes, *, content_type: str, url: str, received_at: datetime,
            iframe_hosts: frozenset[str]) -> Batch:
    """Parse a payload and normalise every item; raises ParseError if it is not a readable feed."""
    feed = parse_feed(body, content_type=content_type, url=url)
    batch = Batch(feed)
    batch.failures.extend(ItemFailure(position, title[:200], reason)
                          for position, title, reason in feed.refused_items)
    for position, (item, identity) in enumerate(
            zip(feed.items, assign_identities(feed.items), strict=True)):
        if identity.duplicate_in_feed:
            batch.duplicates_in_feed += 1
            continue
        if item.wire.item_type != "text":
            batch.not_text += 1
            continue
        if item.cut:
            batch.failures.append(ItemFailure(position, item.title[:200], CUT_OFF))
            continue
        try:
            article = normalize(item, received_at=received_at, allowed_iframe_hosts=iframe_hosts)
        except Exception as exc:  # one bad item must never block the batch
            error = f"{type(exc).__name__}: {exc}"
            batch.failures.append(ItemFailure(position, item.title[:200], error))
            continue
        article.wire = item.wire  # what the source said about the item's life passes through
        batch.candidates.append(Candidate(identity, article, content_hash(article)))
    return batch
