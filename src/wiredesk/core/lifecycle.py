"""What to do with an incoming version of a story: one pure decision, applied by one service.

Versions are ordered by the source's own time (updated, else published), never by arrival: a late
older copy is kept in history but never replaces the current version.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Action(enum.StrEnum):
    CREATE = "create"  # a story we have never seen
    NEW_VERSION = "new_version"  # changed content, at least as recent as the current version
    IDENTICAL = "identical"  # same content as the current version: change nothing
    STALE = "stale"  # older than the current version (or a re-send of an old one): history only
    REFUSED = "refused"  # the identity is tombstoned: it must never come back


@dataclass(frozen=True, slots=True)
class StoryState:
    """What the decision needs to know about the stored story."""

    current_hash: str
    current_source_time: datetime | None
    known_hashes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Incoming:
    content_hash: str
    source_time: datetime | None  # the source's updated time, else its published time


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str


def decide(state: StoryState | None, incoming: Incoming, *, tombstoned: bool = False) -> Decision:
    if tombstoned:
        return Decision(Action.REFUSED, "a tombstone forbids republishing this story")
    if state is None:
        return Decision(Action.CREATE, "first time seen")
    if incoming.content_hash == state.current_hash:
        return Decision(Action.IDENTICAL, "same content as the current version")
    if incoming.content_hash in state.known_hashes:
        return Decision(Action.STALE, "a re-send of an earlier version")
    if (incoming.source_time is not None and state.current_source_time is not None
            and incoming.source_time < state.current_source_time):
        return Decision(Action.STALE, "older than the current version by the source's time")
    return Decision(Action.NEW_VERSION, "content changed")
