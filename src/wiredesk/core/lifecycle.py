"""The wire lifecycle, decided in one pure function: stored story state + incoming version → action.

The rules a careful wire editor follows, and which :mod:`wiredesk.newsroom.transports.ingest`
applies:

* **Order.** Versions are ordered by the source's version number, else its version-created time,
  else its updated/published time -- never by arrival. A late older version is kept in history and
  never replaces the current one.
* **Kill.** A canceled version kills the story whatever its order: it leaves every surface and a
  tombstone stops any later copy of any version from bringing it back. A kill that arrives before
  the story itself leaves the tombstone all the same, so the story is never published.
* **Withhold.** A withheld version takes the story down like a kill, but a later usable version
  brings it back.
* **Embargo.** A usable version under embargo is stored but not public until its embargo time; a
  later version can lift or move the embargo.
* **Expiry.** A version past its expiry time leaves the site like a withdrawal.
* **Editors win.** A story an editor held or unpublished stays so when new versions arrive.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from wiredesk.core.items import PubStatus


class Action(enum.StrEnum):
    CREATE = "create"  # a story we have never seen
    NEW_VERSION = "new_version"  # a newer version: it becomes current
    IDENTICAL = "identical"  # same content and status as the current version: change nothing
    STALE = "stale"  # older than the current version (or a re-send of an old one): history only
    KILL = "kill"  # the source canceled the story: take it down for good
    REFUSED = "refused"  # a tombstone forbids the story: it must never come back


class Status(enum.StrEnum):
    """A story's public state. Only PUBLISHED is visible."""

    PUBLISHED = "published"
    EMBARGOED = "embargoed"  # stored, waiting for its embargo time
    WITHHELD = "withheld"  # taken down by the source, reversible
    KILLED = "killed"  # taken down by the source (or an editor) for good
    EXPIRED = "expired"  # past its expiry time
    HELD = "held"  # held by an editor
    UNPUBLISHED = "unpublished"  # unpublished by an editor


EDITOR_STATUSES = frozenset({Status.HELD, Status.UNPUBLISHED})
GONE_STATUSES = frozenset({Status.KILLED, Status.WITHHELD, Status.EXPIRED})  # answer 410


@dataclass(frozen=True, slots=True)
class VersionOrder:
    """How versions of one story compare: number first, then creation time, then source time.

    Two versions compare on the first key both of them have; a version without any is newest
    (it can only be ordered by arrival).
    """

    number: int | None = None
    created: datetime | None = None
    source_time: datetime | None = None

    def is_older_than(self, other: VersionOrder) -> bool:
        if self.number is not None and other.number is not None and self.number != other.number:
            return self.number < other.number
        for mine, theirs in ((self.created, other.created),
                             (self.source_time, other.source_time)):
            if mine is not None and theirs is not None:
                return mine < theirs
        return False


@dataclass(frozen=True, slots=True)
class StoryState:
    """What the decision needs to know about the stored story."""

    status: Status
    current_hash: str
    current_order: VersionOrder
    known_hashes: frozenset[str]
    embargoed_until: datetime | None = None
    pubstatus: PubStatus = PubStatus.USABLE


@dataclass(frozen=True, slots=True)
class Incoming:
    content_hash: str
    order: VersionOrder = VersionOrder()
    pubstatus: PubStatus = PubStatus.USABLE
    embargoed_until: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    status: Status | None  # the story's status afterwards (None: no story, or unchanged)
    reason: str


def status_for(incoming: Incoming, now: datetime) -> Status:
    """The status an incoming version dictates by itself, at ``now``."""
    if incoming.pubstatus is PubStatus.CANCELED:
        return Status.KILLED
    if incoming.pubstatus is PubStatus.WITHHELD:
        return Status.WITHHELD
    if incoming.expires_at is not None and incoming.expires_at <= now:
        return Status.EXPIRED
    if incoming.embargoed_until is not None and incoming.embargoed_until > now:
        return Status.EMBARGOED
    return Status.PUBLISHED


def decide(state: StoryState | None, incoming: Incoming, *, tombstoned: bool, now: datetime
           ) -> Decision:
    if tombstoned:
        return Decision(Action.REFUSED, None, "a tombstone forbids this story")
    if incoming.pubstatus is PubStatus.CANCELED:
        return Decision(Action.KILL, Status.KILLED, "the source canceled (killed) the story")
    dictated = status_for(incoming, now)
    if state is None:
        return Decision(Action.CREATE, dictated, "first version seen")
    if state.status is Status.KILLED:
        return Decision(Action.REFUSED, None, "the story was killed")
    if (incoming.content_hash == state.current_hash and incoming.pubstatus == state.pubstatus
            and incoming.embargoed_until == state.embargoed_until):
        return Decision(Action.IDENTICAL, None, "same content and status as the current version")
    if incoming.content_hash in state.known_hashes and incoming.content_hash != state.current_hash:
        return Decision(Action.STALE, None, "a re-send of an earlier version")
    if incoming.order.is_older_than(state.current_order):
        return Decision(Action.STALE, None, "older than the current version")
    status = state.status if state.status in EDITOR_STATUSES else dictated
    return Decision(Action.NEW_VERSION, status, "a newer version")
