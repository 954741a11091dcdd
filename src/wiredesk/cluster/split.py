"""Is a young cluster two events? A bounded two-way split of its first members.

The costly mistake of an online clusterer is the second event's first story joining the first
event's cluster while that cluster holds one or two stories: at that moment the two look-alike
events (two earthquakes, two title fights of one boxer) are as similar as two reports of one event
often are, and nothing can tell them apart yet. A few stories later the cluster shows it: its
members fall into two groups, each close within and far from the other.

So a cluster keeps its first few members' vectors (see ``ClusterConfig.split_samples``) and the
similarities between them, and after each join this module looks for the best two-way split. It
is a greedy average-linkage split seeded by the least similar pair, not an exhaustive search: the
groups are small and the answer only has to be clear when it matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Split:
    """Two groups of member positions, the first holding position 0 (the cluster's founder)."""

    keep: tuple[int, ...]
    part: tuple[int, ...]
    within: float  # mean similarity of pairs inside a group
    between: float  # mean similarity of pairs across the groups


def best_split(similarity: Sequence[Sequence[float]], min_group: int) -> Split | None:
    """The two-way split of members ``0..n-1`` by ``similarity`` (symmetric), or None when no
    split leaves at least ``min_group`` members (and so at least one pair) on each side."""
    size = len(similarity)
    group_floor = max(2, min_group)
    if size < 2 * group_floor:
        return None
    first, second = min(((i, j) for i in range(size) for j in range(i + 1, size)),
                        key=lambda pair: (similarity[pair[0]][pair[1]], pair))
    sides = [[first], [second]]
    for member in range(size):
        if member not in (first, second):
            sides[_closer(similarity, member, sides)].append(member)
    # One refinement pass: each member moves to the side it is closer to, the seeds excepted.
    for member in range(size):
        if member in (first, second):
            continue
        home = 0 if member in sides[0] else 1
        others = [[m for m in side if m != member] for side in sides]
        target = _closer(similarity, member, others)
        if target != home:
            sides[home].remove(member)
            sides[target].append(member)
    keep, part = (sides[0], sides[1]) if 0 in sides[0] else (sides[1], sides[0])
    if len(keep) < group_floor or len(part) < group_floor:
        return None
    within = _mean([similarity[i][j] for side in (keep, part)
                    for i in side for j in side if i < j])
    between = _mean([similarity[i][j] for i in keep for j in part])
    return Split(tuple(sorted(keep)), tuple(sorted(part)), within, between)


def _closer(similarity: Sequence[Sequence[float]], member: int,
            sides: Sequence[Sequence[int]]) -> int:
    """0 or 1: the side whose members are on average more similar to ``member`` (ties: 0)."""
    means = [_mean([similarity[member][other] for other in side]) for side in sides]
    return 0 if means[0] >= means[1] else 1


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
