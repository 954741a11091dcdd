"""BCubed precision, recall and F1 (Bagga & Baldwin 1998; Amigo et al. 2009), written out.

For each item *i*, with *C(i)* the predicted cluster holding it and *L(i)* its gold cluster:

    precision(i) = |C(i) & L(i)| / |C(i)|    -- how much of its cluster is truly its event
    recall(i)    = |C(i) & L(i)| / |L(i)|    -- how much of its event its cluster caught

Corpus precision and recall are the means over items, and F1 is their harmonic mean. BCubed is the
measure of choice for clustering because it judges every item by its own neighbourhood: one wrong
merge of two large events costs a lot, a stray singleton costs little, which matches what a reader
of a "Full coverage" page notices.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BCubed:
    """Mean BCubed precision and recall over some items, and their F1."""

    precision: float
    recall: float
    items: int

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 when both are 0)."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def item_scores(predicted: Mapping[str, Hashable],
                gold: Mapping[str, Hashable]) -> dict[str, tuple[float, float]]:
    """Per item: ``(precision, recall)``. Both mappings are item -> cluster label, same items."""
    if predicted.keys() != gold.keys():
        raise ValueError("predicted and gold clusterings must cover the same items")
    predicted_sizes = Counter(predicted.values())
    gold_sizes = Counter(gold.values())
    overlap = Counter((predicted[item], gold[item]) for item in gold)
    scores = {}
    for item in gold:
        shared = overlap[predicted[item], gold[item]]
        scores[item] = (shared / predicted_sizes[predicted[item]], shared / gold_sizes[gold[item]])
    return scores


def mean_scores(scores: Mapping[str, tuple[float, float]],
                items: Iterable[str] | None = None) -> BCubed:
    """Average per-item scores over ``items`` (all by default): corpus or per-topic figures."""
    chosen = list(scores if items is None else items)
    if not chosen:
        return BCubed(0.0, 0.0, 0)
    precision = sum(scores[item][0] for item in chosen) / len(chosen)
    recall = sum(scores[item][1] for item in chosen) / len(chosen)
    return BCubed(precision, recall, len(chosen))


def bcubed(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> BCubed:
    """BCubed precision, recall and F1 of a clustering against the gold one."""
    return mean_scores(item_scores(predicted, gold))
