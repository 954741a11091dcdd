"""Processing payloads that are already stored: pushed ones in the background, ones a crash left
unprocessed, and re-processing on request.

Every transport stores the payload first (:func:`store`) and processes it second, so a payload is
never lost between the two: if the process dies in between, the payload stays ``received`` and the
worker's tick picks it up again (:func:`process_pending`). A payload that cannot be parsed is
quarantined (outcome ``failed``, with its error) until someone re-processes it after a fix.
Processing the same payload twice is harmless: identical versions change nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections, connection
from django.db.models import F
from django.utils import timezone

from wiredesk.core.errors import ParseError
from wiredesk.newsroom.ingest import IngestReport, process_payload, store_payload
from wiredesk.newsroom.models import RawPayload, Source

log = logging.getLogger(__name__)

# A payload still unprocessed this long after it arrived was dropped by a process that died (or
# is stuck); the background thread that received it normally finishes within a second.
RECOVER_AFTER = timedelta(seconds=30)
# Payloads recovered per worker tick, so a backlog does not hold up polling for long.
RECOVER_PER_TICK = 20
# Threads processing pushed payloads in one web process. Writers queue on the database anyway
# (SQLite has one), so a few threads keep a burst of pushes from piling up threads without
# slowing the common case of one push at a time.
BACKGROUND_THREADS = 4


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


def process(payload: RawPayload) -> Processed:
    """Parse and apply a stored payload (again). A ParseError quarantines it; other errors raise."""
    try:
        report = process_payload(payload, base_url=payload.source.url)
    except ParseError as exc:
        return Processed(payload, error=str(exc))
    return Processed(payload, report=report)


def reprocess(payloads: Iterable[RawPayload]) -> list[Processed]:
    """Process each payload again, in the order given; one failure never stops the others."""
    return [_process_or_quarantine(payload) for payload in payloads]


def process_pending(*, now: datetime | None = None,
                    limit: int = RECOVER_PER_TICK) -> list[Processed]:
    """Process payloads left ``received`` for longer than :data:`RECOVER_AFTER` (oldest first)."""
    cutoff = (now or timezone.now()) - RECOVER_AFTER
    pending = (RawPayload.objects.select_related("source")
               .filter(outcome=RawPayload.Outcome.RECEIVED, received_at__lt=cutoff)
               .order_by("pk")[:limit])
    results = []
    for payload in pending:
        log.warning("payload %s was never processed; processing it now", payload.pk)
        results.append(_process_or_quarantine(payload))
    return results


def _process_or_quarantine(payload: RawPayload) -> Processed:
    """Process a payload; an unexpected error quarantines it too, so it is not retried forever."""
    try:
        return process(payload)
    except Exception as exc:
        log.exception("processing payload %s crashed", payload.pk)
        error = f"internal error while processing: {exc}"
        payload.outcome, payload.error = RawPayload.Outcome.FAILED, error
        RawPayload.objects.filter(pk=payload.pk).update(outcome=payload.outcome, error=error)
        return Processed(payload, error=error)


def process_in_background(payload_id: int) -> None:
    """Process a stored payload soon, in a thread of this process; returns at once."""
    _pool().submit(_process_in_thread, payload_id)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    # One pool per process, made on first use: a pushed payload must be processed after the
    # request that brought it has been answered, so neither the request nor the view can own it.
    return ThreadPoolExecutor(max_workers=BACKGROUND_THREADS, thread_name_prefix="wiredesk-inbox")


def _process_in_thread(payload_id: int) -> None:
    close_old_connections()
    try:
        payload = RawPayload.objects.select_related("source").get(pk=payload_id)
        if payload.outcome == RawPayload.Outcome.RECEIVED:  # not recovered meanwhile
            record_delivery(payload.source_id, process(payload).error)
    except Exception:
        # The payload stays "received": the worker's recovery will try it once more.
        log.exception("processing payload %s in the background failed", payload_id)
    finally:
        connection.close()


def record_delivery(source_id: int, error: str) -> None:
    """Keep a push or folder source's health like a polled one's: errors count until a success."""
    now = timezone.now()
    sources = Source.objects.filter(pk=source_id)
    if error:
        sources.update(error_count=F("error_count") + 1, last_error=error, last_error_at=now)
    else:
        sources.update(error_count=0, last_success_at=now)
