"""Document frequencies that grow as stories arrive: the "IDF" of an online TF-IDF.

A batch TF-IDF knows the whole corpus; a stream does not, so each story is weighed with the
frequencies of the stories seen *before and including* it. Early in a stream every word looks rare;
the stop-word list carries that phase, and a persisted state carries the frequencies across
restarts so that a running desk never starts cold again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


class DocumentFrequencies:
    """How many stories contained each key, and how many stories there were."""

    def __init__(self, max_keys: int = 500_000) -> None:
        self.documents = 0
        self.counts: dict[str, int] = {}
        self.max_keys = max_keys

    def add(self, keys: Iterable[str]) -> None:
        """Count one story containing ``keys`` (each distinct key counts once)."""
        self.documents += 1
        counts = self.counts
        for key in set(keys):
            counts[key] = counts.get(key, 0) + 1
        if len(counts) > self.max_keys:
            self._forget_rare()

    def idf(self, key: str) -> float:
        """Smoothed inverse document frequency: ``1 + ln((1 + N) / (1 + df))``, always > 0.

        The smoothing keeps unseen keys finite, and the ``1 +`` keeps a word every story has from
        vanishing altogether.
        """
        return 1.0 + math.log((1 + self.documents) / (1 + self.counts.get(key, 0)))

    def _forget_rare(self) -> None:
        """Drop keys seen once: news vocabulary grows without end (new names every day), and a key
        seen once carries the largest IDF anyway, which it gets back as an unseen key."""
        self.counts = {key: n for key, n in self.counts.items() if n > 1}

    def to_state(self) -> dict[str, Any]:
        """Plain data for persistence."""
        return {"documents": self.documents, "counts": dict(self.counts)}

    @classmethod
    def from_state(cls, state: dict[str, Any], max_keys: int = 500_000) -> DocumentFrequencies:
        """Rebuild from :meth:`to_state`."""
        frequencies = cls(max_keys)
        frequencies.documents = int(state["documents"])
        frequencies.counts = {str(k): int(v) for k, v in state["counts"].items()}
        return frequencies
