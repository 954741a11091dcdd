"""A source's normal rhythm, learned from when its new items arrive, and when silence is unusual.

A wire that files every ten minutes by day and sleeps at night is not "silent" at 3 a.m., and a
weekly newsletter is not silent after a day. So the desk learns, for each hour of the day (UTC),
the typical gap that follows an arrival in that hour -- a wire's gap after 22:00 is its night,
after 10:00 a few minutes -- as the median of the last :data:`KEEP` gaps seen after that hour (a
burst of items or one long weekend does not move a median much). Silence is unusual when it
lasts several times the gap learned for the hour of the last arrival (neighbouring hours stand
in while an hour has too few observations), and never before a floor of time.

Pure: times in, numbers out; stored by the caller as :meth:`Cadence.to_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

HOURS = 24
# Gaps kept per hour of the day: about two weeks of a daily pattern.
KEEP = 15
# Observations an hour needs before its own average is trusted; until then neighbours pool.
HOUR_SAMPLES = 3
# Arrivals needed before any silence is judged (a new source has no rhythm yet).
MIN_SAMPLES = 10


@dataclass
class Cadence:
    """Per hour of the day, the last :data:`KEEP` gaps (seconds) that followed an arrival in
    that hour; and the last arrival."""

    gaps: list[list[float]] = field(default_factory=lambda: [[] for _ in range(HOURS)])
    last_arrival: datetime | None = None

    @property
    def samples(self) -> int:
        return sum(len(hour) for hour in self.gaps)

    def observe(self, arrival: datetime) -> None:
        """New items arrived at ``arrival``: learn the gap since the previous arrival."""
        previous = self.last_arrival
        if previous is not None and arrival <= previous:
            return  # out of order or the same moment: nothing to learn
        self.last_arrival = arrival
        if previous is None:
            return
        kept = self.gaps[previous.hour]
        kept.append(max(1.0, (arrival - previous).total_seconds()))
        del kept[:-KEEP]

    def expected_gap(self, hour: int) -> timedelta | None:
        """The typical gap after an arrival in ``hour``, from that hour or, while it has fewer
        than :data:`HOUR_SAMPLES`, from the nearest hours that together have enough."""
        for reach in range(HOURS // 2 + 1):
            hours = {(hour + offset) % HOURS for offset in range(-reach, reach + 1)}
            pooled = [gap for h in hours for gap in self.gaps[h]]
            if len(pooled) >= HOUR_SAMPLES:
                return timedelta(seconds=median(pooled))
        return None

    def silence_limit(self, *, factor: float, floor: timedelta) -> timedelta | None:
        """How long after the last arrival silence becomes unusual; None while the rhythm is
        not known (fewer than :data:`MIN_SAMPLES` gaps) or nothing ever arrived."""
        if self.last_arrival is None or self.samples < MIN_SAMPLES:
            return None
        expected = self.expected_gap(self.last_arrival.hour)
        if expected is None:
            return None
        return max(floor, expected * factor)

    def is_silent(self, now: datetime, *, factor: float, floor: timedelta) -> bool:
        limit = self.silence_limit(factor=factor, floor=floor)
        return limit is not None and self.last_arrival is not None and \
            now - self.last_arrival > limit

    def to_json(self) -> dict[str, Any]:
        return {"gaps": self.gaps,
                "last_arrival": self.last_arrival.isoformat() if self.last_arrival else None}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Cadence:
        if not data:
            return cls()
        last = data.get("last_arrival")
        gaps = data.get("gaps") or [[] for _ in range(HOURS)]
        return cls(gaps=[[float(gap) for gap in hour][-KEEP:] for hour in gaps],
                   last_arrival=datetime.fromisoformat(last) if last else None)
