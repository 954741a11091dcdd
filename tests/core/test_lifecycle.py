"""The lifecycle decision: versions, kills, withholding, embargoes, expiry, editors' holds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wiredesk.core.items import PubStatus
from wiredesk.core.lifecycle import (
    Action,
    Incoming,
    Status,
    StoryState,
    VersionOrder,
    decide,
    status_for,
)

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def state(status: Status = Status.PUBLISHED, current: str = "h1", number: int | None = 1,
          known: set[str] | None = None, embargo: datetime | None = None) -> StoryState:
    return StoryState(status, current, VersionOrder(number, None, NOW - HOUR),
                      frozenset(known or {current}), embargo)


def incoming(content: str = "h2", number: int | None = 2, **changes: object) -> Incoming:
    return replace(Incoming(content, VersionOrder(number, None, NOW)), **changes)  # type: ignore[arg-type]


def test_first_version_creates_the_story_in_the_status_it_dictates() -> None:
    assert decide(None, incoming(), tombstoned=False, now=NOW).status is Status.PUBLISHED
    embargoed = decide(None, incoming(embargoed_until=NOW + HOUR), tombstoned=False, now=NOW)
    assert (embargoed.action, embargoed.status) == (Action.CREATE, Status.EMBARGOED)
    past = decide(None, incoming(embargoed_until=NOW - HOUR), tombstoned=False, now=NOW)
    assert past.status is Status.PUBLISHED
    expired = decide(None, incoming(expires_at=NOW - HOUR), tombstoned=False, now=NOW)
    assert expired.status is Status.EXPIRED


def test_a_tombstone_refuses_everything() -> None:
    for arriving in (incoming(), incoming(pubstatus=PubStatus.CANCELED)):
        assert decide(state(), arriving, tombstoned=True, now=NOW).action is Action.REFUSED


def test_a_kill_kills_whatever_its_version_and_even_before_the_story() -> None:
    old_kill = incoming(number=0, pubstatus=PubStatus.CANCELED)
    assert decide(state(number=5), old_kill, tombstoned=False, now=NOW).action is Action.KILL
    assert decide(None, old_kill, tombstoned=False, now=NOW).action is Action.KILL


def test_withheld_then_usable_again() -> None:
    withheld = decide(state(), incoming(pubstatus=PubStatus.WITHHELD), tombstoned=False, now=NOW)
    assert (withheld.action, withheld.status) == (Action.NEW_VERSION, Status.WITHHELD)
    back = decide(state(Status.WITHHELD, "h2", 2), incoming("h3", 3), tombstoned=False, now=NOW)
    assert (back.action, back.status) == (Action.NEW_VERSION, Status.PUBLISHED)


def test_a_later_version_moves_or_lifts_the_embargo() -> None:
    held = state(Status.EMBARGOED, embargo=NOW + HOUR)
    moved = decide(held, incoming("h1", 2, embargoed_until=NOW + 2 * HOUR), tombstoned=False,
                   now=NOW)
    assert (moved.action, moved.status) == (Action.NEW_VERSION, Status.EMBARGOED)
    lifted = decide(held, incoming("h1", 2), tombstoned=False, now=NOW)
    assert (lifted.action, lifted.status) == (Action.NEW_VERSION, Status.PUBLISHED)


def test_identical_stale_and_resent_versions_change_nothing() -> None:
    assert decide(state(), incoming("h1", 1), tombstoned=False, now=NOW).action is Action.IDENTICAL
    assert decide(state(number=3), incoming("h9", 2), tombstoned=False,
                  now=NOW).action is Action.STALE
    resent = decide(state("published", "h2", 2, {"h1", "h2"}),  # type: ignore[arg-type]
                    incoming("h1", 3), tombstoned=False, now=NOW)
    assert resent.action is Action.STALE


def test_order_falls_back_from_numbers_to_creation_to_source_time() -> None:
    newer, older = VersionOrder(None, NOW, None), VersionOrder(None, NOW - HOUR, None)
    assert older.is_older_than(newer) and not newer.is_older_than(older)
    assert VersionOrder(2, NOW - HOUR).is_older_than(VersionOrder(3, NOW - 2 * HOUR))
    assert VersionOrder(None, None, NOW - HOUR).is_older_than(VersionOrder(None, None, NOW))
    assert not VersionOrder().is_older_than(VersionOrder(1, NOW, NOW))  # unordered: arrival


def test_an_editors_hold_survives_new_versions_but_not_a_kill() -> None:
    held = state(Status.HELD)
    assert decide(held, incoming(), tombstoned=False, now=NOW).status is Status.HELD
    kill = decide(held, incoming(pubstatus=PubStatus.CANCELED), tombstoned=False, now=NOW)
    assert kill.status is Status.KILLED


# --- Property: any delivery order ends in the state the latest version dictates -------------

@dataclass(frozen=True)
class Sent:
    number: int
    pubstatus: PubStatus
    embargo: datetime | None

    @property
    def incoming(self) -> Incoming:
        return Incoming(f"content-{self.number}", VersionOrder(self.number, None, None),
                        self.pubstatus, self.embargo)


def simulate(order: list[Sent], now: datetime) -> tuple[Status | None, bool]:
    """Apply the decisions as the newsroom does; returns (final status, seen after a kill)."""
    current: StoryState | None = None
    tombstoned = killed = visible_after_kill = False
    for sent in order:
        decision = decide(current, sent.incoming, tombstoned=tombstoned, now=now)
        arriving = sent.incoming
        if decision.action is Action.KILL:
            tombstoned = killed = True
            if current is not None:
                current = replace(current, status=Status.KILLED)
        elif decision.action in (Action.CREATE, Action.NEW_VERSION):
            assert decision.status is not None
            known = current.known_hashes if current else frozenset()
            current = StoryState(decision.status, arriving.content_hash, arriving.order,
                                 known | {arriving.content_hash}, arriving.embargoed_until,
                                 arriving.pubstatus)
        elif decision.action is Action.STALE and current is not None:
            current = replace(current, known_hashes=current.known_hashes
                              | {arriving.content_hash})
        if killed and current is not None and current.status is Status.PUBLISHED:
            visible_after_kill = True
    return (current.status if current else None), visible_after_kill


versions = st.lists(
    st.tuples(st.sampled_from([PubStatus.USABLE] * 4 + [PubStatus.WITHHELD, PubStatus.CANCELED]),
              st.sampled_from([None, NOW - HOUR, NOW + HOUR])),
    min_size=1, max_size=6,
).map(lambda specs: [Sent(n + 1, status, embargo) for n, (status, embargo) in enumerate(specs)])


@given(versions.flatmap(lambda sent: st.permutations(sent)))
def test_any_delivery_order_ends_as_the_latest_version_dictates(order: list[Sent]) -> None:
    final, visible_after_kill = simulate(order, NOW)
    assert not visible_after_kill
    if any(sent.pubstatus is PubStatus.CANCELED for sent in order):
        assert final in (Status.KILLED, None)
    else:
        latest = max(order, key=lambda sent: sent.number)
        assert final is status_for(latest.incoming, NOW)
