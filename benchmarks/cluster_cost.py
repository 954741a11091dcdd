"""Cost of clustering one new story as the corpus grows: time and memory at 1k, 10k, 100k stories.

    .venv/bin/python benchmarks/cluster_cost.py [--stories 100000] [--per-day 2000] [--no-memory]

The stories are synthetic filler, generated here from a fixed seed so every run sees the same
stream: made-up words from syllables (a Zipf-distributed common vocabulary), and events that start
at random times, last six to 48 hours and each own a few capitalised names, a number and a handful
of topic words shared with other events of the same kind (so candidate look-ups meet real
competition). Stories arrive in time order at ``--per-day`` stories a day (2,000 by default: a
busy wire desk), each about one live event.

At each checkpoint N the harness times the next ``--block`` stories (the cost of a new story when N
came before) and, in a second pass under tracemalloc, the memory the clusterer holds. The point is
the ratio: the clusterer only compares a story with clusters active in its time window, found
through an inverted index, so the cost should follow the window's size, not the corpus's.
The synthetic BCubed F1 is printed as a sanity check only (the events are easy to tell apart).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wiredesk.cluster import ClusterConfig, ClusterDoc, Clusterer
from wiredesk.cluster.bcubed import bcubed

CHECKPOINTS = (1_000, 10_000, 100_000)
START = datetime(2024, 1, 1, tzinfo=UTC)
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


@dataclass(slots=True)
class Event:
    """A synthetic news event: its own names and words, a kind shared with others, a lifetime."""

    id: int
    names: list[str]
    words: list[str]
    kind_words: list[str]
    number: str
    ends: float  # seconds after START


def word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))


class StoryStream:
    """Generates the stream: each story about one live event, in time order."""

    def __init__(self, seed: int, per_day: int) -> None:
        self.rng = random.Random(seed)
        self.gap = 86_400 / per_day
        self.common = [word(self.rng, 3) for _ in range(20_000)]
        self.cumulative = list(itertools.accumulate(1 / rank for rank in range(1, 20_001)))  # Zipf
        self.kinds = [[word(self.rng, 3) for _ in range(8)] for _ in range(60)]
        self.live: list[Event] = []
        self.events = 0

    def stories(self, count: int) -> Iterator[tuple[ClusterDoc, int]]:
        for number in range(count):
            now = number * self.gap
            event = self._event_for(now)
            yield self._story(number, now, event), event.id

    def _event_for(self, now: float) -> Event:
        self.live = [e for e in self.live if e.ends > now]
        if not self.live or self.rng.random() < 0.12:  # about eight stories an event
            self.live.append(self._new_event(now))
        return self.rng.choice(self.live)

    def _new_event(self, now: float) -> Event:
        self.events += 1
        rng = self.rng
        return Event(
            id=self.events,
            names=[word(rng, 2).capitalize() + " " + word(rng, 3).capitalize() for _ in range(3)],
            words=[word(rng, 4) for _ in range(6)],
            kind_words=rng.choice(self.kinds),
            number=str(rng.randint(10, 9_999)),
            ends=now + rng.uniform(6, 48) * 3600,
        )

    def _story(self, number: int, now: float, event: Event) -> ClusterDoc:
        rng = self.rng
        headline = " ".join([rng.choice(event.names), *rng.sample(event.words, 2),
                             *rng.sample(event.kind_words, 2)])
        sentences = [self._sentence(event) for _ in range(8)]
        return ClusterDoc(id=f"s{number}", headline=headline, body=" ".join(sentences),
                          published=START + timedelta(seconds=now))

    def _sentence(self, event: Event) -> str:
        rng = self.rng
        words = rng.choices(self.common, cum_weights=self.cumulative, k=12)
        words += rng.sample(event.words, 2) + rng.sample(event.kind_words, 2)
        rng.shuffle(words)
        words.insert(rng.randrange(len(words)), rng.choice(event.names))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), event.number)
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."


@dataclass(slots=True)
class Checkpoint:
    stories: int
    mean_us: float
    median_us: float
    p95_us: float
    active_clusters: int
    memory_mb: float = 0.0
    bytes_per_story: float = 0.0


def time_pass(stories: int, per_day: int, block: int) -> tuple[list[Checkpoint], float]:
    """Assign every story; time the ``block`` stories after each checkpoint."""
    clusterer = Clusterer(ClusterConfig())
    predicted: dict[str, str] = {}
    gold: dict[str, int] = {}
    timings: dict[int, list[float]] = {n: [] for n in CHECKPOINTS if n < stories}
    active: dict[int, int] = {}
    gc.collect()
    for number, (doc, event) in enumerate(StoryStream(1, per_day).stories(stories)):
        started = time.perf_counter()
        predicted[doc.id] = clusterer.assign(doc).cluster_id
        elapsed = time.perf_counter() - started
        gold[doc.id] = event
        for n in timings:
            if n <= number < n + block:
                timings[n].append(elapsed * 1e6)
            if number == n:
                active[n] = sum(1 for _ in clusterer.clusters())
    points = [_summary(n, t, active.get(n, 0)) for n, t in timings.items() if t]
    return points, bcubed(predicted, gold).f1


def _summary(n: int, timings: list[float], active: int) -> Checkpoint:
    ordered = sorted(timings)
    return Checkpoint(n, statistics.fmean(ordered), statistics.median(ordered),
                      ordered[int(0.95 * (len(ordered) - 1))], active)


def memory_pass(points: list[Checkpoint], stories: int, per_day: int, block: int) -> None:
    """Replay under tracemalloc: memory held at each checkpoint, and its growth per story."""
    by_n = {p.stories: p for p in points}
    clusterer = Clusterer(ClusterConfig())
    stream = StoryStream(1, per_day).stories(stories)
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    at_checkpoint = 0
    for number, (doc, _) in enumerate(stream):
        clusterer.assign(doc)
        if number + 1 in by_n:
            at_checkpoint = tracemalloc.get_traced_memory()[0]
            by_n[number + 1].memory_mb = (at_checkpoint - baseline) / 1e6
        if number + 1 - block in by_n:
            grown = tracemalloc.get_traced_memory()[0] - at_checkpoint
            by_n[number + 1 - block].bytes_per_story = grown / block
    tracemalloc.stop()


def report(points: list[Checkpoint], f1: float, memory: bool) -> None:
    print(f"{'stories':>8} {'mean us':>9} {'median us':>10} {'p95 us':>8} {'active':>7}"
          + (f" {'memory MB':>10} {'bytes/story':>12}" if memory else ""))
    for p in points:
        line = (f"{p.stories:>8,} {p.mean_us:>9.0f} {p.median_us:>10.0f} {p.p95_us:>8.0f} "
                f"{p.active_clusters:>7,}")
        if memory:
            line += f" {p.memory_mb:>10.1f} {p.bytes_per_story:>12.0f}"
        print(line)
    first, last = points[0], points[-1]
    mean_ratio = last.mean_us / first.mean_us
    median_ratio = last.median_us / first.median_us
    print(f"time per story, {last.stories:,} vs {first.stories:,}: "
          f"mean {mean_ratio:.2f}x, median {median_ratio:.2f}x")
    if memory and first.memory_mb:
        print(f"memory held, {last.stories:,} vs {first.stories:,}: "
              f"{last.memory_mb / first.memory_mb:.2f}x (retired clusters are dropped)")
    print(f"synthetic BCubed F1 (sanity check): {f1:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=CHECKPOINTS[-1])
    parser.add_argument("--per-day", type=int, default=2_000)
    parser.add_argument("--block", type=int, default=500, help="stories timed per checkpoint")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    args = parser.parse_args(argv)
    total = args.stories + args.block
    points, f1 = time_pass(total, args.per_day, args.block)
    if not args.no_memory:
        memory_pass(points, total, args.per_day, args.block)
    print(f"{total:,} synthetic stories at {args.per_day:,} a day; "
          f"timed {args.block} stories after each checkpoint")
    report(points, f1, not args.no_memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
