"""Lookup keys of a fingerprint: the index's buckets as plain integers, for a database index.

:class:`~wiredesk.dedupe.index.NearDuplicateIndex` keeps its buckets in memory, which means a
process must rebuild them before its first decision -- work in proportion to the window's volume,
in every ``import``, ``fetch`` and worker start. The same buckets written as rows (one row per
key per stored version, with an index on the key) let a process ask the database instead, at a
cost that depends only on how many documents share the new one's buckets.

A document's keys are exactly the buckets the in-memory index would put it in:

* its exact hash, when the text has words;
* its lead key, when the text has enough words;
* one key per LSH band -- the band number and the band's ``rows`` signature values -- when it
  has enough shingles for content matching (``MatchRules.min_shingles``).

Two documents share a key exactly when they share a bucket in the in-memory index (up to 64-bit
hash collisions, which only add a candidate that verification then refuses), so the candidates
are the same and so are the decisions. Keys are signed 64-bit integers (a ``BIGINT`` column).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from wiredesk.dedupe.fingerprints import EMPTY_HASH, Fingerprint
from wiredesk.dedupe.index import IndexConfig, lsh_bands

# Kinds of key, hashed in so that an exact hash can never collide with a band on purpose.
_EXACT, _LEAD, _BAND = b"x", b"l", b"b"


@dataclass(frozen=True, slots=True)
class KeyScheme:
    """How a fingerprint is cut into lookup keys: the LSH bands of an :class:`IndexConfig`."""

    bands: int
    rows: int
    min_shingles: int

    @classmethod
    def for_config(cls, config: IndexConfig | None = None) -> KeyScheme:
        """The bands datasketch chooses for the index's threshold and weights (as the in-memory
        index does), so that both find the same candidates."""
        config = config or IndexConfig()
        bands, rows = lsh_bands(config)
        return cls(bands, rows, config.rules.min_shingles)

    def keys(self, fingerprint: Fingerprint) -> list[int]:
        """The document's lookup keys, distinct, in a stable order (exact, lead, bands)."""
        keys: list[int] = []
        if fingerprint.exact_hash != EMPTY_HASH:
            keys.append(_key(_EXACT, bytes.fromhex(fingerprint.exact_hash)))
        if fingerprint.lead_key:
            keys.append(_key(_LEAD, bytes.fromhex(fingerprint.lead_key)))
        if fingerprint.size >= self.min_shingles:
            values = fingerprint.signature.astype("<u4")
            for band in range(self.bands):
                chunk = values[band * self.rows:(band + 1) * self.rows].tobytes()
                keys.append(_key(_BAND + band.to_bytes(2, "little"), chunk))
        return list(dict.fromkeys(keys))

    def strong_keys(self, fingerprint: Fingerprint) -> frozenset[int]:
        """The keys that say more than a band does: the exact hash and the lead key."""
        keys = set()
        if fingerprint.exact_hash != EMPTY_HASH:
            keys.add(_key(_EXACT, bytes.fromhex(fingerprint.exact_hash)))
        if fingerprint.lead_key:
            keys.add(_key(_LEAD, bytes.fromhex(fingerprint.lead_key)))
        return frozenset(keys)


def _key(kind: bytes, data: bytes) -> int:
    digest = hashlib.blake2b(kind + data, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def rank_candidates(hits: Iterable[tuple[str, int]], strong: frozenset[int], limit: int,
                    recency: dict[str, float] | None = None) -> list[str]:
    """At most ``limit`` candidate ids from ``(doc id, key)`` hits, most promising first.

    A shared exact or lead key (``strong``) ranks first, then the number of shared bands (the
    more bands two signatures share, the higher their Jaccard similarity), then recency (larger
    ``recency`` value first; ids stand in when it is not given). This is the guard for templated
    copy: when thousands of stored stories share the new one's buckets, only the ``limit`` most
    promising are verified, so the cost of a decision stays bounded whatever the archive holds.
    """
    strong_hits: dict[str, bool] = {}
    counts: dict[str, int] = {}
    for doc_id, key in hits:
        counts[doc_id] = counts.get(doc_id, 0) + 1
        if key in strong:
            strong_hits[doc_id] = True
    order = recency or {}

    def rank(doc_id: str) -> tuple[bool, int, float, str]:
        return (not strong_hits.get(doc_id, False), -counts[doc_id],
                -order.get(doc_id, 0.0), doc_id)

    return sorted(counts, key=rank)[:limit]
