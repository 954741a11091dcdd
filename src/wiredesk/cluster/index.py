"""An inverted index from terms to the active clusters whose centroids rank them highest.

Comparing a new story with every cluster would make each story cost more as the corpus grows.
Instead each cluster is listed under its few most specific terms, a story looks up its own few
most specific terms, and only clusters sharing at least one of them are scored. Retired clusters
leave the index, so the posting lists stay as long as the active window is busy, however many
stories came before.

Busy is not the same as many stories, though: templated copy (results of a thousand companies,
one sentence frame) puts thousands of active clusters under the same few terms, and a lookup that
walked those posting lists cost seconds per story. A term listed under more than
``max_posting`` clusters says nothing about which one a story belongs to -- it is a document
frequency cap, as a search engine drops stop words -- so a lookup skips it, and the story's other
terms (the company's name) find its cluster among the few listed under them. Only when every
query term is that common does a lookup read each term's ``max_posting`` most recently listed
clusters (a posting list keeps listing order, and a cluster is re-listed whenever it changes).
Either way a lookup reads at most ``terms x (max_posting + 1)`` entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice


class InvertedIndex:
    """term -> ids of the clusters indexed under it."""

    def __init__(self) -> None:
        # term -> cluster ids in listing order (a dict as an ordered set: newest last)
        self._postings: dict[str, dict[str, None]] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        self.reads = 0  # posting entries read by lookups: the work counter tests check

    def __len__(self) -> int:
        return len(self._keys)

    def put(self, cluster_id: str, keys: Iterable[str]) -> None:
        """(Re)list ``cluster_id`` under exactly ``keys``."""
        self.remove(cluster_id)
        keys = tuple(keys)
        self._keys[cluster_id] = keys
        for key in keys:
            self._postings.setdefault(key, {})[cluster_id] = None

    def remove(self, cluster_id: str) -> None:
        """Forget ``cluster_id`` (no error when it is not listed)."""
        for key in self._keys.pop(cluster_id, ()):
            posting = self._postings.get(key)
            if posting is not None:
                posting.pop(cluster_id, None)
                if not posting:
                    del self._postings[key]

    def lookup(self, query: Mapping[str, float], limit: int,
               max_posting: int | None = None) -> list[str]:
        """Up to ``limit`` cluster ids sharing query terms, most shared query weight first.

        With ``max_posting``, terms listed under more clusters than that are skipped, unless all
        of them are: then each one's ``max_posting`` most recently listed clusters count.
        """
        hits: dict[str, float] = {}
        common: list[tuple[dict[str, None], float]] = []
        for term, weight in query.items():
            posting = self._postings.get(term)
            if not posting:
                continue
            if max_posting is not None and len(posting) > max_posting:
                self.reads += 1
                common.append((posting, weight))
                continue
            self.reads += len(posting)
            for cluster_id in posting:
                hits[cluster_id] = hits.get(cluster_id, 0.0) + weight
        if not hits:
            for posting, weight in common:
                for cluster_id in islice(reversed(posting), max_posting):
                    self.reads += 1
                    hits[cluster_id] = hits.get(cluster_id, 0.0) + weight
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))
        return [cluster_id for cluster_id, _ in ranked[:limit]]
