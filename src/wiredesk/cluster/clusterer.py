"""The online event clusterer: each new story joins the best active cluster or starts one.

One pass, no look-back: a decision, once made, is never revised by later stories (the caller may
still move a story by hand). Per story the work is bounded -- tokenise it, look up at most
``max_candidates`` clusters through the inverted index, score those, and while the joined cluster
is young (at most ``split_samples`` members) re-check its first members -- so the cost does not grow
with the number of stories seen, only with how busy the active window is.

Where the state lives is the caller's choice (:mod:`.store`): in memory by default -- plain data
(:meth:`Clusterer.to_state` / :meth:`Clusterer.from_state`), so a restart can resume exactly where
it stopped -- or in any :class:`~wiredesk.cluster.store.ClusterStore`, such as the newsroom's
database tables, which a new process uses at once without loading anything. The decisions are the
same whatever the store: the clusterer only ever reads the clusters a lookup proposes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from wiredesk.cluster import scoring, vectors
from wiredesk.cluster.clusters import Cluster, Sample
from wiredesk.cluster.config import ClusterConfig
from wiredesk.cluster.dates import lead_years, years_conflict
from wiredesk.cluster.entities import extract_entities
from wiredesk.cluster.model import Assignment, ClusterDoc, Match, TextFeatures
from wiredesk.cluster.split import best_split
from wiredesk.cluster.store import ClusterStore, MemoryStore
from wiredesk.cluster.tokens import term_profile

STATE_VERSION = 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR = 3600.0
# Ids of pending (split-off, unclaimed) groups: a prefix no story id of a newsroom starts with.
_PENDING = "~split:"


@dataclass(frozen=True, slots=True)
class _Features:
    """A story reduced to what is compared."""

    time: float
    vector: dict[str, float]  # unit-length TF-IDF
    entity_vector: dict[str, float]  # unit-length, entity -> IDF
    years: tuple[str, ...]  # years the lead states


class Clusterer:
    """Assigns stories to event clusters, one at a time, in the order they arrive."""

    def __init__(self, config: ClusterConfig | None = None,
                 store: ClusterStore | None = None) -> None:
        self.config = config or ClusterConfig()
        self.store: ClusterStore = store if store is not None else MemoryStore(self.config)
        # Stories read by :meth:`prepare`, by id, until assigned.
        self._prepared: dict[str, tuple[dict[str, float], tuple[str, ...]]] = {}

    # ------------------------------------------------------------------------------ public API

    def assign(self, doc: ClusterDoc) -> Assignment:
        """Put ``doc`` in a cluster and say which, with the scores behind the decision.

        A story id seen before (still in an active cluster) gets its cluster back unchanged: a new
        version of a story is the same story, and must not count twice in the centroid.
        """
        known = self.store.cluster_of(doc.id)
        if known is not None:
            return Assignment(cluster_id=known, created=False, score=1.0)
        features = self._features(doc)
        self._advance_clock(features.time)
        matches, candidates = self._rank(features)
        best = matches[0] if matches and matches[0].score >= self.config.threshold else None
        runner_up = next((m for m in matches
                          if m is not best and not candidates[m.cluster_id].pending), None)
        if best is not None and not candidates[best.cluster_id].pending:
            self._join(candidates[best.cluster_id], doc, features)
            return Assignment(best.cluster_id, created=False, score=best.score,
                              runner_up=runner_up, match=best)
        cluster = self._start(doc.id, features, best, candidates)
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
        if self.store.cluster_of(doc.id) is not None:
            return
        features = self._features(doc)
        self._advance_clock(features.time)
        cluster = self._fetch([cluster_id]).get(cluster_id)
        if cluster is None or cluster.pending:
            matches, candidates = self._rank(features)
            best = matches[0] if matches and matches[0].score >= self.config.threshold else None
            cluster = self._start(cluster_id, features, best, candidates)
        self._join(cluster, doc, features)

    def cluster(self, cluster_id: str) -> Cluster | None:
        """The active cluster with this id, or None (unknown or retired)."""
        cluster = self._fetch([cluster_id]).get(cluster_id)
        return cluster if cluster is not None and not cluster.pending else None

    def clusters(self) -> Iterator[Cluster]:
        """The active clusters (not the split-off groups no story has claimed yet)."""
        return (cluster for cluster in self.store.active() if not cluster.pending)

    def to_state(self) -> dict[str, Any]:
        """Everything needed to resume, as JSON-serialisable plain data (in-memory store only:
        another store keeps its state itself)."""
        if not isinstance(self.store, MemoryStore):
            raise TypeError("to_state() is for the in-memory store; this store persists itself")
        return {"version": STATE_VERSION, **self.store.to_state()}

    @classmethod
    def from_state(cls, state: dict[str, Any], config: ClusterConfig | None = None) -> Clusterer:
        """Resume from :meth:`to_state`. The config is not part of the state: it is a setting."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported clusterer state version {state.get('version')!r}")
        store = MemoryStore(config)
        clusterer = cls(config, store)
        for cluster in store.restore(state, clusterer.config.max_vocabulary):
            clusterer._with_affinity(cluster)
            store.save(cluster)
        return clusterer

    # -------------------------------------------------------------------------------- features

    def prepare(self, docs: Sequence[ClusterDoc],
                read: Mapping[str, TextFeatures] | None = None) -> None:
        """Read the stories about to be assigned (in this order, by :meth:`assign`) at once: each
        is tokenised here, once, and the store reads the frequencies of all their terms and
        entities in one go (``ClusterStore.prefetch``: one query for a chunk, not two per story).
        ``read``: :meth:`read` of some of them by doc id, worked out earlier (each used only if
        it was read from the doc's own text). Changes no decision: the frequencies read are the
        same numbers."""
        self._prepared = {doc.id: self._given(doc, (read or {}).get(doc.id))
                          or self._text_features(doc) for doc in docs}
        self.store.prefetch([term for profile, _ in self._prepared.values() for term in profile],
                            [key for _, keys in self._prepared.values() for key in keys])

    def read(self, headline: str, body: str) -> TextFeatures:
        """A story's text features (see :meth:`prepare`): they depend on the text and the config
        alone, so a caller may work them out before it takes the clusterer's state -- outside a
        lock, in any thread."""
        profile, keys = self._text_features(ClusterDoc("", headline, body, _EPOCH))
        return TextFeatures(headline, body, profile, keys)

    @staticmethod
    def _given(doc: ClusterDoc, read: TextFeatures | None
               ) -> tuple[dict[str, float], tuple[str, ...]] | None:
        if (read is None or doc.entities is not None or read.headline != doc.headline
                or read.body != doc.body):
            return None
        return read.profile, read.entities

    def _text_features(self, doc: ClusterDoc) -> tuple[dict[str, float], tuple[str, ...]]:
        """The story's term profile and entity keys: what the text gives, before any weighing."""
        cfg = self.config
        profile = term_profile(doc.headline, doc.body, cfg.headline_weight, cfg.body_words)
        given = doc.entities
        raw = given if given is not None else extract_entities(doc.headline, doc.body)
        return profile, tuple(dict.fromkeys(key.lower() for key in raw))

    def _features(self, doc: ClusterDoc) -> _Features:
        """Weigh the story's terms and entities, counting the story itself into the frequencies."""
        cfg = self.config
        prepared = self._prepared.pop(doc.id, None)
        profile, keys = prepared if prepared is not None else self._text_features(doc)
        terms, entities = self.store.terms, self.store.entities
        terms.add(profile)
        entities.add(keys)
        vector = vectors.normalized(vectors.weighted(profile, terms.idf))
        entity_vector = vectors.normalized({key: entities.idf(key) for key in keys})
        return _Features(_timestamp(doc.published), vector, entity_vector,
                         lead_years(doc.headline, doc.body, cfg.lead_words))

    # ------------------------------------------------------------------------------- decisions

    def _rank(self, features: _Features) -> tuple[list[Match], dict[str, Cluster]]:
        """Score the candidate clusters the index proposes, best first; and the candidates."""
        cfg = self.config
        query = {t: features.vector[t] for t in vectors.top_terms(features.vector, cfg.query_terms)}
        candidates = self._fetch(self.store.lookup(query, cfg.max_candidates))
        matches = [self._match(features, cluster) for cluster in candidates.values()]
        return sorted(matches, key=lambda m: (-m.score, m.cluster_id)), candidates

    def _fetch(self, cluster_ids: Sequence[str]) -> dict[str, Cluster]:
        """Clusters from the store, in the order asked, with their derived fields in place."""
        found = self.store.get(cluster_ids)
        return {cid: self._with_affinity(found[cid]) for cid in cluster_ids if cid in found}

    def _with_affinity(self, cluster: Cluster) -> Cluster:
        """Fill in a loaded cluster's sample similarities (derived data, never persisted)."""
        if len(cluster.affinity) != len(cluster.samples):
            cluster.affinity = [[self._member_similarity(a, b) if a is not b else 1.0
                                 for b in cluster.samples] for a in cluster.samples]
        return cluster

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

    def _start(self, cluster_id: str, features: _Features, best: Match | None,
               candidates: dict[str, Cluster]) -> Cluster:
        """A new cluster for a story: the split-off group it fits when ``best`` is one (the group
        becomes a real cluster under the story's id), otherwise an empty one."""
        if best is None or not candidates[best.cluster_id].pending:
            return Cluster(id=cluster_id, first_seen=features.time, last_seen=features.time)
        group = candidates[best.cluster_id]
        self.store.drop(group.id)
        group.id, group.pending = cluster_id, False
        return group

    def _join(self, cluster: Cluster, doc: ClusterDoc, features: _Features) -> None:
        """Add a story to a cluster, re-check a young cluster, and bring the cluster's caps and
        index entry up to date."""
        cluster.add(doc.id, features.time, doc.headline, features.vector,
                    features.entity_vector, features.years)
        if self._sample(cluster, Sample(doc.id, features.time, features.vector,
                                        features.entity_vector, features.years)):
            self._maybe_split(cluster)
        self._settle(cluster, doc.id)

    def _settle(self, cluster: Cluster, member: str | None = None) -> None:
        """Cap a changed cluster's summaries and store it (re-listed in the index)."""
        cfg = self.config
        cluster.cap(cfg.centroid_terms, cfg.cluster_entities, cfg.kept_headlines)
        cluster.index_keys = vectors.top_terms(cluster.terms, cfg.index_terms)
        self.store.save(cluster, member)

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

    def _advance_clock(self, time: float) -> None:
        """Move the stream's clock forward; the store retires clusters quiet for too long."""
        if time <= self.store.clock:
            return
        self.store.advance(time, time - self.config.active_window_hours * _HOUR)


def _sub_matrix(matrix: list[list[float]], keep: tuple[int, ...]) -> list[list[float]]:
    """Rows and columns ``keep`` of a square matrix, as a new matrix."""
    return [[matrix[i][j] for j in keep] for i in keep]


def _timestamp(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime is read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
