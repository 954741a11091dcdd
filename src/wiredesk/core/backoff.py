"""When to poll a source again: its interval, backed off after errors, never before Retry-After.

Pure functions: the caller supplies the clock (``now``) and the random generator, so the schedule is
reproducible in tests.
"""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime, timedelta

# After repeated errors a source is still tried at least this often, so a feed that comes back is
# noticed the same day without hammering a server that is down.
MAX_BACKOFF = timedelta(hours=6)

# A server may ask for a pause (Retry-After); we honour it up to a day. Beyond that it is more
# likely a misconfiguration than a plan, and the source must not silently stop for weeks.
MAX_RETRY_AFTER = timedelta(hours=24)

# 2**20 base intervals exceeds any sensible cap; stopping the exponent there keeps the arithmetic
# finite for a source that has failed ten thousand times.
_MAX_EXPONENT = 20

# Bounds a delta-seconds value before it becomes a timedelta (which overflows near 10**14 days).
_MAX_DELTA_SECONDS = 10**9


def next_check_after(
    error_count: int,
    *,
    base_interval: timedelta,
    retry_after: timedelta | None,
    rng: random.Random,
) -> timedelta:
    """How long to wait before the next poll of a source.

    With no errors this is ``base_interval``. After ``error_count`` consecutive errors it is drawn
    uniformly between ``base_interval`` and ``base_interval * 2**error_count`` (capped at
    :data:`MAX_BACKOFF`, or at the base interval if that is longer): "full jitter", so sources
    that failed together (one agency outage) do not retry in lockstep, with a floor so an error
    never makes us poll *more* often than usual. A ``retry_after`` from the server (RFC 9110
    10.2.3) is a minimum, itself capped at :data:`MAX_RETRY_AFTER`.
    """
    if error_count < 0:
        raise ValueError(f"error_count must be >= 0, not {error_count}")
    if base_interval <= timedelta(0):
        raise ValueError(f"base_interval must be positive, not {base_interval}")
    delay = _backoff(error_count, base_interval, rng)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def _backoff(error_count: int, base_interval: timedelta, rng: random.Random) -> timedelta:
    if error_count == 0:
        return base_interval
    base = base_interval.total_seconds()
    ceiling = min(base * 2 ** min(error_count, _MAX_EXPONENT), MAX_BACKOFF.total_seconds())
    ceiling = max(ceiling, base)
    return timedelta(seconds=rng.uniform(base, ceiling))


def parse_retry_after(value: str, now: datetime) -> timedelta | None:
    """The wait a Retry-After header asks for, or None if the value is not valid.

    RFC 9110 10.2.3 allows delta-seconds (``120``) or an HTTP-date; a date is measured from ``now``
    (timezone-aware; pass the response's Date header when there is one, so a skewed local clock does
    not distort it). A date in the past means "now": zero.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    value = value.strip()
    if value.isascii() and value.isdigit():
        return timedelta(seconds=min(int(value), _MAX_DELTA_SECONDS))
    when = parse_http_date(value)
    if when is None:
        return None
    return max(when - now, timedelta(0))


def parse_http_date(value: str) -> datetime | None:
    """An HTTP-date (IMF-fixdate, RFC 850 or asctime form; RFC 9110 5.6.7) as aware UTC."""
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    # asctime dates carry no zone; RFC 9110 says HTTP-dates are always UTC.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
