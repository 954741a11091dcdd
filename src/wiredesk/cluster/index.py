"""An inverted index from terms to the active clusters whose centroids rank them highest.

Comparing a new story with every cluster would make each story cost more as the corpus grows.
Instead each cluster is listed under its few most specific terms, a story looks up its own few
most specific terms, and only clusters sharing at least one of them are scored. Retired clusters
leave the index, so the posting lists stay as long as the active window is busy, however many
stories came before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class InvertedIndex:
    """term -> ids of the clusters indexed under it."""

    def __init__(self) -> None:
        self._postings: dict[str, set[str]] = {}
        self._keys: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def put(self, cluster_id: str, keys: Iterable[str]) -> None:
        """(Re)list ``cluster_id`` under exactly ``keys``."""
        self.remove(cluster_id)
        keys = tuple(keys)
        self._keys[cluster_id] = keys
        for key in keys:
            self._postings.setdefault(key, set()).add(cluster_id)

    def remove(self, cluster_id: str) -> None:
        """Forget ``cluster_id`` (no error when it is not listed)."""
        for key in self._keys.pop(cluster_id, ()):
            posting = self._postings.get(key)
            if posting is not None:
                posting.discard(cluster_id)
                if not posting:
                    del self._postings[key]

    def lookup(self, query: Mapping[str, float], limit: int) -> list[str]:
        """Up to ``limit`` cluster ids sharing query terms, most shared query weight first."""
        hits: dict[str, float] = {}
        for term, weight in query.items():
            for cluster_id in self._postings.get(term, ()):
                hits[cluster_id] = hits.get(cluster_id, 0.0) + weight
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))
        return [cluster_id for cluster_id, _ in ranked[:limit]]
