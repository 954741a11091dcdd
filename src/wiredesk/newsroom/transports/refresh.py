"""One readable refresh of a polled source, end to end: fetch → store → parse → apply → bookkeeping.

Errors of any kind end up on the source (count, message, time) and push its next check back with
jittered exponential backoff (honouring Retry-After); they never escape to stop the other sources.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from wiredesk.core.addresses import AddressPolicy
from wiredesk.core.backoff import next_check_after
from wiredesk.core.errors import FetchError, ParseError
from wiredesk.ingest.fetch import FetchPolicy, FetchResult, fetch_feed
from wiredesk.newsroom import metrics
from wiredesk.newsroom.health import record as health
from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.transports.ingest import IngestReport, process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)

# A 301/308 must be seen on this many consecutive polls before the stored URL changes: one
# misconfigured response should not move a source for good.
REDIRECTS_BEFORE_ADOPTING = 2

# What a poll writes on its source: only these fields, so a poll never overwrites what ingest
# recorded on the row meanwhile (item errors, the latest item problem) with the values it read
# before the fetch -- and a 304 writes a dozen columns, not the whole row.
POLL_FIELDS = ["url", "etag", "last_modified", "redirect_url", "redirect_seen", "error_count",
               "last_error", "last_error_at", "last_success_at", "last_fetch_at",
               "next_check_at", "lease_until"]

# Applies a stored payload: its report, or raises ParseError (see refresh_source's ``apply``).
Apply = Callable[[WriteDesk, RawPayload], IngestReport]


@dataclass(slots=True)
class RefreshReport:
    source: Source
    status: str  # "ok", "not modified" or "error"
    ingest: IngestReport = field(default_factory=IngestReport)
    error: str = ""

    def line(self) -> str:
        label = f"[{self.source.pk}] {self.source.name}"
        if self.status == "error":
            return f"{label}: ERROR {self.error}"
        if self.status == "not modified":
            return f"{label}: not modified (0 new, 0 updated)"
        return f"{label}: {self.ingest.summary()}"


def fetch_policy() -> FetchPolicy:
    return FetchPolicy(
        connect_timeout=settings.WIREDESK_FETCH_CONNECT_TIMEOUT,
        total_timeout=settings.WIREDESK_FETCH_TOTAL_TIMEOUT,
        max_bytes=settings.WIREDESK_FETCH_MAX_BYTES,
        address_policy=AddressPolicy.allowing(settings.WIREDESK_FETCH_ALLOW_NETWORKS),
    )


def refresh_source(desk: WriteDesk, source: Source, *,
                   apply: Apply = process_payload) -> RefreshReport:
    """Poll one source once, writing with ``desk``. The caller holds the source's lease.

    ``apply`` processes the stored payload (parse and apply its items); a worker passes one that
    applies the payloads its threads fetched together (:mod:`wiredesk.newsroom.workers.applier`).
    """
    now = timezone.now()
    source.last_fetch_at = now
    started = time.perf_counter()
    try:
        result = fetch_feed(source.url, etag=source.etag, last_modified=source.last_modified,
                            policy=fetch_policy())
    except FetchError as exc:
        metrics.record_fetch(source.slug, "error", time.perf_counter() - started)
        return _failed(source, str(exc), getattr(exc, "retry_after", None))
    metrics.record_fetch(source.slug, result.status, time.perf_counter() - started)
    _remember_validators(source, result)
    _follow_permanent_redirect(source, result)
    if result.status == "not_modified":
        _succeeded(source)
        return RefreshReport(source, "not modified")
    payload = store_payload(source, result.body, origin=result.final_url,
                            content_type=result.content_type)
    try:
        report = apply(desk, payload)
    except ParseError as exc:
        return _failed(source, str(exc), None)
    _succeeded(source)
    return RefreshReport(source, "ok", report)


def _remember_validators(source: Source, result: FetchResult) -> None:
    # RFC 9111 4.3.4: validators from a 200 or a 304 replace the stored ones (a 200 without them
    # clears them; on a 304 fetch_feed carries the stored ones over).
    source.etag, source.last_modified = result.etag[:500], result.last_modified[:100]


def _follow_permanent_redirect(source: Source, result: FetchResult) -> None:
    target = result.permanent_redirect_url
    if not target:
        source.redirect_url, source.redirect_seen = "", 0
        return
    source.redirect_seen = source.redirect_seen + 1 if target == source.redirect_url else 1
    source.redirect_url = target
    if source.redirect_seen >= REDIRECTS_BEFORE_ADOPTING:
        log.info("source %s moved permanently: %s -> %s", source.pk, source.url, target)
        source.url, source.redirect_url, source.redirect_seen = target, "", 0
        source.etag = source.last_modified = ""


def _interval(source: Source) -> timedelta:
    return timedelta(seconds=source.poll_interval or settings.WIREDESK_POLL_INTERVAL)


def _succeeded(source: Source) -> None:
    now = timezone.now()
    source.error_count, source.last_success_at = 0, now
    health.fetch_succeeded(source.pk)
    source.next_check_at, source.lease_until = now + _interval(source), None
    source.save(update_fields=POLL_FIELDS)


def _failed(source: Source, message: str, retry_after: timedelta | None) -> RefreshReport:
    now = timezone.now()
    source.error_count += 1
    health.fetch_failed(source.pk)
    source.last_error, source.last_error_at = message, now
    source.next_check_at = now + next_check_after(
        source.error_count, base_interval=_interval(source), retry_after=retry_after,
        rng=random.Random())
    source.lease_until = None
    source.save(update_fields=POLL_FIELDS)
    log.warning("source %s (%s): %s", source.pk, source.name, message)
    return RefreshReport(source, "error", error=message)
