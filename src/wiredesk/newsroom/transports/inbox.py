"""Processing payloads that are already stored: pushed ones in the background, ones a crash left
unprocessed, and re-processing on request.

Every transport stores the payload first (:func:`store`) and processes it second, so a payload is
never lost between the two. A stored payload is claimed by the process that stored it (see
:mod:`wiredesk.newsroom.workers.leases`) until processed; if that process dies first, the payload
stays ``received`` and whichever process looks next -- a worker, ``wiredesk run``, ``serve`` or
``import`` starting up, or a running worker's next tick -- takes it and processes it at full speed
(:func:`recover`): at once when the dead process ran on the same machine, else once its claim
expired. A payload that cannot be parsed is quarantined (outcome ``failed``, with its error) until
someone re-processes it after a fix. Processing the same payload twice is harmless: identical
versions change nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime

from django.db import close_old_connections, connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from wiredesk.core.errors import ParseError
from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.transports.ingest import (
    IngestReport,
    Prepared,
    apply_prepared,
    process_payload,
    process_payloads,
    store_payload,
)
from wiredesk.newsroom.workers import leases
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)

# Payloads taken per recovery step: a backlog is recovered in steps of this size, one after the
# other, so a step's claim stays fresh and another recovering process can share the work. Each
# step is one session of the desk (its fixed costs -- catching up, the cluster state read,
# publishing, committing -- paid once per step); parsing and the gate come before the session,
# so the database's writer is held about a second per step, not the whole step.
RECOVER_BATCH = 200
# ... except a pass's first step, which is small: the desk starts applying after a short step's
# preparation (the next step is prepared meanwhile) instead of a full one's -- at a restart,
# when a crash left the most behind, while every process is still starting up and the cores
# are shared. Traced in benchmarks/crash_recovery.py --split, the first session began 1.2-1.5 s
# sooner, and sessions then ran back to back as before.
RECOVER_FIRST_STEP = 50
# Threads processing pushed payloads in one web process. Writers queue on the database anyway
# (SQLite has one), so a few threads keep a burst of pushes from piling up threads without
# slowing the common case of one push at a time.
BACKGROUND_THREADS = 4
_claiming = threading.Lock()


@dataclass(slots=True)
class Processed:
    """What processing one stored payload did: its report, or the error it is quarantined with."""

    payload: RawPayload
    report: IngestReport | None = None
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.report is None

    def line(self) -> str:
        label = f"payload {self.payload.pk} [{self.payload.source.name}, {self.payload.transport}]"
        if self.report is None:
            return f"{label}: failed: {self.error}"
        return f"{label}: {self.payload.outcome}: {self.report.summary()}"


def store(source: Source, body: bytes, *, transport: str, origin: str,
          content_type: str = "") -> RawPayload:
    """Store a received payload, unprocessed, recording which transport brought it."""
    return store_payload(source, body, origin=origin, content_type=content_type,
                         transport=transport)


def process(desk: WriteDesk, payload: RawPayload) -> Processed:
    """Parse and apply a stored payload (again). A ParseError quarantines it; other errors raise."""
    try:
        report = process_payload(desk, payload, base_url=payload.source.url)
    except ParseError as exc:
        return Processed(payload, error=str(exc))
    return Processed(payload, report=report)


def reprocess(desk: WriteDesk, payloads: Iterable[RawPayload]) -> list[Processed]:
    """Process each payload again, in the order given; one failure never stops the others."""
    return [_process_or_quarantine(desk, payload) for payload in payloads]


def orphans(now: datetime | None = None) -> QuerySet[RawPayload]:
    """Payloads still ``received`` that no live process holds: unclaimed, claim expired, or
    claimed by a process of this machine that is gone."""
    now = now or timezone.now()
    received = RawPayload.objects.filter(outcome=RawPayload.Outcome.RECEIVED)
    holders = received.filter(claim_until__gte=now).values_list("claimed_by", flat=True)
    dead = leases.dead_among(holders.distinct())
    return received.filter(Q(claim_until__isnull=True) | Q(claim_until__lt=now)
                           | Q(claimed_by__in=dead))


def claim_orphans(limit: int = RECOVER_BATCH, *,
                  now: datetime | None = None) -> list[RawPayload]:
    """Take up to ``limit`` orphaned payloads for this process (oldest first)."""
    now = now or timezone.now()
    # One claim at a time in this process: two threads share one holder name, so only the lock
    # tells their claims apart; across processes the UPDATE's own condition does.
    with _claiming:
        ids = list(orphans(now).order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        me = leases.holder()
        orphans(now).filter(pk__in=ids).update(claimed_by=me, claim_until=leases.expiry(now))
        return list(RawPayload.objects.select_related("source")
                    .filter(pk__in=ids, claimed_by=me, outcome=RawPayload.Outcome.RECEIVED)
                    .order_by("pk"))


def process_pending(desk: WriteDesk, *, now: datetime | None = None,
                    limit: int = RECOVER_BATCH) -> list[Processed]:
    """One recovery step: take up to ``limit`` orphaned payloads and process them, together
    (:func:`process_together`)."""
    payloads = claim_orphans(limit, now=now)
    if payloads:  # one line per step, not per payload: a backlog can be thousands
        log.warning("%d payloads (ids %s to %s) were left unprocessed by a stopped process; "
                    "processing them now", len(payloads), payloads[0].pk, payloads[-1].pk)
    results = process_together(desk, payloads)
    record_deliveries([(processed.payload.source_id, processed.error) for processed in results
                       if processed.payload.transport == Source.Transport.PUSH])  # as on arrival
    return results


def process_together(desk: WriteDesk, payloads: list[RawPayload],
                     prepared: list[Prepared] | None = None) -> list[Processed]:
    """Process stored payloads in order, in one session of the desk: a backlog of one-item
    payloads (a push burst a crash left behind) then pays the session's fixed costs -- catching
    up, locking, committing -- once, not once per payload, and every decision is the one the
    payloads would get one after the other. ``prepared``: the payloads already prepared
    (:func:`~wiredesk.newsroom.transports.ingest.prepare_payloads`, in the same order), e.g.
    by the threads that fetched them, so that only deciding and writing is left. If anything
    but a ParseError goes wrong, nothing of the session is kept and each payload is processed
    again in a session of its own, so one bad payload is quarantined alone."""
    if len(payloads) < 2 and prepared is None:
        return [_process_or_quarantine(desk, payload) for payload in payloads]
    try:
        results = (apply_prepared(desk, prepared) if prepared is not None
                   else process_payloads(desk, payloads))
        return [Processed(payload, error=str(result)) if isinstance(result, ParseError)
                else Processed(payload, report=result)
                for payload, result in zip(payloads, results, strict=True)]
    except Exception:
        log.warning("processing %d payloads together failed; processing them one by one",
                    len(payloads), exc_info=True)
    return [_process_or_quarantine(desk, payload) for payload in payloads]


def recover(desk: WriteDesk, *, stop: threading.Event | None = None) -> int:
    """Process every orphaned payload, step after step, until none is left (or ``stop`` is set);
    returns how many were processed."""
    done = 0
    while not (stop and stop.is_set()):
        step = process_pending(desk, limit=RECOVER_BATCH if done else RECOVER_FIRST_STEP)
        if not step:
            break
        done += len(step)
    return done


def _process_or_quarantine(desk: WriteDesk, payload: RawPayload) -> Processed:
    """Process a payload; an unexpected error quarantines it too, so it is not retried forever."""
    try:
        return process(desk, payload)
    except Exception as exc:
        log.exception("processing payload %s crashed", payload.pk)
        error = f"internal error while processing: {exc}"
        payload.outcome, payload.error = RawPayload.Outcome.FAILED, error
        RawPayload.objects.filter(pk=payload.pk).update(outcome=payload.outcome, error=error)
        return Processed(payload, error=error)


class Background:
    """Pushed payloads processed after the request that brought them has been answered, in a
    few threads of the web process, with that process's write desk (one for its life)."""

    def __init__(self, desk: WriteDesk, threads: int = BACKGROUND_THREADS) -> None:
        self.desk = desk
        self._threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._starting = threading.Lock()
        self._pending: set[Future[None]] = set()

    def submit(self, payload_id: int) -> None:
        """Process a stored payload soon, in a thread of this process; returns at once."""
        with self._starting:  # made on first use: most web processes never receive a push
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._threads,
                                                thread_name_prefix="wiredesk-inbox")
            future = self._pool.submit(self.process, payload_id)
            self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every payload submitted so far is processed (or ``timeout`` seconds have
        passed); returns whether it is. For whoever must not pull the database from under the
        threads -- a test's teardown emptying it, a process about to exit."""
        with self._starting:
            pending = set(self._pending)
        return not wait(pending, timeout=timeout).not_done

    def process(self, payload_id: int) -> None:
        """Process one stored payload in the calling thread, with its own connection."""
        close_old_connections()
        try:
            payload = RawPayload.objects.select_related("source").get(pk=payload_id)
            # Not recovered meanwhile by another process (which would have taken it over).
            if (payload.outcome == RawPayload.Outcome.RECEIVED
                    and payload.claimed_by in ("", leases.holder())):
                record_delivery(payload.source_id, process(self.desk, payload).error)
        except Exception:
            # The payload stays "received": recovery tries it once more when its claim expires.
            log.exception("processing payload %s in the background failed", payload_id)
        finally:
            connection.close()


