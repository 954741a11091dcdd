"""A cluster as the clusterer remembers it: bounded summaries of its stories, as plain data.

A cluster never keeps its stories' texts. It keeps the sum of its stories' unit TF-IDF vectors (the
centroid, each story weighted with the IDF of its day: recomputing old stories with today's IDF
would cost work in proportion to the corpus), the same for their entities, the years their leads
state, its time span, and a few headlines for its title. All of it is capped (see
:class:`~wiredesk.cluster.config.ClusterConfig`), so comparing a story with a cluster of a thousand
stories costs no more than with a cluster of ten.

While it is young a cluster also keeps its first members' own vectors (:class:`Sample`), so that
it can tell whether it is really two events (:mod:`.split`). A group split off that way becomes a
*pending* cluster: a summary without stories of its own (the caller keeps the split-off stories
where they were assigned), which the next story that fits it turns into a real cluster.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wiredesk.cluster import vectors


@dataclass(frozen=True, slots=True)
class Headline:
    """One member's headline, kept for the cluster's title."""

    story_id: str
    text: str
    time: float  # seconds since the epoch, UTC


@dataclass(frozen=True, slots=True)
class Sample:
    """One of a young cluster's first members, as it was compared: kept to re-check the cluster."""

    story_id: str
    time: float
    vector: dict[str, float]  # the story's unit TF-IDF vector
    entity_vector: dict[str, float]  # ... and its unit entity vector
    years: tuple[str, ...]

    def to_state(self) -> list[Any]:
        """Plain, JSON-serialisable data."""
        return [self.story_id, self.time, dict(self.vector), dict(self.entity_vector),
                list(self.years)]

    @classmethod
    def from_state(cls, state: list[Any]) -> Sample:
        """Rebuild from :meth:`to_state`."""
        story_id, time, vector, entity_vector, years = state
        return cls(str(story_id), float(time), _floats(vector), _floats(entity_vector),
                   tuple(str(year) for year in years))


@dataclass(slots=True)
class Cluster:
    """One event: the stories assigned to it, summarised."""

    id: str
    first_seen: float  # seconds since the epoch of the earliest story
    last_seen: float  # ... and of the latest one: time decay and retirement count from here
    size: int = 0
    # Sum of the members' unit TF-IDF vectors, capped to the heaviest (most specific) terms.
    terms: dict[str, float] = field(default_factory=dict)
    # Sum of the members' unit entity vectors (entity -> IDF), capped likewise.
    entities: dict[str, float] = field(default_factory=dict)
    # Year -> number of members whose lead stated it (see :mod:`.dates`).
    years: dict[str, float] = field(default_factory=dict)
    headlines: list[Headline] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    # The terms under which the inverted index lists this cluster (saved so a restore is exact).
    index_keys: list[str] = field(default_factory=list)
    # The first members' own vectors, while the cluster is young enough to be re-checked.
    samples: list[Sample] = field(default_factory=list)
    # True for a group split off another cluster that no story has claimed yet: a candidate
    # like any cluster, but the caller does not know it, so the story that joins it starts it.
    pending: bool = False
    # Similarities between the samples (derived from them, never persisted).
    affinity: list[list[float]] = field(default_factory=list)
    # Lengths of ``terms`` and ``entities``: derived, refreshed by :meth:`cap`, never persisted.
    terms_norm: float = 0.0
    entities_norm: float = 0.0

    def add(self, story_id: str, time: float, headline: str, vector: Mapping[str, float],
            entity_vector: Mapping[str, float], years: tuple[str, ...]) -> None:
        """Fold one story in (the caller caps the summaries afterwards)."""
        self.size += 1
        self.members.append(story_id)
        self.first_seen = min(self.first_seen, time)
        self.last_seen = max(self.last_seen, time)
        self.headlines.append(Headline(story_id, headline, time))
        vectors.add_into(self.terms, vector)
        vectors.add_into(self.entities, entity_vector)
        for year in years:
            self.years[year] = self.years.get(year, 0.0) + 1.0

    def cap(self, max_terms: int, max_entities: int, max_headlines: int) -> None:
        """Keep the heaviest terms and entities and the first and latest headlines.

        Heaviest means summed TF-IDF: a name half the members used outweighs a word every member
        used but every other story uses too. The first headlines say what the event was; the
        latest, where it went.
        """
        self.terms = vectors.keep_top(self.terms, max_terms)
        self.entities = vectors.keep_top(self.entities, max_entities)
        if len(self.headlines) > max_headlines:
            first = max_headlines // 2
            self.headlines = self.headlines[:first] + self.headlines[first - max_headlines:]
        self.terms_norm = vectors.norm(self.terms)
        self.entities_norm = vectors.norm(self.entities)

    def summarise(self, samples: list[Sample]) -> None:
        """Rebuild the term, entity and year summaries from ``samples`` alone (the caller caps
        them): after a split each side must describe only its own group."""
        self.terms, self.entities, self.years = {}, {}, {}
        for sample in samples:
            vectors.add_into(self.terms, sample.vector)
            vectors.add_into(self.entities, sample.entity_vector)
            for year in sample.years:
                self.years[year] = self.years.get(year, 0.0) + 1.0

    def time_gap(self, time: float) -> float:
        """Seconds between ``time`` and the cluster's time span (0 inside it)."""
        if time < self.first_seen:
            return self.first_seen - time
        return max(0.0, time - self.last_seen)

    def to_state(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data."""
        return {
            "id": self.id, "first_seen": self.first_seen, "last_seen": self.last_seen,
            "size": self.size, "terms": dict(self.terms), "entities": dict(self.entities),
            "years": dict(self.years),
            "headlines": [[h.story_id, h.text, h.time] for h in self.headlines],
            "members": list(self.members), "index_keys": list(self.index_keys),
            "samples": [sample.to_state() for sample in self.samples], "pending": self.pending,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Cluster:
        """Rebuild from :meth:`to_state`."""
        cluster = cls(
            id=str(state["id"]), first_seen=float(state["first_seen"]),
            last_seen=float(state["last_seen"]), size=int(state["size"]),
            terms=_floats(state["terms"]), entities=_floats(state["entities"]),
            years=_floats(state["years"]),
            headlines=[Headline(str(s), str(t), float(w)) for s, t, w in state["headlines"]],
            members=[str(m) for m in state["members"]],
            index_keys=[str(k) for k in state["index_keys"]],
            samples=[Sample.from_state(sample) for sample in state.get("samples", [])],
            pending=bool(state.get("pending", False)),
        )
        cluster.terms_norm = vectors.norm(cluster.terms)
        cluster.entities_norm = vectors.norm(cluster.entities)
        return cluster


def _floats(mapping: Mapping[str, Any]) -> dict[str, float]:
    out = {str(key): float(value) for key, value in mapping.items()}
    if not all(math.isfinite(value) for value in out.values()):
        raise ValueError("cluster state holds a non-finite weight")
    return out
