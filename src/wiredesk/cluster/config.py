"""The clusterer's knobs, with the values tuned on the ECB+ dev topics.

Every field says what it trades off. The defaults are what `benchmarks/cluster_quality.py` was
tuned to (a grid over the decision and text fields, scored by the mean BCubed F1 of five fixed
stream orders so that no one order's accidents decide); the cost fields were sized with
`benchmarks/cluster_cost.py` and do not change the ECB+ figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Settings for the :class:`~wiredesk.cluster.Clusterer`: plain values, as settings hold."""

    # -- text features
    # Headline words count this much more than a body word: a headline names the event. (Tuned:
    # 1, 2, 3; 2 was best by a hair -- the figures barely move.)
    headline_weight: float = 2.0
    # Only the first words of the body count: wire copy puts the event first and background
    # last, and background is what two different events of the same kind share. (Tuned: 250,
    # 1000; no real difference, and 250 is cheaper.)
    body_words: int = 250
    # Words of the body, after the headline, that count as the lead (where a story dates itself).
    lead_words: int = 40
    # -- decision
    # A story joins the best cluster when its score reaches this; otherwise it starts a cluster.
    # (Tuned: 0.15 to 0.5.)
    threshold: float = 0.2
    # Share of the entity similarity in the score, the rest being text similarity. Names,
    # places and numbers are what tell two look-alike events apart. (Tuned: 0 to 0.7.)
    entity_weight: float = 0.7
    # The score is multiplied by this when the story's lead states years and the cluster's
    # stories' leads state only others. (Tuned: 1, 0.5, 0.)
    date_conflict_factor: float = 0.5
    # -- time
    # Similarity halves for every this many hours between the story and the cluster's span.
    half_life_hours: float = 48.0
    # Clusters with no story for this long are retired: no longer candidates, dropped from
    # memory. At two half-lives the decay alone keeps almost any score under the threshold.
    active_window_hours: float = 96.0
    # -- cost bounds (none of these changes the ECB+ figures; they bound time and memory)
    # Terms kept in a cluster centroid (the heaviest ones).
    centroid_terms: int = 100
    # Entities kept per cluster.
    cluster_entities: int = 60
    # Of a cluster's centroid, the top terms that go into the inverted index.
    index_terms: int = 25
    # Of a story, the top terms used to look up candidate clusters.
    query_terms: int = 25
    # At most this many candidates (by index overlap) are fully scored.
    max_candidates: int = 10
    # Headlines kept per cluster for its title (the first ones and the most recent).
    kept_headlines: int = 8
    # When a frequency table grows beyond this many keys, keys seen only once are forgotten.
    max_vocabulary: int = 500_000

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for logging what ran."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClusterConfig:
        """Read back :meth:`to_dict`; unknown keys (from a newer version) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
