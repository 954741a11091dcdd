"""Recording what each source does, as it happens: new items (and so its rhythm) and fetch
results. Called by ingest and polling; a few indexed writes per payload, never a scan -- and for
the payloads of many sources applied in one desk session, a few writes for all of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from wiredesk.core.cadence import Cadence
from wiredesk.newsroom import clock
from wiredesk.newsroom.health.models import SourceDay, SourceHealth


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
    ids = list(arrived)
    with transaction.atomic():
        SourceHealth.objects.bulk_create([SourceHealth(source_id=pk) for pk in ids],
                                         ignore_conflicts=True)
        # Locked in id order, so two sessions touching the same sources cannot deadlock.
        rows = list(SourceHealth.objects.select_for_update().filter(source_id__in=ids)
                    .order_by("source_id"))
        for health in rows:
            cadence = Cadence.from_json(health.cadence)
            cadence.observe(at)
            health.cadence = cadence.to_json()
        SourceHealth.objects.bulk_update(rows, ["cadence"])


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
