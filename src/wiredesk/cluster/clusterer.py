"""The online event clusterer: each new story joins the best active cluster or starts one.

One pass, no look-back: a decision, once made, is never revised by later stories (the caller may
still move a story by hand). Per story the work is bounded -- tokenise it, look up at most
``max_candidates`` clusters through the inverted index, score those -- so the cost does not grow
with the number of stories seen, only with how busy the active window is.

State is plain data (:meth:`Clusterer.to_state` / :meth:`Clusterer.from_state`), so the caller can
persist it wherever it likes and a restart resumes exactly where it stopped.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wiredesk.cluster import scoring, vectors
from wiredesk.cluster.clusters import Cluster
from wiredesk.cluster.config import ClusterConfig
from wiredesk.cluster.dates import lead_years, years_conflict
from wiredesk.cluster.entities import extract_entities
from wiredesk.cluster.index import InvertedIndex
from wiredesk.cluster.model import Assignment, ClusterDoc, Match
from wiredesk.cluster.tokens import term_profile
from wiredesk.cluster.vocabulary import DocumentFrequencies

STATE_VERSION = 1
_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class _Features:
    """A story reduced to what is compared."""

    time: float
    vector: dict[str, float]  # unit-length TF-IDF
    entity_vector: dict[str, float]  # unit-length, entity -> IDF
    years: tuple[str, ...]  # years the lead states


class Clusterer:
    """Assigns stories to event clusters, one at a time, in the order they arrive."""

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self._terms = DocumentFrequencies(self.config.max_vocabulary)
        self._entities = DocumentFrequencies(self.config.max_vocabulary)
        self._clusters: dict[str, Cluster] = {}
        self._story_cluster: dict[str, str] = {}
        self._index = InvertedIndex()
        self._expiry: list[tuple[float, str]] = []  # (last_seen, cluster id); stale entries skipped
        self._clock = float("-inf")  # the latest story time seen: the stream's "now"

    # ------------------------------------------------------------------------------ public API

    def assign(self, doc: ClusterDoc) -> Assignment:
        """Put ``doc`` in a cluster and say which, with the scores behind the decision.

        A story id seen before (still in an active cluster) gets its cluster back unchanged: a new
        version of a story is the same story, and must not count twice in the centroid.
        """
        known = self._story_cluster.get(doc.id)
        if known is not None:
            return Assignment(cluster_id=known, created=False, score=1.0)
        features = self._features(doc)
        self._advance_clock(features.time)
        matches = self._rank(features)
        if matches and matches[0].score >= self.config.threshold:
            best, rest = matches[0], matches[1:]
            self._join(self._clusters[best.cluster_id], doc, features)
            return Assignment(best.cluster_id, created=False, score=best.score,
                              runner_up=rest[0] if rest else None, match=best)
        cluster = Cluster(id=doc.id, first_seen=features.time, last_seen=features.time)
        self._join(cluster, doc, features)
        return Assignment(cluster.id, created=True, score=0.0,
                          runner_up=matches[0] if matches else None)

    def cluster(self, cluster_id: str) -> Cluster | None:
        """The active cluster with this id, or None (unknown or retired)."""
        return self._clusters.get(cluster_id)

    def clusters(self) -> Iterator[Cluster]:
        """The active clusters."""
        return iter(self._clusters.values())

    def to_state(self) -> dict[str, Any]:
        """Everything needed to resume, as JSON-serialisable plain data."""
        return {
            "version": STATE_VERSION,
            "clock": self._clock if self._clock != float("-inf") else None,
            "terms": self._terms.to_state(),
            "entities": self._entities.to_state(),
            "clusters": [cluster.to_state() for cluster in self._clusters.values()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], config: ClusterConfig | None = None) -> Clusterer:
        """Resume from :meth:`to_state`. The config is not part of the state: it is a setting."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported clusterer state version {state.get('version')!r}")
        clusterer = cls(config)
        max_keys = clusterer.config.max_vocabulary
        clusterer._terms = DocumentFrequencies.from_state(state["terms"], max_keys)
        clusterer._entities = DocumentFrequencies.from_state(state["entities"], max_keys)
        clock = state.get("clock")
        clusterer._clock = float(clock) if clock is not None else float("-inf")
        for cluster_state in state["clusters"]:
            clusterer._restore(Cluster.from_state(cluster_state))
        return clusterer

    # -------------------------------------------------------------------------------- features

    def _features(self, doc: ClusterDoc) -> _Features:
        """Weigh the story's terms and entities, counting the story itself into the frequencies."""
        cfg = self.config
        profile = term_profile(doc.headline, doc.body, cfg.headline_weight, cfg.body_words)
        given = doc.entities
        raw = given if given is not None else extract_entities(doc.headline, doc.body)
        keys = tuple(dict.fromkeys(key.lower() for key in raw))
        self._terms.add(profile)
        self._entities.add(keys)
        vector = vectors.normalized(vectors.weighted(profile, self._terms.idf))
        entity_vector = vectors.normalized({key: self._entities.idf(key) for key in keys})
        return _Features(_timestamp(doc.published), vector, entity_vector,
                         lead_years(doc.headline, doc.body, cfg.lead_words))

    # ------------------------------------------------------------------------------- decisions

    def _rank(self, features: _Features) -> list[Match]:
        """Score the candidate clusters the index proposes, best first."""
        cfg = self.config
        query = {t: features.vector[t] for t in vectors.top_terms(features.vector, cfg.query_terms)}
        candidates = self._index.lookup(query, cfg.max_candidates)
        matches = [self._match(features, self._clusters[cid]) for cid in candidates]
        return sorted(matches, key=lambda m: (-m.score, m.cluster_id))

    def _match(self, features: _Features, cluster: Cluster) -> Match:
        """Score one candidate: blended similarity, times the time decay, times the date penalty."""
        cfg = self.config
        text = scoring.text_similarity(features.vector, cluster)
        entities = scoring.entity_similarity(features.entity_vector, cluster)
        comparable = bool(features.entity_vector) and bool(cluster.entities)
        decay = scoring.time_decay(cluster.time_gap(features.time), cfg.half_life_hours)
        score = scoring.blend(text, entities, cfg.entity_weight, comparable) * decay
        if years_conflict(features.years, cluster.years):
            score *= cfg.date_conflict_factor
        return Match(cluster.id, score, text, entities, decay)

    # ---------------------------------------------------------------------------- bookkeeping

    def _join(self, cluster: Cluster, doc: ClusterDoc, features: _Features) -> None:
        """Add a story to a cluster and bring the cluster's caps and index entry up to date."""
        cfg = self.config
        cluster.add(doc.id, features.time, doc.headline, features.vector,
                    features.entity_vector, features.years)
        cluster.cap(cfg.centroid_terms, cfg.cluster_entities, cfg.kept_headlines)
        cluster.index_keys = vectors.top_terms(cluster.terms, cfg.index_terms)
        self._story_cluster[doc.id] = cluster.id
        self._register(cluster)

    def _restore(self, cluster: Cluster) -> None:
        """Bring back a persisted cluster, with its stories."""
        for story_id in cluster.members:
            self._story_cluster[story_id] = cluster.id
        self._register(cluster)

    def _register(self, cluster: Cluster) -> None:
        """(Re)list a cluster in the index and the expiry heap after it changed."""
        self._clusters[cluster.id] = cluster
        self._index.put(cluster.id, cluster.index_keys)
        heapq.heappush(self._expiry, (cluster.last_seen, cluster.id))

    def _advance_clock(self, time: float) -> None:
        """Move the stream's clock forward and retire clusters that went quiet too long ago."""
        if time <= self._clock:
            return
        self._clock = time
        horizon = time - self.config.active_window_hours * _HOUR
        while self._expiry and self._expiry[0][0] < horizon:
            last_seen, cluster_id = heapq.heappop(self._expiry)
            cluster = self._clusters.get(cluster_id)
            if cluster is not None and cluster.last_seen == last_seen:
                self._retire(cluster)

    def _retire(self, cluster: Cluster) -> None:
        """Forget a quiet cluster: the caller keeps the assignments, nothing here needs it."""
        del self._clusters[cluster.id]
        self._index.remove(cluster.id)
        for story_id in cluster.members:
            self._story_cluster.pop(story_id, None)


def _timestamp(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime is read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
