"""Which sources are due, who polls or scans them, and the worker loop.

A source is claimed by writing a lease (``lease_until``) in a short transaction; a source under a
live lease is not due, so two workers never poll the same source (or scan the same drop folder) at
once, on any database. On PostgreSQL the claim also uses ``SELECT … FOR UPDATE SKIP LOCKED`` so
concurrent claimers do not queue behind each other's row locks.

Beside the ingest threads, a worker runs the enrichment loop
(:func:`wiredesk.newsroom.enrichment.run_enricher`) unless ``WIREDESK_ENRICH`` is off.

Each tick of the worker also applies the clock's changes (embargoes, expiry) and, every
:data:`~wiredesk.newsroom.inbox.RECOVER_AFTER`, processes payloads a crashed process left stored
but unprocessed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from wiredesk.ingest.dropfolder import Sighting
from wiredesk.newsroom.enrichment import run_enricher
from wiredesk.newsroom.folders import scan_claimed
from wiredesk.newsroom.inbox import RECOVER_AFTER, process_pending
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.refresh import RefreshReport, refresh_source
from wiredesk.newsroom.timed import apply_timed_changes

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
# `wiredesk fetch` polls; the worker polls and watches drop folders. Push sources need no claim.
POLLED = (Source.Transport.POLL,)
WATCHED = (Source.Transport.POLL, Source.Transport.FOLDER)

T = TypeVar("T")


def claim(limit: int, *, source_ids: Iterable[int] | None = None,
          transports: Iterable[str] = POLLED) -> list[Source]:
    """Lease up to ``limit`` sources of the given transports: the due ones, or the named ones
    whatever their schedule."""
    now = timezone.now()
    with transaction.atomic():
        candidates = Source.objects.filter(is_active=True, transport__in=list(transports)).filter(
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
    """Poll due sources and scan drop folders until ``stop`` is set; with ``WIREDESK_ENRICH``,
    enrich stories in a thread of its own beside that."""
    log.info("worker started with %d threads", threads)
    if settings.WIREDESK_ENRICH:
        threading.Thread(target=run_enricher, args=(stop,), kwargs={"tick": tick},
                         name="wiredesk-enrich", daemon=True).start()
    # What this worker has seen in each drop folder, kept between scans to tell settled files.
    folders: defaultdict[int, dict[str, Sighting]] = defaultdict(dict)
    recover_at = 0.0  # at once: payloads may have been left unprocessed before a restart
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wiredesk-ingest") as pool:
        while not stop.is_set():
            _guarded("applying timed changes", apply_timed_changes)
            if time.monotonic() >= recover_at:
                _guarded("recovering unprocessed payloads", process_pending)
                recover_at = time.monotonic() + RECOVER_AFTER.total_seconds()
            sources = _guarded("claiming sources",
                               lambda: claim(threads, transports=WATCHED)) or []
            for line in pool.map(_work_on, sources, [folders[s.pk] for s in sources]):
                if line:
                    log.info("%s", line)
            if not sources:
                stop.wait(tick)
    log.info("worker stopped")


def _work_on(source: Source, seen: dict[str, Sighting]) -> str:
    """Refresh or scan one claimed source; returns the line to log ("" when nothing happened)."""
    if source.transport == Source.Transport.FOLDER:
        scan = scan_claimed(source, seen)
        return "" if scan.idle else scan.line()
    return refresh_claimed(source).line()


def _guarded(what: str, step: Callable[[], T]) -> T | None:
    """Run one step of the tick; a failure is logged and the step retried at the next tick."""
    try:
        return step()
    except Exception:
        log.exception("%s failed; retrying at the next tick", what)
        return None
    finally:
        connection.close()
