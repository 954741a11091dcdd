"""A clock that tests set and move by hand, in place of the desk's (wiredesk.newsroom.clock).

Fixtures carry fixed dates (a wire item of 28 November 2026), so any decision that compares a
story's times with the present (the news sitemap's 48 hours, embargoes, expiry, retention) must
read a present that is fixed too, or the test passes only in the week it was written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The hour the wire fixtures are dated (tests/newsroom/wire.py), and the desk's "now" in tests
# that pin the clock: an hour later, so every version of a fixture item is already in the past.
WIRE_HOUR = datetime(2026, 11, 28, 9, tzinfo=UTC)
DESK_NOW = WIRE_HOUR + timedelta(hours=1)


class FakeClock:
    """Returns ``moment`` until the test moves it."""

    def __init__(self, moment: datetime = DESK_NOW) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta
