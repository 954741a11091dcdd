from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wiredesk.core.lifecycle import Action, Incoming, StoryState, decide

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


def state(current: str = "h1", time: datetime | None = T0, known: set[str] | None = None
          ) -> StoryState:
    return StoryState(current, time, frozenset(known or {current}))


def test_new_story_is_created() -> None:
    assert decide(None, Incoming("h1", T0)).action is Action.CREATE


def test_tombstone_wins_over_everything() -> None:
    assert decide(None, Incoming("h1", T0), tombstoned=True).action is Action.REFUSED
    assert decide(state(), Incoming("h2", T0), tombstoned=True).action is Action.REFUSED


def test_identical_content_changes_nothing() -> None:
    assert decide(state(), Incoming("h1", T0 + timedelta(hours=1))).action is Action.IDENTICAL


def test_changed_content_is_a_new_version() -> None:
    assert decide(state(), Incoming("h2", T0 + timedelta(minutes=5))).action is Action.NEW_VERSION
    assert decide(state(), Incoming("h2", None)).action is Action.NEW_VERSION
    assert decide(state(time=None), Incoming("h2", T0)).action is Action.NEW_VERSION


def test_older_version_arriving_late_is_stale() -> None:
    assert decide(state(), Incoming("h0", T0 - timedelta(minutes=1))).action is Action.STALE


def test_resend_of_an_earlier_version_is_stale() -> None:
    decision = decide(state("h2", known={"h1", "h2"}), Incoming("h1", T0 + timedelta(days=1)))
    assert decision.action is Action.STALE


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 1000)), min_size=1, max_size=12))
def test_current_version_is_always_the_latest_by_source_time(deliveries: list[tuple[int, int]]
                                                             ) -> None:
    """Whatever the order of delivery, the version that stays current is the newest one sent."""
    current: tuple[str, datetime] | None = None
    known: set[str] = set()
    for content, minutes in deliveries:
        incoming = Incoming(f"h{content}-{minutes}", T0 + timedelta(minutes=minutes))
        stored = None if current is None else StoryState(current[0], current[1],
                                                          frozenset(known))
        action = decide(stored, incoming).action
        if action in (Action.CREATE, Action.NEW_VERSION):
            current = (incoming.content_hash, incoming.source_time)  # type: ignore[assignment]
        known.add(incoming.content_hash)
    assert current is not None
    newest = max(minutes for _, minutes in deliveries)
    assert current[1] == T0 + timedelta(minutes=newest)
