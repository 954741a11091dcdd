"""Which sources are due, who polls or scans them, and the worker loop.

A source is claimed by writing a lease (``lease_until``) in a short transaction; a source under a
live lease is not due, so two workers never poll the same source (or scan the same drop folder) at
once, on any database. On PostgreSQL the claim also uses ``SELECT … FOR UPDATE SKIP LOCKED`` so
concurrent claimers do not queue behind each other's row locks.

Beside the ingest threads, a worker runs the enrichment loop
(:func:`wiredesk.newsroom.workers.enrichment.run_enricher`) unless ``WIREDESK_ENRICH`` is off, and
the picture job; both give way to the recovery of payloads a crash left
(:mod:`wiredesk.newsroom.workers.priority`).

A lease is short (:data:`~wiredesk.newsroom.workers.leases.LEASE`) and renewed while the worker
lives
(:class:`~wiredesk.newsroom.workers.leases.Keeper`), so a feed that takes long is never claimed
twice, and a
dead worker's sources are due again within one poll interval (at once for a worker that died on
the same machine); a worker that stops cleanly releases them.

Each tick of the worker also applies the clock's changes (embargoes, expiry). A thread of its own
processes payloads a stopped process left stored but unprocessed, at full speed, as soon as the
worker starts and whenever more turn up (:func:`wiredesk.newsroom.transports.inbox.recover`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from contextlib import suppress
from datetime import datetime
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from wiredesk.ingest.dropfolder import Sighting
from wiredesk.newsroom.health.check import run_health_checks
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.outbox.delivery import run_outbox
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.transports.folders import scan_claimed
from wiredesk.newsroom.transports.ingest import process_payload
from wiredesk.newsroom.transports.refresh import Apply, RefreshReport, refresh_source
from wiredesk.newsroom.workers import leases
from wiredesk.newsroom.workers.applier import Applier
from wiredesk.newsroom.workers.enrichment import run_enricher
from wiredesk.newsroom.workers.pictures import run_pictures
from wiredesk.newsroom.workers.priority import Recovering
from wiredesk.newsroom.workers.timed import apply_timed_changes
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)

# `wiredesk fetch` polls; the worker polls and watches drop folders. Push sources need no claim.
POLLED = (Source.Transport.POLL,)
WATCHED = (Source.Transport.POLL, Source.Transport.FOLDER)

T = TypeVar("T")

# Most seconds between two applications of the clock's changes (embargoes, expiry) while busy.
TIMED_EVERY = 1.0


def claim(limit: int, *, source_ids: Iterable[int] | None = None,
          transports: Iterable[str] = POLLED) -> list[Source]:
    """Lease up to ``limit`` sources of the given transports: the due ones, or the named ones
    whatever their schedule."""
    now = timezone.now()
    with transaction.atomic():
        candidates = Source.objects.filter(is_active=True, transport__in=list(transports)).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)
            | Q(lease_holder__in=_dead_holders(now)))
        if source_ids is None:
            candidates = candidates.filter(next_check_at__lte=now)
        else:
            candidates = candidates.filter(pk__in=list(source_ids))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.order_by("next_check_at").values_list("pk", flat=True)[:limit])
        Source.objects.filter(pk__in=ids).update(lease_until=leases.expiry(now),
                                                 lease_holder=leases.holder())
    return list(Source.objects.filter(pk__in=ids).order_by("next_check_at"))


def _dead_holders(now: datetime) -> list[str]:
    """Processes of this machine that hold a live lease but are gone (killed, crashed)."""
    return leases.dead_among(Source.objects.filter(lease_until__gte=now)
                             .values_list("lease_holder", flat=True).distinct())


def refresh_claimed(desk: WriteDesk, source: Source, *,
                    apply: Apply = process_payload) -> RefreshReport:
    """Refresh a leased source with the calling thread's database connection, kept from one
    poll to the next: opening one per poll cost a connection's start-up, and a new server
    process's cold caches, on every poll. One that failed or grew old is replaced first."""
    close_old_connections()
    try:
        return refresh_source(desk, source, apply=apply)
    except Exception as exc:  # a bug must not kill the worker; it is recorded on the source
        log.exception("refresh of source %s crashed", source.pk)
        connection.close()  # it may be the connection that broke
        Source.objects.filter(pk=source.pk).update(
            lease_until=None, last_error=f"internal error: {exc}", last_error_at=timezone.now())
        return RefreshReport(source, "error", error=f"internal error: {exc}")


def run_worker(stop: threading.Event, *, threads: int, tick: float) -> None:
    """Poll due sources and scan drop folders until ``stop`` is set, recovering payloads left
    unprocessed in a thread beside that; with ``WIREDESK_ENRICH``, enrich stories in another.
    The worker's threads write with one desk, the worker's own."""
    log.info("worker started with %d threads", threads)
    desk = WriteDesk()
    priority = Recovering()  # enrichment and pictures give way to recovery
    if settings.WIREDESK_ENRICH:
        threading.Thread(target=run_enricher, args=(stop,),
                         kwargs={"tick": tick, "priority": priority},
                         name="wiredesk-enrich", daemon=True).start()
    # Webhook events and hub pings (wiredesk.newsroom.outbox): waiting rows are sent by every
    # worker, each delivery claimed by one.
    threading.Thread(target=run_outbox, args=(stop,), kwargs={"tick": tick},
                     name="wiredesk-outbox", daemon=True).start()
    threading.Thread(target=run_health_checks, args=(stop,), name="wiredesk-health",
                     daemon=True).start()
    if settings.WIREDESK_IMAGES:
        threading.Thread(target=run_pictures, args=(stop,),
                         kwargs={"tick": tick, "priority": priority},
                         name="wiredesk-pictures", daemon=True).start()
    recoverers = [threading.Thread(target=run_recovery, args=(desk, stop),
                                   kwargs={"tick": tick, "priority": priority},
                                   name=f"wiredesk-recover-{n}", daemon=True)
                  for n in range(_recovery_threads())]
    for recoverer in recoverers:
        recoverer.start()
    # What this worker has seen in each drop folder, kept between scans to tell settled files.
    folders: defaultdict[int, dict[str, Sighting]] = defaultdict(dict)
    applier = Applier()
    with leases.kept(), ThreadPoolExecutor(max_workers=threads,
                                           thread_name_prefix="wiredesk-ingest") as pool:
        _keep_busy(desk, stop, pool, threads=threads, tick=tick, folders=folders,
                   apply=applier.apply)
        _close_connections(pool, threads)
        for recoverer in recoverers:
            recoverer.join(timeout=30)
    connection.close()  # releasing the leases used this thread's connection
    log.info("worker stopped")


