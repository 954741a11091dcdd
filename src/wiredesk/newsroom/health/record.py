"""Recording what each source does, as it happens: new items (and so its rhythm) and fetch
results. Called by ingest and polling; a few indexed writes per payload, never a scan."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from wiredesk.core.cadence import Cadence
from wiredesk.newsroom import clock
from wiredesk.newsroom.health.models import SourceDay, SourceHealth


def items_arrived(source_id: int, new_items: int, at: datetime | None = None) -> None:
    """``new_items`` new stories arrived from the source (a payload's new ones)."""
    if new_items <= 0:
        return
    at = at or clock.now()
    _count(source_id, at, items=new_items)
    with transaction.atomic():
        health = _health_for_update(source_id)
        cadence = Cadence.from_json(health.cadence)
        cadence.observe(at)
        health.cadence = cadence.to_json()
        health.save(update_fields=["cadence"])


def fetch_failed(source_id: int, at: datetime | None = None) -> None:
    at = at or clock.now()
    _count(source_id, at, errors=1)
    SourceHealth.objects.get_or_create(source_id=source_id)
    SourceHealth.objects.filter(source_id=source_id, failing_since__isnull=True).update(
        failing_since=at)


def fetch_succeeded(source_id: int) -> None:
    SourceHealth.objects.filter(source_id=source_id, failing_since__isnull=False).update(
        failing_since=None)


def _count(source_id: int, at: datetime, *, items: int = 0, errors: int = 0) -> None:
    day = at.date()
    updated = SourceDay.objects.filter(source_id=source_id, day=day).update(
        items=F("items") + items, errors=F("errors") + errors)
    if not updated:
        try:
            with transaction.atomic():
                SourceDay.objects.create(source_id=source_id, day=day, items=items,
                                         errors=errors)
        except IntegrityError:  # another process created the day meanwhile
            SourceDay.objects.filter(source_id=source_id, day=day).update(
                items=F("items") + items, errors=F("errors") + errors)


def _health_for_update(source_id: int) -> SourceHealth:
    SourceHealth.objects.get_or_create(source_id=source_id)
    return SourceHealth.objects.select_for_update().get(source_id=source_id)
