"""Which sources are due, who polls them, and the worker loop.

A source is claimed by writing a lease (``lease_until``) in a short transaction; a source under a
live lease is not due, so two workers never poll the same source at once, on any database. On
PostgreSQL the claim also uses ``SELECT … FOR UPDATE SKIP LOCKED`` so concurrent claimers do not
queue behind each other's row locks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from wiredesk.newsroom.models import Source
from wiredesk.newsroom.refresh import RefreshReport, refresh_source
from wiredesk.newsroom.timed import apply_timed_changes

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)


def claim(limit: int, *, source_ids: Iterable[int] | None = None) -> list[Source]:
    """Lease up to ``limit`` sources: the due ones, or the named ones whatever their schedule."""
    now = timezone.now()
    with transaction.atomic():
        candidates = Source.objects.filter(is_active=True, transport=Source.Transport.POLL).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        if source_ids is None:
            candidates = candidates.filter(next_check_at__lte=now)
        else:
            candidates = candidates.filter(pk__in=list(source_ids))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.order_by("next_check_at").values_list("pk", flat=True)[:limit])
        Source.objects.filter(pk__in=ids).update(lease_until=now + LEASE)
    return list(Source.objects.filter(pk__in=ids).order_by("next_check_at"))


def refresh_claimed(source: Source) -> RefreshReport:
    """Refresh a leased source in a worker thread, with the thread's own database connection."""
    close_old_connections()
    try:
        return refresh_source(source)
    except Exception as exc:  # a bug must not kill the worker; it is recorded on the source
        log.exception("refresh of source %s crashed", source.pk)
        Source.objects.filter(pk=source.pk).update(
            lease_until=None, last_error=f"internal error: {exc}", last_error_at=timezone.now())
        return RefreshReport(source, "error", error=f"internal error: {exc}")
    finally:
        connection.close()


def run_worker(stop: threading.Event, *, threads: int, tick: float) -> None:
    """Poll due sources until ``stop`` is set."""
    log.info("worker started with %d threads", threads)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wiredesk-ingest") as pool:
        while not stop.is_set():
            try:
                apply_timed_changes()
                sources = claim(threads)
            except Exception:
                log.exception("could not apply timed changes or claim sources; retrying")
                sources = []
            finally:
                connection.close()
            for report in pool.map(refresh_claimed, sources):
                log.info("%s", report.line())
            if not sources:
                stop.wait(tick)
    log.info("worker stopped")
