"""How similar a story is to a cluster: text, entities, time -- each a number in [0, 1].

Kept apart from the clusterer's bookkeeping so each ingredient can be tested and tuned alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from wiredesk.cluster import vectors
from wiredesk.cluster.clusters import Cluster, Sample
from wiredesk.cluster.dates import years_conflict

_HOUR = 3600.0


def text_similarity(story: Mapping[str, float], cluster: Cluster) -> float:
    """Cosine of the story's unit TF-IDF vector and the cluster's centroid."""
    return vectors.cosine_with(story, cluster.terms, cluster.terms_norm)


def entity_similarity(story: Mapping[str, float], cluster: Cluster) -> float:
    """Cosine of the story's unit entity vector and the cluster's summed entity vectors: a name
    every member used weighs more than one a single member dropped in passing."""
    return vectors.cosine_with(story, cluster.entities, cluster.entities_norm)


def time_decay(gap_seconds: float, half_life_hours: float) -> float:
    """1.0 at no gap, halving every ``half_life_hours``: events fade from the news."""
    if gap_seconds <= 0.0:
        return 1.0
    return math.pow(0.5, gap_seconds / _HOUR / half_life_hours)


def blend(text: float, entities: float, entity_weight: float, comparable: bool) -> float:
    """Weighted mean of text and entity similarity; text alone when entities cannot be compared."""
    if not comparable:
        return text
    return (1.0 - entity_weight) * text + entity_weight * entities


def member_similarity(a: Sample, b: Sample, entity_weight: float,
                      date_conflict_factor: float) -> float:
    """Two members of one cluster compared the way a story is compared with a cluster (no time
    decay: they are already in one cluster, the question is only whether they are one event)."""
    text = vectors.dot(a.vector, b.vector)
    entities = vectors.dot(a.entity_vector, b.entity_vector)
    comparable = bool(a.entity_vector) and bool(b.entity_vector)
    score = blend(text, entities, entity_weight, comparable)
    if years_conflict(a.years, dict.fromkeys(b.years, 1.0)):
        score *= date_conflict_factor
    return score
