"""Polling schedule after errors, and Retry-After parsing."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from wiredesk.core.backoff import (
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    next_check_after,
    parse_http_date,
    parse_retry_after,
)

BASE = timedelta(minutes=5)
NOW = datetime(2024, 7, 12, 14, 0, 0, tzinfo=UTC)


def _delays(error_count: int, samples: int = 200, seed: int = 7) -> list[timedelta]:
    rng = random.Random(seed)
    return [
        next_check_after(error_count, base_interval=BASE, retry_after=None, rng=rng)
        for _ in range(samples)
    ]


def test_no_errors_means_the_base_interval() -> None:
    assert next_check_after(0, base_interval=BASE, retry_after=None, rng=random.Random(1)) == BASE


@pytest.mark.parametrize("errors", [1, 2, 3, 5, 8, 12, 50, 10_000])
def test_jitter_stays_within_bounds(errors: int) -> None:
    ceiling = min(BASE * 2 ** min(errors, 20), MAX_BACKOFF)
    for delay in _delays(errors):
        assert BASE <= delay <= ceiling


def test_backoff_grows_then_levels_off_at_the_cap() -> None:
    means = [statistics.mean(d.total_seconds() for d in _delays(n)) for n in range(0, 12)]
    assert means == sorted(means)  # monotone on average
    assert means[1] < means[3] < means[6]
    cap = MAX_BACKOFF.total_seconds()
    assert means[-1] <= cap
    assert means[-1] > 0.45 * cap  # uniform between the base and the cap: mean near half the cap


def test_jitter_actually_spreads_sources() -> None:
    assert len(set(_delays(4))) > 150


def test_same_seed_same_schedule() -> None:
    assert _delays(5, seed=42) == _delays(5, seed=42)


def test_base_interval_longer_than_the_cap_is_kept() -> None:
    daily = timedelta(days=1)
    delay = next_check_after(3, base_interval=daily, retry_after=None, rng=random.Random(1))
    assert delay == daily


def test_retry_after_is_a_minimum() -> None:
    rng = random.Random(3)
    hour = timedelta(hours=1)
    assert next_check_after(0, base_interval=BASE, retry_after=hour, rng=rng) == hour
    assert next_check_after(1, base_interval=BASE, retry_after=hour, rng=rng) == hour
    # A shorter Retry-After never shortens the normal schedule.
    short = timedelta(seconds=10)
    assert next_check_after(0, base_interval=BASE, retry_after=short, rng=rng) == BASE


def test_retry_after_is_capped() -> None:
    week = timedelta(days=7)
    delay = next_check_after(0, base_interval=BASE, retry_after=week, rng=random.Random(1))
    assert delay == MAX_RETRY_AFTER


@pytest.mark.parametrize(
    ("errors", "base"), [(-1, BASE), (0, timedelta(0)), (1, timedelta(seconds=-5))]
)
def test_invalid_arguments(errors: int, base: timedelta) -> None:
    with pytest.raises(ValueError):
        next_check_after(errors, base_interval=base, retry_after=None, rng=random.Random(1))


# --- Retry-After ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("Fri, 12 Jul 2024 14:02:00 GMT", timedelta(minutes=2)),  # IMF-fixdate
        ("Friday, 12-Jul-24 14:02:00 GMT", timedelta(minutes=2)),  # RFC 850
        ("Fri Jul 12 14:02:00 2024", timedelta(minutes=2)),  # asctime
        ("Fri, 12 Jul 2024 13:00:00 GMT", timedelta(0)),  # in the past: now
        ("99999999999999999999", timedelta(seconds=10**9)),  # clamped, no overflow
    ],
)
def test_parse_retry_after(value: str, expected: timedelta) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize("value", ["", "soon", "-5", "1.5", "١٢٠", "Fri, 32 Jul 2024 14:02:00 GMT"])
def test_parse_retry_after_rejects_garbage(value: str) -> None:
    assert parse_retry_after(value, NOW) is None


def test_parse_retry_after_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_retry_after("120", datetime(2024, 7, 12, 14, 0))


def test_parse_http_date_is_utc() -> None:
    assert parse_http_date("Fri, 12 Jul 2024 14:02:00 GMT") == datetime(
        2024, 7, 12, 14, 2, tzinfo=UTC
    )
    assert parse_http_date("not a date") is None
