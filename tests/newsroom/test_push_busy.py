"""A push that cannot be stored because SQLite's one writer is busy is refused with 503 and
Retry-After, never a 500, and nothing half-stored (real SQLite file, a second connection holding
the write lock)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.sources import add_push_source

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def short_busy_timeout() -> Iterator[None]:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single writer")
    options = connection.settings_dict["OPTIONS"]
    before = options.get("timeout")
    connection.close()
    options["timeout"] = 0.2  # the default 20 s, shortened so the test waits a moment
    yield
    connection.close()
    options["timeout"] = before


def test_a_push_while_the_database_is_busy_is_refused_with_503_and_nothing_stored(
        client: Client, short_busy_timeout: None) -> None:
    source, credentials = add_push_source("Busy Wire")
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        response = client.post(f"/push/{source.slug}/", data=b'{"uri": "urn:x:1"}',
                               content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {credentials.token}")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "busy"
    assert not RawPayload.objects.filter(source=source).exists()
    # Once the writer is done, the same push is stored.
    again = client.post(f"/push/{source.slug}/", data=b'{"uri": "urn:x:1"}',
                        content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {credentials.token}")
    assert again.status_code == 202
    assert Source.objects.get(pk=source.pk).payloads.count() == 1
