"""Recording what each source does, as it happens: new items (and so its rhythm) and fetch
results. Called by ingest and polling; a few indexed writes per payload, never a scan -- and for
the payloads of many sources applied in one desk session, a few writes for all of them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from wiredesk.core.cadence import Cadence
from wiredesk.newsroom import clock
from wiredesk.newsroom.health.models import SourceDay, SourceHealth

# Sources per statement: well under SQLite's and PostgreSQL's limits on bound parameters.
_CHUNK = 400


def items_arrived(source_id: int, new_items: int, at: datetime | None = None) -> None:
    """``new_items`` new stories arrived from the source (a payload's new ones)."""
    sources_items_arrived({source_id: new_items}, at)


def sources_items_arrived(new_items: Mapping[int, int], at: datetime | None = None) -> None:
    """As :func:`items_arrived` for several sources (source id -> its new stories), in a few
    statements whatever their number: a desk session applies the payloads of many feeds."""
    arrived = {source_id: n for source_id, n in sorted(new_items.items()) if n > 0}
    if not arrived:
        return
    at = at or clock.now()
    _add_to_days({source_id: (n, 0) for source_id, n in arrived.items()}, at)
    _observe_arrivals(list(arrived), at)


def _observe_arrivals(ids: list[int], at: datetime) -> None:
    """Each source's rhythm sees an arrival at ``at``: its row created if missing, locked in
    id order (two sessions touching the same sources cannot deadlock), written back. Plain
    statements: the ORM's bulk update of a few rows cost more than running it, every session."""
    field = SourceHealth._meta.get_field("cadence")
    table = connection.ops.quote_name(SourceHealth._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    empty = field.get_db_prep_save({}, connection)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            cursor.execute(f"INSERT INTO {table} (source_id, cadence, failing_since) VALUES "
                           f"{', '.join(['(%s, %s, NULL)'] * len(chunk))} "
                           f"ON CONFLICT (source_id) DO NOTHING",
                           [value for pk in chunk for value in (pk, empty)])
            cursor.execute(f"SELECT source_id, cadence FROM {table} "
                           f"WHERE source_id IN ({', '.join(['%s'] * len(chunk))}) "
                           f"ORDER BY source_id{lock}", chunk)
            rows = []
            for pk, stored in cursor.fetchall():
                # JSON text (Django reads jsonb as text, to decode it itself), or decoded already.
                learned = stored if isinstance(stored, dict) else json.loads(stored)
                cadence = Cadence.from_json(learned)
                cadence.observe(at)
                rows.append((field.get_db_prep_save(cadence.to_json(), connection), pk))
            cursor.executemany(f"UPDATE {table} SET cadence = %s WHERE source_id = %s", rows)


def _add_to_days(counts: Mapping[int, tuple[int, int]], at: datetime) -> None:
    """Add (new items, fetch errors) to each source's day, creating the day: one statement, and
    no race with another process creating the same day."""
    table = SourceDay._meta.db_table
    day = connection.ops.adapt_datefield_value(at.date())
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(counts))
    params: list[Any] = []
    for source_id, (items, errors) in counts.items():
        params += [source_id, day, items, errors]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (source_id, day, items, errors) VALUES {rows} "
                       f"ON CONFLICT (source_id, day) DO UPDATE SET "
                       f"items = {table}.items + excluded.items, "
                       f"errors = {table}.errors + excluded.errors", params)


def fetch_failed(source_id: int, at: datetime | None = None) -> None:
    at = at or clock.now()
    _add_to_days({source_id: (0, 1)}, at)
    SourceHealth.objects.get_or_create(source_id=source_id)
    SourceHealth.objects.filter(source_id=source_id, failing_since__isnull=True).update(
        failing_since=at)


def fetch_succeeded(source_id: int) -> None:
    SourceHealth.objects.filter(source_id=source_id, failing_since__isnull=False).update(
        failing_since=None)
