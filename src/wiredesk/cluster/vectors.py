"""Sparse vectors as plain dicts (term -> weight): all the linear algebra the clusterer needs.

Stories have a few hundred distinct terms and centroids are capped, so dicts beat a dense-array
library here and keep the core free of dependencies.

Sums are ``math.fsum``: exactly rounded, so a length or an inner product does not depend on the
order of a dict's keys -- a cluster decoded from PostgreSQL's jsonb (which stores keys sorted)
scores to the last bit as the same cluster held in memory -- and no slower than ``sum`` here.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping

SparseVector = dict[str, float]


def norm(vector: Mapping[str, float]) -> float:
    """Euclidean length."""
    return math.sqrt(math.fsum(w * w for w in vector.values()))


def normalized(vector: Mapping[str, float]) -> SparseVector:
    """``vector`` scaled to unit length (an empty or zero vector stays as it is)."""
    length = norm(vector)
    if length == 0.0:
        return dict(vector)
    return {term: w / length for term, w in vector.items()}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Inner product, iterating over the shorter vector (the same products either way)."""
    if len(a) > len(b):
        a, b = b, a
    return math.fsum(w * b[term] for term, w in a.items() if term in b)


def weighted(vector: Mapping[str, float], weight: Callable[[str], float]) -> SparseVector:
    """Each component multiplied by ``weight(term)`` (e.g. term frequencies times IDF)."""
    return {term: w * weight(term) for term, w in vector.items()}


def cosine_with(unit: Mapping[str, float], other: Mapping[str, float], other_norm: float) -> float:
    """Cosine of a unit vector and a vector whose length is already known (0.0 if it is 0)."""
    return dot(unit, other) / other_norm if other_norm else 0.0


def add_into(target: SparseVector, vector: Mapping[str, float], scale: float = 1.0) -> None:
    """``target += scale * vector``, in place."""
    for term, w in vector.items():
        target[term] = target.get(term, 0.0) + scale * w


def top_terms(vector: Mapping[str, float], k: int) -> list[str]:
    """The ``k`` terms with the largest weights, largest first (ties by term, for stability)."""
    return [term for term, _ in heapq.nsmallest(k, vector.items(), key=lambda kv: (-kv[1], kv[0]))]


def keep_top(vector: Mapping[str, float], k: int) -> SparseVector:
    """The ``k`` heaviest components (all of them when there are fewer)."""
    if len(vector) <= k:
        return dict(vector)
    return dict(heapq.nlargest(k, vector.items(), key=lambda kv: (kv[1], kv[0])))