def record_deliveries(deliveries: list[tuple[int, str]]) -> None:
    """:func:`record_delivery` for many deliveries, in order: per source, one UPDATE leaving the
    state the deliveries, recorded one after the other, would leave."""
    by_source: dict[int, list[str]] = {}
    for source_id, error in deliveries:
        by_source.setdefault(source_id, []).append(error)
    now = timezone.now()
    for source_id, errors in by_source.items():
        failed = [error for error in errors if error]
        if not failed:
            Source.objects.filter(pk=source_id).update(error_count=0, last_success_at=now)
            continue
        # Errors count from the last success (which resets the count), or add to the count.
        after = len(errors) - 1 - max((n for n, error in enumerate(errors) if not error),
                                      default=-1)
        count = after if len(failed) < len(errors) else F("error_count") + after
        fields: dict[str, object] = {"error_count": count, "last_error": failed[-1],
                                     "last_error_at": now}
        if len(failed) < len(errors):
            fields["last_success_at"] = now
        Source.objects.filter(pk=source_id).update(**fields)


def record_delivery(source_id: int, error: str) -> None:
    """Keep a push or folder source's health like a polled one's: errors count until a success."""
    now = timezone.now()
    sources = Source.objects.filter(pk=source_id)
    if error:
        sources.update(error_count=F("error_count") + 1, last_error=error, last_error_at=now)
    else:
        sources.update(error_count=0, last_success_at=now)
