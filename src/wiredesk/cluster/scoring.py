"""How similar a story is to a cluster: text, entities, time -- each a number in [0, 1].

Kept apart from the clusterer's bookkeeping so each ingredient can be tested and tuned alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from wiredesk.cluster import vectors
from wiredesk.cluster.clusters import Cluster

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
