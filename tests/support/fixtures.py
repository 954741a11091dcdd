"""Pytest fixtures for the test support helpers (imported by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer
from wiredesk.newsroom import clock

__all__ = ["desk_clock", "editor", "feed_server"]


@pytest.fixture
def desk_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The desk's clock pinned to :data:`tests.support.clock.DESK_NOW`; the test moves it."""
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running :class:`FeedServer` on 127.0.0.1 with no routes yet; stopped after the test."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def editor(client: Client, db: None) -> Client:
    """The test client, logged in to the admin as a superuser named "editor"."""
    User.objects.create_superuser("editor", "editor@example.com", "a long passphrase")
    client.login(username="editor", password="a long passphrase")
    return client
