"""Pytest fixtures for the test support helpers (imported by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.feedserver import FeedServer

__all__ = ["feed_server"]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running :class:`FeedServer` on 127.0.0.1 with no routes yet; stopped after the test."""
    with FeedServer() as server:
        yield server