def _close_connections(pool: ThreadPoolExecutor, threads: int) -> None:
    """Each ingest thread closes the connection it kept: one task per thread, held at a barrier
    until all have started, so no thread runs two of them."""
    barrier = threading.Barrier(threads)

    def close() -> None:
        with suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        connection.close()

    for future in [pool.submit(close) for _ in range(threads)]:
        future.result()


def _keep_busy(desk: WriteDesk, stop: threading.Event, pool: ThreadPoolExecutor, *,
               threads: int, tick: float,
               folders: defaultdict[int, dict[str, Sighting]], apply: Apply) -> None:
    """Start a claimed source as soon as an ingest thread is free, until ``stop`` is set. Not a
    batch of ``threads`` at a time: one slow feed (up to the fetch timeout) would leave the other
    threads idle until it finished. Sources are claimed ``threads`` at a time, though, and the
    ones no thread is free for wait here, leased, for the next free thread: a claim is a
    transaction of its own, which one poll of an unchanged feed (a 304) should not pay in full.
    Timed changes are applied at least every ``tick``, as when idle."""
    running: set[Future[str]] = set()
    ready: deque[Source] = deque()
    timed_at = float("-inf")
    while not stop.is_set():
        if time.monotonic() - timed_at >= min(tick, TIMED_EVERY):
            _guarded("applying timed changes", apply_timed_changes)
            timed_at = time.monotonic()
        free = threads - len(running)
        if free and not ready:
            ready.extend(_guarded("claiming sources",
                                  partial(claim, threads, transports=WATCHED)) or [])
        while free and ready:
            source = ready.popleft()
            running.add(pool.submit(_work_on, desk, source, folders[source.pk], apply))
            free -= 1
        if not running:
            stop.wait(tick)
            continue
        done, running = wait(running, timeout=tick, return_when=FIRST_COMPLETED)
        for future in done:
            _log_outcome(future)
    if ready:  # claimed but not started: free for another worker at once
        _guarded("releasing sources", partial(_release, [source.pk for source in ready]))
    for future in as_completed(running):  # a clean stop lets the work in hand finish
        _log_outcome(future)


def _release(ids: list[int]) -> None:
    Source.objects.filter(pk__in=ids, lease_holder=leases.holder()).update(lease_until=None)


def _log_outcome(future: Future[str]) -> None:
    try:
        line = future.result()
    except Exception:  # refresh records its own errors; this is a bug elsewhere (e.g. a scan)
        log.exception("a claimed source's work crashed")
        return
    if line:
        log.info("%s", line)


def _recovery_threads() -> int:
    """Two threads recover a backlog where the database takes concurrent writers (PostgreSQL):
    one applies a step in a session of the desk while the other prepares the next. More would
    only share the process's one core (Python's lock) with the step being applied, which is what
    a recovery waits for: with four, traced, the sessions ran slower and none sooner. SQLite has
    one writer: one thread."""
    return 2 if connection.vendor == "postgresql" else 1


def run_recovery(desk: WriteDesk, stop: threading.Event, *, tick: float,
                 priority: Recovering | None = None) -> None:
    """Process payloads a stopped process left unprocessed: all of them at once when the worker
    starts, then whatever turns up (a process dying elsewhere), looking every ``tick``. Each
    pass is one of ``priority``'s recovery passes, which the worker's secondary jobs wait for."""
    priority = priority or Recovering()
    try:
        while not stop.is_set():
            with priority.recovering():
                recovered = _guarded("recovering unprocessed payloads",
                                     lambda: inbox.recover(desk, stop=stop))
            if recovered:
                log.warning("recovered %d payloads left unprocessed by a stopped process",
                            recovered)
            stop.wait(tick)
    finally:
        connection.close()  # the thread's connection, kept between looks


def _work_on(desk: WriteDesk, source: Source, seen: dict[str, Sighting], apply: Apply) -> str:
    """Refresh or scan one claimed source; returns the line to log ("" when nothing happened)."""
    if source.transport == Source.Transport.FOLDER:
        scan = scan_claimed(desk, source, seen)
        return "" if scan.idle else scan.line()
    return refresh_claimed(desk, source, apply=apply).line()


def _guarded(what: str, step: Callable[[], T]) -> T | None:
    """Run one step of the tick; a failure is logged and the step retried at the next tick.
    The thread's connection is kept between steps (a claim every poll, timed changes every
    second); one that failed is closed, and one grown old replaced."""
    close_old_connections()
    try:
        return step()
    except Exception:
        log.exception("%s failed; retrying at the next tick", what)
        connection.close()
        return None
