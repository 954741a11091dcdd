"""Where the clusterer keeps its state: in memory (:class:`MemoryStore`), or wherever a caller
implements :class:`ClusterStore` -- the newsroom keeps it in database tables.

The clusterer's decisions need only a few things, each reachable by key:

* the document frequencies of the terms and entities of the story at hand (for its IDF);
* the candidate clusters sharing the story's heaviest terms (an inverted index);
* those few clusters' summaries, and a way to write a changed one back;
* the stream's clock, which decides what is still active.

So a store that answers these by key -- as database rows under an index do -- lets a process take
its first decision without first loading the active window: nothing is replayed at start, and a
decision costs the same however long the archive or how busy the window. :class:`MemoryStore` is
the reference: it is what the clusterer always did, and what the quality benchmark measures.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from wiredesk.cluster.clusters import Cluster
from wiredesk.cluster.config import ClusterConfig
from wiredesk.cluster.index import InvertedIndex
from wiredesk.cluster.vocabulary import DocumentFrequencies

_HOUR = 3600.0


class Frequencies(Protocol):
    """Document frequencies: count a story's keys, then weigh them."""

    def add(self, keys: Iterable[str]) -> None:
        """Count one story containing ``keys`` (each distinct key once)."""

    def idf(self, key: str) -> float:
        """The key's inverse document frequency (see :class:`DocumentFrequencies`)."""


class ClusterStore(Protocol):
    """The clusterer's state, reached by key. Clusters returned are the store's to write back:
    the clusterer changes one and then :meth:`save`\\ s it."""

    @property
    def terms(self) -> Frequencies:
        """Document frequencies of the stories' terms."""

    @property
    def entities(self) -> Frequencies:
        """Document frequencies of the stories' entities."""

    @property
    def clock(self) -> float:
        """The latest story time seen (seconds since the epoch), ``-inf`` before any."""

    def prefetch(self, terms: Iterable[str], entities: Iterable[str]) -> None:
        """A hint: the frequencies of these terms and entities are about to be counted (the
        stories of a chunk, in order). A store that reads them from elsewhere may read them all
        now; the counts it then answers must be exactly those it would have read one by one."""

    def advance(self, time: float, horizon: float) -> None:
        """Move the clock to ``time``; clusters last seen before ``horizon`` are retired."""

    def lookup(self, query: Mapping[str, float], limit: int) -> list[str]:
        """Up to ``limit`` active cluster ids sharing ``query``'s terms, most shared weight
        first."""

    def get(self, cluster_ids: Sequence[str]) -> dict[str, Cluster]:
        """The active clusters among ``cluster_ids`` (split-off groups included)."""

    def save(self, cluster: Cluster, member: str | None = None) -> None:
        """Store a new or changed cluster (re-listed under its ``index_keys``); ``member`` is the
        story that just joined it, if any."""

    def drop(self, cluster_id: str) -> None:
        """Forget a cluster (a split-off group taken over under a new id)."""

    def cluster_of(self, story_id: str) -> str | None:
        """The active cluster a story was put in, if the store knows."""

    def active(self) -> Iterator[Cluster]:
        """Every active cluster (for inspection and persistence; not used by decisions)."""


class MemoryStore:
    """Everything in memory, bounded by the active window (retired clusters are dropped)."""

    def __init__(self, config: ClusterConfig | None = None) -> None:
        config = config or ClusterConfig()
        self.terms = DocumentFrequencies(config.max_vocabulary)
        self.entities = DocumentFrequencies(config.max_vocabulary)
        self._max_posting = config.max_posting
        self._clusters: dict[str, Cluster] = {}
        self._story_cluster: dict[str, str] = {}
        self._index = InvertedIndex()
        self._expiry: list[tuple[float, str]] = []  # (last_seen, cluster id); stale ones skipped
        self._clock = float("-inf")

    @property
    def clock(self) -> float:
        return self._clock

    def prefetch(self, terms: Iterable[str], entities: Iterable[str]) -> None:
        """Nothing to read: everything is in memory already."""

    def advance(self, time: float, horizon: float) -> None:
        self._clock = time
        while self._expiry and self._expiry[0][0] < horizon:
            last_seen, cluster_id = heapq.heappop(self._expiry)
            cluster = self._clusters.get(cluster_id)
            if cluster is not None and cluster.last_seen == last_seen:
                self._retire(cluster)

    def lookup(self, query: Mapping[str, float], limit: int) -> list[str]:
        return self._index.lookup(query, limit, self._max_posting)

    def get(self, cluster_ids: Sequence[str]) -> dict[str, Cluster]:
        return {cid: self._clusters[cid] for cid in cluster_ids if cid in self._clusters}

    def save(self, cluster: Cluster, member: str | None = None) -> None:
        self._clusters[cluster.id] = cluster
        self._index.put(cluster.id, cluster.index_keys)
        heapq.heappush(self._expiry, (cluster.last_seen, cluster.id))
        if member is not None:
            self._story_cluster[member] = cluster.id

    def drop(self, cluster_id: str) -> None:
        self._clusters.pop(cluster_id, None)
        self._index.remove(cluster_id)

    def cluster_of(self, story_id: str) -> str | None:
        return self._story_cluster.get(story_id)

    def active(self) -> Iterator[Cluster]:
        return iter(list(self._clusters.values()))

    def _retire(self, cluster: Cluster) -> None:
        """Forget a quiet cluster: the caller keeps the assignments, nothing here needs it."""
        del self._clusters[cluster.id]
        self._index.remove(cluster.id)
        for story_id in cluster.members:
            self._story_cluster.pop(story_id, None)

    # ------------------------------------------------------------------------ persistence

    def to_state(self) -> dict[str, Any]:
        return {
            "clock": self._clock if self._clock != float("-inf") else None,
            "terms": self.terms.to_state(),
            "entities": self.entities.to_state(),
            "clusters": [cluster.to_state() for cluster in self._clusters.values()],
        }

    def restore(self, state: dict[str, Any], max_keys: int) -> list[Cluster]:
        """Load :meth:`to_state`'s data; returns the clusters for the caller to finish (their
        derived fields) and :meth:`save`."""
        self.terms = DocumentFrequencies.from_state(state["terms"], max_keys)
        self.entities = DocumentFrequencies.from_state(state["entities"], max_keys)
        clock = state.get("clock")
        self._clock = float(clock) if clock is not None else float("-inf")
        clusters = [Cluster.from_state(cluster_state) for cluster_state in state["clusters"]]
        for cluster in clusters:
            for story_id in cluster.members:
                self._story_cluster[story_id] = cluster.id
        return clusters
