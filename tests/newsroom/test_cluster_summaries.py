"""Cluster summaries as the database cluster store writes and reads them (write/clustering.py):
what one store flushes, a fresh store -- another process -- reads back exactly, floats to the
last bit, so both decide alike."""

from __future__ import annotations

import pytest

from wiredesk.cluster import Cluster as Summary
from wiredesk.cluster.clusters import Headline, Sample
from wiredesk.newsroom.write.clustering import DatabaseStore
from wiredesk.newsroom.write.deskstate import ClusterSummary

pytestmark = pytest.mark.django_db


def summary() -> Summary:
    cluster = Summary(id="s1", first_seen=1_700_000_000.125, last_seen=1_700_003_600.5, size=2,
                      terms={"ölpreis": 0.1 + 0.2, "1,200": 1 / 3, "quake": 2.0 ** -40},
                      entities={"são paulo": 0.7071067811865476}, years={"2026": 2.0},
                      headlines=[Headline("1", "Erdbeben \u201ctrifft\u201d Küste", 1.5)],
                      members=[], index_keys=["ölpreis", "quake"],
                      samples=[Sample("1", 1.5, {"quake": 0.9999999999999999}, {}, ("2026",))])
    cluster.cap(100, 60, 8)
    return cluster


def test_a_fresh_store_reads_back_exactly_what_another_flushed() -> None:
    writer = DatabaseStore()
    writer.mark_started()
    writer.advance(1_700_003_600.5, 0.0)
    writer.save(summary())
    writer.flush()
    reader = DatabaseStore()
    found = reader.get(["s1", "missing"])
    assert list(found) == ["s1"]
    assert found["s1"].to_state() == summary().to_state()
    assert found["s1"].terms["ölpreis"] == 0.1 + 0.2  # not 0.3: every bit kept


def test_a_stored_state_that_is_not_an_object_is_refused() -> None:
    ClusterSummary.objects.create(key="bad", last_seen=1.0, state=[1, 2])
    store = DatabaseStore()
    store.mark_started()
    with pytest.raises(ValueError, match="not a JSON object"):
        store.get(["bad"])


def test_summaries_are_compressed_with_lz4_where_postgresql_has_it() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's TOAST compression (migration 0031)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                       "WHERE name = 'default_toast_compression'")
        (available,) = cursor.fetchone()
        cursor.execute("SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass "
                       "AND attname = 'state'", [ClusterSummary._meta.db_table])
        (method,) = cursor.fetchone()
    assert method == ("l" if available else "")
