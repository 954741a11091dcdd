"""Which story an item belongs to, and whether its content changed.

The identity chain, per source (the same idea as miniflux's entry hash, for the same reasons):

1. ``guid`` -- the source's own id (RSS guid, rdf:about, Atom id, JSON Feed id), when it has one;
2. ``link`` -- the item's permalink, normalised (scheme and host lower-cased, fragment dropped);
3. ``hash`` -- a SHA-256 of the title and body text, when the item has neither.

Feeds sometimes repeat a guid for different items (a CMS bug, or one guid per day). Wire items
that carry a version number keep the key: they are versions of one story. Otherwise the first
item keeps the plain key; a later *different* item with the same key gets the key plus ``#`` and a
short hash of its link and title, so both survive instead of one overwriting the other. A later
*identical* copy is reported as a duplicate and skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from wiredesk.core.items import Article, FeedItem


@dataclass(frozen=True, slots=True)
class Identity:
    external_id: str
    basis: str  # "guid", "link" or "hash"
    duplicate_in_feed: bool = False


def _sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def normalise_link(link: str) -> str:
    parts = urlsplit(link.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def item_key(item: FeedItem) -> tuple[str, str]:
    """The first usable link of the chain: (key, basis)."""
    guid = item.guid.strip()
    if guid:
        return guid[:900], "guid"
    if item.link.strip():
        return normalise_link(item.link)[:900], "link"
    return "sha256:" + _sha256(item.title, item.content_html or item.summary_html), "hash"


def assign_identities(items: Sequence[FeedItem]) -> list[Identity]:
    """One identity per item, in order, disambiguating keys repeated inside one feed."""
    seen: dict[str, str] = {}  # key -> fingerprint of the item that took it
    identities = []
    for item in items:
        key, basis = item_key(item)
        fingerprint = _sha256(item.link, item.title, item.content_html, item.summary_html,
                              item.wire.version, item.wire.pubstatus)
        if key not in seen or (item.wire.version and seen[key] != fingerprint):
            # A wire item repeating its id with another version is a new version of the same
            # story (a newsMessage can carry several), not a different story.
            seen[key] = fingerprint
            identities.append(Identity(key, basis))
        elif seen[key] == fingerprint:
            identities.append(Identity(key, basis, duplicate_in_feed=True))
        else:
            alternative = f"{key}#{_sha256(item.link, item.title)[:12]}"
            duplicate = alternative in seen
            seen.setdefault(alternative, fingerprint)
            identities.append(Identity(alternative, basis, duplicate_in_feed=duplicate))
    return identities


def content_hash(article: Article) -> str:
    """A fingerprint of everything a reader sees; a different hash means a new version."""
    images = [[image.url, image.caption, image.credit] for image in article.images]
    return _sha256(article.headline, article.byline, article.dateline, article.body_html,
                   article.summary, article.link, json.dumps(images))
