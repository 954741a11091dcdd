"""Prometheus metrics: what the desk did, how long it took, and what is waiting.

``/metrics`` is off unless ``WIREDESK_METRICS_TOKEN`` is set, and then answers only a request
bearing that token (``Authorization: Bearer ...``): the figures name every source and show the
desk's backlogs, which are nobody else's business.

Across processes: ``wiredesk run`` serves from Granian's worker processes while its parent polls,
and a deployment runs ``serve`` and ``worker`` apart, so the counters and histograms use
prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``settings.py`` to
``$WIREDESK_DATA_DIR/metrics`` for those long-running commands unless given): every process
writes its own memory-mapped file and a scrape sums them, so ``/metrics`` from any web process
shows the whole desk. One-shot commands (``import``, ``fetch``) keep theirs in memory: their
files would pile up, one set per run. Backlogs are not
counted by processes at all but read from the database at scrape time, each through an index
whose size is the backlog's, not the archive's.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

ITEMS = Counter("wiredesk_items", "Items ingested, by source and outcome (new, updated, "
                "unchanged, stale, killed, refused, merged).", ["source", "outcome"])
PAYLOADS = Counter("wiredesk_payloads", "Payloads processed, by source and outcome (parsed, "
                   "partial, failed).", ["source", "outcome"])
FETCHES = Counter("wiredesk_fetches", "Polls of a source's feed, by source and result (ok, "
                  "not_modified, error).", ["source", "result"])
FETCH_SECONDS = Histogram("wiredesk_fetch_seconds", "Time to fetch a feed (all sources).",
                          buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
PUBLISH_SECONDS = Histogram(
    "wiredesk_publish_to_visible_seconds", "From a payload's arrival to its new and updated "
    "stories being public (the commit that publishes them).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
REQUEST_SECONDS = Histogram("wiredesk_request_seconds", "Time Django spent on a request, by view "
                            "(cached responses answered before Django are not counted).",
                            ["view"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))


def record_payload(source: str, outcome: str, items: dict[str, int],
                   received_at_epoch: float | None) -> None:
    """Count one processed payload and its items; observe publish-to-visible for the stories it
    made public (new or updated)."""
    PAYLOADS.labels(source, outcome).inc()
    for name, count in items.items():
        if count:
            ITEMS.labels(source, name).inc(count)
    public = items.get("new", 0) + items.get("updated", 0)
    if public and received_at_epoch is not None:
        PUBLISH_SECONDS.observe(max(0.0, time.time() - received_at_epoch))


def record_fetch(source: str, result: str, seconds: float) -> None:
    FETCHES.labels(source, result).inc()
    FETCH_SECONDS.observe(seconds)


# The backlogs, each counted through an index of its own rows (see the module docstring).
BACKLOGS: tuple[tuple[str, str, str], ...] = (
    ("wiredesk_payloads_waiting", "Payloads stored but not processed yet.",
     "SELECT COUNT(*) FROM newsroom_rawpayload WHERE outcome = 'received'"),
    ("wiredesk_stories_held", "Stories held for review (by the gate, a rule or an editor).",
     "SELECT COUNT(*) FROM newsroom_story WHERE status = 'held'"),
    ("wiredesk_embargoes_pending", "Stories waiting for their embargo to lift.",
     "SELECT COUNT(*) FROM newsroom_story WHERE status = 'embargoed'"),
)


class BacklogCollector(Collector):
    """Reads the backlogs from the database when scraped (see :data:`BACKLOGS`), plus the
    enrichment queue as the enrichment worker reads it."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with connection.cursor() as cursor:
            for name, help_text, sql in BACKLOGS:
                cursor.execute(sql)
                yield GaugeMetricFamily(name, help_text, value=cursor.fetchone()[0])
        from wiredesk.newsroom.workers.enrichment import queue_length

        yield GaugeMetricFamily("wiredesk_enrichment_queue", "Stories whose current version "
                                "waits for enrichment.", value=queue_length())


def exposition() -> bytes:
    """Every process's counters and histograms, summed, and the backlogs: the text format.
    Without a multiprocess folder (a process started otherwise than by `run`, `serve` or
    `worker`), this process's own."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for metric in (ITEMS, PAYLOADS, FETCHES, FETCH_SECONDS, PUBLISH_SECONDS,
                       REQUEST_SECONDS):
            registry.register(metric)
    registry.register(BacklogCollector())
    return generate_latest(registry)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET /metrics``: 404 while no token is set (the endpoint does not exist), 401 without
    the right bearer token, else the exposition (never cached)."""
    token = settings.WIREDESK_METRICS_TOKEN
    if not token:
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("A bearer token is required.\n", status=401,
                                content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


class RequestMetrics:
    """Middleware: the time each request spends in Django, by the view's URL name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match is not None else "") or "unmatched"
        REQUEST_SECONDS.labels(view).observe(time.perf_counter() - started)
        return response


def multiprocess_dir(data_dir: str, environ: Any = os.environ) -> str:
    """Where the processes' metric files go (created; owner-only, like the data folder)."""
    path = environ.get("PROMETHEUS_MULTIPROC_DIR") or os.path.join(data_dir, "metrics")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path
