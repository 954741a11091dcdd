"""The online event clusterer: each new story joins the best active cluster or starts one.

One pass, no look-back: a decision, once made, is never revised by later stories (the caller may
still move a story by hand). Per story the work is bounded -- tokenise it, look up at most
``max_candidates`` clusters through the inverted index, score those, and while the joined cluster
is young (at most ``split_samples`` members) re-check its first members -- so the cost does not grow
with the number of stories seen, only with how busy the active window is.

State is plain data (:meth:`Clusterer.to_state` / :meth:`Clusterer.from_state`), so the caller can
persist it wherever it likes and a restart resumes exactly where it stopped.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from wiredesk.cluster import scoring, vectors
from wiredesk.cluster.clusters import Cluster, Sample
from wiredesk.cluster.config import ClusterConfig
from wiredesk.cluster.dates import lead_years, years_conflict
from wiredesk.cluster.entities import extract_entities
from wiredesk.cluster.index import InvertedIndex
from wiredesk.cluster.model import Assignment, ClusterDoc, Match
from wiredesk.cluster.split import best_split
from wiredesk.cluster.tokens import term_profile
from wiredesk.cluster.vocabulary import DocumentFrequencies

STATE_VERSION = 2
_HOUR = 3600.0
# Ids of pending (split-off, unclaimed) groups: a prefix no story id of a newsroom starts with.
_PENDING = "\x00split:"


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
        best = matches[0] if matches and matches[0].score >= self.config.threshold else None
        runner_up = next((m for m in matches if m is not best and self._visible(m)), None)
        if best is not None and not self._clusters[best.cluster_id].pending:
            self._join(self._clusters[best.cluster_id], doc, features)
            return Assignment(best.cluster_id, created=False, score=best.score,
                              runner_up=runner_up, match=best)
        cluster = self._start(doc.id, features, best)
        self._join(cluster, doc, features)
        if best is None:
            return Assignment(cluster.id, created=True, score=0.0, runner_up=runner_up)
        return Assignment(cluster.id, created=True, score=best.score, runner_up=runner_up,
                          match=replace(best, cluster_id=cluster.id))

    def place(self, doc: ClusterDoc, cluster_id: str) -> None:
        """Record ``doc`` as a member of ``cluster_id`` as if :meth:`assign` had put it there.

        For rebuilding a clusterer from stored assignments at start, and for catching up with
        stories another worker assigned: the frequencies, the cluster's summaries, the index, the
        clock and the expiry all move as they would have. A cluster that is not active (never seen,
        or retired) is started under that id. A story id already placed is left where it is, as
        :meth:`assign` leaves a story it has seen.
        """
        if doc.id in self._story_cluster:
            return
        features = self._features(doc)
        self._advance_clock(features.time)
        cluster = self._clusters.get(cluster_id)
        if cluster is None or cluster.pending:
            matches = self._rank(features)
            best = matches[0] if matches and matches[0].score >= self.config.threshold else None
            cluster = self._start(cluster_id, features, best)
        self._join(cluster, doc, features)

    def cluster(self, cluster_id: str) -> Cluster | None:
        """The active cluster with this id, or None (unknown or retired)."""
        cluster = self._clusters.get(cluster_id)
        return cluster if cluster is not None and not cluster.pending else None

    def clusters(self) -> Iterator[Cluster]:
        """The active clusters (not the split-off groups no story has claimed yet)."""
        return (cluster for cluster in self._clusters.values() if not cluster.pending)

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

    def _start(self, cluster_id: str, features: _Features, best: Match | None) -> Cluster:
        """A new cluster for a story: the split-off group it fits when ``best`` is one (the group
        becomes a real cluster under the story's id), otherwise an empty one."""
        if best is None or not self._clusters[best.cluster_id].pending:
            return Cluster(id=cluster_id, first_seen=features.time, last_seen=features.time)
        group = self._clusters.pop(best.cluster_id)
        self._index.remove(group.id)
        group.id, group.pending = cluster_id, False
        return group

    def _join(self, cluster: Cluster, doc: ClusterDoc, features: _Features) -> None:
        """Add a story to a cluster, re-check a young cluster, and bring the cluster's caps and
        index entry up to date."""
        cluster.add(doc.id, features.time, doc.headline, features.vector,
                    features.entity_vector, features.years)
        self._story_cluster[doc.id] = cluster.id
        if self._sample(cluster, Sample(doc.id, features.time, features.vector,
                                        features.entity_vector, features.years)):
            self._maybe_split(cluster)
        self._settle(cluster)

    def _settle(self, cluster: Cluster) -> None:
        """Cap a changed cluster's summaries and (re)list it in the index and expiry heap."""
        cfg = self.config
        cluster.cap(cfg.centroid_terms, cfg.cluster_entities, cfg.kept_headlines)
        cluster.index_keys = vectors.top_terms(cluster.terms, cfg.index_terms)
        self._register(cluster)

    def _sample(self, cluster: Cluster, sample: Sample) -> bool:
        """Keep a young cluster's new member for re-checks; True when it was kept. A cluster
        past ``split_samples`` members is settled: its samples are dropped to free memory."""
        if cluster.size > self.config.split_samples:
            cluster.samples, cluster.affinity = [], []
            return False
        row = [self._member_similarity(sample, other) for other in cluster.samples]
        for other_row, value in zip(cluster.affinity, row, strict=True):
            other_row.append(value)
        cluster.affinity.append([*row, 1.0])
        cluster.samples.append(sample)
        return True

    def _maybe_split(self, cluster: Cluster) -> None:
        """Split off the group of a young cluster's members that is clearly another event.

        The cluster keeps its founder's group; the other group becomes a pending cluster. The
        split-off stories stay assigned where they are (decisions are never revised): what changes
        is what later stories are compared with.
        """
        cfg = self.config
        split = best_split(cluster.affinity, cfg.split_min_group)
        if split is None or split.between >= cfg.split_ratio * split.within:
            return
        samples, affinity = cluster.samples, cluster.affinity
        keep = [samples[i] for i in split.keep]
        part = [samples[i] for i in split.part]
        moved = {sample.story_id for sample in part}
        cluster.samples, cluster.affinity = keep, _sub_matrix(affinity, split.keep)
        cluster.summarise(keep)
        cluster.headlines = [h for h in cluster.headlines if h.story_id not in moved]
        group = Cluster(id=_PENDING + part[0].story_id, first_seen=min(s.time for s in part),
                        last_seen=max(s.time for s in part), samples=part,
                        affinity=_sub_matrix(affinity, split.part), pending=True)
        group.summarise(part)
        self._settle(group)

    def _member_similarity(self, a: Sample, b: Sample) -> float:
        cfg = self.config
        return scoring.member_similarity(a, b, cfg.entity_weight, cfg.date_conflict_factor)

    def _visible(self, match: Match) -> bool:
        """Whether the caller knows the matched cluster (a pending group is internal)."""
        return not self._clusters[match.cluster_id].pending

    def _restore(self, cluster: Cluster) -> None:
        """Bring back a persisted cluster, with its stories."""
        for story_id in cluster.members:
            self._story_cluster[story_id] = cluster.id
        cluster.affinity = [[self._member_similarity(a, b) if a is not b else 1.0
                             for b in cluster.samples] for a in cluster.samples]
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


def _sub_matrix(matrix: list[list[float]], keep: tuple[int, ...]) -> list[list[float]]:
    """Rows and columns ``keep`` of a square matrix, as a new matrix."""
    return [[matrix[i][j] for j in keep] for i in keep]


def _timestamp(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime is read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
